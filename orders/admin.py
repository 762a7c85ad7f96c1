from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from rest_framework_api_key.admin import APIKeyModelAdmin

from backend import roles
from backend.errors import DomainError
from backend.permissions import user_has_role
from orders.ingestion.services import cancel_order
from orders.models import (
    Order,
    OrderLine,
    OrderStatusChange,
    Refund,
    ShopApiKey,
    ShopApiKeyScope,
    ShopEndpoint,
    ShopEvent,
    StripeEvent,
    every_shop_api_key_scope,
)


class OrderLineInline(admin.TabularInline):
    model = OrderLine
    extra = 0
    can_delete = False
    readonly_fields = ["sku", "quantity", "unit_price"]


class RefundInline(admin.TabularInline):
    model = Refund
    extra = 0
    can_delete = False
    fields = ["source", "external_id", "amount", "currency", "status", "refunded_at", "reason"]
    readonly_fields = ["source", "external_id", "amount", "currency", "status", "refunded_at", "reason"]


class OrderStatusChangeInline(admin.TabularInline):
    model = OrderStatusChange
    extra = 0
    can_delete = False
    readonly_fields = ["from_status", "to_status", "changed_at", "by", "reason"]


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    """Read-only: orders come from Stripe, the shop or CSV, and change through services only."""

    list_display = [
        "external_id",
        "source",
        "placed_at",
        "currency",
        "total",
        "refunded_amount",
        "status",
        "code",
    ]
    list_filter = ["source", "status", "currency"]
    search_fields = ["external_id", "code", "landing_token"]
    date_hierarchy = "placed_at"
    inlines = [OrderLineInline, RefundInline, OrderStatusChangeInline]
    actions = ["cancel_selected"]

    def get_readonly_fields(self, request: HttpRequest, obj: Order | None = None) -> list[str]:
        return [field.name for field in Order._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Order | None = None) -> bool:
        return False

    @admin.action(description="Cancel the selected orders")
    def cancel_selected(self, request: HttpRequest, queryset: QuerySet[Order]) -> None:
        for order in queryset:
            try:
                cancel_order(order=order, by=request.user, reason="cancelled in the admin")
            except DomainError as error:
                self.message_user(request, f"{order}: {error.message}", messages.WARNING)


@admin.register(Refund)
class RefundAdmin(admin.ModelAdmin):
    list_display = ["external_id", "source", "order", "amount", "currency", "status", "refunded_at"]
    list_filter = ["source", "status"]
    search_fields = ["external_id", "order_reference"]
    raw_id_fields = ["order"]

    def get_readonly_fields(self, request: HttpRequest, obj: Refund | None = None) -> list[str]:
        return [field.name for field in Refund._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(StripeEvent)
class StripeEventAdmin(admin.ModelAdmin):
    list_display = ["event_id", "type", "status", "attempts", "received_at", "processed_at"]
    list_filter = ["status", "type"]
    search_fields = ["event_id"]

    def get_readonly_fields(self, request: HttpRequest, obj: StripeEvent | None = None) -> list[str]:
        return [field.name for field in StripeEvent._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(ShopEndpoint)
class ShopEndpointAdmin(admin.ModelAdmin):
    """Read-only here: endpoints and their secrets are set through the API (the secret never shows)."""

    list_display = ["name", "slug", "platform", "created_at"]
    list_filter = ["platform"]
    fields = ["name", "slug", "platform", "created_at", "updated_at"]
    readonly_fields = ["name", "slug", "platform", "created_at", "updated_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(ShopEvent)
class ShopEventAdmin(admin.ModelAdmin):
    list_display = ["delivery_id", "endpoint", "topic", "status", "attempts", "received_at", "processed_at"]
    list_filter = ["status", "topic", "endpoint"]
    search_fields = ["delivery_id"]

    def get_readonly_fields(self, request: HttpRequest, obj: ShopEvent | None = None) -> list[str]:
        return [field.name for field in ShopEvent._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


class ShopApiKeyForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(
        choices=ShopApiKeyScope.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=every_shop_api_key_scope,
        help_text=_("What the key may do."),
    )

    class Meta:
        model = ShopApiKey
        fields = ["name", "scopes", "expiry_date", "revoked"]


@admin.register(ShopApiKey)
class ShopApiKeyAdmin(APIKeyModelAdmin):
    """Keys are created, scoped and revoked by admins only (the admin role), whatever model
    permissions another staff member holds; the full key is shown once, on creation."""

    form = ShopApiKeyForm
    list_display = (*APIKeyModelAdmin.list_display, "scopes")  # type: ignore[assignment]  # one column more

    def _is_admin(self, request: HttpRequest) -> bool:
        return user_has_role(request.user, roles.ADMIN)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._is_admin(request)

    def has_view_permission(self, request: HttpRequest, obj: ShopApiKey | None = None) -> bool:
        return self._is_admin(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self._is_admin(request)

    def has_change_permission(self, request: HttpRequest, obj: ShopApiKey | None = None) -> bool:
        return self._is_admin(request)

    def has_delete_permission(self, request: HttpRequest, obj: ShopApiKey | None = None) -> bool:
        return self._is_admin(request)
