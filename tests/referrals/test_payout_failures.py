"""Payouts at the edges (SPEC §8): Stripe forgetting a key, a banned host, a payout Stripe keeps
refusing, and store credit and bank transfers under the same rules. The real Stripe client talks to
the local fake Stripe server; transfers are counted at the server."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from ambassadors.hosts.services import transition_host
from ambassadors.models import HostStatus
from backend.errors import Conflict
from backend.models import AuditEntry
from referrals.models import (
    EntryKind,
    EntryState,
    FrozenBalance,
    FrozenBalanceDecision,
    LedgerEntry,
    Payout,
    PayoutMethod,
    PayoutStatus,
)
from referrals.payouts.services import (
    bank_payouts_to_export,
    choose_payout_method,
    mark_payout_paid,
    payout_key,
    reserve_payout,
    run_payouts,
)
from referrals.rewards.services import adjust_rewards, balance
from tests.fakes.payout_crash import run_payouts_killed_after_transfer
from tests.fakes.stripe_api import start_fake_stripe
from tests.referrals.test_payouts import make_host

pytestmark = pytest.mark.django_db


@pytest.fixture
def fake_stripe(settings):
    fake, server = start_fake_stripe()
    settings.STRIPE_SECRET_KEY = "sk_test_fake"
    settings.STRIPE_API_BASE = fake.url
    yield fake
    server.shutdown()


def transfers_at_stripe(fake) -> list[dict]:
    return [obj for obj in fake.objects.values() if obj["object"] == "transfer"]


def ban(host):
    return transition_host(host=host, to_status=HostStatus.BANNED, by=None, reason="fake orders")


# --- 1. Stripe forgets idempotency keys after a day ------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_run_killed_mid_transfer_and_rerun_after_stripe_forgot_the_key_pays_once(fake_stripe):
    # given a host due a payout, and a run killed once Stripe made the transfer, before the commit
    host = make_host(approved="30.00")
    crash = run_payouts_killed_after_transfer(fake_stripe, database=connection.settings_dict, nth=1)
    assert crash.killed, crash
    assert Payout.objects.get().status == PayoutStatus.PENDING

    # when the next weekly run comes, long after Stripe forgot the idempotency key
    fake_stripe.advance(hours=7 * 24)
    run_payouts()

    # then Stripe holds one transfer for the host, and the payout adopted it
    [transfer] = transfers_at_stripe(fake_stripe)
    payout = Payout.objects.get()
    assert transfer["destination"] == f"acct_host{host.pk}"
    assert (payout.status, payout.stripe_transfer_id) == (PayoutStatus.PAID, transfer["id"])
    lookup = fake_stripe.calls("GET", "/v1/transfers")
    assert [call.params["transfer_group"] for call in lookup] == [payout_key(payout.pk)]
    assert len(fake_stripe.calls("POST", "/v1/transfers")) == 1


def test_the_fake_forgets_keys_after_a_day_like_stripe(fake_stripe):
    # The premise of the test above: the same key a day later makes a second transfer.
    params = {"amount": "100", "currency": "eur", "destination": "acct_x", "transfer_group": "g"}
    first = fake_stripe.handle("POST", "/v1/transfers", params, "key-1")
    assert fake_stripe.handle("POST", "/v1/transfers", params, "key-1") == first
    fake_stripe.advance(hours=25)
    again = fake_stripe.handle("POST", "/v1/transfers", params, "key-1")
    assert again[1]["id"] != first[1]["id"]


def test_a_payout_of_unknown_outcome_adopts_the_transfer_of_its_group(fake_stripe):
    # given a payout whose transfer Stripe made, the answer lost, and the key forgotten
    host = make_host(approved="30.00")
    payout, _ = reserve_payout(host=host)
    Payout.objects.filter(pk=payout.pk).update(sent_at=payout.created_at)
    _, made = fake_stripe.handle(
        "POST",
        "/v1/transfers",
        {
            "amount": "3000",
            "currency": "eur",
            "destination": f"acct_host{host.pk}",
            "transfer_group": payout_key(payout.pk),
        },
        payout.idempotency_key,
    )
    fake_stripe.advance(hours=25)

    run_payouts()

    payout.refresh_from_db()
    assert (payout.status, payout.stripe_transfer_id) == (PayoutStatus.PAID, made["id"])
    assert len(transfers_at_stripe(fake_stripe)) == 1


def test_store_credit_of_unknown_outcome_adopts_the_promotion_code_with_its_code(fake_stripe):
    host = make_host(approved="25.00", connected=False)
    choose_payout_method(user=host.user, method=PayoutMethod.STORE_CREDIT)
    payout, _ = reserve_payout(host=host)
    Payout.objects.filter(pk=payout.pk).update(sent_at=payout.created_at)
    _, made = fake_stripe.handle(
        "POST", "/v1/promotion_codes", {"code": payout.store_credit_code, "max_redemptions": "1"}, "k"
    )

    run_payouts()

    payout.refresh_from_db()
    assert (payout.status, payout.stripe_promotion_code_id) == (PayoutStatus.PAID, made["id"])
    assert len(fake_stripe.calls("POST", "/v1/promotion_codes")) == 1  # the one made before


# --- 2. A ban freezes the host's unpaid balance ---------------------------------------------------


def test_a_banned_host_is_not_paid_until_marketing_releases_the_balance(fake_stripe, marketing_client):
    # given a host with an approved balance, then banned
    host = make_host(approved="40.00")
    ban(host)

    # when the payout run goes
    result = run_payouts()

    # then nothing is reserved nor sent
    assert Payout.objects.count() == 0 and fake_stripe.calls("POST", "/v1/transfers") == []
    assert result.skipped_hosts == {host.pk: "balance_frozen"}

    # when marketing releases the balance, through the API (audited)
    response = marketing_client.post(
        f"/api/v1/hosts/{host.pk}/frozen-balance/",
        {"decision": "released", "reason": "the orders were real after all"},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert AuditEntry.objects.filter(path=f"/api/v1/hosts/{host.pk}/frozen-balance/").exists()

    # then the next run pays them
    run_payouts()
    assert Payout.objects.get().status == PayoutStatus.PAID
    assert len(transfers_at_stripe(fake_stripe)) == 1


def test_a_payout_reserved_before_the_ban_is_not_sent(settings, fake_stripe):
    host = make_host(approved="40.00")
    payout, _ = reserve_payout(host=host)
    ban(host)

    run_payouts()

    payout.refresh_from_db()
    assert payout.status == PayoutStatus.PENDING and fake_stripe.requests == []


def test_forfeiting_a_frozen_balance_posts_a_line_with_the_reason_and_pays_nothing(
    fake_stripe, marketing_client, marketing_user
):
    # given a banned host with 40.00 approved and a pending payout reserved before the ban
    host = make_host(approved="40.00")
    reserve_payout(host=host)
    adjust_rewards(host=host, amount=Decimal("7.00"), reason="late bonus", by=None)
    ban(host)

    # when marketing forfeits the balance
    response = marketing_client.post(
        f"/api/v1/hosts/{host.pk}/frozen-balance/",
        {"decision": "forfeited", "reason": "fraudulent orders"},
        format="json",
    )

    # then the unsent payout is cancelled, a forfeit line takes everything back, nothing is paid
    assert response.status_code == 200, response.content
    assert response.json()["decided_by"] == marketing_user.email
    assert Payout.objects.get().status == PayoutStatus.CANCELLED
    line = LedgerEntry.objects.get(host=host, kind=EntryKind.FORFEIT)
    assert (line.amount, line.state, line.reason, line.by) == (
        Decimal("-47.00"),
        EntryState.APPROVED,
        "fraudulent orders",
        marketing_user,
    )
    assert balance(host).owed == 0
    run_payouts()
    assert fake_stripe.requests == []
    # and the decision is taken once
    again = marketing_client.post(
        f"/api/v1/hosts/{host.pk}/frozen-balance/", {"decision": "released", "reason": "x"}, format="json"
    )
    assert again.status_code == 409 and again.json()["errors"][0]["code"] == "already_decided"
    assert FrozenBalance.objects.get(host=host).decision == FrozenBalanceDecision.FORFEITED


def test_only_a_banned_hosts_balance_is_decided(marketing_client):
    host = make_host(approved="40.00", connected=False)
    response = marketing_client.post(
        f"/api/v1/hosts/{host.pk}/frozen-balance/", {"decision": "forfeited", "reason": "x"}, format="json"
    )
    assert response.status_code == 409 and response.json()["errors"][0]["code"] == "not_banned"
    assert not LedgerEntry.objects.filter(kind=EntryKind.FORFEIT).exists()


def test_a_host_cannot_decide_their_own_frozen_balance(api_client):
    host = make_host(approved="40.00", connected=False)
    ban(host)
    api_client.force_authenticate(host.user)
    response = api_client.post(
        f"/api/v1/hosts/{host.pk}/frozen-balance/", {"decision": "released", "reason": "me"}, format="json"
    )
    assert response.status_code == 403
    assert not FrozenBalance.objects.exists()


# --- 3. A payout Stripe keeps refusing --------------------------------------------------------------


def refuse_every_run(fake, settings, code="account_invalid"):
    for _ in range(settings.PAYOUT_MAX_REFUSALS):
        fake.fail_next("/v1/transfers", 400, code=code)
        run_payouts()


def test_a_payout_refused_again_and_again_fails_and_gives_the_money_back(fake_stripe, settings):
    # given a host whose Stripe account Stripe refuses to pay
    settings.PAYOUT_MAX_REFUSALS = 3
    host = make_host(approved="25.00")

    # when the run is refused three times
    refuse_every_run(fake_stripe, settings)

    # then the payout failed, its amount is approved and unpaid again, nothing was sent
    payout = Payout.objects.get()
    assert (payout.status, payout.attempts, payout.last_error_code) == (
        PayoutStatus.FAILED,
        3,
        "account_invalid",
    )
    assert balance(host).approved == Decimal("25.00") and balance(host).paid == 0
    assert transfers_at_stripe(fake_stripe) == []
    assert sum(line.amount for line in LedgerEntry.objects.filter(kind=EntryKind.PAYOUT)) == 0
    # and later runs leave the host to marketing instead of failing again every week
    assert run_payouts().skipped_hosts == {host.pk: "payout_failed"}


def test_a_failed_payout_is_not_failed_before_the_limit(fake_stripe, settings):
    settings.PAYOUT_MAX_REFUSALS = 3
    make_host(approved="25.00")
    fake_stripe.fail_next("/v1/transfers", 400)
    run_payouts()
    fake_stripe.fail_next("/v1/transfers", 400)
    run_payouts()
    assert Payout.objects.get().status == PayoutStatus.PENDING


def test_the_host_reads_why_their_payout_failed_in_their_language(fake_stripe, settings):
    host = make_host(approved="25.00")
    refuse_every_run(fake_stripe, settings)
    client = Client()
    client.force_login(host.user)

    english = client.get(reverse("referrals:payouts"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    french = client.get(reverse("referrals:payouts"), HTTP_ACCEPT_LANGUAGE="fr").content.decode()

    assert "Finish setting up your Stripe account" in english
    assert "Terminez la configuration de votre compte Stripe" in french


def test_marketing_retries_a_failed_payout_and_the_next_run_pays_it(fake_stripe, settings, marketing_client):
    host = make_host(approved="25.00")
    refuse_every_run(fake_stripe, settings)
    adjust_rewards(host=host, amount=Decimal("5.00"), reason="bonus", by=None)
    payout = Payout.objects.get()

    response = marketing_client.post(f"/api/v1/payouts/{payout.pk}/retry/")
    assert response.status_code == 200, response.content
    run_payouts()

    payout.refresh_from_db()
    assert (payout.status, payout.amount) == (PayoutStatus.PAID, Decimal("30.00"))
    [transfer] = transfers_at_stripe(fake_stripe)
    assert transfer["amount"] == "3000"
    assert balance(host).approved == 0 and balance(host).paid == Decimal("30.00")


def test_marketing_cancels_a_failed_payout_and_the_balance_is_paid_by_a_later_run(
    fake_stripe, settings, marketing_client
):
    host = make_host(approved="25.00")
    refuse_every_run(fake_stripe, settings)
    failed = Payout.objects.get()

    response = marketing_client.post(f"/api/v1/payouts/{failed.pk}/cancel/")
    assert response.status_code == 200 and response.json()["status"] == "cancelled"
    run_payouts()

    paid = Payout.objects.exclude(pk=failed.pk).get()
    assert (paid.status, paid.amount) == (PayoutStatus.PAID, Decimal("25.00"))
    assert balance(host).paid == Decimal("25.00")


def test_a_pending_stripe_payout_cannot_be_cancelled(fake_stripe, marketing_client):
    host = make_host(approved="25.00")
    payout, _ = reserve_payout(host=host)
    response = marketing_client.post(f"/api/v1/payouts/{payout.pk}/cancel/")
    assert response.status_code == 409 and response.json()["errors"][0]["code"] == "payout_in_flight"


# --- 4. Store credit and bank transfers follow the same states and freeze --------------------------


def test_store_credit_refused_again_and_again_fails_and_gives_the_money_back(fake_stripe, settings):
    host = make_host(approved="25.00", connected=False)
    choose_payout_method(user=host.user, method=PayoutMethod.STORE_CREDIT)
    for _ in range(settings.PAYOUT_MAX_REFUSALS):
        fake_stripe.fail_next("/v1/coupons", 400)
        run_payouts()
    assert Payout.objects.get().status == PayoutStatus.FAILED
    assert balance(host).approved == Decimal("25.00")


def test_a_banned_hosts_store_credit_is_not_sent(fake_stripe):
    host = make_host(approved="25.00", connected=False)
    choose_payout_method(user=host.user, method=PayoutMethod.STORE_CREDIT)
    reserve_payout(host=host)
    ban(host)
    run_payouts()
    assert fake_stripe.requests == [] and Payout.objects.get().status == PayoutStatus.PENDING


def test_a_banned_hosts_bank_transfer_is_neither_exported_nor_marked_paid(settings, marketing_user):
    settings.STRIPE_SECRET_KEY = ""
    host, other = make_host(approved="25.00", connected=False), make_host(approved="30.00", connected=False)
    run_payouts()
    ban(host)

    assert [payout.host_id for payout in bank_payouts_to_export()] == [other.pk]
    with pytest.raises(Conflict):
        mark_payout_paid(payout=Payout.objects.get(host=host), by=marketing_user)

    FrozenBalance.objects.create(host=host, decision=FrozenBalanceDecision.RELEASED, reason="ok")
    assert sorted(payout.host_id for payout in bank_payouts_to_export()) == sorted([host.pk, other.pk])


def test_a_bank_transfer_not_made_is_cancelled_and_its_money_returned(settings, marketing_client):
    settings.STRIPE_SECRET_KEY = ""
    host = make_host(approved="25.00", connected=False)
    run_payouts()
    payout = Payout.objects.get()

    response = marketing_client.post(f"/api/v1/payouts/{payout.pk}/cancel/")

    assert response.status_code == 200
    assert balance(host).approved == Decimal("25.00")
    assert list(bank_payouts_to_export()) == []
