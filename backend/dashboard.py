"""The host's dashboard page: what to do next, read across apps (kits, parties, referral codes).

It lives here, in the project's composition root, because it spans apps: `ambassadors` imports no
other app. Its route is registered by `backend.urls` inside the portal's namespace (`portal:dashboard`).
"""

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from ambassadors.models import Host, Party, PartyStatus
from ambassadors.portal.views import current_host
from kits.models import ShipmentStatus
from recognition.notes.views import dashboard_recognition
from referrals.models import CodeKind, RewardPlan
from referrals.rewards.progress import party_progress
from referrals.rewards.views import payout_estimates


def _next_steps(host: Host) -> list[dict[str, Any]]:
    """The dashboard's "what to do next" cards, each present only when it applies (fixed queries)."""
    steps: list[dict[str, Any]] = []
    if host.shipments.filter(status=ShipmentStatus.SHIPPED).exists():
        steps.append({"kind": "kit", "url": "/portal/kit/"})
    if not host.earns:
        return steps
    upcoming = host.parties.filter(status__in=[PartyStatus.PLANNED, PartyStatus.HELD]).exists()
    if not upcoming and host.campaign.party_window_end > timezone.now():
        steps.append({"kind": "party", "url": "/portal/parties/"})
    code = (
        host.referral_codes.filter(kind=CodeKind.HOST, deactivated_at__isnull=True)
        .values_list("code", flat=True)
        .first()
    )
    if code:
        steps.append({"kind": "share", "url": "/portal/share/", "code": code})
    return steps


def _next_party(host: Host) -> Party | None:
    """The party coming next, or the one under way that still waits for its report."""
    return host.parties.filter(status=PartyStatus.PLANNED).order_by("starts_at", "id").first()


def _kit_return(host: Host) -> Any:
    """The kit in the host's hands (shipped or delivered) with a return-by date, if any."""
    return (
        host.shipments.filter(
            status__in=[ShipmentStatus.SHIPPED, ShipmentStatus.DELIVERED], return_due_on__isnull=False
        )
        .order_by("return_due_on")
        .first()
    )


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    host = current_host(request)
    party = _next_party(host)
    plan = RewardPlan.objects.filter(campaign=host.campaign).first()
    estimate = next(
        (estimate for estimate in payout_estimates(request.user) if estimate.campaign.pk == host.campaign_id),
        None,
    )
    steps = _next_steps(host)
    return render(
        request,
        "portal/dashboard.html",
        {
            "host": host,
            "campaign": host.campaign,
            "party": party,
            "progress": party_progress(party_id=party.pk, plan=plan) if party is not None else None,
            "estimate": estimate,
            "kit": _kit_return(host),
            "recognition": dashboard_recognition(host),
            # one thing to do now: the first that applies
            "step": steps[0] if steps else None,
            "now": timezone.now(),
        },
    )
