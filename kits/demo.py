"""Demo data of the kits app: the collection's catalogue, stock, the kit template, kits in every state.

Called by `seed_demo` (`seed_kits(campaign=..., hosts=..., by=...)`); everything goes through the
services, so the demo's stock equals its ledger like the real thing. Running it twice adds nothing.
"""

from collections.abc import Sequence
from decimal import Decimal

from ambassadors.models import Campaign, Host
from backend.models import User
from kits.catalogue.services import create_item, set_kit_template
from kits.models import Item, KitTemplate, ProblemKind, Shipment, ShipmentStatus
from kits.shipments import services
from kits.stock.services import receive_stock

PROMOTION_PACK = [
    # sku, name, unit cost
    ("PROMO-POSTER-A2", "Autumn-winter poster A2", "1.80"),
    ("PROMO-LOOKBOOK-20", "Lookbook, pack of 20", "12.00"),
    ("PROMO-INVITES-30", "Party invitation cards, pack of 30", "4.50"),
    ("PROMO-TOTE", "Canvas tote bag", "3.20"),
    ("PROMO-RAIL-TAGS", "Clothes-rail tags and price cards", "2.10"),
]
GARMENTS = [
    # code, name, retail price, colours
    ("COAT", "Wool-blend coat", "149.00", ("Camel", "Navy")),
    ("JUMP", "Cable-knit jumper", "59.90", ("Ecru", "Forest green")),
    ("DRSS", "Knit midi dress", "69.90", ("Burgundy", "Black")),
    ("BLZR", "Velvet blazer", "99.00", ("Midnight blue", "Bottle green")),
    ("CORD", "Corduroy trousers", "49.90", ("Rust", "Chocolate")),
    ("BLSE", "Printed satin blouse", "45.00", ("Ivory", "Leopard")),
    ("PUFF", "Short puffer jacket", "89.00", ("Black", "Khaki")),
    ("CARD", "Merino cardigan", "55.00", ("Heather grey", "Mustard")),
    ("JEAN", "Wide-leg jeans", "59.00", ("Indigo", "Washed black")),
    ("SKRT", "Pleated midi skirt", "49.00", ("Plum", "Navy")),
]
# What a French host reads on her kit page (the English names above are the other language).
FRENCH_NAMES = {
    "Autumn-winter poster A2": "Affiche automne-hiver A2",
    "Lookbook, pack of 20": "Lookbook, lot de 20",
    "Party invitation cards, pack of 30": "Cartons d’invitation, lot de 30",
    "Canvas tote bag": "Tote bag en toile",
    "Clothes-rail tags and price cards": "Étiquettes de portant et cartes de prix",
    "Wool-blend coat": "Manteau en laine mélangée",
    "Cable-knit jumper": "Pull torsadé",
    "Knit midi dress": "Robe midi en maille",
    "Velvet blazer": "Blazer en velours",
    "Corduroy trousers": "Pantalon en velours côtelé",
    "Printed satin blouse": "Blouse en satin imprimé",
    "Short puffer jacket": "Doudoune courte",
    "Merino cardigan": "Cardigan en mérinos",
    "Wide-leg jeans": "Jean large",
    "Pleated midi skirt": "Jupe midi plissée",
}
FRENCH_COLOURS = {
    "Camel": "Camel", "Navy": "Marine", "Ecru": "Écru", "Forest green": "Vert forêt",
    "Burgundy": "Bordeaux", "Black": "Noir", "Midnight blue": "Bleu nuit", "Bottle green": "Vert bouteille",
    "Rust": "Rouille", "Chocolate": "Chocolat", "Ivory": "Ivoire", "Leopard": "Léopard", "Khaki": "Kaki",
    "Heather grey": "Gris chiné", "Mustard": "Moutarde", "Indigo": "Indigo", "Washed black": "Noir délavé",
    "Plum": "Prune",
}  # fmt: skip
SIZES = ("XS", "S", "M", "L", "XL")
# The state each seeded kit ends in, host by host (10 hosts show every state at least once).
# The first host is the demo login: their kit is on its way, ready for "I received it".
DEMO_STATES = [
    ShipmentStatus.SHIPPED,
    ShipmentStatus.ALLOCATED,
    ShipmentStatus.PACKED,
    ShipmentStatus.DELIVERED,
    ShipmentStatus.RETURNED,
    ShipmentStatus.CLOSED,
    ShipmentStatus.CANCELLED,
    ShipmentStatus.SHIPPED,
    ShipmentStatus.DELIVERED,
    ShipmentStatus.PACKED,
]
CARRIER = {"carrier": "Colissimo", "tracking_url": "https://www.laposte.fr/outils/suivre-vos-envois?code="}


def _catalogue(currency: str) -> list[Item]:
    wanted: list[tuple[str, dict]] = []
    for position, (sku, name, cost) in enumerate(PROMOTION_PACK):
        wanted.append(
            (
                sku,
                {
                    "name_en": name,
                    "name_fr": FRENCH_NAMES[name],
                    "unit_cost": Decimal(cost),
                    "retail_price": Decimal("0.00"),
                    "returnable": False,
                    "weight_grams": 300,
                    "bin_location": f"P-01-{position + 1}",
                },
            )
        )
    for row, (code, name, retail, colours) in enumerate(GARMENTS):
        retail_price = Decimal(retail)
        for shade, colour in enumerate(colours):
            for place, size in enumerate(SIZES):
                wanted.append(
                    (
                        f"AW-{code}-{colour[:3].upper()}-{size}",
                        {
                            "name_en": name,
                            "name_fr": FRENCH_NAMES[name],
                            "colour_en": colour,
                            "colour_fr": FRENCH_COLOURS[colour],
                            "size": size,
                            "unit_cost": (retail_price * Decimal("0.35")).quantize(Decimal("0.01")),
                            "retail_price": retail_price,
                            "weight_grams": 450,
                            "bin_location": f"G-{row + 1:02d}-{shade * len(SIZES) + place + 1:02d}",
                        },
                    )
                )
    existing = Item.objects.in_bulk([sku for sku, _ in wanted], field_name="sku")
    items = []
    for sku, fields in wanted:
        item = existing.get(sku) or create_item(sku=sku, currency=currency, **fields)
        items.append(item)
    return items


def _advance(shipment: Shipment, target: str, *, by: User | None, index: int) -> None:
    """Walk one freshly allocated kit to `target` through the same services logistics uses."""
    if target == ShipmentStatus.ALLOCATED:
        return
    if target == ShipmentStatus.CANCELLED:
        services.cancel_shipment(shipment=shipment, by=by, reason="Host moved abroad before shipping")
        return
    services.mark_packed(shipment=shipment, by=by)
    if target == ShipmentStatus.PACKED:
        return
    tracking = f"6A{20260000000 + index:011d}"
    services.mark_shipped(
        shipment=shipment,
        by=by,
        carrier=CARRIER["carrier"],
        tracking_number=tracking,
        tracking_url=CARRIER["tracking_url"] + tracking,
    )
    if target == ShipmentStatus.SHIPPED:
        return
    services.confirm_delivery(shipment=shipment, by=shipment.host.user)
    if target == ShipmentStatus.DELIVERED:
        if index % 2:
            line = shipment.lines.filter(returnable=True).first()
            services.report_kit_problem(
                shipment=shipment,
                by=shipment.host.user,
                kind=ProblemKind.DAMAGED,
                line=line,
                quantity=1,
                description="The zip of one piece is broken.",
            )
        return
    # Returned: most garments come back, a few damaged, a few missing.
    returnable = list(shipment.lines.filter(returnable=True).select_related("item"))
    back = []
    for position, line in enumerate(returnable):
        if position % 25 == 0:
            continue  # missing
        damaged = 1 if position % 30 == 1 else 0
        back.append(services.ReturnedLine(line.item.sku, good=line.quantity - damaged, damaged=damaged))
    services.receive_return(shipment=shipment, lines=back, by=by)
    if target == ShipmentStatus.CLOSED:
        services.close_shipment(shipment=shipment, by=by, reason="Return received, season over")


def seed_kits(*, campaign: Campaign, hosts: Sequence[Host], by: User | None = None) -> dict[str, int]:
    """Catalogue, stock for every host plus spares, the campaign's kit, one kit per host in varied states."""
    items = _catalogue(campaign.currency)
    if not KitTemplate.objects.filter(campaign=campaign).exists():
        set_kit_template(
            campaign=campaign,
            lines=[(item, 1) for item in items],
            by=by,
            name=f"{campaign.collection_name or campaign.name}: promotion pack + {len(items) - len(PROMOTION_PACK)} pieces",
        )
    template_lines = list(campaign.kit_template.lines.select_related("item"))
    waiting = [host for host in hosts if not Shipment.objects.filter(host=host).exists()]
    if waiting:
        spare = 3
        for line in template_lines:
            receive_stock(
                item=line.item,
                quantity=line.quantity * (len(waiting) + spare),
                by=by,
                reason="Autumn-winter collection delivered",
            )
    shipments = 0
    for index, host in enumerate(waiting):
        shipment = services.allocate_kit(host=host, by=by)
        _advance(shipment, DEMO_STATES[index % len(DEMO_STATES)], by=by, index=index)
        shipments += 1
    return {"catalogue": len(items), "kit_lines": len(template_lines), "shipments": shipments}
