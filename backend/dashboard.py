"""The host's dashboard page: what to do next, read across apps (kits, parties, referral codes).

It lives here, in the project's composition root, because it spans apps: `ambassadors` imports no
other app. Its route is registered by `backend.urls` inside the portal's namespace (`portal:dashboard`).
"""

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from ambassadors.models import Host, PartyStatus
from ambassadors.portal.views import current_host
from kits.models import ShipmentStatus
from referrals.models import CodeKind


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


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    host = current_host(request)
    return render(
        request,
        "portal/dashboard.html",
        {"host": host, "campaign": host.campaign, "steps": _next_steps(host)},
    )
