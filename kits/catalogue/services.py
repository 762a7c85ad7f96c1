"""Changes to the catalogue (SKUs, the CSV import) and to campaigns' kit templates."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models.functions import Lower

from ambassadors.models import Campaign
from backend.errors import Conflict, FieldChecks, Invalid
from backend.models import User
from kits.models import Item, KitTemplate, KitTemplateLine, Stock

# Fields of the catalogue a person may set (stock is never set directly: it follows the ledger).
ITEM_FIELDS = (
    "name",
    "name_en",
    "name_fr",
    "colour",
    "colour_en",
    "colour_fr",
    "size",
    "ean",
    "unit_cost",
    "retail_price",
    "currency",
    "weight_grams",
    "bin_location",
    "returnable",
    "active",
)


@transaction.atomic
def create_item(*, sku: str, **fields: Any) -> Item:
    """Add a SKU to the catalogue with an empty stock row."""
    unknown = set(fields) - set(ITEM_FIELDS)
    if unknown:
        raise Invalid(f"Unknown catalogue fields: {', '.join(sorted(unknown))}.", code="unknown_field")
    # SKUs are unique whatever their case (a picker cannot tell `aw26-1` from `AW26-1` on a shelf).
    existing = Item.objects.filter(sku__iexact=sku).values_list("sku", flat=True).first()
    if existing is not None:
        spelled = "" if existing == sku else f" as {existing}"
        raise Conflict(f"SKU {sku} already exists{spelled}.", code="duplicate_sku")
    _check_ean_free(ean=fields.get("ean", ""), sku=sku)
    item = Item.objects.create(sku=sku, **fields)
    Stock.objects.create(item=item)
    return item


@transaction.atomic
def update_item(*, item: Item, **fields: Any) -> Item:
    unknown = set(fields) - set(ITEM_FIELDS)
    if unknown:
        raise Invalid(f"Unknown catalogue fields: {', '.join(sorted(unknown))}.", code="unknown_field")
    if "ean" in fields:
        _check_ean_free(ean=fields["ean"], sku=item.sku)
    for name, value in fields.items():
        setattr(item, name, value)
    item.save(update_fields=[*fields, "updated_at"])
    return item


def _check_ean_free(*, ean: str, sku: str) -> None:
    if ean and Item.objects.filter(ean=ean).exclude(sku=sku).exists():
        raise Conflict(f"EAN {ean} already belongs to another SKU.", code="duplicate_ean")


@dataclass
class CatalogueImportReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    # (row number, message); row 1 is the header.
    errors: list[tuple[int, str]] = field(default_factory=list)
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors


@transaction.atomic
def import_catalogue(*, rows: Iterable[dict[str, Any]], dry_run: bool = False) -> CatalogueImportReport:
    """Create or update SKUs from validated rows (`sku` + `ITEM_FIELDS`), all or nothing.

    Each row is `{"row": <number>, "data": {...}}` or carries its errors as `{"row", "errors"}`; if
    any row has an error, or on a dry run, nothing is written and the report says what would happen.
    """
    report = CatalogueImportReport(dry_run=dry_run)
    seen: dict[str, int] = {}  # by the SKU in lower case
    for row in rows:
        number = row["row"]
        if row.get("errors"):
            report.errors.extend((number, message) for message in row["errors"])
            continue
        data = dict(row["data"])
        sku = data.pop("sku")
        if sku.lower() in seen:
            report.errors.append((number, f"SKU {sku} already appears on row {seen[sku.lower()]}."))
            continue
        seen[sku.lower()] = number
        try:
            with transaction.atomic():
                existing = Item.objects.filter(sku=sku).first()
                if existing is None:
                    create_item(sku=sku, **data)
                    report.created.append(sku)
                else:
                    update_item(item=existing, **data)
                    report.updated.append(sku)
        except (Invalid, Conflict) as error:
            report.errors.append((number, error.message))
    if report.errors or dry_run:
        transaction.set_rollback(True)
    return report


# --- kit templates ---------------------------------------------------------------------------


@transaction.atomic
def set_kit_template(
    *, campaign: Campaign, lines: Sequence[tuple[Item, int]], by: User | None, name: str = ""
) -> KitTemplate:
    """Replace the campaign's kit template with these (item, quantity) lines."""
    if not lines:
        raise Invalid("A kit template needs at least one line.", field="lines")
    skus = [item.sku for item, _ in lines]
    duplicates = sorted({sku for sku in skus if skus.count(sku) > 1})
    if duplicates:
        raise Invalid(f"SKU listed twice: {', '.join(duplicates)}.", field="lines", code="duplicate_sku")
    for item, quantity in lines:
        if quantity < 1:
            raise Invalid(f"Quantity of {item.sku} must be at least 1.", field="lines")
        if not item.active:
            raise Invalid(f"SKU {item.sku} is inactive.", field="lines", code="inactive_sku")
        if item.currency != campaign.currency:
            raise Invalid(
                f"SKU {item.sku} is priced in {item.currency}, the campaign in {campaign.currency}.",
                field="lines",
                code="currency_mismatch",
            )
    template, _ = KitTemplate.objects.select_for_update().get_or_create(campaign=campaign)
    template.name = name or template.name
    template.save(update_fields=["name", "updated_at"])
    template.lines.all().delete()
    KitTemplateLine.objects.bulk_create(
        KitTemplateLine(template=template, item=item, quantity=quantity) for item, quantity in lines
    )
    return template


# --- many SKUs at once ----------------------------------------------------------------------

# The most SKUs one bulk call may create: a season's catalogue in a few calls, one transaction each.
BULK_MAX_ITEMS = 500


@transaction.atomic
def create_items(*, rows: Sequence[dict[str, Any]]) -> list[Item]:
    """Add many SKUs to the catalogue, each with an empty stock row, or none of them.

    Every row is checked before anything is written; each refusal names its row as `items.<index>.<field>`
    (a SKU or EAN already in the catalogue, or twice in the batch). A constant number of queries,
    whatever the number of rows.
    """
    checks = FieldChecks()
    for index, row in enumerate(rows):
        unknown = set(row) - {"sku", *ITEM_FIELDS}
        if unknown:
            checks.errors.append(
                Invalid(
                    f"Unknown catalogue fields: {', '.join(sorted(unknown))}.",
                    code="unknown_field",
                    field=f"items.{index}",
                )
            )
    checks.raise_errors()
    skus = [row["sku"].lower() for row in rows]
    eans = [row["ean"] for row in rows if row.get("ean")]
    taken_skus = set(
        Item.objects.annotate(sku_lower=Lower("sku"))
        .filter(sku_lower__in=skus)
        .values_list("sku_lower", flat=True)
    )
    taken_eans = set(Item.objects.filter(ean__in=eans).values_list("ean", flat=True)) if eans else set()
    first_sku: dict[str, int] = {}
    first_ean: dict[str, int] = {}
    for index, row in enumerate(rows):
        sku, ean = row["sku"], row.get("ean", "")
        if sku.lower() in taken_skus:
            checks.errors.append(
                Invalid(f"SKU {sku} already exists.", code="duplicate_sku", field=f"items.{index}.sku")
            )
        elif sku.lower() in first_sku:
            checks.errors.append(
                Invalid(
                    f"SKU {sku} already appears in row {first_sku[sku.lower()]}.",
                    code="duplicate_sku",
                    field=f"items.{index}.sku",
                )
            )
        first_sku.setdefault(sku.lower(), index)
        if ean and ean in taken_eans:
            checks.errors.append(
                Invalid(
                    f"EAN {ean} already belongs to another SKU.",
                    code="duplicate_ean",
                    field=f"items.{index}.ean",
                )
            )
        elif ean and ean in first_ean:
            checks.errors.append(
                Invalid(
                    f"EAN {ean} already appears in row {first_ean[ean]}.",
                    code="duplicate_ean",
                    field=f"items.{index}.ean",
                )
            )
        if ean:
            first_ean.setdefault(ean, index)
    checks.raise_errors()
    items = Item.objects.bulk_create(
        [Item(sku=row["sku"], **{k: v for k, v in row.items() if k in ITEM_FIELDS}) for row in rows]
    )
    # Each stock row also caches itself on its item, so the answer reads no more rows.
    Stock.objects.bulk_create([Stock(item=item) for item in items])
    return items
