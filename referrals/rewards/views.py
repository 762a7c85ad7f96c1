"""The host's "earnings" portal page (SPEC §10). Only the signed-in person's data.

The orders credited to me (date, amount, party, method — never the buyer), the ledger with its
states, and the next payout estimate per campaign. The page runs a fixed number of queries,
whatever the data.
"""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import cast

from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AnonymousUser
from django.db.models import Min, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import date_format

from ambassadors.models import Campaign, Host
from backend.models import User
from backend.templatetags.formatting import money
from orders.models import AMOUNT_FIELDS, Order, OrderStatus
from referrals.models import (
    Attribution,
    AttributionMethod,
    AttributionReason,
    EntryKind,
    EntryState,
    LedgerEntry,
    RewardPlan,
)
from referrals.payouts.services import DEFAULT_PAYOUT_MINIMUM
from referrals.rewards import explanations

# The pages show the latest lines; older ones stay in the ledger (and in the API).
PAGE_ROWS = 100


@dataclass(frozen=True)
class PayoutEstimate:
    campaign: Campaign
    currency: str
    approved: Decimal
    pending: Decimal
    paid: Decimal
    minimum: Decimal
    next_approvable_at: datetime | None

    @property
    def reaches_minimum(self) -> bool:
        return self.approved > 0 and self.approved >= self.minimum

    @property
    def earned(self) -> Decimal:
        """Everything earned so far: paid, approved and still held."""
        return self.approved + self.pending + self.paid

    @property
    def missing(self) -> Decimal:
        return max(self.minimum - self.approved, Decimal("0.00"))


def payout_estimates(user: User | AnonymousUser) -> list[PayoutEstimate]:
    """Per campaign the person hosts: approved, pending and paid sums, and when pending money matures."""
    hosts = list(Host.objects.for_user(user).select_related("campaign").order_by("-selected_at", "-id"))
    entries = LedgerEntry.objects.filter(host__in=hosts).exclude(kind=EntryKind.PAYOUT)
    sums: dict[tuple[int, str], Decimal] = {
        (row["host_id"], row["state"]): row["total"]
        for row in entries.values("host_id", "state").annotate(total=Sum("amount")).order_by()
    }
    next_dates = {
        row["host_id"]: row["next"]
        for row in entries.filter(state=EntryState.PENDING, amount__gt=0)
        .values("host_id")
        .annotate(next=Min("approvable_at"))
        .order_by()
    }
    minimums = dict(
        RewardPlan.objects.filter(campaign__in=[host.campaign_id for host in hosts]).values_list(
            "campaign_id", "payout_minimum"
        )
    )
    zero = Decimal("0.00")
    return [
        PayoutEstimate(
            campaign=host.campaign,
            currency=host.campaign.currency,
            approved=sums.get((host.pk, EntryState.APPROVED), zero),
            pending=sums.get((host.pk, EntryState.PENDING), zero),
            paid=sums.get((host.pk, EntryState.PAID), zero),
            minimum=minimums.get(host.campaign_id, DEFAULT_PAYOUT_MINIMUM),
            next_approvable_at=next_dates.get(host.pk),
        )
        for host in hosts
    ]


def _signed_in(request: HttpRequest) -> User:
    """The signed-in person (every view here is `login_required`)."""
    return cast(User, request.user)


@dataclass(frozen=True)
class CreditedOrder:
    """One line of "orders credited to me", written as the page shows it."""

    amount: str
    day: str
    party_title: str | None
    method_label: str
    earns: bool
    reason_label: str
    status: str
    status_label: str


class _OrderAmounts:
    """What `Order`'s amount rules read, from one row of values: a model instance per credited order
    (an attribution, its order and its party) cost more than the rest of a busy host's page."""

    __slots__ = AMOUNT_FIELDS
    # `Order`'s own rules, reading this object's attributes of the same names (the type checker
    # knows them as `Order`'s only: their one use says so)
    net_commissionable_amount = Order.net_commissionable_amount
    commissionable_in_reward_currency = Order.commissionable_in_reward_currency

    def __init__(
        self,
        status: str,
        total: Decimal,
        currency_status: str,
        refunded_amount: Decimal,
        commissionable_amount: Decimal,
        reward_amount: Decimal | None,
    ) -> None:
        self.status, self.total, self.currency_status = status, total, currency_status
        self.refunded_amount, self.commissionable_amount = refunded_amount, commissionable_amount
        self.reward_amount = reward_amount


CREDITED_FIELDS = (
    "method",
    "earns",
    "reason",
    "party__title",
    "order__placed_at",
    "order__reward_currency",
    "order__currency",
    *(f"order__{name}" for name in AMOUNT_FIELDS),
)


def credited_orders(user: User) -> list[CreditedOrder]:
    """The latest orders credited to the person, newest first, with their amounts and days written.

    The page of a busy host shows a hundred of these: each is read as one row of values, its labels
    from each choice list once per page (`get_FOO_display` translates the whole list on every call),
    each day formatted once, and the template only places the text.
    """
    methods = {value: str(label) for value, label in AttributionMethod.choices}
    reasons = {value: str(label) for value, label in AttributionReason.choices}
    statuses = {value: str(label) for value, label in OrderStatus.choices}
    days: dict[date, str] = {}
    credited = []
    for method, earns, reason, party_title, placed_at, reward_currency, currency, *amounts in (
        Attribution.objects.filter(host__user=user)
        .order_by("-order__placed_at", "-order_id")
        .values_list(*CREDITED_FIELDS)[:PAGE_ROWS]
    ):
        local_day = timezone.localtime(placed_at).date()
        if local_day not in days:
            days[local_day] = date_format(local_day, "DATE_FORMAT")
        order = _OrderAmounts(**dict(zip(AMOUNT_FIELDS, amounts, strict=True)))
        net = order.net_commissionable_amount  # type: ignore[misc]
        credited.append(
            CreditedOrder(
                amount=money(net, reward_currency or currency),
                day=days[local_day],
                party_title=party_title,
                method_label=methods.get(method, method),
                earns=earns,
                reason_label=reasons.get(reason, reason),
                status=order.status,
                status_label=statuses.get(order.status, order.status),
            )
        )
    return credited


@login_required
def earnings(request: HttpRequest) -> HttpResponse:
    ledger = LedgerEntry.objects.for_user(request.user).order_by("-created_at", "-id")[:PAGE_ROWS]
    lines = explanations.explain(ledger)
    return render(
        request,
        "referrals/earnings.html",
        {
            "credited": credited_orders(_signed_in(request)),
            "months": explanations.by_month(lines),
            "parties": explanations.by_party(lines),
            "estimates": payout_estimates(request.user),
        },
    )
