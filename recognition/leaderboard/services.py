"""The public leaderboard of a campaign's top hosts: off unless marketing turns it on for the
campaign, and listing only hosts who consented, by first name and city (never an amount)."""

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Sum

from ambassadors.models import Campaign, Host
from recognition.milestones.services import recognised_hosts
from recognition.models import CampaignRecognition, LeaderboardConsent
from referrals.models import AttributedSale

LEADERBOARD_SIZE = 10


@transaction.atomic
def set_public_leaderboard(*, campaign: Campaign, on: bool) -> CampaignRecognition:
    choices, _ = CampaignRecognition.objects.select_for_update().get_or_create(campaign=campaign)
    choices.public_leaderboard = on
    choices.save(update_fields=["public_leaderboard", "updated_at"])
    return choices


def leaderboard_is_public(campaign: Campaign) -> bool:
    return CampaignRecognition.objects.filter(campaign=campaign, public_leaderboard=True).exists()


@transaction.atomic
def set_leaderboard_consent(*, host: Host, consents: bool) -> bool:
    """The host agrees (or no longer agrees) to be listed; withdrawing removes her at once."""
    if consents:
        LeaderboardConsent.objects.get_or_create(host=host)
    else:
        LeaderboardConsent.objects.filter(host=host).delete()
    return consents


def has_leaderboard_consent(host: Host) -> bool:
    return LeaderboardConsent.objects.filter(host=host).exists()


@dataclass(frozen=True)
class LeaderboardRow:
    first_name: str
    city: str


def top_hosts(campaign: Campaign) -> list[LeaderboardRow]:
    """The campaign's hosts who consented, ranked by the net sales credited to them (party, code
    and link; earning sales only), best first, at most ten; ties by who was selected first."""
    rows = (
        AttributedSale.objects.filter(
            campaign=campaign,
            is_sale=True,
            order__attribution__earns=True,
            host__in=recognised_hosts()
            .filter(campaign=campaign, pk__in=LeaderboardConsent.objects.values("host_id"))
            .values("pk"),
        )
        .values("host_id", "host__first_name", "host__city", "host__selected_at")
        .annotate(sales=Sum("net"))
        .filter(sales__gt=0)
        .order_by("-sales", "host__selected_at", "host_id")[:LEADERBOARD_SIZE]
    )
    return [LeaderboardRow(first_name=row["host__first_name"], city=row["host__city"]) for row in rows]
