"""The public wall of a campaign, and its photos behind signed, expiring URLs.

The page reads the campaign and, at most, the wall's rows (then the cache): a constant number of
queries. A photo answers only while its signed URL is in its time and the photo is approved; it is
a sized copy without metadata, sent like every private file (`backend.private_files`).
"""

from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, render

from ambassadors.models import Campaign, CampaignStatus
from ambassadors.portal.context_processors import show_brand
from backend.private_files import private_file_response
from wall.feed import photo_id_from_token, photo_path, wall_entries
from wall.models import WallPhoto, WallPhotoStatus


def public_campaign(slug: str) -> Campaign:
    """A campaign the public may see (any but a draft), or 404."""
    campaign = get_object_or_404(Campaign, slug=slug)
    if campaign.status == CampaignStatus.DRAFT:
        raise Http404
    return campaign


def wall_page(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = public_campaign(slug)
    show_brand(request, campaign)
    photos = [
        {"entry": entry, "src": photo_path(campaign_slug=campaign.slug, wall_photo_id=entry.id)}
        for entry in wall_entries(campaign)
    ]
    return render(request, "wall/wall.html", {"campaign": campaign, "photos": photos})


def wall_photo(request: HttpRequest, slug: str, token: str) -> HttpResponseBase:
    wall_photo_id = photo_id_from_token(token)
    if wall_photo_id is None:
        raise Http404
    photo = (
        WallPhoto.objects.filter(pk=wall_photo_id, campaign__slug=slug, status=WallPhotoStatus.APPROVED)
        .exclude(display="")
        .first()
    )
    if photo is None:
        raise Http404
    return private_file_response(photo.display, content_type="image/jpeg", filename=f"wall-{photo.pk}.jpg")
