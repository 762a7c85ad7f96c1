"""SPEC §11: input can never set owner, money or status fields.

Every form and command a host (or the public) can send, and the staff commands that take money or
states through services, get extra fields naming another owner, a state and amounts; the stored
rows never carry them.
"""

import json
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.utils import timezone

from ambassadors.models import Application, Guest, Host, Party
from kits.models import Item, ShipmentProblem, Stock
from kits.stock.services import receive_stock
from orders.models import Order, ShopApiKey
from referrals.models import Attribution, LedgerEntry, Payout, PayoutAccount, ReferralCode
from tests import factories
from tests.tenancy.conftest import signed_in
from tests.tenancy.world import Tenant, footprint

pytestmark = pytest.mark.django_db


def forged(theirs: Tenant) -> dict[str, Any]:
    """Fields no input may set: another owner, a state, money, a code, a public token."""
    return {
        "host": theirs.host.pk,
        "host_id": theirs.host.pk,
        "owner": theirs.user.pk,
        "user": theirs.user.pk,
        "party": theirs.planned_party.pk,
        "party_id": theirs.planned_party.pk,
        "shipment": theirs.shipment.pk,
        "status": "closed",
        "state": "paid",
        "amount": "9999.00",
        "total": "9999.00",
        "commissionable_amount": "9999.00",
        "refunded_amount": "9999.00",
        "balance": "9999.00",
        "code": "FORGED-CODE",
        "public_token": "forged-token",
        "attribution_ends_at": "2099-01-01T00:00:00Z",
        "held_at": "2000-01-01T00:00:00Z",
        "closed_at": "2000-01-01T00:00:00Z",
        "source": "self",
        "booked_application": theirs.application.pk,
        "resolved_at": "2000-01-01T00:00:00Z",
        "resolution": "forged",
        "reported_by": theirs.user.pk,
        "score": "999.00",
        "risk_flags": [],
        "selected_at": "2000-01-01T00:00:00Z",
    }


def post_json(client: Any, url: str, data: dict[str, Any], method: str = "post", **extra: Any) -> Any:
    return getattr(client, method)(url, data=json.dumps(data), content_type="application/json", **extra)


def in_a_day() -> str:
    return timezone.localtime(timezone.now() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")


def no_forged_code_exists() -> bool:
    return not ReferralCode.objects.filter(code="FORGED-CODE").exists()


# --- parties (API and portal) ------------------------------------------------------------------


def test_a_new_party_belongs_to_the_signed_in_host_whatever_the_input_says(alma, bruno):
    before = footprint(bruno)
    for url, data in (
        ("/api/v1/parties/", {"expected_guests": 8, "starts_at": timezone.now() + timedelta(days=1)}),
        ("/portal/parties/new/", {"expected_guests": 8, "starts_at": in_a_day()}),
    ):
        body = {**forged(bruno), "title": f"New via {url}", "city": "Lyon", "postal_code": "69001", **data}
        if url.startswith("/api/"):
            body["starts_at"] = body["starts_at"].isoformat()
            response = post_json(signed_in(alma.user), url, body)
            assert response.status_code == 201, response.content
        else:
            response = signed_in(alma.user).post(url, body)
            assert response.status_code == 302, response.content

        party = Party.objects.get(title=f"New via {url}")
        assert (party.host, party.campaign, party.status) == (alma.host, alma.campaign, "planned")
        assert party.public_token != "forged-token" and party.held_at is None and party.closed_at is None
        assert party.attribution_ends_at.year != 2099
    assert footprint(bruno) == before
    assert no_forged_code_exists()


def test_editing_a_party_changes_only_what_a_host_may_edit(alma, bruno):
    party = alma.planned_party
    other_campaign = factories.CampaignFactory()
    for url, method in (
        (f"/api/v1/parties/{party.pk}/", "patch"),
        (f"/portal/parties/{party.pk}/edit/", "post"),
    ):
        body = {**forged(bruno), "campaign": other_campaign.slug, "title": f"Edited via {method}"}
        if method == "patch":
            response = post_json(signed_in(alma.user), url, body, method="patch")
            assert response.status_code == 200, response.content
        else:
            body |= {"starts_at": in_a_day(), "city": "Lyon", "postal_code": "69001", "expected_guests": 9}
            assert signed_in(alma.user).post(url, body).status_code == 302

        stored = Party.objects.get(pk=party.pk)
        assert stored.title == f"Edited via {method}"
        assert (stored.host, stored.campaign, stored.status) == (alma.host, alma.campaign, "planned")
        assert stored.public_token == party.public_token and stored.held_at is None


@pytest.mark.parametrize("channel", ["api", "portal"])
def test_marking_a_party_held_sets_held_never_the_state_sent(channel, alma, bruno):
    party = alma.planned_party
    body = {**forged(bruno), "actual_guests": 5, "highlights": "Lovely"}
    if channel == "api":
        response = post_json(signed_in(alma.user), f"/api/v1/parties/{party.pk}/held/", body)
        assert response.status_code == 200, response.content
    else:
        assert signed_in(alma.user).post(f"/portal/parties/{party.pk}/held/", body).status_code == 302

    stored = Party.objects.get(pk=party.pk)
    assert (stored.status, stored.host, stored.actual_guests) == ("held", alma.host, 5)
    assert stored.held_at.year != 2000 and stored.closed_at is None


@pytest.mark.parametrize("channel", ["api", "portal"])
def test_cancelling_a_party_cancels_it_whatever_state_is_sent(channel, alma, bruno):
    party = alma.planned_party
    body = {**forged(bruno), "status": "held", "reason": "Rain"}
    url = f"/api/v1/parties/{party.pk}/cancel/" if channel == "api" else f"/portal/parties/{party.pk}/cancel/"
    response = (
        post_json(signed_in(alma.user), url, body)
        if channel == "api"
        else signed_in(alma.user).post(url, body)
    )

    assert response.status_code in (200, 302)
    assert Party.objects.get(pk=party.pk).status == "cancelled"


@pytest.mark.parametrize("channel", ["api", "portal"])
def test_a_guest_added_by_a_host_goes_on_that_party_as_a_host_added_guest(channel, alma, bruno):
    party = alma.planned_party
    body = {**forged(bruno), "first_name": "Zoe", "email": "zoe@example.com", "guest_agreed": True}
    body["wants_to_host"] = True
    if channel == "api":
        response = post_json(signed_in(alma.user), f"/api/v1/parties/{party.pk}/guests/", body)
        assert response.status_code == 201, response.content
    else:
        assert signed_in(alma.user).post(f"/portal/parties/{party.pk}/guests/add/", body).status_code == 302

    guest = Guest.objects.get(email="zoe@example.com")
    assert (guest.party, guest.source, guest.booked_application) == (party, "host", None)
    assert not guest.wants_to_host
    assert not bruno.planned_party.guests.filter(email="zoe@example.com").exists()


# --- profile, kit, payouts (portal) ------------------------------------------------------------


def test_the_profile_form_changes_contact_details_only(alma, bruno):
    other_campaign = factories.CampaignFactory()
    body = {f"contact-{key}": value for key, value in forged(bruno).items()}
    body |= {
        "contact-phone": "06 98 76 54 32",
        "contact-address_line1": "1 New Street",
        "contact-postal_code": "69002",
        "contact-city": "Lyon",
        "contact-campaign": other_campaign.pk,
        "contact-status": "banned",
        "contact-first_name": "Forged",
        "contact-country": "BE",
        "contact-application": bruno.application.pk,
    }

    assert signed_in(alma.user).post("/portal/profile/", body).status_code == 302

    host = Host.objects.get(pk=alma.host.pk)
    assert (host.address_line1, str(host.phone)) == ("1 New Street", "+33698765432")
    assert (host.user, host.campaign, host.application) == (alma.user, alma.campaign, alma.application)
    assert (host.status, host.first_name, host.country) == (alma.host.status, "Alma", alma.host.country)
    assert host.selected_at == alma.host.selected_at


def test_a_kit_problem_is_the_reporters_open_problem_on_their_own_kit(alma, bruno):
    number = alma.shipment.number
    theirs_line = bruno.shipment.lines.get()
    body = {f"{number}-{key}": value for key, value in forged(bruno).items()}
    body |= {f"{number}-kind": "damaged", f"{number}-description": "Torn sleeve"}
    before = ShipmentProblem.objects.count()

    # another host's kit line is not a choice on one's own kit
    refused = signed_in(alma.user).post(
        f"/portal/kit/{number}/problem/", body | {f"{number}-line": theirs_line.pk}
    )
    assert refused.status_code == 400
    assert ShipmentProblem.objects.count() == before

    assert signed_in(alma.user).post(f"/portal/kit/{number}/problem/", body).status_code == 302
    problem = ShipmentProblem.objects.get(description="Torn sleeve")
    assert (problem.shipment, problem.reported_by, problem.line) == (alma.shipment, alma.user, None)
    assert (problem.resolved_at, problem.resolution) == (None, "")


def test_confirming_a_kit_moves_it_to_delivered_only(alma, bruno):
    number = alma.shipment.number
    assert signed_in(alma.user).post(f"/portal/kit/{number}/received/", forged(bruno)).status_code == 302
    assert type(alma.shipment).objects.get(pk=alma.shipment.pk).status == "delivered"


def test_choosing_a_payout_method_sets_the_choice_of_the_signed_in_person_only(alma, bruno):
    payouts = Payout.objects.count()
    body = {**forged(bruno), "action": "method", "method": "store_credit"}

    assert signed_in(alma.user).post("/portal/payouts/", body).status_code == 302

    assert PayoutAccount.objects.get(user=alma.user).preferred_method == "store_credit"
    assert not PayoutAccount.objects.filter(user=bruno.user).exists()
    assert Payout.objects.count() == payouts


# --- public forms ------------------------------------------------------------------------------


@pytest.mark.parametrize("channel", ["api", "portal"])
def test_a_self_registered_guest_is_a_self_registered_guest_of_the_tokens_party(channel, alma, bruno):
    party = alma.planned_party
    body = {**forged(bruno), "first_name": "Nina", "email": "nina@example.com", "accept_terms": True}
    if channel == "api":
        response = post_json(Client(), f"/api/v1/public/parties/{party.public_token}/guests/", body)
        assert response.status_code == 201, response.content
    else:
        assert Client().post(f"/p/{party.public_token}/", body).status_code == 302

    guest = Guest.objects.get(email="nina@example.com")
    assert (guest.party, guest.source, guest.booked_application) == (party, "self", None)


@pytest.mark.parametrize("channel", ["api", "portal"])
def test_an_application_is_submitted_and_scored_whatever_the_input_says(channel, alma, bruno):
    campaign = alma.campaign
    other_campaign = factories.CampaignFactory()
    body = {
        **forged(bruno),
        "status": "selected",
        "campaign": other_campaign.slug,
        "first_name": "Lea",
        "last_name": "Martin",
        "email": "lea@example.com",
        "phone": "06 11 22 33 44",
        "address_line1": "3 rue des Lilas",
        "postal_code": "69003",
        "city": "Lyon",
        "country": "FR",
        "expected_guests": 10,
        "accept_terms": True,
    }
    if channel == "api":
        response = post_json(Client(), f"/api/v1/public/campaigns/{campaign.slug}/applications/", body)
        assert response.status_code == 201, response.content
    else:
        assert Client().post(f"/c/{campaign.slug}/", body).status_code == 302

    application = Application.objects.get(email="lea@example.com")
    assert (application.campaign, application.status) == (campaign, "submitted")
    assert application.score != Decimal("999.00")
    assert not Host.objects.filter(application=application).exists()


# --- staff commands that take money or states through services ---------------------------------


@pytest.fixture
def shop(db) -> Client:
    _, key = ShopApiKey.objects.create_key(name="shop")
    return Client(HTTP_AUTHORIZATION=f"Api-Key {key}")


def shop_order(external_id: str, bruno: Tenant) -> dict[str, Any]:
    return {
        **forged(bruno),
        "status": "refunded",
        "source": "stripe",
        "attribution": {"host": bruno.host.pk, "method": "code"},
        "method": "code",
        "earns": True,
        "external_id": external_id,
        "placed_at": (timezone.now() - timedelta(hours=1)).isoformat(),
        "customer_email": f"{external_id.lower()}@example.com",
        "currency": "EUR",
        "subtotal": "120.00",
        "discount": "20.00",
        "total": "100.00",
        "code": "",
    }


def test_the_shop_import_sets_neither_status_nor_money_nor_attribution(shop, alma, bruno):
    ledger = LedgerEntry.objects.filter(host=bruno.host).count()

    assert post_json(shop, "/api/v1/orders/", shop_order("FORGED-1", bruno)).status_code == 201
    batch = post_json(shop, "/api/v1/orders/", {"orders": [shop_order("FORGED-2", bruno)]})
    assert batch.status_code == 200 and batch.json()["created"] == 1, batch.content

    for order in Order.objects.filter(external_id__in=["FORGED-1", "FORGED-2"]):
        assert (order.source, order.status, order.total) == ("api", "paid", Decimal("100.00"))
        assert (order.commissionable_amount, order.refunded_amount) == (Decimal("100.00"), Decimal("0.00"))
        assert not Attribution.objects.filter(order=order, host__isnull=False).exists()
    assert LedgerEntry.objects.filter(host=bruno.host).count() == ledger


def _staff_client(role: str) -> Any:
    user = factories.UserFactory(email=f"{role}@staff.example.com")
    user.groups.add(Group.objects.get(name=role))
    return signed_in(user)


def test_a_new_catalogue_item_starts_with_no_stock_whatever_the_input_says(db):
    body = {
        "sku": "FORGED-SKU",
        "name": "Scarf",
        "unit_cost": "3.00",
        "retail_price": "19.00",
        "on_hand": 500,
        "allocated": 7,
        "available": 493,
    }
    assert post_json(_staff_client("logistics"), "/api/v1/kits/items/", body).status_code == 201

    stock = Stock.objects.get(item=Item.objects.get(sku="FORGED-SKU"))
    assert (stock.on_hand, stock.allocated) == (0, 0)


def test_allocating_a_kit_starts_it_allocated_with_its_own_number(alma, bruno):
    newcomer = factories.HostFactory(application__campaign=alma.campaign)
    receive_stock(item=Item.objects.get(sku=alma.item_sku), quantity=1, by=None, reason="more")
    body = {**forged(bruno), "host": newcomer.pk, "status": "shipped", "number": "KIT-FORGED"}

    response = post_json(_staff_client("logistics"), "/api/v1/kits/shipments/", body)

    assert response.status_code == 201, response.content
    shipment = newcomer.shipments.get()
    assert (shipment.status, shipment.campaign) == ("allocated", alma.campaign)
    assert shipment.number != "KIT-FORGED"


def test_a_rewards_adjustment_is_an_approved_adjustment_of_the_hosts_campaign(alma, bruno):
    other_campaign = factories.CampaignFactory()
    body = {
        **forged(bruno),
        "host": alma.host.pk,
        "amount": "12.50",
        "reason": "Thank you",
        "kind": "payout",
        "state": "paid",
        "payout": bruno.payout.pk,
        "campaign": other_campaign.pk,
        "basis": f"payout:{bruno.payout.pk}",
    }

    response = post_json(_staff_client("marketing"), "/api/v1/ledger/adjustments/", body)

    assert response.status_code == 201, response.content
    entry = LedgerEntry.objects.get(pk=response.json()["id"])
    assert (entry.host, entry.campaign, entry.kind, entry.state) == (
        alma.host,
        alma.campaign,
        "adjustment",
        "approved",
    )
    assert (entry.amount, entry.payout) == (Decimal("12.50"), None)
    assert not entry.basis.startswith("payout:")


def test_a_campaigns_status_moves_only_through_its_transitions(db):
    marketing = _staff_client("marketing")
    campaign = factories.CampaignFactory(status="draft")
    body = {"status": "closed", "host_slots": 12, "hosts_taken": 0}

    response = post_json(marketing, f"/api/v1/campaigns/{campaign.pk}/", body, method="patch")

    assert response.status_code == 200, response.content
    campaign.refresh_from_db()
    assert (campaign.status, campaign.host_slots) == ("draft", 12)
    assert not campaign.history.exists()
