"""The rules every app shares, written once in backend: the state-machine move and the e-mail normaliser."""

from datetime import timedelta

import pytest
from django.utils import timezone

from ambassadors.models import CAMPAIGN_TRANSITIONS, Campaign, CampaignStatus, CampaignStatusChange
from backend.email_address import normalise_email
from backend.errors import InvalidTransition
from backend.transitions import move_status
from tests.factories import CampaignFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_a_move_saves_the_status_and_its_fields_and_writes_one_history_row():
    # given a draft campaign last touched a day ago
    campaign = CampaignFactory(status=CampaignStatus.DRAFT, name="Automne")
    Campaign.objects.filter(pk=campaign.pk).update(
        updated_at=timezone.now() - timedelta(days=1), name="Hiver"
    )
    by = UserFactory()
    # when it moves to recruiting through the shared move
    moved, previous = move_status(
        campaign,
        to_status=CampaignStatus.RECRUITING,
        transitions=CAMPAIGN_TRANSITIONS,
        history=CampaignStatusChange,
        by=by,
        reason="launch",
    )
    # then the row holds the new status and a fresh updated_at (auto_now is saved with it), and only
    # the named fields were written: the name changed elsewhere is kept, not overwritten
    stored = Campaign.objects.get(pk=campaign.pk)
    assert (previous, moved.status, stored.status) == ("draft", "recruiting", "recruiting")
    assert stored.name == "Hiver"
    assert stored.updated_at > timezone.now() - timedelta(minutes=1)
    history = list(
        CampaignStatusChange.objects.filter(campaign=campaign).values_list(
            "from_status", "to_status", "by", "reason"
        )
    )
    assert history == [("draft", "recruiting", by.pk, "launch")]


def test_a_move_the_map_refuses_writes_nothing_and_names_the_allowed_states():
    campaign = CampaignFactory(status=CampaignStatus.DRAFT)
    with pytest.raises(InvalidTransition) as refused:
        move_status(
            campaign,
            to_status=CampaignStatus.CLOSED,
            transitions=CAMPAIGN_TRANSITIONS,
            history=CampaignStatusChange,
        )
    assert refused.value.extra == {
        "current": "draft",
        "requested": "closed",
        "allowed": sorted(CAMPAIGN_TRANSITIONS[CampaignStatus.DRAFT]),
    }
    assert Campaign.objects.get(pk=campaign.pk).status == CampaignStatus.DRAFT
    assert not CampaignStatusChange.objects.filter(campaign=campaign).exists()


def test_a_move_reads_the_current_status_from_the_database_not_from_the_callers_copy():
    # given a caller holding a stale copy: the campaign was moved on since it was read
    campaign = CampaignFactory(status=CampaignStatus.DRAFT)
    Campaign.objects.filter(pk=campaign.pk).update(status=CampaignStatus.CLOSED)
    # then the move is judged on the locked row (closed → recruiting is not allowed)
    with pytest.raises(InvalidTransition):
        move_status(campaign, to_status=CampaignStatus.RECRUITING, transitions=CAMPAIGN_TRANSITIONS)


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [(" Clara@Example.COM ", "clara@example.com"), ("", ""), (None, ""), ("\tZOE@x.fr\n", "zoe@x.fr")],
)
def test_one_email_normaliser_trims_and_lower_cases(raw, normalised):
    assert normalise_email(raw) == normalised


def test_every_path_that_stores_an_address_stores_it_normalised():
    # the user manager (staff and hosts) uses the shared normaliser too
    user = UserFactory._meta.model.objects.create_user(email="  Marie.Curie@Example.FR ")
    assert user.email == "marie.curie@example.fr"
