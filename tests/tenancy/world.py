"""Two hosts of one campaign, each owning at least one object of every kind a host can own.

Every row of a tenant carries a marker (a string unique to that tenant) so a response can be
searched for another tenant's rows, whether it is JSON or HTML.
"""

import itertools
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile
from django.utils import timezone

from ambassadors.models import Application, Campaign, Guest, Host, Party, PartyPhoto, PartyStatusChange
from ambassadors.parties import services as parties
from feedback.models import PieceFeedback
from feedback.ratings.services import Rating, rate_piece_as_host
from kits.catalogue.services import set_kit_template
from kits.models import Shipment, ShipmentProblem, ShipmentStatusChange, SlipBatch, SlipBatchStatus
from kits.shipments import services as kits
from kits.stock.services import receive_stock
from orders.ingestion.rules import OrderData
from orders.ingestion.services import record_order
from orders.models import Order
from recognition.models import BrandNote
from recognition.notes.services import write_brand_note
from referrals.codes.services import issue_host_code, issue_party_code
from referrals.models import LedgerEntry, Payout, PayoutAccount, ReferralCode
from referrals.payouts.services import reserve_payout
from referrals.rewards.services import adjust_rewards, set_reward_plan
from tests import factories
from tests.parties.conftest import image_upload

_orders = itertools.count(1)


@dataclass
class Tenant:
    """One host and what they own; `markers[kind]` are strings only this tenant's rows of that kind show."""

    host: Host
    planned_party: Party  # started two hours ago, still planned: editable, cancellable, can be marked held
    guest: Guest  # on the planned party
    held_party: Party  # held, with a photo
    photo: PartyPhoto
    shipment: Shipment  # shipped: the host can confirm receipt and report a problem
    problem: ShipmentProblem
    host_code: ReferralCode
    party_code: ReferralCode
    order: Order  # bought with the party code: credited to this host
    adjustment: LedgerEntry
    payout: Payout
    batch: SlipBatch  # a print job of the tenant's shipment (staff pages)
    opinion: PieceFeedback | None = None  # the host's opinion of her kit's piece, with a photo
    markers: dict[str, set[str]] = field(default_factory=dict)
    ids: dict[str, set[int]] = field(default_factory=dict)

    @property
    def user(self) -> Any:
        return self.host.user

    @property
    def campaign(self) -> Campaign:
        return self.host.campaign

    @property
    def application(self) -> Application:
        return self.host.application

    @property
    def item_sku(self) -> str:
        return self.shipment.lines.select_related("item").get().item.sku

    @property
    def all_markers(self) -> set[str]:
        return set().union(*self.markers.values())


def shared_campaign() -> Campaign:
    """A running campaign with a kit (one coat per host), stock for two kits and a reward plan."""
    campaign = factories.CampaignFactory(kit_return_due_on="2027-03-31")
    coat = factories.ItemFactory(sku="TENANCY-COAT", name="Wool coat")
    set_kit_template(campaign=campaign, lines=[(coat, 1)], by=None)
    receive_stock(item=coat, quantity=2, by=None, reason="initial")
    set_reward_plan(
        campaign=campaign,
        by=None,
        party_brackets=[{"up_to": None, "rate": "0.10"}],
        min_party_buyers=1,
        min_party_sales=Decimal("0"),
        payout_minimum=Decimal("1"),
    )
    return campaign


def build_tenant(campaign: Campaign, *, name: str, amount: str, number: int) -> Tenant:
    """A host named `name` (a word found nowhere else) whose rewards adjustment is `amount`."""
    now = timezone.now()
    host = factories.HostFactory(
        application__campaign=campaign,
        application__first_name=name,
        application__address_line1=f"{number} {name} Lane",
        selected_at=now - timedelta(days=60),
    )
    planned = factories.PartyFactory(
        host=host, title=f"{name} garden evening", starts_at=now - timedelta(hours=2)
    )
    guest = factories.GuestFactory(
        party=planned, first_name=f"{name}guest", email=f"{name.lower()}.guest@example.com"
    )
    held = factories.PartyFactory(host=host, title=f"{name} autumn soiree", starts_at=now - timedelta(days=1))
    parties.mark_party_held(party=held, by=host.user, actual_guests=4, photos=[image_upload()])
    shipment = kits.allocate_kit(host=host, by=None)
    kits.mark_packed(shipment=shipment, by=None)
    shipment = kits.mark_shipped(
        shipment=shipment, by=None, carrier="Colissimo", tracking_number=f"{name}TRACK"
    )
    opinion = rate_piece_as_host(
        line=shipment.lines.get(),
        by=host.user,
        rating=Rating(
            fit="right", colour="love", quality=4, would_buy=True, comment=f"{name} opinion", consent=True
        ),
        photo=image_upload(),
    )
    problem = kits.report_kit_problem(
        shipment=shipment, by=host.user, kind="missing", description=f"{name} coat missing"
    )
    host_code = issue_host_code(host=host)
    party_code = issue_party_code(party=held)
    order, _ = record_order(
        source="api",
        data=OrderData(
            external_id=f"TENANCY-{next(_orders)}",
            placed_at=now - timedelta(hours=1),
            customer_email=f"buyer.of.{name.lower()}@example.com",
            currency="EUR",
            subtotal=Decimal("100.00"),
            total=Decimal("100.00"),
            code=party_code.code,
        ),
    )
    adjustment = adjust_rewards(host=host, amount=Decimal(amount), reason=f"{name} welcome bonus", by=None)
    payout, why_not = reserve_payout(host=host)
    assert payout is not None, why_not
    note = write_brand_note(host=host, body=f"{name} thank-you note", by=None)
    batch = SlipBatch.objects.create(
        description=f"{name} batch", total=1, done=1, status=SlipBatchStatus.DONE
    )
    batch.shipments.add(shipment)
    batch.file.save(f"{name}.pdf", ContentFile(b"%PDF-1.4 printed slips"))
    tenant = Tenant(
        host=host,
        planned_party=planned,
        guest=guest,
        held_party=held,
        photo=held.photos.get(),
        shipment=shipment,
        problem=problem,
        host_code=host_code,
        party_code=party_code,
        order=order,
        adjustment=adjustment,
        payout=payout,
        batch=batch,
        opinion=opinion,
    )
    tenant.markers = {
        "host": {name},
        "profile": {host.address_line1},
        "parties": {planned.title, held.title},
        "guests": {guest.first_name, guest.email},
        "kit": {shipment.number, shipment.tracking_number},
        "problems": {problem.description},
        "codes": {host_code.code, party_code.code},
        "ledger": {amount},
        "credited": {held.title},
        "payouts": {str(payout.amount)},
        "notes": {note.body},
        "opinions": {opinion.comment},
    }
    tenant.ids = {
        "host": {host.pk},
        "parties": {planned.pk, held.pk},
        "codes": {host_code.pk, party_code.pk},
        "ledger": set(LedgerEntry.objects.filter(host=host).values_list("pk", flat=True)),
        "payouts": {payout.pk},
    }
    return tenant


def footprint(tenant: Tenant) -> dict[str, list[dict[str, Any]]]:
    """Every stored row a tenant owns, to compare before and after someone else's requests."""
    host = tenant.host
    rows = {
        "host": Host.objects.filter(pk=host.pk),
        "application": Application.objects.filter(pk=host.application_id),
        "parties": Party.objects.filter(host=host),
        "party history": PartyStatusChange.objects.filter(party__host=host),
        "guests": Guest.objects.filter(party__host=host),
        "photos": PartyPhoto.objects.filter(party__host=host),
        "shipments": Shipment.objects.filter(host=host),
        "shipment history": ShipmentStatusChange.objects.filter(shipment__host=host),
        "problems": ShipmentProblem.objects.filter(shipment__host=host),
        "codes": ReferralCode.objects.filter(host=host),
        "ledger": LedgerEntry.objects.filter(host=host),
        "payouts": Payout.objects.filter(host=host),
        "payout account": PayoutAccount.objects.filter(user=host.user),
        "notes": BrandNote.objects.filter(host=host),
        "opinions": PieceFeedback.objects.filter(host=host),
    }
    return {kind: list(queryset.order_by("pk").values()) for kind, queryset in rows.items()}
