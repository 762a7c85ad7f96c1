"""The host's "earnings" and "payouts" portal pages (SPEC §10). Only the signed-in person's data.

Earnings: the orders credited to me (date, amount, party, method — never the buyer), the ledger
with its states, and the next payout estimate per campaign. Payouts: how I am paid (connect Stripe,
or store credit) and the history. Each page runs a fixed number of queries, whatever the data.
"""

import logging
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import cast

import stripe
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AnonymousUser
from django.db.models import Min, Sum
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ambassadors.models import Campaign, Host
from backend.errors import DomainError
from backend.models import User
from orders.models import OrderStatus
from referrals.models import (
    Attribution,
    AttributionMethod,
    AttributionReason,
    EntryKind,
    EntryState,
    LedgerEntry,
    Payout,
    PayoutAccount,
    PayoutMethod,
    RewardPlan,
)
from referrals.payouts.services import (
    DEFAULT_PAYOUT_MINIMUM,
    choose_payout_method,
    connect_stripe_account,
    refresh_stripe_account,
)

logger = logging.getLogger(__name__)

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
    """One line of "orders credited to me", with its labels already read."""

    net_amount: Decimal
    currency: str
    placed_at: datetime
    party_title: str | None
    method_label: str
    earns: bool
    reason_label: str
    status: str
    status_label: str


def credited_orders(user: User) -> list[CreditedOrder]:
    """The latest orders credited to the person, newest first.

    The labels are read from each choice list once per page: `get_FOO_display` rebuilds a
    hashable copy of the field's choices on every call, translating each one, which was most of
    the page's time for a host with a hundred orders.
    """
    methods = {value: str(label) for value, label in AttributionMethod.choices}
    reasons = {value: str(label) for value, label in AttributionReason.choices}
    statuses = {value: str(label) for value, label in OrderStatus.choices}
    credited = (
        Attribution.objects.filter(host__user=user)
        .select_related("order", "party")
        .only(
            "method",
            "earns",
            "reason",
            "party__title",
            "order__placed_at",
            "order__currency",
            "order__status",
            "order__total",
            "order__refunded_amount",
            "order__commissionable_amount",
        )
        .order_by("-order__placed_at", "-order_id")[:PAGE_ROWS]
    )
    return [
        CreditedOrder(
            net_amount=attribution.order.net_commissionable_amount,
            currency=attribution.order.currency,
            placed_at=attribution.order.placed_at,
            party_title=attribution.party.title if attribution.party else None,
            method_label=methods.get(attribution.method, attribution.method),
            earns=attribution.earns,
            reason_label=reasons.get(attribution.reason, attribution.reason),
            status=attribution.order.status,
            status_label=statuses.get(attribution.order.status, attribution.order.status),
        )
        for attribution in credited
    ]


@login_required
def earnings(request: HttpRequest) -> HttpResponse:
    ledger = (
        LedgerEntry.objects.for_user(request.user)
        .select_related("campaign")
        .order_by("-created_at", "-id")[:PAGE_ROWS]
    )
    return render(
        request,
        "referrals/earnings.html",
        {
            "credited": credited_orders(_signed_in(request)),
            "ledger": ledger,
            "estimates": payout_estimates(request.user),
        },
    )


def _payouts_url(state: str) -> str:
    return f"{settings.SITE_URL}{reverse('referrals:payouts')}?stripe={state}"


def _handle_payouts_post(request: HttpRequest) -> HttpResponse:
    action = request.POST.get("action")
    try:
        if action == "connect":
            link = connect_stripe_account(
                user=request.user, return_url=_payouts_url("return"), refresh_url=_payouts_url("refresh")
            )
            return HttpResponseRedirect(link)
        if action == "method":
            choose_payout_method(user=request.user, method=request.POST.get("method", ""))
            messages.success(request, _("Your payout choice is saved."))
        else:
            messages.error(request, _("Unknown action."))
    except DomainError as error:
        messages.error(request, error.message)
    except stripe.StripeError:
        logger.exception("stripe onboarding failed")
        messages.error(request, _("Stripe could not be reached. Please try again in a few minutes."))
    return redirect("referrals:payouts")


@login_required
@require_http_methods(["GET", "POST"])
def payouts(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        return _handle_payouts_post(request)
    if request.GET.get("stripe") == "return":
        try:
            refresh_stripe_account(user=request.user)
        except stripe.StripeError:
            logger.exception("stripe account read-back failed")
            messages.error(request, _("Stripe could not be reached. Please try again in a few minutes."))
    account = PayoutAccount.objects.filter(user=_signed_in(request)).first()
    history = (
        Payout.objects.for_user(request.user)
        .select_related("campaign")
        .order_by("-created_at", "-id")[:PAGE_ROWS]
    )
    stripe_configured = bool(settings.STRIPE_SECRET_KEY)
    method = account.preferred_method if account else PayoutMethod.STRIPE_TRANSFER
    return render(
        request,
        "referrals/payouts.html",
        {
            "account": account,
            "history": history,
            "stripe_configured": stripe_configured,
            "method": method,
            "methods": [
                (PayoutMethod.STRIPE_TRANSFER, _("Money to my bank account, through Stripe")),
                (PayoutMethod.STORE_CREDIT, _("Store credit: a code to spend on the shop")),
            ],
            "is_host": Host.objects.for_user(request.user).exists(),
            "returning_from_stripe": request.GET.get("stripe") == "return",
        },
    )
