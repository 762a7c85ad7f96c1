import itertools
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from ambassadors.models import PartyStatus
from orders.ingestion.rules import OrderData
from orders.ingestion.services import record_order
from referrals.codes.services import issue_party_code
from referrals.rewards.services import set_reward_plan
from tests.factories import CampaignFactory, GuestFactory, HostFactory, PartyFactory

_ids = itertools.count(1)


def plan_for(campaign) -> None:
    set_reward_plan(
        campaign=campaign,
        by=None,
        party_brackets=[{"up_to": None, "rate": "0.10"}],
        min_party_buyers=3,
        min_party_sales=Decimal("150"),
        host_code_rate=Decimal("0.05"),
        holding_days=30,
        payout_minimum=Decimal("20"),
    )


def held_party(host, *, guests: int = 0, status: str = PartyStatus.HELD):
    party = PartyFactory(host=host, starts_at=timezone.now() - timedelta(days=1), status=status)
    for _ in range(guests):
        GuestFactory(party=party)
    return party


def buy(code: str, amount: str, *, email: str | None = None):
    amount_ = Decimal(amount)
    order, _ = record_order(
        source="api",
        data=OrderData(
            external_id=f"rec-{next(_ids)}",
            placed_at=timezone.now(),
            customer_email=email or f"buyer-{next(_ids)}@example.com",
            currency="EUR",
            subtotal=amount_,
            total=amount_,
            code=code,
        ),
    )
    return order


def party_code(party) -> str:
    return issue_party_code(party=party).code


@pytest.fixture
def campaign(db):
    campaign = CampaignFactory()
    plan_for(campaign)
    return campaign


@pytest.fixture
def host(campaign):
    return HostFactory(
        application__campaign=campaign, first_name="Alma", selected_at=timezone.now() - timedelta(days=30)
    )
