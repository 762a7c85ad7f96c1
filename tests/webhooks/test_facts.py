"""Each fact the brand can subscribe to is recorded as its event, in the fact's transaction, with ids
that join to the API and the exports (never a name or an e-mail)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from ambassadors.parties.services import mark_party_held
from ambassadors.recruitment.selection import select_application
from ambassadors.recruitment.services import submit_application
from kits.catalogue.services import set_kit_template
from kits.stock.services import receive_stock
from referrals.attribution.services import reattribute_order
from referrals.models import EntryKind, EntryState, LedgerEntry, Payout
from referrals.payouts.services import mark_payout_paid, run_payouts
from referrals.rewards.services import approve_due_entries
from tests.ambassadors.test_applications import service_kwargs
from tests.factories import (
    ApplicationFactory,
    CampaignFactory,
    HostFactory,
    ItemFactory,
    OrderFactory,
    PartyFactory,
)
from tests.feedback.conftest import ship_kit
from tests.referrals.test_payouts import make_host
from webhooks import services
from webhooks.models import Delivery, Event, EventType

pytestmark = pytest.mark.django_db


@pytest.fixture
def subscribed(settings, admin_user_role):
    settings.WEBHOOK_ALLOW_LOCAL_URLS = True
    return services.create_endpoint(url="http://127.0.0.1:9/none", events=list(EventType.values), by=None)


def events_of(type_):
    return [event.payload for event in Event.objects.filter(type=type_).order_by("pk")]


def test_no_event_is_recorded_without_a_subscribed_endpoint(settings):
    settings.WEBHOOK_ALLOW_LOCAL_URLS = True
    services.create_endpoint(url="http://127.0.0.1:9/none", events=["payout.paid"], by=None)

    submit_application(**service_kwargs(CampaignFactory()))

    assert not Event.objects.exists()


def test_an_application_received(subscribed):
    application = submit_application(**service_kwargs(CampaignFactory()))

    assert events_of("application.received") == [
        {"application_id": application.pk, "campaign_id": application.campaign_id}
    ]
    delivery = Delivery.objects.get()
    assert (delivery.endpoint, delivery.status) == (subscribed, "pending")


def test_a_host_selected(subscribed):
    application = ApplicationFactory(status="shortlisted")

    host = select_application(application=application, by=None)

    assert events_of("host.selected") == [
        {"host_id": host.pk, "application_id": application.pk, "campaign_id": application.campaign_id}
    ]


def test_a_kit_shipped(subscribed):
    host = HostFactory()
    item = ItemFactory(sku="AW26-COAT-M")
    set_kit_template(campaign=host.campaign, lines=[(item, 1)], by=None)
    receive_stock(item=item, quantity=2, by=None)

    shipment = ship_kit(host)

    (payload,) = events_of("kit.shipped")
    assert payload == {
        "shipment_id": shipment.pk,
        "host_id": host.pk,
        "campaign_id": host.campaign_id,
        "carrier": "Colissimo",
        "shipped_at": shipment.shipped_at.isoformat(),
    }


def test_a_party_held(subscribed):
    party = PartyFactory(starts_at=timezone.now() - timedelta(hours=3))

    held = mark_party_held(party=party, by=None, actual_guests=9)

    assert events_of("party.held") == [
        {
            "party_id": party.pk,
            "host_id": party.host_id,
            "campaign_id": party.campaign_id,
            "actual_guests": 9,
            "held_at": held.held_at.isoformat(),
        }
    ]


def test_an_order_attributed_to_a_host(subscribed):
    host = HostFactory()
    order = OrderFactory()

    reattribute_order(order=order, host=host, party=None, by=None, reason="her guest's order")

    (payload,) = events_of("order.attributed")
    assert payload == {
        "order_id": order.pk,
        "host_id": host.pk,
        "party_id": None,
        "campaign_id": host.campaign_id,
        "method": "manual",
        "earns": payload["earns"],
    }


def test_rewards_approved_at_the_end_of_their_holding_period(subscribed):
    host = HostFactory()
    entry = LedgerEntry.objects.create(
        host=host,
        campaign=host.campaign,
        kind=EntryKind.ACCRUAL,
        state=EntryState.PENDING,
        basis="party:1",
        amount=Decimal("18.40"),
        currency="EUR",
        description="party sales",
        approvable_at=timezone.now() - timedelta(minutes=1),
    )

    assert approve_due_entries() == 1
    assert approve_due_entries() == 0  # approved once, announced once

    assert events_of("reward.approved") == [
        {
            "ledger_entry_id": entry.pk,
            "host_id": host.pk,
            "campaign_id": host.campaign_id,
            "kind": "accrual",
            "amount": "18.40",
            "currency": "EUR",
        }
    ]


def test_a_payout_paid(subscribed, settings):
    settings.STRIPE_SECRET_KEY = ""
    host = make_host(approved="25.00", connected=False)
    run_payouts()
    payout = Payout.objects.get()

    mark_payout_paid(payout=payout, by=None)

    assert events_of("payout.paid") == [
        {
            "payout_id": payout.pk,
            "host_id": host.pk,
            "campaign_id": host.campaign_id,
            "method": "bank_transfer",
            "amount": "25.00",
            "currency": "EUR",
        }
    ]
