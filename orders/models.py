"""Orders, their lines and refunds, and the Stripe events they came from (SPEC §6)."""

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from rest_framework_api_key.models import AbstractAPIKey

from backend.money import round_money


class OrderSource(models.TextChoices):
    STRIPE = "stripe", "Stripe"  # a paid Checkout Session, through the webhook
    API = "api", "API"  # the shop platform, through POST /api/v1/orders/
    CSV = "csv", "CSV"  # a file imported with `manage.py import_orders`
    SHOPIFY = "shopify", "Shopify"  # a shop's order webhooks, through /webhooks/shopify/<endpoint>/
    WOOCOMMERCE = "woocommerce", "WooCommerce"  # a shop's webhooks, through /webhooks/woocommerce/<endpoint>/


# The shop platform reports its orders through the import API and through CSV files: one channel,
# so one shop order id (or refund id) is one order (refund) whichever of the two brought it.
SHOP_IMPORT_SOURCES = (OrderSource.API, OrderSource.CSV)


def same_channel_sources(source: str) -> tuple[str, ...]:
    """The sources that share `source`'s ids: an order id seen under any of them is the same order."""
    return SHOP_IMPORT_SOURCES if source in SHOP_IMPORT_SOURCES else (source,)


# Sources whose figures are the provider's own record of a payment already taken: recorded as sent
# (a refusal could not undo the sale), and a repeated description keeps the first one.
PROVIDER_SOURCES = frozenset({OrderSource.STRIPE, OrderSource.SHOPIFY, OrderSource.WOOCOMMERCE})


class OrderStatus(models.TextChoices):
    PAID = "paid", _("Paid")  # paid, nothing refunded
    PARTIALLY_REFUNDED = "partially_refunded", _("Partially refunded")  # some of the total came back
    REFUNDED = "refunded", _("Refunded")  # the whole total came back
    CANCELLED = "cancelled", _("Cancelled")  # voided by the shop or marketing; earns nothing (final)


# Refund-driven moves go both ways: a refund that later fails gives the money back to the order.
ORDER_TRANSITIONS: dict[str, set[str]] = {
    OrderStatus.PAID: {OrderStatus.PARTIALLY_REFUNDED, OrderStatus.REFUNDED, OrderStatus.CANCELLED},
    OrderStatus.PARTIALLY_REFUNDED: {OrderStatus.PAID, OrderStatus.REFUNDED, OrderStatus.CANCELLED},
    OrderStatus.REFUNDED: {OrderStatus.PAID, OrderStatus.PARTIALLY_REFUNDED, OrderStatus.CANCELLED},
    OrderStatus.CANCELLED: set(),
}


class PromotionCodeProblem(models.TextChoices):
    STRIPE_UNREACHABLE = "stripe_unreachable", _("Stripe could not be asked for the promotion code")
    UNKNOWN_PROMOTION_CODE = "unknown_promotion_code", _("Stripe does not know this promotion code")
    NO_STRIPE_KEY = "no_stripe_key", _("No Stripe key is set to read the promotion code")


class DisputeState(models.TextChoices):
    OPEN = "open", _("Disputed")  # a chargeback is under way: its money is held back
    WON = "won", _("Dispute won")  # the money came back to the brand
    LOST = "lost", _("Dispute lost")  # the money went back to the buyer, like a refund


# Amounts are stored exactly in their currency's decimals: three places, for BHD, JOD, KWD and the
# other ISO 4217 currencies with three (`orders.currencies`); ten digits before the point.
MONEY: dict[str, Any] = {"max_digits": 13, "decimal_places": 3}


class CurrencyStatus(models.TextChoices):
    """Whether the order's commissionable amount is known in its campaign's currency (`reward_*`)."""

    SAME = "same", _("In the campaign's currency")  # or not credited to a campaign (yet)
    CONVERTED = "converted", _("Converted at the day's rate")  # `exchange_rate` of `rate_date`
    # credited to its campaign when the rate is loaded (`orders.signals.exchange_rates_loaded`)
    WAITING_FOR_RATE = "waiting_for_rate", _("Waiting for the day's exchange rate")


class OrderQuerySet(models.QuerySet["Order"]):
    def for_list(self) -> "OrderQuerySet":
        return self.only(
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
            "reward_currency",
            "reward_amount",
            "exchange_rate",
            "rate_date",
            "currency_status",
            "code",
            "promotion_code_id",
            "landing_token",
            "status",
            "dispute_status",
            "channel_conflict",
            "created_at",
        )

    def for_detail(self) -> "OrderQuerySet":
        return self.prefetch_related("lines", "refunds", "disputes", "arrivals")


class Order(models.Model):
    """One e-commerce order, recorded exactly once per (source, external id).

    `commissionable_amount` = subtotal − discount: tax and shipping never earn rewards.
    `refunded_amount` is what went back to the buyer: the refunds that are pending or succeeded, and
    the disputes that hold the money (open or lost), at most the total; the status follows it, so a
    lost chargeback takes back what the order earned like a full refund, and a won one restores it.
    """

    source = models.CharField(
        max_length=11,
        choices=OrderSource.choices,
        help_text="Where the order came from: stripe (a Checkout payment), api (POST /api/v1/orders/), csv (a file import), shopify or woocommerce (a shop's webhooks).",
    )
    external_id = models.CharField(
        max_length=255,
        help_text="The order's id at its source, unique per source: send it again and the order is updated, never doubled.",
    )
    placed_at = models.DateTimeField(
        db_index=True, help_text="When the buyer placed the order, UTC; attribution windows count from it."
    )
    customer_email = models.EmailField(max_length=254, db_index=True)
    currency = models.CharField(max_length=3, help_text="ISO 4217 code of the order's amounts (EUR).")
    subtotal = models.DecimalField(
        **MONEY, help_text="Price of the lines before discount, shipping and tax, in the order's currency."
    )
    discount = models.DecimalField(
        **MONEY,
        default=Decimal("0"),
        help_text="Discount given on the order (a referral code's included), in the order's currency.",
    )
    shipping = models.DecimalField(
        **MONEY, default=Decimal("0"), help_text="Shipping charged, in the order's currency."
    )
    tax = models.DecimalField(
        **MONEY, default=Decimal("0"), help_text="Tax charged, in the order's currency."
    )
    total = models.DecimalField(**MONEY, help_text="What the buyer paid, in the order's currency.")
    commissionable_amount = models.DecimalField(
        **MONEY,
        help_text="What rewards are computed on: subtotal − discount (no shipping, no tax), in the order's currency, before refunds.",
    )
    refunded_amount = models.DecimalField(
        **MONEY, default=Decimal("0"), help_text="Total refunded so far, in the order's currency."
    )
    # The commissionable amount in the currency rewards and reports count it in, when that is not
    # the order's own (blank, null): its campaign's, converted at `exchange_rate` (units of
    # `reward_currency` for one unit of `currency`, from the reference rates of `rate_date`). The
    # amounts above stay as the order was paid. While the day's rate is missing the order waits
    # (`currency_status`), counts nothing, and is credited when the rate is loaded.
    reward_currency = models.CharField(
        max_length=3,
        blank=True,
        help_text="The campaign's currency rewards are counted in when it differs from the order's; empty otherwise.",
    )
    reward_amount = models.DecimalField(**MONEY, null=True, blank=True)
    exchange_rate = models.DecimalField(max_digits=24, decimal_places=12, null=True, blank=True)
    rate_date = models.DateField(
        null=True,
        blank=True,
        help_text="Date of the exchange rate used to convert, when converted; null otherwise.",
    )
    currency_status = models.CharField(
        max_length=16,
        choices=CurrencyStatus.choices,
        default=CurrencyStatus.SAME,
        db_index=True,
        help_text="Whether the order's amounts are in the campaign's currency, converted at the day's rate, or waiting for that rate (then it counts nothing yet).",
    )
    # The code typed at checkout, as typed (attribution normalises it).
    code = models.CharField(
        max_length=64,
        blank=True,
        db_index=True,
        help_text="The referral code typed at checkout, as typed; empty when none.",
    )
    # Stripe: the promotion code's id (`promo_...`) the session carried, beside its code text; when
    # Stripe could not tell the text, `code` is empty and `promotion_code_problem` says why.
    promotion_code_id = models.CharField(
        max_length=64,
        blank=True,
        db_index=True,
        help_text="The Stripe promotion code applied, when the order came from Stripe; empty otherwise.",
    )
    promotion_code_problem = models.CharField(
        max_length=24,
        choices=PromotionCodeProblem.choices,
        blank=True,
        help_text="Why a Stripe promotion code could not be read as a referral code; empty when there was none or it was read.",
    )
    # The `ref` click token the buyer landed with, if any.
    landing_token = models.CharField(
        max_length=64,
        blank=True,
        db_index=True,
        help_text="The click token of the referral link the buyer landed with (`ref`); empty when none.",
    )
    status = models.CharField(
        max_length=20,
        choices=OrderStatus.choices,
        default=OrderStatus.PAID,
        help_text="paid, partially_refunded, refunded, or cancelled (voided; earns nothing).",
    )
    # The payment's id at the payment provider, one sale across channels (see `OrderArrival`):
    # Stripe's PaymentIntent for a Checkout Session, WooCommerce's `transaction_id` (with a Stripe
    # gateway, the charge or PaymentIntent id). Stripe refunds and disputes find their order by it.
    payment_reference = models.CharField(max_length=255, blank=True)
    # The state of the order's chargebacks (Stripe disputes), blank when there are none.
    dispute_status = models.CharField(
        max_length=8,
        choices=DisputeState.choices,
        blank=True,
        help_text="The state of the order's chargebacks: open (money held back), won, or lost (like a refund); empty when none.",
    )
    # SHA-256 of the normalised payload: a second delivery with another payload is a conflict.
    fingerprint = models.CharField(max_length=64)
    # Another channel described this sale with other figures (see its `arrivals`): marketing checks.
    channel_conflict = models.BooleanField(default=False, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OrderQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["source", "external_id"], name="order_unique_per_source"),
            models.UniqueConstraint(
                fields=["external_id"],
                condition=Q(source__in=["api", "csv"]),
                name="order_unique_per_shop_order_id",
            ),
            models.CheckConstraint(
                condition=Q(subtotal__gte=0)
                & Q(discount__gte=0)
                & Q(shipping__gte=0)
                & Q(tax__gte=0)
                & Q(total__gte=0)
                & Q(commissionable_amount__gte=0)
                & Q(refunded_amount__gte=0),
                name="order_amounts_not_negative",
            ),
            models.CheckConstraint(condition=Q(status__in=OrderStatus.values), name="order_status_valid"),
            # One payment is one sale, whichever channels report it.
            models.UniqueConstraint(
                fields=["payment_reference"],
                condition=~Q(payment_reference=""),
                name="order_unique_per_payment_reference",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source}:{self.external_id}"

    @property
    def net_commissionable_amount(self) -> Decimal:
        """The commissionable amount left after refunds, reduced in proportion to the refunded share,
        in `reward_currency` (what rewards and reports count; zero while the rate is missing)."""
        if (
            self.status == OrderStatus.CANCELLED
            or self.total == 0
            or self.currency_status == CurrencyStatus.WAITING_FOR_RATE
        ):
            return Decimal("0.00")
        kept = max(self.total - self.refunded_amount, Decimal("0"))
        return round_money(self.commissionable_in_reward_currency * kept / self.total)

    @property
    def commissionable_in_reward_currency(self) -> Decimal:
        """The commissionable amount as rewards and reports count it (zero while the rate is missing)."""
        if self.currency_status == CurrencyStatus.WAITING_FOR_RATE:
            return Decimal("0.00")
        return self.commissionable_amount if self.reward_amount is None else self.reward_amount


# The columns `Order.net_commissionable_amount` (and `commissionable_in_reward_currency`) read: what a
# page that shows many orders' amounts, and little else of them, loads.
AMOUNT_FIELDS = (
    "status",
    "total",
    "currency_status",
    "refunded_amount",
    "commissionable_amount",
    "reward_amount",
)


class OrderArrival(models.Model):
    """A second channel's description of an order already recorded from another channel.

    One sale may reach Soirée twice: through Stripe and through the shop, matched by the payment
    reference. The first arrival is the order (its `source` and `external_id`); each later one is
    kept here under its own (source, external id), so its repeats find the same order and nothing
    is counted twice. It enriches the order (fills what the order lacks, never overwrites), and
    every figure it tells otherwise is listed in `conflicts` ({field, kept, received}) and raises
    the order's `channel_conflict`.
    """

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="arrivals")
    source = models.CharField(
        max_length=11,
        choices=OrderSource.choices,
        help_text="Which channel delivered the order: stripe, api, csv, shopify or woocommerce.",
    )
    external_id = models.CharField(max_length=255, help_text="The order's id at that source.")
    conflicts = models.JSONField(default=list, blank=True)
    received_at = models.DateTimeField(auto_now_add=True, help_text="When the order arrived, UTC.")

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["source", "external_id"], name="order_arrival_unique_per_source"),
        ]

    def __str__(self) -> str:
        return f"{self.source}:{self.external_id} → {self.order_id}"


class OrderLine(models.Model):
    """One line of an order as the shop sold it."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    sku = models.CharField(max_length=64, help_text="The product's SKU at the shop.")
    quantity = models.PositiveIntegerField(help_text="Units bought.")
    unit_price = models.DecimalField(**MONEY, help_text="Price of one unit, in the order's currency.")

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="order_line_quantity_positive"),
            models.CheckConstraint(condition=Q(unit_price__gte=0), name="order_line_price_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.sku} × {self.quantity}"


class RefundStatus(models.TextChoices):
    PENDING = "pending", _("Pending")  # asked for, money on its way back; counts as refunded
    SUCCEEDED = "succeeded", _("Succeeded")  # the money went back; counts as refunded
    FAILED = "failed", _("Failed")  # the refund did not happen; the order keeps the money
    CANCELED = "canceled", _("Canceled")  # withdrawn before it happened; the order keeps the money


# Refunds only move forward, so events applied in any order reach the same state.
REFUND_STATUS_RANK: dict[str, int] = {
    RefundStatus.PENDING: 0,
    RefundStatus.SUCCEEDED: 1,
    RefundStatus.FAILED: 2,
    RefundStatus.CANCELED: 2,
}
ACTIVE_REFUND_STATUSES = (RefundStatus.PENDING, RefundStatus.SUCCEEDED)


class Refund(models.Model):
    """Money given back on an order, recorded once per (source, external id).

    A refund may arrive before its order (Stripe does not promise event order): it is kept with
    `order` empty and its `order_reference`, and attached when the order is recorded.
    """

    source = models.CharField(
        max_length=11,
        choices=OrderSource.choices,
        help_text="Which channel reported the refund: stripe, api, csv, shopify or woocommerce.",
    )
    external_id = models.CharField(
        max_length=255, help_text="The refund's id at its source: sent again, it is not counted twice."
    )
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="refunds", null=True, blank=True)
    # Stripe: the PaymentIntent id; API/CSV: the order's external id.
    order_reference = models.CharField(max_length=255)
    amount = models.DecimalField(**MONEY, help_text="Amount refunded, in the order's currency.")
    currency = models.CharField(max_length=3, help_text="ISO 4217 code of the amount (the order's currency).")
    status = models.CharField(
        max_length=10,
        choices=RefundStatus.choices,
        default=RefundStatus.SUCCEEDED,
        help_text="pending or succeeded (counts as refunded: reduces sales and rewards), failed or canceled (the order keeps the money).",
    )
    refunded_at = models.DateTimeField(help_text="When the refund was made, UTC.")
    reason = models.CharField(max_length=255, blank=True, help_text="Why, as the shop gave it; may be empty.")
    fingerprint = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["source", "external_id"], name="refund_unique_per_source"),
            models.UniqueConstraint(
                fields=["external_id"],
                condition=Q(source__in=["api", "csv"]),
                name="refund_unique_per_shop_refund_id",
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="refund_amount_not_negative"),
        ]
        indexes = [
            models.Index(
                fields=["source", "order_reference"],
                name="refund_waiting_for_order",
                condition=Q(order__isnull=True),
            )
        ]

    def __str__(self) -> str:
        return f"{self.source}:{self.external_id}"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_REFUND_STATUSES


class Dispute(models.Model):
    """A Stripe dispute (chargeback) on an order's payment, recorded once by its id (`dp_...`).

    Like a refund it may arrive before its order, kept with `order` empty and its `order_reference`
    (the PaymentIntent). `status` is Stripe's; only the statuses in `DISPUTE_HOLDS_MONEY` take the
    amount away from what the order earns.
    """

    external_id = models.CharField(max_length=255, unique=True, help_text="The dispute's id at Stripe.")
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="disputes", null=True, blank=True)
    order_reference = models.CharField(max_length=255, db_index=True)
    amount = models.DecimalField(**MONEY, help_text="Amount disputed, in the order's currency.")
    currency = models.CharField(max_length=3, help_text="ISO 4217 code of the amount (the order's currency).")
    status = models.CharField(max_length=24)
    reason = models.CharField(
        max_length=64,
        blank=True,
        help_text="Stripe's reason for the dispute (e.g. fraudulent); may be empty.",
    )
    disputed_at = models.DateTimeField(help_text="When the buyer opened the dispute, UTC.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="dispute_amount_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.external_id} ({self.status})"


# Stripe's dispute statuses: inquiries (`warning_*`) take no money; a formal dispute takes it when
# opened (`needs_response`, `under_review`) and keeps it if `lost`; `won` gives it back. Closed
# statuses are final, so events applied in any order reach the same state.
DISPUTE_HOLDS_MONEY = ("needs_response", "under_review", "lost")
DISPUTE_FINAL_STATUSES = ("won", "lost", "warning_closed")


class OrderStatusChange(models.Model):
    """History of an order's status: who or what moved it, when, from, to, why."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(
        max_length=20,
        choices=OrderStatus.choices,
        blank=True,
        help_text="The order's status before the change; empty for its arrival.",
    )
    to_status = models.CharField(
        max_length=20, choices=OrderStatus.choices, help_text="The order's status after the change."
    )
    changed_at = models.DateTimeField(auto_now_add=True, help_text="When the order changed status, UTC.")
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reason = models.CharField(
        max_length=255,
        blank=True,
        help_text="Why (a refund, a cancellation by the shop or by marketing); may be empty.",
    )

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.order_id}: {self.from_status or '∅'} → {self.to_status}"


class StripeEventStatus(models.TextChoices):
    PROCESSED = "processed", _("Processed")  # its effect is recorded
    IGNORED = "ignored", _("Ignored")  # a type (or state) Soirée does not act on
    FAILED = "failed", _("Failed")  # processing raised; Stripe retries and we try again


class StripeEvent(models.Model):
    """Each Stripe event, stored once by its id: a repeated delivery finds it and changes nothing."""

    event_id = models.CharField(max_length=255, unique=True)
    type = models.CharField(max_length=100)
    livemode = models.BooleanField(default=False)
    stripe_created_at = models.DateTimeField()
    payload = models.JSONField()
    status = models.CharField(max_length=10, choices=StripeEventStatus.choices)
    attempts = models.PositiveIntegerField(default=1)
    # Signed with the Connect endpoint's secret: an event of a connected account.
    connect = models.BooleanField(default=False)
    error = models.TextField(blank=True)
    received_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.event_id} ({self.type})"


class ShopPlatform(models.TextChoices):
    SHOPIFY = "shopify", "Shopify"  # signs with X-Shopify-Hmac-Sha256, the app's secret
    WOOCOMMERCE = "woocommerce", "WooCommerce"  # signs with X-WC-Webhook-Signature, the webhook's secret


class ShopEndpoint(models.Model):
    """One shop that sends its order webhooks to `/webhooks/<platform>/<slug>/`.

    The signing secret is needed in clear to check each HMAC, so it is stored encrypted with a key
    derived from SECRET_KEY (`orders.shops.secrets`) and never shown again once set.
    Orders of the shop are recorded as `<slug>:<the shop's order id>`: the slug never changes.
    """

    name = models.CharField(max_length=100, help_text="The shop's name as staff call it.")
    slug = models.SlugField(
        max_length=50, unique=True, help_text="The last part of the shop's webhook URL; never changes."
    )
    platform = models.CharField(
        max_length=11, choices=ShopPlatform.choices, help_text="The shop's platform: shopify or woocommerce."
    )
    encrypted_secret = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True, help_text="When the shop was added, UTC.")
    updated_at = models.DateTimeField(auto_now=True, help_text="When it was last changed, UTC.")

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.platform})"


class ShopEventStatus(models.TextChoices):
    PROCESSED = "processed", _("Processed")  # its effect is recorded
    IGNORED = "ignored", _("Ignored")  # a topic (or state) Soirée does not act on
    REFUSED = "refused", _("Refused")  # its content breaks a rule (see `error`); retrying cannot help
    FAILED = "failed", _("Failed")  # processing raised; the shop retries and we try again


class ShopEvent(models.Model):
    """Each webhook delivery of a shop, stored once by its delivery id: a repeat changes nothing."""

    endpoint = models.ForeignKey(ShopEndpoint, on_delete=models.PROTECT, related_name="events")
    delivery_id = models.CharField(max_length=255)
    topic = models.CharField(max_length=100)
    payload = models.JSONField()
    status = models.CharField(max_length=10, choices=ShopEventStatus.choices)
    attempts = models.PositiveIntegerField(default=1)
    error = models.TextField(blank=True)
    received_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["endpoint", "delivery_id"], name="shop_event_unique_delivery"),
        ]

    def __str__(self) -> str:
        return f"{self.delivery_id} ({self.topic})"


class ShopApiKeyScope(models.TextChoices):
    """What a shop key may do; a key does only what its scopes name."""

    ORDERS_IMPORT = "orders:import", _("Send orders and their refunds (POST /api/v1/orders/)")


def every_shop_api_key_scope() -> list[str]:
    """Keys made before scopes existed, and by the shell command, may do everything a key can."""
    return list(ShopApiKeyScope.values)


class ShopApiKey(AbstractAPIKey):
    """A key the shop platform sends as `Authorization: Api-Key <key>`; only its hash is stored."""

    scopes = models.JSONField(default=every_shop_api_key_scope, help_text=_("What the key may do."))

    class Meta(AbstractAPIKey.Meta):
        verbose_name = "shop API key"
        verbose_name_plural = "shop API keys"


class ExchangeRate(models.Model):
    """A reference rate of one day: `per_euro` units of `currency` for one euro.

    Loaded by `manage.py load_exchange_rates` from the European Central Bank's reference-rate CSV
    (or a file of the same shape a brand supplies for a currency the ECB does not publish); a
    conversion between two other currencies goes through the euro (`orders.exchange_rates`).
    """

    currency = models.CharField(max_length=3)
    day = models.DateField()
    per_euro = models.DecimalField(max_digits=20, decimal_places=8)
    loaded_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-day", "currency"]
        constraints = [
            models.UniqueConstraint(fields=["currency", "day"], name="exchange_rate_once_per_day"),
            models.CheckConstraint(condition=Q(per_euro__gt=0), name="exchange_rate_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.day}: 1 EUR = {self.per_euro} {self.currency}"
