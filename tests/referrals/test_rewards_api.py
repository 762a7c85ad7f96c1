"""Rewards API: reward plans, ledger and adjustments for marketing, a host's own ledger and payouts."""

import json
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from rest_framework.test import APIClient

from referrals.codes.services import issue_host_code
from referrals.models import EntryKind, LedgerEntry, Payout, PayoutMethod, PayoutStatus, RewardPlan
from referrals.rewards.services import adjust_rewards, set_reward_plan
from tests.factories import CampaignFactory, HostFactory

pytestmark = pytest.mark.django_db

PLAN = {
    "party_brackets": [
        {"up_to": "500.00", "rate": "0.10"},
        {"up_to": "1500.00", "rate": "0.15"},
        {"up_to": None, "rate": "0.20"},
    ],
    "min_party_buyers": 3,
    "min_party_sales": "150.00",
    "host_code_rate": "0.0500",
    "booking_bonus": "25.00",
    "cap_per_host": "500.00",
    "holding_days": 30,
    "payout_minimum": "20.00",
}


def client_for(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


def host_with_plan(**plan):
    host = HostFactory()
    set_reward_plan(campaign=host.campaign, by=None, party_brackets=PLAN["party_brackets"], **plan)
    return host


def test_marketing_sets_then_reads_a_campaign_reward_plan(marketing_client):
    campaign = CampaignFactory()
    url = f"/api/v1/campaigns/{campaign.pk}/reward-plan/"
    assert marketing_client.get(url).status_code == 404

    response = marketing_client.put(url, PLAN, format="json")

    assert response.status_code == 200, response.json()
    assert marketing_client.get(url).json() == response.json()
    body = response.json()
    assert body["party_brackets"][1] == {"up_to": "1500.00", "rate": "0.1500"}
    assert (body["currency"], body["cap_per_host"], body["payout_minimum"]) == ("EUR", "500.00", "20.00")


def test_a_plan_with_brackets_going_down_is_refused_and_nothing_is_written(marketing_client):
    campaign = CampaignFactory()
    bad = {**PLAN, "party_brackets": [{"up_to": "500", "rate": "0.1"}, {"up_to": "400", "rate": "0.2"}]}

    response = marketing_client.put(f"/api/v1/campaigns/{campaign.pk}/reward-plan/", bad, format="json")

    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "party_brackets"
    assert not RewardPlan.objects.exists()


def test_a_rate_over_one_is_a_field_error(marketing_client):
    campaign = CampaignFactory()
    response = marketing_client.put(
        f"/api/v1/campaigns/{campaign.pk}/reward-plan/", {**PLAN, "host_code_rate": "1.5"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "host_code_rate"


def test_changing_the_plan_recomputes_what_hosts_are_owed(marketing_client):
    # given a host who sold 200 through their code at 5 %
    from tests.referrals.test_rewards import _buy

    host = host_with_plan(host_code_rate=Decimal("0.05"))
    _buy(issue_host_code(host=host).code, "200")

    # when marketing raises the host-code rate to 10 %
    response = marketing_client.put(
        f"/api/v1/campaigns/{host.campaign.pk}/reward-plan/",
        {**PLAN, "host_code_rate": "0.10"},
        format="json",
    )

    # then the difference is posted
    assert response.status_code == 200
    assert [e.amount for e in LedgerEntry.objects.filter(host=host).order_by("id")] == [
        Decimal("10.00"),
        Decimal("10.00"),
    ]


def test_only_marketing_sees_and_changes_plans_and_the_ledger(logistics_client):
    host = host_with_plan()
    url = f"/api/v1/campaigns/{host.campaign.pk}/reward-plan/"
    for api in (logistics_client, client_for(host.user)):
        assert api.get(url).status_code == 403
        assert api.put(url, PLAN, format="json").status_code == 403
        assert api.get("/api/v1/ledger/").status_code == 403
        assert api.post("/api/v1/payouts/run/", {}, format="json").status_code == 403
        assert api.get("/api/v1/payouts/bank-export/").status_code == 403
    assert APIClient().get("/api/v1/me/ledger/").status_code in (401, 403)


def test_marketing_adjusts_with_a_reason_and_the_line_keeps_who(marketing_client, marketing_user):
    host = host_with_plan()

    response = marketing_client.post(
        "/api/v1/ledger/adjustments/",
        {"host": host.pk, "amount": "-7.50", "reason": "two garments never returned"},
        format="json",
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["kind"], body["state"], body["amount"], body["by"], body["reason"]) == (
        "adjustment",
        "approved",
        "-7.50",
        marketing_user.email,
        "two garments never returned",
    )


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"amount": "5.00", "reason": ""}, "reason"),
        ({"amount": "0", "reason": "nothing"}, "amount"),
        ({"amount": "1.001", "reason": "too precise"}, "amount"),
        ({"reason": "no amount"}, "amount"),
    ],
)
def test_a_bad_adjustment_is_a_field_error_and_writes_nothing(marketing_client, payload, field):
    host = host_with_plan()
    response = marketing_client.post(
        "/api/v1/ledger/adjustments/", {"host": host.pk, **payload}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["type"] == "validation_error"
    assert response.json()["errors"][0]["attr"] == field
    assert not LedgerEntry.objects.exists()


def test_marketing_filters_the_ledger_by_host_and_state(marketing_client):
    host, other = host_with_plan(), host_with_plan()
    adjust_rewards(host=host, amount=Decimal("5"), reason="photos", by=None)
    adjust_rewards(host=other, amount=Decimal("6"), reason="photos", by=None)

    rows = marketing_client.get("/api/v1/ledger/", {"host": host.pk, "state": "approved"}).json()["results"]

    assert [(row["host"], row["amount"]) for row in rows] == [(host.pk, "5.00")]
    assert marketing_client.get("/api/v1/ledger/", {"state": "paid"}).json()["results"] == []
    assert marketing_client.get("/api/v1/ledger/", {"state": "nonsense"}).status_code == 400


def test_the_ledger_list_query_count_is_constant(
    marketing_client, marketing_user, django_assert_max_num_queries
):
    host = host_with_plan()
    adjust_rewards(host=host, amount=Decimal("5"), reason="photos", by=marketing_user)
    with django_assert_max_num_queries(6) as few:
        marketing_client.get("/api/v1/ledger/")
    for _ in range(20):
        adjust_rewards(host=host, amount=Decimal("5"), reason="photos", by=marketing_user)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(marketing_client.get("/api/v1/ledger/").json()["results"]) == 21


def test_a_host_reads_only_their_own_ledger_and_payouts(settings, django_assert_max_num_queries):
    settings.STRIPE_SECRET_KEY = ""
    host, other = host_with_plan(), host_with_plan()
    for someone in (host, other):
        adjust_rewards(host=someone, amount=Decimal("30"), reason="great party", by=None)
    from referrals.payouts.services import run_payouts

    run_payouts()
    api = client_for(host.user)

    with django_assert_max_num_queries(4):
        ledger = api.get("/api/v1/me/ledger/").json()["results"]
    payouts = api.get("/api/v1/me/payouts/").json()["results"]

    assert {row["kind"] for row in ledger} == {EntryKind.ADJUSTMENT, EntryKind.PAYOUT}
    assert LedgerEntry.objects.filter(pk__in=[row["id"] for row in ledger]).exclude(host=host).count() == 0
    assert "by" not in ledger[0] and "reason" not in ledger[0]
    assert [p["id"] for p in payouts] == list(Payout.objects.filter(host=host).values_list("pk", flat=True))
    assert "stripe_transfer_id" not in payouts[0]


def test_marketing_runs_payouts_exports_bank_transfers_and_marks_them_paid(
    settings, marketing_client, marketing_user
):
    # given Stripe is not configured, a marketer who may run payouts, and a host owed 30.00
    settings.STRIPE_SECRET_KEY = ""
    marketing_user.user_permissions.add(Permission.objects.get(codename="run_payouts"))
    host = host_with_plan()
    adjust_rewards(host=host, amount=Decimal("30"), reason="great party", by=None)

    # when marketing runs the payouts
    run = marketing_client.post("/api/v1/payouts/run/", {}, format="json")

    # then a bank transfer waits, listed and exported
    assert run.json() == {"reserved": 1, "paid": 0, "failed": 0, "waiting": 1, "skipped": 0}
    [listed] = marketing_client.get("/api/v1/payouts/", {"status": "pending"}).json()["results"]
    assert (listed["method"], listed["amount"], listed["host"]) == (
        PayoutMethod.BANK_TRANSFER,
        "30.00",
        host.pk,
    )
    export = marketing_client.get("/api/v1/payouts/bank-export/", HTTP_ACCEPT="application/json")
    assert export.status_code == 200 and export["Content-Type"].startswith("text/csv")
    assert f"soiree-payout-{listed['id']}" in export.content.decode()

    # when it is marked paid, then it is paid, and a second time is a conflict
    paid = marketing_client.post(f"/api/v1/payouts/{listed['id']}/mark-paid/")
    assert paid.status_code == 200 and paid.json()["status"] == PayoutStatus.PAID
    again = marketing_client.post(f"/api/v1/payouts/{listed['id']}/mark-paid/")
    assert again.status_code == 409
    assert again.json()["extra"] == {"current": "paid", "requested": "paid", "allowed": []}
    assert marketing_client.post("/api/v1/payouts/999999/mark-paid/").status_code == 404
    assert "soiree-payout" not in marketing_client.get("/api/v1/payouts/bank-export/").content.decode()


def test_the_bank_export_refuses_a_campaign_that_is_not_a_number(marketing_client):
    response = marketing_client.get("/api/v1/payouts/bank-export/", {"campaign": "abc"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "campaign"


def test_the_payout_list_query_count_is_constant(settings, marketing_client, django_assert_max_num_queries):
    settings.STRIPE_SECRET_KEY = ""
    from referrals.payouts.services import run_payouts

    def owed_host():
        host = host_with_plan()
        adjust_rewards(host=host, amount=Decimal("30"), reason="great party", by=None)

    owed_host()
    run_payouts()
    with django_assert_max_num_queries(6) as few:
        marketing_client.get("/api/v1/payouts/")
    for _ in range(5):
        owed_host()
    run_payouts()
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(marketing_client.get("/api/v1/payouts/").json()["results"]) == 6


@pytest.mark.parametrize("amount", ["1000.01", "-1000.01", "25000.00"])
def test_an_adjustment_beyond_the_configured_limit_is_refused_and_writes_nothing(
    marketing_client, settings, amount
):
    settings.LEDGER_ADJUSTMENT_LIMIT = 1000
    host = host_with_plan()

    response = marketing_client.post(
        "/api/v1/ledger/adjustments/", {"host": host.pk, "amount": amount, "reason": "typo"}, format="json"
    )

    assert response.status_code == 400
    body = response.json()
    assert body["type"] == "validation_error"
    assert [(error["attr"], error["code"]) for error in body["errors"]] == [
        ("amount", "beyond_adjustment_limit")
    ]
    assert not LedgerEntry.objects.exists()


@pytest.mark.parametrize("amount", ["1000.00", "-1000.00"])
def test_an_adjustment_at_the_limit_is_accepted(marketing_client, settings, amount):
    settings.LEDGER_ADJUSTMENT_LIMIT = 1000
    host = host_with_plan()

    response = marketing_client.post(
        "/api/v1/ledger/adjustments/",
        {"host": host.pk, "amount": amount, "reason": "goodwill"},
        format="json",
    )

    assert response.status_code == 201, response.json()
    assert LedgerEntry.objects.get().amount == Decimal(amount)


def test_the_adjustment_limit_is_in_the_schema(api_client):
    schema = api_client.get("/api/v1/schema/?format=json").json()
    assert "beyond_adjustment_limit" in json.dumps(schema)
