"""The public list of a campaign's top hosts (first name and city of those who consented), only
when marketing turned it on for the campaign; 404 otherwise."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from ambassadors.models import Campaign, CampaignStatus
from ambassadors.portal.context_processors import show_brand
from recognition.leaderboard.services import leaderboard_is_public, top_hosts


@require_GET
def leaderboard(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = get_object_or_404(Campaign.objects.exclude(status=CampaignStatus.DRAFT), slug=slug)
    if not leaderboard_is_public(campaign):
        raise Http404
    show_brand(request, campaign)
    return render(
        request, "recognition/leaderboard.html", {"campaign": campaign, "hosts": top_hosts(campaign)}
    )
