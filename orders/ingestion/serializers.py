"""Input and output shapes of the orders API (shop import, marketing reads)."""

import re
from decimal import Decimal
from typing import Any

from django.core.validators import EmailValidator
from django.db import models
from django.utils.dateparse import parse_datetime
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from backend.openapi import ERROR_KEYS
from backend.permissions import user_sees_personal_data
from backend.privacy import mask_email
from orders.currencies import DECIMAL_STEPS, amount_exponent
from orders.ingestion.rules import LineData, OrderData, RefundData, order_rule_problems
from orders.models import Dispute, Order, OrderArrival, OrderLine, OrderStatusChange, Refund

MAX_BATCH = 1000
# A plain decimal string: ASCII digits, at most one point and three decimals (the currency's own
# count is a rule: `rules.order_rule_problems`). No sign, exponent, spaces, separators or other
# scripts' digits: Python's Decimal would read "1.2e2", "+120.00", " 120.00" and "١٢٠".
MONEY_PATTERN = r"^[0-9]{1,10}(\.[0-9]{1,3})?$"
_PLAIN_MONEY = re.compile(MONEY_PATTERN, re.ASCII)


def is_plain_money(value: str) -> bool:
    return _PLAIN_MONEY.fullmatch(value) is not None


@extend_schema_field({"type": "string", "format": "decimal", "pattern": MONEY_PATTERN})
class MoneyField(serializers.DecimalField):
    """Money travels as a decimal string ("19.99"), never as a JSON number; every amount input (the
    import API, the CSV command) reads it with this field, as the schema's pattern says."""

    default_error_messages = {
        "not_a_string": 'Send amounts as decimal strings, e.g. "19.99".',
        "invalid": 'Write amounts as plain decimal strings, e.g. "19.99": digits 0-9 and at most one '
        "point, no sign, exponent or spaces.",
    }

    def __init__(self, **kwargs: Any):
        kwargs.setdefault("max_digits", 13)
        kwargs.setdefault("decimal_places", 3)
        kwargs.setdefault("min_value", Decimal("0"))
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> Decimal:
        if not isinstance(data, str):
            self.fail("not_a_string")
        if not is_plain_money(data):
            self.fail("invalid")
        return super().to_internal_value(data)


class _EmailAddress(EmailValidator):
    """Django's e-mail check, its patterns compiled once at import: Django's own are lazy objects,
    looked up through a proxy on every address (2 % of an import batch's time)."""

    user_regex = re.compile(EmailValidator.user_regex.pattern, EmailValidator.user_regex.flags)
    domain_regex = re.compile(EmailValidator.domain_regex.pattern, EmailValidator.domain_regex.flags)
    literal_regex = re.compile(EmailValidator.literal_regex.pattern, EmailValidator.literal_regex.flags)


class EmailAddressField(serializers.EmailField):
    """An e-mail address, checked as `serializers.EmailField` checks it, with `_EmailAddress`."""

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        self.validators = [
            _EmailAddress(message=v.message) if type(v) is EmailValidator else v for v in self.validators
        ]


class AwareDateTimeField(serializers.DateTimeField):
    """ISO 8601 with an offset (`Z` or `+02:00`): a time without one is ambiguous."""

    default_error_messages = {"naive": "Give a time zone offset (e.g. 2026-11-03T18:04:00Z)."}

    def to_internal_value(self, value: Any) -> Any:
        if isinstance(value, str):
            try:
                parsed = parse_datetime(value.strip())
            except ValueError:  # well formed but impossible (February 30th): DRF's own parsing refuses it
                parsed = None
            if parsed is not None and parsed.tzinfo is None:
                self.fail("naive")
        return super().to_internal_value(value)


class OrderLineInputSerializer(serializers.Serializer):
    sku = serializers.CharField(max_length=64, help_text="The product's SKU in the shop.")
    quantity = serializers.IntegerField(
        min_value=1, max_value=100_000, help_text="Units bought (1 to 100,000)."
    )
    unit_price = MoneyField(help_text="Price of one unit, as a decimal string in the order's currency.")


class RefundInputSerializer(serializers.Serializer):
    refund_id = serializers.CharField(
        max_length=255, help_text="The refund's id in the shop: sent again, it is not counted twice."
    )
    amount = MoneyField(help_text="Amount refunded, as a decimal string in the order's currency.")
    refunded_at = AwareDateTimeField(help_text="When the refund was made, ISO 8601 with a time zone.")
    reason = serializers.CharField(
        max_length=255,
        required=False,
        allow_blank=True,
        default="",
        help_text="Why, as the shop gives it; optional.",
    )


def _common_text(field: Any, data: dict[str, Any]) -> str | None:
    """A CharField's value, trimmed, when plain: ASCII (no surrogates), no NUL, within its length."""
    if field.field_name not in data:
        return None if field.required else field.get_default()
    value = data[field.field_name]
    if not isinstance(value, str) or not value.isascii() or "\x00" in value:
        return None
    text = value.strip()
    if (not text and not field.allow_blank) or (
        field.max_length is not None and len(text) > field.max_length
    ):
        return None
    return text


def _is_currency_code(value: str) -> bool:
    """What the currency field's validators accept: three ASCII letters."""
    return len(value) == 3 and value.isascii() and value.isalpha()


def _common_money(field: Any, data: dict[str, Any]) -> Decimal | None:
    """A MoneyField's value when written like "19.99" (no sign, no spaces, no exponent)."""
    if field.field_name not in data:
        return None if field.required else field.get_default()
    value = data[field.field_name]
    if not isinstance(value, str) or not is_plain_money(value):
        return None
    # What `field.quantize` gives: a plain amount has at most the field's decimals and digits, so
    # padding it to them rounds nothing (without DRF's context made per call).
    return Decimal(value).quantize(DECIMAL_STEPS[field.decimal_places])


# Where `validate` keeps the order it checked, for `to_order_data` (not a field: never an input).
_ORDER_DATA = "_order_data"


class OrderInputSerializer(serializers.Serializer):
    """One order from the shop. Refunds may come with it, each recorded once by its `refund_id`."""

    external_id = serializers.CharField(
        max_length=255,
        help_text="The order's id in the shop: sending it again updates the order, never doubles it.",
    )
    placed_at = AwareDateTimeField(help_text="When the order was placed, ISO 8601 with a time zone.")
    customer_email = EmailAddressField(
        max_length=254,
        help_text="The buyer's e-mail: it links the order to a party's guests, never shown without permission.",
    )
    currency = serializers.RegexField(
        r"^[A-Za-z]{3}$",
        max_length=3,
        error_messages={"invalid": "An ISO 4217 code such as EUR."},
        help_text="ISO 4217 code of the amounts (EUR).",
    )
    subtotal = MoneyField(
        help_text="Price of the lines before discount, shipping and tax, as a decimal string in `currency`."
    )
    discount = MoneyField(
        required=False,
        default=Decimal("0"),
        help_text="Discount given on the order, in `currency`; 0 by default.",
    )
    shipping = MoneyField(
        required=False, default=Decimal("0"), help_text="Shipping charged, in `currency`; 0 by default."
    )
    tax = MoneyField(
        required=False, default=Decimal("0"), help_text="Tax charged, in `currency`; 0 by default."
    )
    total = MoneyField(help_text="What the buyer paid, in `currency`.")
    code = serializers.CharField(
        max_length=64,
        required=False,
        allow_blank=True,
        default="",
        help_text="The code the buyer typed at checkout, as typed; optional.",
    )
    landing_token = serializers.CharField(
        max_length=64,
        required=False,
        allow_blank=True,
        default="",
        help_text="The `ref` token of the referral link the buyer arrived with, as the shop kept it; optional.",
    )
    # DRF's ListSerializer takes max_length (3.14+); the type stubs do not know it yet.
    lines = OrderLineInputSerializer(
        many=True,
        required=False,
        default=list,
        max_length=500,
        help_text="The products bought (at most 500); optional.",
    )  # type: ignore[call-arg]
    refunds = RefundInputSerializer(
        many=True,
        required=False,
        default=list,
        max_length=100,
        help_text="Refunds already made on the order (at most 100); optional.",
    )  # type: ignore[call-arg]

    def run_common_validation(self, data: Any) -> dict[str, Any] | None:
        """What `run_validation(data)` returns, for an order in the common shape: ASCII strings
        without surrounding oddities, amounts written like "19.99", whole-number quantities, no
        refunds. Each value is read by its own field's parsing and checks, then `validate` applies
        the rules. None for anything else, or anything refused: `run_validation` then gives the
        full per-field errors. DRF's generic per-field machinery costs more than the reading itself
        (a batch of 1,000 orders is about 25,000 field validations); the equivalence is tested.
        """
        if not isinstance(data, dict) or data.get("refunds", []) != []:
            return None
        fields = self.fields
        attrs: dict[str, Any] = {"refunds": []}
        for name in ("external_id", "customer_email", "currency", "code", "landing_token"):
            text = _common_text(fields[name], data)
            if text is None:
                return None
            attrs[name] = text
        for name in ("subtotal", "discount", "shipping", "tax", "total"):
            amount = _common_money(fields[name], data)
            if amount is None:
                return None
            attrs[name] = amount
        placed_at = data.get("placed_at")
        lines = data.get("lines", [])
        lines_field: Any = self.fields["lines"]  # a ListSerializer: its child and its max_length
        line_fields = lines_field.child.fields
        if not (isinstance(placed_at, str) and placed_at.isascii() and isinstance(lines, list)):
            return None
        if len(lines) > lines_field.max_length:
            return None
        attrs["lines"] = []
        for line in lines:
            quantity = line.get("quantity") if isinstance(line, dict) else None
            sku = _common_text(line_fields["sku"], line) if isinstance(line, dict) else None
            unit_price = _common_money(line_fields["unit_price"], line) if isinstance(line, dict) else None
            if type(quantity) is not int or sku is None or unit_price is None:
                return None
            if not line_fields["quantity"].min_value <= quantity <= line_fields["quantity"].max_value:
                return None
            attrs["lines"].append({"sku": sku, "quantity": quantity, "unit_price": unit_price})
        if not _is_currency_code(attrs["currency"]):
            return None
        placed_at_field: Any = fields["placed_at"]
        if not hasattr(placed_at_field, "timezone"):  # the request's zone, looked up once, not per order
            placed_at_field.timezone = placed_at_field.default_timezone()
        try:
            fields["customer_email"].run_validators(attrs["customer_email"])
            attrs["placed_at"] = placed_at_field.to_internal_value(placed_at)
            return self.validate(attrs)
        except serializers.ValidationError:
            return None

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        data = self.to_order_data(attrs)
        problems = order_rule_problems(data)
        if problems:
            raise serializers.ValidationError(
                {
                    name: [serializers.ErrorDetail(message, code) for message, code in errors]
                    for name, errors in problems.items()
                }
            )
        refund_ids = [refund["refund_id"] for refund in attrs["refunds"]]
        if len(set(refund_ids)) != len(refund_ids):
            raise serializers.ValidationError(
                {"refunds": [serializers.ErrorDetail("Each refund_id may appear once.", "duplicate_refund")]}
            )
        attrs[_ORDER_DATA] = data  # read again by `to_order_data`: made once
        return attrs

    @staticmethod
    def to_order_data(attrs: dict[str, Any]) -> OrderData:
        if _ORDER_DATA in attrs:
            return attrs[_ORDER_DATA]  # type: ignore[no-any-return]
        return OrderData(
            external_id=attrs["external_id"].strip(),
            placed_at=attrs["placed_at"],
            customer_email=attrs["customer_email"],
            currency=attrs["currency"].upper(),
            subtotal=attrs["subtotal"],
            discount=attrs["discount"],
            shipping=attrs["shipping"],
            tax=attrs["tax"],
            total=attrs["total"],
            code=attrs["code"].strip(),
            landing_token=attrs["landing_token"].strip(),
            lines=tuple(LineData(**line) for line in attrs["lines"]),
        )

    @staticmethod
    def to_refund_data(attrs: dict[str, Any]) -> tuple[RefundData, ...]:
        return tuple(
            RefundData(
                external_id=refund["refund_id"].strip(),
                amount=refund["amount"],
                refunded_at=refund["refunded_at"],
                reason=refund["reason"],
            )
            for refund in attrs["refunds"]
        )


class _OrderItemField(serializers.DictField):
    """An item of a batch, as sent: an object, read later by `OrderInputSerializer` (with a result
    of its own). DictField would pass each of its values through an accept-all field into a copy."""

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        if not isinstance(data, dict):
            self.fail("not_a_dict", input_type=type(data).__name__)
        return data


class OrderBatchInputSerializer(serializers.Serializer):
    """Up to 1,000 orders; each is validated and recorded on its own, with its own result."""

    orders = serializers.ListField(
        child=_OrderItemField(),
        min_length=1,
        max_length=MAX_BATCH,
        help_text="The orders to import, each as the single import takes it; each succeeds or fails on its own.",
    )


class _Amount:
    """An amount read from a row, with the currency it is written in."""

    __slots__ = ("currency", "value")

    def __init__(self, value: Decimal, currency: str):
        self.value = value
        self.currency = currency


class CurrencyAmountField(serializers.DecimalField):
    """A stored amount as its currency writes it: two decimals ("19.99", "1000.00" for yen), three
    for three-decimal currencies ("5.125" for dinars). Amounts are stored with three."""

    def get_attribute(self, instance: Any) -> Any:  # the amount with its currency
        value = super().get_attribute(instance)
        if value is None:
            return None
        if self.field_name == "reward_amount":
            currency = instance.reward_currency or instance.currency
        else:
            currency = getattr(instance, "currency", None) or instance.order.currency
        return _Amount(value, currency)

    def to_representation(self, value: Any) -> str:
        if isinstance(value, _Amount):
            return str(Decimal(value.value).quantize(amount_exponent(value.currency)))
        return super().to_representation(value)


class _AmountsInTheirCurrency(serializers.ModelSerializer):
    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.DecimalField: CurrencyAmountField,
    }


class ShopRefundSerializer(_AmountsInTheirCurrency):
    refund_id = serializers.CharField(source="external_id", help_text="The refund's id in the shop, as sent.")

    class Meta:
        model = Refund
        fields = ["refund_id", "amount", "currency", "status", "refunded_at", "reason"]


class ShopOrderSerializer(_AmountsInTheirCurrency):
    """What the shop gets back: the recorded order as Soirée holds it (same for a repeat)."""

    refunds = ShopRefundSerializer(many=True, read_only=True, help_text="The order's refunds as stored.")

    class Meta:
        model = Order
        fields = [
            "id",
            "source",
            "external_id",
            "status",
            "placed_at",
            "currency",
            "subtotal",
            "discount",
            "shipping",
            "tax",
            "total",
            "commissionable_amount",
            "refunded_amount",
            "refunds",
        ]

    def bodies_without_refunds(self, orders: list[Order]) -> list[dict[str, Any]]:
        """What `ShopOrderSerializer(orders, many=True).data` gives for orders that have no refunds
        (created just now without any), formatted by the same fields, without asking for refunds:
        DRF's generic loop and one related queryset per order cost more than the bodies themselves.
        Each field reads its attribute directly, and the times take the current time zone once.
        """
        readers = [(name, _reader(field)) for name, field in self.fields.items()]
        return [{name: read(order) for name, read in readers} for order in orders]


def _reader(field: serializers.Field) -> Any:
    """How `field` represents an order: the refunds as none, an amount in the order's currency,
    any other field by its own `to_representation` of its attribute."""
    if field.field_name == "refunds":
        return lambda order: []
    name = field.source
    if not isinstance(name, str) or "." in name or name == "*":
        return lambda order: _represent(field, order)
    if isinstance(field, CurrencyAmountField) and name != "reward_amount":
        return lambda order: (
            None
            if (value := getattr(order, name)) is None
            else str(Decimal(value).quantize(amount_exponent(order.currency)))
        )
    if isinstance(field, serializers.DateTimeField):
        field.timezone = field.default_timezone()  # type: ignore[assignment]  # read once, not per value
    represent = field.to_representation
    return lambda order: None if (value := getattr(order, name)) is None else represent(value)


def _represent(field: serializers.Field, instance: Any) -> Any:
    value = field.get_attribute(instance)
    return None if value is None else field.to_representation(value)


class ErrorItemSerializer(serializers.Serializer):
    code = serializers.CharField(help_text=ERROR_KEYS["code"])
    detail = serializers.CharField(help_text=ERROR_KEYS["detail"])
    attr = serializers.CharField(allow_null=True, help_text=ERROR_KEYS["attr"])


class ErrorBodySerializer(serializers.Serializer):
    type = serializers.CharField(help_text=ERROR_KEYS["type"])
    # The one error shape names this key `errors`; as a declared field it never shadows `.errors`.
    errors = ErrorItemSerializer(many=True, help_text=ERROR_KEYS["errors"])  # type: ignore[assignment]
    extra = serializers.JSONField(
        required=False, help_text="Machine-readable facts about the error, when it has any (the conflict's)."
    )


class ImportItemResultSerializer(serializers.Serializer):
    index = serializers.IntegerField(help_text="Position of the order in the batch, from 0.")
    external_id = serializers.CharField(
        allow_null=True, help_text="The order's id at the shop, as sent; null when it could not be read."
    )
    result = serializers.ChoiceField(
        choices=["created", "updated", "unchanged", "error"],
        help_text="created, updated, unchanged, or error (the order was refused; `status_code` and the error say why).",
    )
    status_code = serializers.IntegerField(help_text="What this item alone would have answered.")
    order = ShopOrderSerializer(allow_null=True, help_text="The order as stored; null for an error.")
    error = ErrorBodySerializer(allow_null=True, help_text="The one error shape, for this item.")


class ImportBatchResultSerializer(serializers.Serializer):
    created = serializers.IntegerField(help_text="Orders of the batch that were new.")
    updated = serializers.IntegerField(help_text="Orders already known that changed (e.g. a refund added).")
    unchanged = serializers.IntegerField(help_text="Orders already known, sent again as they were.")
    errors = serializers.IntegerField(help_text="Orders refused (see each result).")  # type: ignore[assignment]  # a declared field, see above
    results = ImportItemResultSerializer(many=True, help_text="One result per order sent, in the order sent.")


class _MaskedEmailMixin(serializers.Serializer):
    customer_email = serializers.SerializerMethodField(
        help_text="The buyer's e-mail; masked (c***@example.com) without the personal-data permission."
    )

    def get_customer_email(self, order: Order) -> str:
        if self.context.get("sees_personal_data"):
            return order.customer_email
        return mask_email(order.customer_email)

    @staticmethod
    def context_for(request: Any) -> dict[str, Any]:
        return {"request": request, "sees_personal_data": user_sees_personal_data(request.user)}


class OrderListSerializer(_MaskedEmailMixin, _AmountsInTheirCurrency):
    exchange_rate = serializers.DecimalField(
        max_digits=24,
        decimal_places=12,
        read_only=True,
        allow_null=True,
        help_text="Units of `reward_currency` for one unit of `currency`, from the reference rates of "
        "`rate_date` (null when the order counts in its own currency or waits for the rate).",
    )
    reward_amount = CurrencyAmountField(
        max_digits=13,
        decimal_places=3,
        read_only=True,
        allow_null=True,
        help_text="The commissionable amount in `reward_currency` (its campaign's), converted; null when "
        "the order counts in its own currency or waits for the rate.",
    )

    class Meta:
        model = Order
        fields = [
            "id",
            "source",
            "external_id",
            "placed_at",
            "customer_email",
            "currency",
            "subtotal",
            "discount",
            "shipping",
            "tax",
            "total",
            "commissionable_amount",
            "refunded_amount",
            "currency_status",
            "reward_currency",
            "reward_amount",
            "exchange_rate",
            "rate_date",
            "code",
            "promotion_code_id",
            "landing_token",
            "status",
            "dispute_status",
            "channel_conflict",
        ]
        extra_kwargs = {
            "channel_conflict": {
                "help_text": "Another channel reported this sale with other figures: see `arrivals`."
            }
        }


class OrderLineSerializer(_AmountsInTheirCurrency):
    class Meta:
        model = OrderLine
        fields = ["sku", "quantity", "unit_price"]


class RefundSerializer(_AmountsInTheirCurrency):
    class Meta:
        model = Refund
        fields = ["source", "external_id", "amount", "currency", "status", "refunded_at", "reason"]


class DisputeSerializer(_AmountsInTheirCurrency):
    class Meta:
        model = Dispute
        fields = ["external_id", "amount", "currency", "status", "reason", "disputed_at"]
        extra_kwargs = {"status": {"help_text": "Stripe's dispute status (needs_response, won, lost...)."}}


class OrderStatusChangeSerializer(serializers.ModelSerializer):
    class Meta:
        model = OrderStatusChange
        fields = ["from_status", "to_status", "changed_at", "reason"]


class ArrivalConflictSerializer(serializers.Serializer):
    field = serializers.CharField(read_only=True, help_text="The order's field the two channels disagree on.")
    kept = serializers.CharField(read_only=True, help_text="The order's value, which stands.")
    received = serializers.CharField(read_only=True, help_text="What the later channel said.")


class OrderArrivalSerializer(serializers.ModelSerializer):
    """Another channel's report of the same sale: it enriched the order, never duplicated it."""

    conflicts = serializers.SerializerMethodField(
        help_text="Figures this arrival told differently from the order kept, each as {field, kept, received}: the first report wins. The buyer's e-mail is masked without the personal-data permission."
    )

    class Meta:
        model = OrderArrival
        fields = ["source", "external_id", "received_at", "conflicts"]

    @extend_schema_field(ArrivalConflictSerializer(many=True))
    def get_conflicts(self, arrival: OrderArrival) -> list[dict[str, str]]:
        conflicts = [dict(conflict) for conflict in arrival.conflicts]
        if not self.context.get("sees_personal_data"):
            for conflict in conflicts:
                if conflict.get("field") == "customer_email":
                    conflict.update(
                        kept=mask_email(conflict["kept"]), received=mask_email(conflict["received"])
                    )
        return conflicts


class OrderDetailSerializer(OrderListSerializer):
    lines = OrderLineSerializer(many=True, read_only=True, help_text="The products bought.")
    arrivals = OrderArrivalSerializer(
        many=True,
        read_only=True,
        help_text="Every time a channel reported the order, with what it told differently.",
    )
    refunds = RefundSerializer(
        many=True, read_only=True, help_text="The order's refunds, from every channel."
    )
    disputes = DisputeSerializer(
        many=True, read_only=True, help_text="The order's chargebacks (Stripe disputes)."
    )
    status_changes = OrderStatusChangeSerializer(
        many=True, read_only=True, help_text="Every status change of the order, oldest first."
    )
    net_commissionable_amount = serializers.DecimalField(
        max_digits=12,
        decimal_places=2,
        read_only=True,
        help_text="The commissionable amount after refunds, in proportion to what was paid back, in the order's currency: what rewards count.",
    )

    class Meta(OrderListSerializer.Meta):
        fields = [
            *OrderListSerializer.Meta.fields,
            "net_commissionable_amount",
            "lines",
            "promotion_code_problem",
            "refunds",
            "disputes",
            "status_changes",
            "arrivals",
        ]


class OrderCancelInputSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=255, help_text="Why the order is voided (required, kept in its status history)."
    )
