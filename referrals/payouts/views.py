"""The host's "payouts" portal page (SPEC §10): how I am paid (connect Stripe, or store credit) and
the history. Only the signed-in person's data, in a fixed number of queries whatever the data.
"""

import logging
from typing import cast

import stripe
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ambassadors.models import Host
from backend.errors import DomainError
from backend.models import User
from backend.stripe_client import stripe_configured
from referrals.models import Payout, PayoutAccount, PayoutMethod
from referrals.payouts.services import choose_payout_method, connect_stripe_account, refresh_stripe_account
from referrals.rewards.views import PAGE_ROWS

logger = logging.getLogger(__name__)


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
    account = PayoutAccount.objects.filter(user=cast(User, request.user)).first()  # login_required
    history = (
        Payout.objects.for_user(request.user)
        .select_related("campaign")
        .order_by("-created_at", "-id")[:PAGE_ROWS]
    )
    method = account.preferred_method if account else PayoutMethod.STRIPE_TRANSFER
    return render(
        request,
        "referrals/payouts.html",
        {
            "account": account,
            "history": history,
            "stripe_configured": stripe_configured(),
            "method": method,
            "methods": [
                (PayoutMethod.STRIPE_TRANSFER, _("Money to my bank account, through Stripe")),
                (PayoutMethod.STORE_CREDIT, _("Store credit: a code to spend on the shop")),
            ],
            "is_host": Host.objects.for_user(request.user).exists(),
            "returning_from_stripe": request.GET.get("stripe") == "return",
        },
    )
