"""Payouts exactly once (SPEC §8): the real Stripe client against the local fake Stripe API."""

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import close_old_connections, connection
from django.utils import timezone

from backend.errors import Conflict, InvalidTransition
from referrals.codes.services import issue_host_code
from referrals.models import (
    EntryKind,
    EntryState,
    LedgerEntry,
    Payout,
    PayoutAccount,
    PayoutMethod,
    PayoutStatus,
)
from referrals.payouts.services import (
    bank_export_csv,
    bank_payouts_to_export,
    choose_payout_method,
    connect_stripe_account,
    mark_payout_paid,
    refresh_stripe_account,
    run_payouts,
)
from referrals.rewards.services import adjust_rewards, approve_due_entries, balance, set_reward_plan
from tests.factories import HostFactory
from tests.fakes.payout_crash import run_payouts_killed_after_transfer
from tests.fakes.stripe_api import start_fake_stripe

pytestmark = pytest.mark.django_db


@pytest.fixture
def fake_stripe(settings):
    fake, server = start_fake_stripe()
    settings.STRIPE_SECRET_KEY = "sk_test_fake"
    settings.STRIPE_API_BASE = fake.url
    yield fake
    server.shutdown()


def make_host(*, approved="25.00", connected=True, minimum="20.00", campaign=None):
    host = HostFactory(**({"application__campaign": campaign} if campaign else {}))
    set_reward_plan(
        campaign=host.campaign,
        by=None,
        party_brackets=[{"up_to": None, "rate": "0.1"}],
        payout_minimum=Decimal(minimum),
    )
    if approved:
        adjust_rewards(host=host, amount=Decimal(approved), reason="great party photos", by=None)
    if connected:
        PayoutAccount.objects.create(
            user=host.user,
            stripe_account_id=f"acct_host{host.pk}",
            payouts_enabled=True,
            details_submitted=True,
        )
    return host


def test_a_run_pays_each_host_over_the_minimum_once_with_the_payout_key(fake_stripe):
    # given two hosts over the minimum and one under it
    first, second = make_host(approved="25.00"), make_host(approved="40.50")
    under = make_host(approved="19.99")

    # when the payout run goes
    result = run_payouts()

    # then each host over the minimum got one transfer, keyed by its payout
    payouts = {payout.host_id: payout for payout in Payout.objects.all()}
    assert set(payouts) == {first.pk, second.pk}
    transfers = fake_stripe.calls("POST", "/v1/transfers")
    assert sorted(call.idempotency_key for call in transfers) == sorted(
        f"soiree-payout-{payout.pk}" for payout in payouts.values()
    )
    call = next(c for c in transfers if c.idempotency_key == payouts[second.pk].idempotency_key)
    assert call.params["amount"] == "4050"  # minor units
    assert call.params["currency"] == "eur"
    assert call.params["destination"] == f"acct_host{second.pk}"
    assert call.params["transfer_group"] == f"soiree-payout-{payouts[second.pk].pk}"
    assert call.params["metadata[soiree_payout_id]"] == str(payouts[second.pk].pk)
    for payout in payouts.values():
        assert payout.status == PayoutStatus.PAID
        assert payout.stripe_transfer_id.startswith("tr_") and payout.attempts == 1
    assert result.as_dict() == {"reserved": 2, "paid": 2, "failed": 0, "waiting": 0, "skipped": 1}
    # and the ledger shows the entries paid, with a negative payout line
    payout = payouts[first.pk]
    assert balance(first).approved == 0 and balance(first).paid == Decimal("25.00")
    line = LedgerEntry.objects.get(host=first, kind=EntryKind.PAYOUT)
    assert (line.amount, line.state, line.payout, line.basis) == (
        Decimal("-25.00"),
        EntryState.PAID,
        payout,
        f"payout:{payout.pk}",
    )
    assert (
        LedgerEntry.objects.filter(payout=payout).exclude(kind=EntryKind.PAYOUT).get().state
        == EntryState.PAID
    )
    assert balance(under).approved == Decimal("19.99")


def test_running_again_pays_nobody_twice(fake_stripe):
    make_host()
    run_payouts()
    run_payouts()
    assert Payout.objects.count() == 1
    assert len(fake_stripe.calls("POST", "/v1/transfers")) == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_run_killed_between_a_transfer_and_its_commit_pays_nobody_twice(fake_stripe):
    # given three hosts due a payout
    hosts = [make_host(approved=amount) for amount in ("30.00", "25.00", "40.50")]

    # when a payout run, in a process of its own, is killed (SIGKILL) once Stripe has answered its
    # second transfer call and before it could record that answer
    crash = run_payouts_killed_after_transfer(fake_stripe, database=connection.settings_dict, nth=2)
    assert crash.killed, crash
    crashed = Payout.objects.get(pk=crash.payout_id)
    assert (crashed.status, crashed.stripe_transfer_id, crashed.attempts) == (PayoutStatus.PENDING, "", 0)
    assert balance(crashed.host).approved == 0  # its entries stay reserved for that payout
    assert Payout.objects.filter(status=PayoutStatus.PAID).count() == 1  # the first was recorded
    assert Payout.objects.count() == 3  # the third was reserved, never sent

    # and the run is started again
    run_payouts()

    # then the crashed payout, whose outcome was unknown, was looked up by its transfer group and
    # the transfer Stripe had made adopted (not sent again); in all each host got exactly one
    # transfer, recorded on its payout
    keys = [call.idempotency_key for call in fake_stripe.calls("POST", "/v1/transfers")]
    assert len(keys) == 3 and keys.count(crash.idempotency_key) == 1
    assert crash.idempotency_key == crashed.idempotency_key
    lookups = fake_stripe.calls("GET", "/v1/transfers")
    assert [call.params["transfer_group"] for call in lookups] == [f"soiree-payout-{crashed.pk}"]
    transfers = [obj for obj in fake_stripe.objects.values() if obj["object"] == "transfer"]
    assert sorted(transfer["destination"] for transfer in transfers) == sorted(
        f"acct_host{host.pk}" for host in hosts
    )
    transfer_of = {transfer["destination"]: transfer["id"] for transfer in transfers}
    payouts = Payout.objects.select_related("host")
    assert {payout.host_id: (payout.status, payout.stripe_transfer_id) for payout in payouts} == {
        host.pk: (PayoutStatus.PAID, transfer_of[f"acct_host{host.pk}"]) for host in hosts
    }
    assert LedgerEntry.objects.filter(kind=EntryKind.PAYOUT).count() == len(hosts)


@pytest.mark.django_db(transaction=True)
def test_a_crash_after_reserving_and_before_sending_is_sent_by_the_next_run(fake_stripe):
    host = make_host(approved="30.00")
    from referrals.payouts.services import reserve_payout

    payout, _ = reserve_payout(host=host)  # phase 1 committed, then the process died

    run_payouts()

    payout.refresh_from_db()
    assert payout.status == PayoutStatus.PAID
    assert [c.idempotency_key for c in fake_stripe.calls("POST", "/v1/transfers")] == [payout.idempotency_key]


def test_a_stripe_outage_is_recorded_and_retried_with_the_same_key(fake_stripe):
    # given Stripe failing (the client itself retries twice, so three failures in a row)
    make_host()
    for _ in range(3):
        fake_stripe.fail_next("/v1/transfers", 500)

    # when the run goes
    result = run_payouts()

    # then the failure is recorded, nothing paid
    payout = Payout.objects.get()
    assert result.as_dict()["failed"] == 1
    assert (payout.status, payout.attempts) == (PayoutStatus.PENDING, 1)
    assert "fake failure" in payout.last_error

    # when the next run goes, the same key is sent and the payout is paid
    run_payouts()
    payout.refresh_from_db()
    assert (payout.status, payout.attempts, payout.last_error) == (PayoutStatus.PAID, 2, "")
    assert {c.idempotency_key for c in fake_stripe.calls("POST", "/v1/transfers")} == {
        f"soiree-payout-{payout.pk}"
    }


def test_a_refusal_by_stripe_is_retried_with_a_fresh_key(fake_stripe):
    # Stripe replays a refusal for the same key: nothing was created, so the retry needs a new key.
    make_host()
    fake_stripe.fail_next("/v1/transfers", 400)
    run_payouts()
    payout = Payout.objects.get()
    assert payout.status == PayoutStatus.PENDING and payout.attempts == 1

    run_payouts()

    payout.refresh_from_db()
    assert payout.status == PayoutStatus.PAID
    keys = [c.idempotency_key for c in fake_stripe.calls("POST", "/v1/transfers")]
    assert keys == [f"soiree-payout-{payout.pk}", f"soiree-payout-{payout.pk}-retry-1"]


def test_a_host_without_a_ready_stripe_account_waits_with_their_balance(fake_stripe):
    not_connected = make_host(connected=False)
    onboarding = make_host()
    PayoutAccount.objects.filter(user=onboarding.user).update(payouts_enabled=False)

    result = run_payouts()

    assert Payout.objects.count() == 0 and fake_stripe.requests == []
    assert result.skipped_hosts == {
        not_connected.pk: "stripe_account_missing",
        onboarding.pk: "stripe_account_not_ready",
    }
    assert balance(not_connected).approved == Decimal("25.00")


def test_a_negative_balance_carries_forward_into_the_next_payout(fake_stripe):
    host = make_host(approved="30.00")
    adjust_rewards(host=host, amount=Decimal("-12.00"), reason="kit lost", by=None)
    run_payouts()
    assert Payout.objects.count() == 0  # 18.00 is under the minimum of 20.00: nothing dropped

    adjust_rewards(host=host, amount=Decimal("5.00"), reason="bonus", by=None)
    run_payouts()

    assert Payout.objects.get().amount == Decimal("23.00")
    assert fake_stripe.calls("POST", "/v1/transfers")[0].params["amount"] == "2300"


def test_sales_are_paid_only_after_the_holding_period(fake_stripe):
    host = make_host(approved=None)
    set_reward_plan(campaign=host.campaign, by=None, host_code_rate=Decimal("0.10"))
    from tests.referrals.test_rewards import _buy

    _buy(issue_host_code(host=host).code, "300")
    run_payouts()
    assert Payout.objects.count() == 0  # 30.00 is still pending

    approve_due_entries(at=timezone.now() + timedelta(days=31))
    run_payouts()

    assert Payout.objects.get().amount == Decimal("30.00")


def test_store_credit_is_a_single_use_promotion_code_worth_the_amount(fake_stripe):
    host = make_host(approved="25.00", connected=False)
    choose_payout_method(user=host.user, method=PayoutMethod.STORE_CREDIT)

    run_payouts()

    payout = Payout.objects.get()
    [coupon] = fake_stripe.calls("POST", "/v1/coupons")
    [promotion] = fake_stripe.calls("POST", "/v1/promotion_codes")
    assert (coupon.params["amount_off"], coupon.params["currency"], coupon.params["max_redemptions"]) == (
        "2500",
        "eur",
        "1",
    )
    assert coupon.idempotency_key == f"soiree-payout-{payout.pk}-coupon"
    assert (
        promotion.params["promotion[coupon]"]
        == fake_stripe.objects[next(k for k in fake_stripe.objects if k.startswith("co_"))]["id"]
    )
    assert promotion.params["code"] == payout.store_credit_code and payout.store_credit_code.startswith(
        "CREDIT-"
    )
    assert promotion.params["max_redemptions"] == "1"
    assert promotion.idempotency_key == f"soiree-payout-{payout.pk}-promotion-code"
    assert (payout.method, payout.status) == (PayoutMethod.STORE_CREDIT, PayoutStatus.PAID)
    assert payout.stripe_promotion_code_id.startswith("promo_")
    assert fake_stripe.calls("POST", "/v1/transfers") == []


def test_without_stripe_payouts_wait_for_the_bank_export_then_are_marked_paid(settings, marketing_user):
    settings.STRIPE_SECRET_KEY = ""
    host = make_host(approved="25.00", connected=False)

    result = run_payouts()

    payout = Payout.objects.get()
    assert (payout.method, payout.status) == (PayoutMethod.BANK_TRANSFER, PayoutStatus.PENDING)
    assert result.as_dict()["waiting"] == 1
    exported = bank_export_csv(bank_payouts_to_export())
    header, row = exported.strip().splitlines()
    assert header.startswith("payout_id,reference,")
    assert f"soiree-payout-{payout.pk}" in row and host.user.email in row and "25.00,EUR" in row

    mark_payout_paid(payout=payout, by=marketing_user)

    payout.refresh_from_db()
    assert (payout.status, payout.marked_paid_by) == (PayoutStatus.PAID, marketing_user)
    assert bank_export_csv(bank_payouts_to_export()).strip().count("\n") == 0  # header only
    with pytest.raises(InvalidTransition):
        mark_payout_paid(payout=payout, by=marketing_user)


def test_a_stripe_payout_cannot_be_marked_paid_by_hand(fake_stripe, marketing_user):
    make_host()
    fake_stripe.fail_next("/v1/transfers", 400)
    run_payouts()
    with pytest.raises(Conflict):
        mark_payout_paid(payout=Payout.objects.get(), by=marketing_user)


def test_a_host_who_chose_bank_transfer_is_exported_even_with_stripe(fake_stripe):
    host = make_host(connected=False)
    choose_payout_method(user=host.user, method=PayoutMethod.BANK_TRANSFER)
    run_payouts()
    assert Payout.objects.get().method == PayoutMethod.BANK_TRANSFER
    assert fake_stripe.requests == []


def test_a_host_with_a_payout_still_pending_gets_no_second_one(settings):
    settings.STRIPE_SECRET_KEY = ""
    host = make_host()
    run_payouts()
    adjust_rewards(host=host, amount=Decimal("30.00"), reason="another bonus", by=None)
    result = run_payouts()
    assert Payout.objects.count() == 1 and result.skipped_hosts == {host.pk: "payout_pending"}


# --- Stripe Express onboarding ---------------------------------------------------------------


def test_connecting_creates_the_express_account_once_and_a_fresh_link_each_time(fake_stripe):
    host = make_host(connected=False)
    urls = {
        "return_url": "https://soiree.test/portal/payouts/?stripe=return",
        "refresh_url": "https://soiree.test/portal/payouts/?stripe=refresh",
    }

    first_link = connect_stripe_account(user=host.user, **urls)
    second_link = connect_stripe_account(user=host.user, **urls)

    [create] = fake_stripe.calls("POST", "/v1/accounts")
    assert create.params["type"] == "express"
    assert create.params["capabilities[transfers][requested]"] == "true"
    assert create.idempotency_key == f"soiree-express-account-{host.user.pk}"
    links = fake_stripe.calls("POST", "/v1/account_links")
    assert len(links) == 2 and first_link != second_link
    assert links[0].params["type"] == "account_onboarding"
    assert links[0].params["return_url"] == urls["return_url"]
    assert links[0].params["refresh_url"] == urls["refresh_url"]
    account = PayoutAccount.objects.get(user=host.user)
    assert (
        account.stripe_account_id.startswith("acct_")
        and links[0].params["account"] == account.stripe_account_id
    )
    assert account.payouts_enabled is False


def test_returning_from_onboarding_reads_the_account_back(fake_stripe):
    host = make_host(connected=False)
    connect_stripe_account(user=host.user, return_url="https://x.test/r", refresh_url="https://x.test/f")
    account = PayoutAccount.objects.get(user=host.user)
    fake_stripe.objects[account.stripe_account_id].update(payouts_enabled=True, details_submitted=True)

    refreshed = refresh_stripe_account(user=host.user)

    assert (refreshed.payouts_enabled, refreshed.details_submitted) == (True, True)
    assert fake_stripe.calls("GET", f"/v1/accounts/{account.stripe_account_id}")


def test_connecting_without_stripe_configured_is_a_clear_conflict(settings):
    settings.STRIPE_SECRET_KEY = ""
    host = make_host(connected=False)
    with pytest.raises(Conflict) as raised:
        connect_stripe_account(user=host.user, return_url="https://x.test/r", refresh_url="https://x.test/f")
    assert raised.value.code == "stripe_not_configured"
    assert not PayoutAccount.objects.filter(user=host.user).exists()


# --- Concurrency (PostgreSQL) -----------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_runs_reserve_and_pay_each_host_once(fake_stripe):
    hosts = [make_host(approved="25.00") for _ in range(4)]
    barrier = threading.Barrier(4)
    errors = []

    def run():
        try:
            barrier.wait()
            run_payouts()
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            close_old_connections()

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert Payout.objects.count() == len(hosts)
    assert set(Payout.objects.values_list("status", flat=True)) == {PayoutStatus.PAID}
    transfers = [obj for obj in fake_stripe.objects.values() if obj["object"] == "transfer"]
    assert len(transfers) == len(hosts)
    assert {c.idempotency_key for c in fake_stripe.calls("POST", "/v1/transfers")} == {
        p.idempotency_key for p in Payout.objects.all()
    }


def test_the_account_updated_webhook_keeps_the_payout_account_ready(settings, client):
    # given a host whose Stripe account is still onboarding
    from orders.models import StripeEvent
    from tests.orders import stripe_payloads as sp

    settings.STRIPE_CONNECT_WEBHOOK_SECRET = sp.CONNECT_WEBHOOK_SECRET
    host = make_host(connected=False)
    PayoutAccount.objects.create(user=host.user, stripe_account_id="acct_1QdReady")
    account = {
        "id": "acct_1QdReady",
        "object": "account",
        "type": "express",
        "payouts_enabled": True,
        "details_submitted": True,
        "charges_enabled": False,
    }

    # when Stripe announces on the Connect endpoint, signed with its secret, that the account can
    # receive payouts
    response = sp.post_event(
        client, sp.event("account.updated", account, account=account["id"]), secret=sp.CONNECT_WEBHOOK_SECRET
    )

    # then the payout account says so
    assert response.status_code == 200, response.content
    assert StripeEvent.objects.get().status == "processed"
    stored = PayoutAccount.objects.get(user=host.user)
    assert (stored.payouts_enabled, stored.details_submitted) == (True, True)


def test_a_forged_account_updated_changes_nothing(settings, client):
    from tests.orders import stripe_payloads as sp

    settings.STRIPE_WEBHOOK_SECRET = sp.WEBHOOK_SECRET
    settings.STRIPE_CONNECT_WEBHOOK_SECRET = sp.CONNECT_WEBHOOK_SECRET
    host = make_host(connected=False)
    PayoutAccount.objects.create(user=host.user, stripe_account_id="acct_1QdForged")
    payload = sp.event(
        "account.updated", {"id": "acct_1QdForged", "object": "account", "payouts_enabled": True}
    )

    response = sp.post_event(client, payload, secret="whsec_someone_else")

    assert response.status_code == 400
    assert PayoutAccount.objects.get(user=host.user).payouts_enabled is False
