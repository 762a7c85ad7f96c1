"""The demo's rewards: the demo host shows money in every state, and seeding twice adds nothing."""

import pytest

from referrals.models import EntryState, LedgerEntry, PayoutStatus
from referrals.rewards.demo import seed_rewards
from tests.factories import HostFactory

pytestmark = pytest.mark.django_db


def test_the_demo_host_has_pending_approved_and_paid_money_once(settings, marketing_user):
    settings.STRIPE_SECRET_KEY = ""
    host = HostFactory()

    seed_rewards(campaign=host.campaign, hosts=[host], by=marketing_user)
    lines = LedgerEntry.objects.count()
    seed_rewards(campaign=host.campaign, hosts=[host], by=marketing_user)

    assert LedgerEntry.objects.count() == lines
    states = set(LedgerEntry.objects.filter(host=host).values_list("state", flat=True))
    assert states == {EntryState.PENDING, EntryState.APPROVED, EntryState.PAID}
    assert host.payouts.get().status == PayoutStatus.PAID
    assert host.campaign.reward_plan.payout_minimum > 0
