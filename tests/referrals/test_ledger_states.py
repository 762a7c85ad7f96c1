"""In which state a computed ledger line starts (SPEC §8, where the spec was silent): new money waits
the holding period; a correction follows the lines it corrects; the cap follows what it caps."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from orders.ingestion.refunds import record_shop_refund
from orders.ingestion.rules import RefundData
from referrals.codes.services import issue_host_code
from referrals.models import EntryKind, EntryState, LedgerEntry
from referrals.rewards.services import approve_due_entries, balance, set_reward_plan
from tests.referrals.test_rewards import _buy, host  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db


def refund(order, amount, external_id="r1"):
    record_shop_refund(
        order=order,
        source="api",
        data=RefundData(external_id=external_id, amount=Decimal(amount), refunded_at=timezone.now()),
    )


def test_the_cap_waits_with_the_earnings_it_caps(host):  # noqa: F811
    # given a cap of 800 and 2,000 earned through the host code (5 % of 40,000), still pending
    set_reward_plan(campaign=host.campaign, by=None, cap_per_host=Decimal("800"))
    _buy(issue_host_code(host=host).code, "40000")

    # then the cap deduction waits as long as the accrual: nothing approved, 800 pending
    cap = LedgerEntry.objects.get(host=host, basis="cap")
    accrual = LedgerEntry.objects.get(host=host, kind=EntryKind.ACCRUAL)
    assert (cap.amount, cap.state, cap.approvable_at) == (
        Decimal("-1200.00"),
        EntryState.PENDING,
        accrual.approvable_at,
    )
    assert (balance(host).approved, balance(host).pending) == (0, Decimal("800.00"))

    # and once the holding period is over, both are approved together
    approve_due_entries(at=timezone.now() + timedelta(days=31))
    assert (balance(host).approved, balance(host).pending) == (Decimal("800.00"), 0)


def test_a_cap_over_approved_earnings_is_approved_at_once(host):  # noqa: F811
    _buy(issue_host_code(host=host).code, "40000")
    approve_due_entries(at=timezone.now() + timedelta(days=31))

    set_reward_plan(campaign=host.campaign, by=None, cap_per_host=Decimal("800"))

    assert LedgerEntry.objects.get(host=host, basis="cap").state == EntryState.APPROVED
    assert balance(host).approved == Decimal("800.00")


def test_a_refund_of_a_pending_sale_is_taken_back_when_the_sale_is_approved(host):  # noqa: F811
    order = _buy(issue_host_code(host=host).code, "200")
    refund(order, "50")

    reversal = LedgerEntry.objects.get(host=host, kind=EntryKind.REVERSAL)
    assert reversal.state == EntryState.PENDING
    assert (balance(host).approved, balance(host).pending) == (0, Decimal("7.50"))


def test_a_refund_of_an_approved_sale_is_taken_back_at_once(host):  # noqa: F811
    order = _buy(issue_host_code(host=host).code, "200")
    approve_due_entries(at=timezone.now() + timedelta(days=31))
    refund(order, "50")

    assert LedgerEntry.objects.get(host=host, kind=EntryKind.REVERSAL).state == EntryState.APPROVED
    assert balance(host).approved == Decimal("7.50")


def test_a_cap_release_reads_as_a_cap_release(host):  # noqa: F811
    # given 10.00 earned on a cap of 8
    set_reward_plan(campaign=host.campaign, by=None, cap_per_host=Decimal("8"))
    order = _buy(issue_host_code(host=host).code, "200")

    # when half is refunded (5.00 earned: under the cap)
    refund(order, "100")

    # then the cap gives back what it held, as a cap line, waiting with the cap it releases
    release = LedgerEntry.objects.filter(host=host, basis="cap").order_by("id").last()
    assert (release.kind, release.amount, release.state) == (
        EntryKind.CAP,
        Decimal("2.00"),
        EntryState.PENDING,
    )
    assert release.description.startswith("cap released")
    assert "taken back" not in release.description
    assert balance(host).owed == Decimal("5.00")


# --- A closed party's reward is final (SPEC §5) ----------------------------------------------------


def test_a_refund_after_the_party_closed_leaves_its_reward_as_it_was(host):  # noqa: F811
    # given a qualifying party (3 buyers, 600 of sales: 65.00 of reward), then closed
    from ambassadors.parties.services import close_party
    from referrals.rewards.services import recompute_rewards, recompute_running_campaigns
    from tests.referrals.test_rewards import _party_code

    party, code = _party_code(host)
    orders = [_buy(code, amount) for amount in ("200", "200", "200")]
    assert balance(host).owed == Decimal("65.00")
    close_party(party=party, at=party.attribution_ends_at + timedelta(minutes=1))
    lines = LedgerEntry.objects.count()

    # when one order is refunded in full, and the nightly recomputation runs
    refund(orders[0], "200")
    recompute_rewards(host=host)
    recompute_running_campaigns()

    # then the party's reward is unchanged
    assert LedgerEntry.objects.count() == lines
    assert balance(host).owed == Decimal("65.00")


def test_a_refund_before_the_party_closed_still_changes_its_reward(host):  # noqa: F811
    from tests.referrals.test_rewards import _party_code

    _, code = _party_code(host)
    orders = [_buy(code, amount) for amount in ("200", "200", "200")]
    refund(orders[0], "100")
    assert balance(host).owed == Decimal("50.00")  # 500 of sales at 10 %
