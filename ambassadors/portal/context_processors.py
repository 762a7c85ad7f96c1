"""`brand` in every page's context: how the page is dressed (`backend.branding.Brand`).

A page about one campaign names it with `show_brand` (the campaign page, guest pages, the host's
pages through `current_host`); another page of a signed-in host wears her latest campaign's brand
(one query, made only when the page uses it); any other page wears Soirée's.
"""

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from ambassadors.models import Campaign, Host, HostStatus
from ambassadors.recruitment.branding import brand_of
from backend.branding import Brand

_ATTRIBUTE = "brand_campaign"


def show_brand(request: HttpRequest, campaign: Campaign) -> None:
    """Dress this request's page in `campaign`'s branding."""
    setattr(request, _ATTRIBUTE, campaign)


def _brand_for(request: HttpRequest) -> Brand:
    if hasattr(request, _ATTRIBUTE):
        return brand_of(getattr(request, _ATTRIBUTE))
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return Brand()
    host = (
        Host.objects.for_user(user)
        .exclude(status=HostStatus.BANNED)
        .select_related("campaign")
        .order_by("-selected_at", "-id")
        .first()
    )
    return brand_of(host.campaign if host is not None else None)


def brand(request: HttpRequest) -> dict[str, Any]:
    return {"brand": SimpleLazyObject(lambda: _brand_for(request))}
