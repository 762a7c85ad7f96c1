from datetime import datetime, time
from decimal import Decimal
from typing import TypedDict

from django.contrib.auth.models import AnonymousUser
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ambassadors.models import Campaign, Host, HostStatus, Party, PartyStatus
from backend.models import User

# Codes read aloud and typed on phones: no 0/O/1/I to confuse.
CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
CODE_SUFFIX_LENGTH = 4


class CodeKind(models.TextChoices):
    HOST = "host", _("Host code")  # one per host per campaign, valid while the host takes part
    PARTY = "party", _("Party code")  # one per party, valid from the party day to its window's end


class ReferralCodeQuerySet(models.QuerySet["ReferralCode"]):
    def for_user(self, user: User | AnonymousUser) -> "ReferralCodeQuerySet":
        if not user.is_authenticated:
            return self.none()
        return self.filter(host__user=user)

    def lookup(self, raw: str) -> "ReferralCode | None":
        """The code typed or clicked, case-insensitively; None when unknown."""
        normalised = normalise_code(raw)
        if not normalised:
            return None
        return self.select_related("host", "party", "campaign").filter(code=normalised).first()


def normalise_code(raw: str) -> str:
    return (raw or "").strip().upper()[:32]


class ReferralCode(models.Model):
    """A human-friendly code (`CLARA-7K2F`) crediting a host, or one of their parties.

    Stored upper-case, unique forever: codes are never deleted (PROTECT) nor reused. Validity is
    derived from today's facts (host state, party dates, deactivation), so it can never go stale.
    """

    code = models.CharField(max_length=32, unique=True)
    kind = models.CharField(max_length=8, choices=CodeKind.choices)
    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="referral_codes")
    host = models.ForeignKey(Host, on_delete=models.PROTECT, related_name="referral_codes")
    party = models.OneToOneField(
        Party, null=True, blank=True, on_delete=models.PROTECT, related_name="referral_code"
    )
    created_at = models.DateTimeField(default=timezone.now)
    deactivated_at = models.DateTimeField(null=True, blank=True)
    deactivation_reason = models.CharField(max_length=200, blank=True)
    # Mirror of the code as a Stripe promotion code, when the campaign offers a guest discount.
    stripe_promotion_code_id = models.CharField(max_length=64, blank=True)

    objects = ReferralCodeQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["host"], condition=Q(kind="host"), name="one_host_code_per_host"),
            models.CheckConstraint(
                condition=(Q(kind="host") & Q(party__isnull=True))
                | (Q(kind="party") & Q(party__isnull=False)),
                name="party_code_has_party",
            ),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def active(self) -> bool:
        return self.deactivated_at is None and self.host.status != HostStatus.BANNED

    def valid_from(self) -> datetime:
        if self.kind == CodeKind.PARTY and self.party is not None:
            party_day = timezone.localtime(self.party.starts_at).date()
            return timezone.make_aware(datetime.combine(party_day, time.min))
        return min(self.created_at, self.host.selected_at)

    def valid_until(self) -> datetime | None:
        if self.kind == CodeKind.PARTY and self.party is not None:
            return self.party.attribution_ends_at
        return None

    def is_valid_at(self, at: datetime) -> bool:
        """True when an order placed at `at` may be credited through this code."""
        if not self.active:
            return False
        if self.kind == CodeKind.PARTY and (self.party is None or self.party.status == PartyStatus.CANCELLED):
            return False
        until = self.valid_until()
        return self.valid_from() <= at and (until is None or at <= until)


class Click(models.Model):
    """One human visit through `/r/<code>`. Never the raw IP: a salted hash of IP and user agent."""

    code = models.ForeignKey(ReferralCode, on_delete=models.CASCADE, related_name="clicks")
    at = models.DateTimeField(default=timezone.now, db_index=True)
    token = models.CharField(max_length=32, unique=True)
    visitor_hash = models.CharField(max_length=64)
    referrer_host = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["code", "at"])]

    def __str__(self) -> str:
        return f"{self.code_id} @ {self.at:%Y-%m-%d %H:%M}"


class CampaignCoupon(models.Model):
    """The Stripe coupon behind a campaign's guest discount; its promotion codes mirror our codes."""

    campaign = models.OneToOneField(Campaign, on_delete=models.PROTECT, related_name="stripe_coupon")
    stripe_coupon_id = models.CharField(max_length=64)
    percent_off = models.DecimalField(max_digits=5, decimal_places=2)
    created_at = models.DateTimeField(default=timezone.now)


class AttributionMethod(models.TextChoices):
    CODE = "code", _("Code entered at checkout")  # rule 1
    LINK = "link", _("Referral link clicked")  # rule 2
    GUEST = "guest", _("Guest of a party")  # rule 3
    MANUAL = "manual", _("Set by marketing")  # re-attributed by hand, with a reason
    NONE = "none", _("Unattributed")  # nothing matched; `reason` says why


class AttributionReason(models.TextChoices):
    UNKNOWN_CODE = "unknown_code", _("The code entered is not one of ours")
    EXPIRED_CODE = "expired_code", _("The code entered was not valid at the order time")
    NO_MATCH = "no_match", _("No code, link or guest list matched")
    SELF_REFERRAL = "self_referral", _("The buyer is the host: credited, earns nothing")
    HOST_NOT_EARNING = "host_not_earning", _("The host is paused or banned: credited, earns nothing")


class Attribution(models.Model):
    """The one attribution of an order: to whom, by which rule, and a sentence a person can read.

    `earns` is false for self-referrals and hosts who are paused or banned; the rewards ledger
    only counts attributions that earn.
    """

    order = models.OneToOneField("orders.Order", on_delete=models.CASCADE, related_name="attribution")
    method = models.CharField(max_length=8, choices=AttributionMethod.choices)
    reason = models.CharField(max_length=20, choices=AttributionReason.choices, blank=True)
    campaign = models.ForeignKey(Campaign, null=True, blank=True, on_delete=models.PROTECT)
    host = models.ForeignKey(
        Host, null=True, blank=True, on_delete=models.PROTECT, related_name="attributions"
    )
    party = models.ForeignKey(
        Party, null=True, blank=True, on_delete=models.PROTECT, related_name="attributions"
    )
    referral_code = models.ForeignKey(ReferralCode, null=True, blank=True, on_delete=models.PROTECT)
    click = models.ForeignKey(Click, null=True, blank=True, on_delete=models.SET_NULL)
    earns = models.BooleanField(default=False)
    explanation = models.CharField(max_length=300)
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["campaign", "host"]),
            models.Index(fields=["method", "decided_at"]),
        ]

    def __str__(self) -> str:
        return self.explanation


class AttributionChange(models.Model):
    """Audit trail of every attribution decision after the first: who, when, from what, to what, why."""

    order = models.ForeignKey("orders.Order", on_delete=models.CASCADE, related_name="attribution_changes")
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey("backend.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    from_method = models.CharField(max_length=8, choices=AttributionMethod.choices)
    from_host = models.ForeignKey(Host, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    from_party = models.ForeignKey(Party, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    to_method = models.CharField(max_length=8, choices=AttributionMethod.choices)
    to_host = models.ForeignKey(Host, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    to_party = models.ForeignKey(Party, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    reason = models.CharField(max_length=500)

    class Meta:
        ordering = ["at", "id"]


# --- Rewards (SPEC §8) -------------------------------------------------------------------------


class DecimalDigits(TypedDict):
    """The size of a decimal field, spread into model and serializer `DecimalField`s."""

    max_digits: int
    decimal_places: int


MONEY: DecimalDigits = {"max_digits": 12, "decimal_places": 2}


class RewardPlan(models.Model):
    """A campaign's hostess rewards: marginal brackets on each party's sales, and the rest.

    `party_brackets` is a list of `{"up_to": "500.00" | null, "rate": "0.10"}` in increasing
    order; the last bracket has no upper bound. A party earns only once it qualifies (enough buyers
    other than the host, and enough sales).
    """

    campaign = models.OneToOneField(Campaign, on_delete=models.CASCADE, related_name="reward_plan")
    party_brackets = models.JSONField(default=list)
    min_party_buyers = models.PositiveSmallIntegerField(default=3)
    min_party_sales = models.DecimalField(**MONEY, default=Decimal("150.00"))
    host_code_rate = models.DecimalField(max_digits=5, decimal_places=4, default=Decimal("0.0500"))
    booking_bonus = models.DecimalField(**MONEY, default=Decimal("0.00"))
    cap_per_host = models.DecimalField(**MONEY, null=True, blank=True)
    holding_days = models.PositiveSmallIntegerField(default=30)
    payout_minimum = models.DecimalField(**MONEY, default=Decimal("20.00"))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    min_party_sales__gte=0,
                    booking_bonus__gte=0,
                    payout_minimum__gte=0,
                    host_code_rate__gte=0,
                    host_code_rate__lte=1,
                ),
                name="reward_plan_amounts_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(cap_per_host__isnull=True) | Q(cap_per_host__gte=0),
                name="reward_plan_cap_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"reward plan of {self.campaign}"


class EntryKind(models.TextChoices):
    ACCRUAL = "accrual", _("Accrual")  # earned on sales, a booking, ...
    REVERSAL = "reversal", _("Reversal")  # taken back: refund, cancellation, re-attribution
    CAP = "cap", _("Cap")  # what exceeds the plan's cap per host
    KIT_DEDUCTION = "kit_deduction", _("Kit-return deduction")  # missing kit items, by policy
    ADJUSTMENT = "adjustment", _("Manual adjustment")  # by marketing, with a reason
    PAYOUT = "payout", _("Payout")  # money sent to the host


class EntryState(models.TextChoices):
    PENDING = "pending", _("Pending")  # inside the holding period
    APPROVED = "approved", _("Approved")  # may be paid out
    PAID = "paid", _("Paid")  # included in a payout


class LedgerEntryQuerySet(models.QuerySet["LedgerEntry"]):
    def for_user(self, user: User | AnonymousUser) -> "LedgerEntryQuerySet":
        if not user.is_authenticated:
            return self.none()
        return self.filter(host__user=user)


class LedgerEntry(models.Model):
    """One append-only line of a host's rewards ledger for a campaign.

    Amounts are never edited: a change in today's facts posts a new line with the difference, under
    the same `basis` (what the line is about: `party:12`, `order:345`, `booking:6`, `kit:7`, `cap`,
    `adjustment:<uuid>`, `payout:<id>`). Only the state moves: pending → approved → paid.
    """

    host = models.ForeignKey(Host, on_delete=models.PROTECT, related_name="ledger_entries")
    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="ledger_entries")
    kind = models.CharField(max_length=16, choices=EntryKind.choices)
    state = models.CharField(max_length=10, choices=EntryState.choices, default=EntryState.PENDING)
    basis = models.CharField(max_length=64)
    amount = models.DecimalField(**MONEY)
    currency = models.CharField(max_length=3)
    description = models.CharField(max_length=300)
    created_at = models.DateTimeField(default=timezone.now)
    approvable_at = models.DateTimeField()
    approved_at = models.DateTimeField(null=True, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    payout = models.ForeignKey(
        "Payout", null=True, blank=True, on_delete=models.PROTECT, related_name="entries"
    )
    by = models.ForeignKey("backend.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    reason = models.CharField(max_length=500, blank=True)

    objects = LedgerEntryQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [models.CheckConstraint(condition=~Q(amount=0), name="ledger_entry_amount_not_zero")]
        indexes = [
            models.Index(fields=["host", "basis"]),
            models.Index(fields=["state", "approvable_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.amount} {self.currency} ({self.basis})"


class PayoutMethod(models.TextChoices):
    STRIPE_TRANSFER = "stripe_transfer", _("Stripe transfer")  # to the host's connected Express account
    STORE_CREDIT = "store_credit", _("Store credit")  # a single-use promotion code worth the amount
    BANK_TRANSFER = "bank_transfer", _("Bank transfer")  # exported as CSV, marked paid by hand


class PayoutStatus(models.TextChoices):
    PENDING = "pending", _("Pending")  # reserved; the money has not been confirmed sent yet
    PAID = "paid", _("Paid")  # the transfer or store credit exists (or marked paid by hand)


class PayoutQuerySet(models.QuerySet["Payout"]):
    def for_user(self, user: User | AnonymousUser) -> "PayoutQuerySet":
        if not user.is_authenticated:
            return self.none()
        return self.filter(host__user=user)


class Payout(models.Model):
    """One payment of a host's approved balance. `idempotency_key` makes the Stripe call exactly-once."""

    host = models.ForeignKey(Host, on_delete=models.PROTECT, related_name="payouts")
    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="payouts")
    amount = models.DecimalField(**MONEY)
    currency = models.CharField(max_length=3)
    method = models.CharField(max_length=16, choices=PayoutMethod.choices)
    status = models.CharField(max_length=8, choices=PayoutStatus.choices, default=PayoutStatus.PENDING)
    idempotency_key = models.CharField(max_length=64, unique=True)
    stripe_transfer_id = models.CharField(max_length=64, blank=True)
    store_credit_code = models.CharField(max_length=64, blank=True)
    stripe_promotion_code_id = models.CharField(max_length=64, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    paid_at = models.DateTimeField(null=True, blank=True)
    marked_paid_by = models.ForeignKey(
        "backend.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = PayoutQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="payout_amount_positive")]

    def __str__(self) -> str:
        return f"payout #{self.pk} {self.amount} {self.currency}"


class PayoutAccount(models.Model):
    """How a person is paid: their connected Stripe Express account, or store credit, or bank transfer."""

    user = models.OneToOneField("backend.User", on_delete=models.CASCADE, related_name="payout_account")
    preferred_method = models.CharField(
        max_length=16, choices=PayoutMethod.choices, default=PayoutMethod.STRIPE_TRANSFER
    )
    stripe_account_id = models.CharField(max_length=64, blank=True)
    payouts_enabled = models.BooleanField(default=False)
    details_submitted = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"payout account of {self.user_id}"


# --- Report rollup (SPEC §9, §12) ---------------------------------------------------------------


class PartyGuestCount(models.Model):
    """How many guests a party's list holds, for the attribution report's guest column: a campaign's
    report reads one row per party (5,000) instead of every guest (50,000). Kept current in the
    transaction of every guest added or deleted (withdrawn, removed, erased with the party) by
    `referrals.reports.count_party_guests`; anonymising a guest keeps the guest, and the count."""

    party = models.OneToOneField(Party, primary_key=True, on_delete=models.CASCADE, related_name="+")
    guests = models.PositiveIntegerField()


class AttributedSale(models.Model):
    """The attribution report's row for one order, kept current when the order is attributed,
    re-attributed, refunded or cancelled (`referrals.reports.refresh_attributed_sale`).

    Why a rollup table rather than a GROUP BY over orders: the report groups orders by facts that
    live in another table (the attribution's campaign, host, party, method), so the plain query
    joins 1M orders to 1M attributions and reads both heaps. Here those facts sit beside the money,
    already reduced to what the report sums (net sales after refunds, whether the order counts),
    and one composite index starting with (campaign, host) holds every column the report reads:
    a campaign's report is an index-only scan of its own slice, already in host order. The buyer
    is a keyed 64-bit hash of the e-mail, enough to count distinct buyers without copying an
    address.
    """

    order = models.OneToOneField(
        "orders.Order", primary_key=True, on_delete=models.CASCADE, related_name="attributed_sale"
    )
    # No index of its own: the report index below starts with it, and the planner must pick that one.
    campaign = models.ForeignKey(
        Campaign, null=True, blank=True, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    host = models.ForeignKey(Host, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    party = models.ForeignKey(Party, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    method = models.CharField(max_length=8, choices=AttributionMethod.choices)
    placed_at = models.DateTimeField()
    buyer = models.BigIntegerField()
    # False for a cancelled order: it is no sale and counts nowhere.
    is_sale = models.BooleanField()
    gross = models.DecimalField(**MONEY)  # commissionable amount (subtotal − discount)
    net = models.DecimalField(**MONEY)  # the same after refunds, as `Order.net_commissionable_amount`
    # The buyer is on the guest list of the credited party (for guest conversion).
    guest_bought = models.BooleanField(default=False)
    refreshed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(
                fields=[
                    "campaign",
                    "host",
                    "placed_at",
                    "party",
                    "method",
                    "is_sale",
                    "guest_bought",
                    "buyer",
                ]
                + ["gross", "net"],
                name="attributed_sale_report",
            ),
            models.Index(fields=["placed_at"], name="attributed_sale_placed_at"),
            # Distinct counts (not additive, so no sum can stand in for them) read these narrow
            # partial indexes: a campaign's sales in (host, buyer) order, or in buyer order, let
            # PostgreSQL drop duplicates as the index streams by instead of sorting 100,000 keys;
            # the indexes follow every write to the row (refresh, erasure) with nothing to keep current.
            models.Index(
                fields=["campaign", "host", "buyer"],
                condition=Q(is_sale=True),
                name="attributed_sale_host_buyers",
            ),
            models.Index(
                fields=["campaign", "buyer"], condition=Q(is_sale=True), name="attributed_sale_buyers"
            ),
            models.Index(
                fields=["campaign", "host", "party", "buyer"],
                condition=Q(is_sale=True, guest_bought=True),
                name="attributed_sale_guest_buyers",
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(gross__gte=0, net__gte=0), name="attributed_sale_not_negative")
        ]

    def __str__(self) -> str:
        return f"sale of order {self.order_id}"


# --- Privacy (SPEC §13) -------------------------------------------------------------------------


class PrivacyRequestKind(models.TextChoices):
    EXPORT = "export", _("Export")  # everything held about a person was handed out
    ERASURE = "erasure", _("Erasure")  # the person's data was replaced by neutral values


class PrivacyRequest(models.Model):
    """Audit trail of exports and erasures of a person's data: who, when, why, what it touched.

    The person is named by their pseudonym (`backend.privacy.pseudonymous_email`), never by their
    address: the trail itself must not keep what was erased.
    """

    kind = models.CharField(max_length=8, choices=PrivacyRequestKind.choices)
    subject = models.CharField(max_length=254, db_index=True)
    by = models.ForeignKey("backend.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    reason = models.CharField(max_length=500, blank=True)
    summary = models.JSONField(default=dict)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.kind} of {self.subject}"
