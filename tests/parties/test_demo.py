from datetime import timedelta

import pytest
from django.utils import timezone

from ambassadors.models import Application, Guest, Party, PartyPhoto
from ambassadors.parties.demo import seed_parties
from tests import factories

pytestmark = pytest.mark.django_db


def test_seed_parties_builds_parties_in_every_state_with_guests_and_runs_once():
    # given a running campaign whose party window opened two months ago, and another recruiting
    campaign = factories.CampaignFactory(
        status="running",
        party_window_start=timezone.now() - timedelta(days=60),
        applications_open_at=timezone.now() - timedelta(days=90),
        applications_close_at=timezone.now() - timedelta(days=61),
    )
    next_campaign = factories.CampaignFactory()
    hosts = [factories.HostFactory(application__campaign=campaign) for _ in range(3)]

    # when the demo is seeded twice
    first = seed_parties(campaign=campaign, hosts=hosts)
    second = seed_parties(campaign=campaign, hosts=hosts)

    # then every state is there once, with guests, reports, photos and a booking
    statuses = set(Party.objects.values_list("status", flat=True))
    assert statuses == {"planned", "held", "closed", "cancelled"}
    assert first["closed"] == 3 and first["cancelled"] == 1
    assert second == {"planned": 0, "held": 0, "closed": 0, "cancelled": 0, "guests": 0}
    assert Guest.objects.count() == first["guests"]
    assert PartyPhoto.objects.exists()
    assert Application.objects.filter(campaign=next_campaign, booked_from_party__isnull=False).exists()
