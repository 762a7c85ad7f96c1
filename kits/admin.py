"""Admin for logistics: catalogue editing; stock, shipments and settlements are read-only here
(they change only through the services, via the API)."""

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from modeltranslation.admin import TranslationAdmin

from kits.catalogue import services
from kits.models import (
    Item,
    KitSettlement,
    KitTemplate,
    KitTemplateLine,
    PrintLog,
    Shipment,
    ShipmentLine,
    ShipmentProblem,
    ShipmentStatusChange,
    Stock,
    StockMovement,
)


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class StockInline(ReadOnlyInline):
    model = Stock
    fields = ["on_hand", "allocated", "updated_at"]
    readonly_fields = ["on_hand", "allocated", "updated_at"]


@admin.register(Item)
class ItemAdmin(TranslationAdmin):  # the name in French and English
    list_display = ["sku", "name", "colour", "size", "retail_price", "bin_location", "returnable", "active"]
    list_filter = ["active", "returnable", "currency"]
    search_fields = ["sku", "name", "ean"]
    inlines = [StockInline]

    def save_model(self, request: HttpRequest, obj: Item, form: object, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)  # type: ignore[arg-type]  # admin form
        else:
            fields = {name: getattr(obj, name) for name in services.ITEM_FIELDS}
            created = services.create_item(sku=obj.sku, **fields)
            obj.pk = created.pk


@admin.register(StockMovement)
class StockMovementAdmin(admin.ModelAdmin):
    list_display = ["at", "item", "kind", "quantity", "on_hand_delta", "allocated_delta", "shipment", "by"]
    list_filter = ["kind"]
    search_fields = ["item__sku", "shipment__number", "reason"]
    list_select_related = ["item", "shipment", "by"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class KitTemplateLineInline(admin.TabularInline):
    model = KitTemplateLine
    extra = 0
    autocomplete_fields = ["item"]


@admin.register(KitTemplate)
class KitTemplateAdmin(admin.ModelAdmin):
    list_display = ["campaign", "name", "updated_at"]
    inlines = [KitTemplateLineInline]


SHIPMENT_LINE_FIELDS = (
    "item",
    "quantity",
    "returnable",
    "returned_good",
    "returned_damaged",
    "unit_cost",
    "retail_price",
)


class ShipmentLineInline(ReadOnlyInline):
    model = ShipmentLine
    fields = SHIPMENT_LINE_FIELDS
    readonly_fields = SHIPMENT_LINE_FIELDS


class ShipmentStatusChangeInline(ReadOnlyInline):
    model = ShipmentStatusChange
    fields = ["at", "by", "from_status", "to_status", "reason"]
    readonly_fields = ["at", "by", "from_status", "to_status", "reason"]


class ShipmentProblemInline(ReadOnlyInline):
    model = ShipmentProblem
    fk_name = "shipment"
    fields = ["created_at", "kind", "line", "quantity", "description", "resolved_at", "resolution"]
    readonly_fields = ["created_at", "kind", "line", "quantity", "description", "resolved_at", "resolution"]


@admin.register(Shipment)
class ShipmentAdmin(admin.ModelAdmin):
    list_display = ["number", "host", "campaign", "status", "carrier", "tracking_number", "allocated_at"]
    list_filter = ["status", "campaign"]
    search_fields = ["number", "tracking_number", "ship_to_name", "host__user__email"]
    list_select_related = ["host", "campaign"]
    inlines = [ShipmentLineInline, ShipmentStatusChangeInline, ShipmentProblemInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(ShipmentProblem)
class ShipmentProblemAdmin(admin.ModelAdmin):
    list_display = ["created_at", "shipment", "kind", "quantity", "resolved_at"]
    list_filter = ["kind", ("resolved_at", admin.EmptyFieldListFilter)]
    search_fields = ["shipment__number", "description"]
    list_select_related = ["shipment"]
    readonly_fields = ["shipment", "reported_by", "kind", "line", "quantity", "description", "created_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet[ShipmentProblem]:
        return super().get_queryset(request).select_related("shipment")


@admin.register(KitSettlement)
class KitSettlementAdmin(admin.ModelAdmin):
    list_display = [
        "shipment",
        "host",
        "policy",
        "missing_units",
        "amount_to_deduct",
        "currency",
        "settled_at",
    ]
    list_filter = ["policy", "campaign"]
    list_select_related = ["shipment", "host"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(PrintLog)
class PrintLogAdmin(admin.ModelAdmin):
    """Who printed which kits' packing slips, and when (append-only: written by the slips services)."""

    list_display = ["at", "by", "page_size", "shipment_count", "batch"]
    list_filter = ["page_size", "at"]
    search_fields = ["=shipments__number", "by__email"]
    search_help_text = "A shipment number (KIT-2026-000123) or the e-mail of who printed."
    list_select_related = ["by", "batch"]
    fields = ("at", "by", "page_size", "shipment_count", "batch", "printed_kits")
    readonly_fields = ("at", "by", "page_size", "shipment_count", "batch", "printed_kits")

    @admin.display(description="kits")
    def printed_kits(self, log: PrintLog) -> str:
        return ", ".join(
            number or "" for number in log.shipments.order_by("number").values_list("number", flat=True)
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
