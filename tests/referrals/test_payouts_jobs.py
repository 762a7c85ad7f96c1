"""The periodic jobs of rewards and payouts: each an idempotent management command and a task."""

import json
from datetime import timedelta
from decimal import Decimal
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from ambassadors.models import CampaignStatus
from referrals.codes.services import issue_host_code
from referrals.models import EntryState, LedgerEntry, Payout, RewardPlan
from referrals.rewards.services import adjust_rewards, set_reward_plan
from referrals.tasks import approve_rewards_task, recompute_rewards_task, run_payouts_task
from tests.factories import HostFactory
from tests.referrals.test_rewards import _buy

pytestmark = pytest.mark.django_db


def host_selling(amount="200", *, campaign_status=CampaignStatus.RUNNING):
    host = HostFactory(application__campaign__status=campaign_status)
    set_reward_plan(
        campaign=host.campaign,
        by=None,
        party_brackets=[{"up_to": None, "rate": "0.1"}],
        host_code_rate=Decimal("0.05"),
        holding_days=30,
    )
    _buy(issue_host_code(host=host).code, amount)
    return host


def run(command, *args):
    out = StringIO()
    call_command(command, *args, stdout=out)
    return out.getvalue().strip()


def test_approve_rewards_approves_what_is_due_once():
    host = host_selling()
    assert run("approve_rewards") == "approved 0 ledger entries"
    with time_machine.travel(timezone.now() + timedelta(days=31)):
        assert run("approve_rewards") == "approved 1 ledger entry"
        assert run("approve_rewards") == "approved 0 ledger entries"
        assert approve_rewards_task.call() == 0
    assert LedgerEntry.objects.get(host=host).state == EntryState.APPROVED


def test_approve_rewards_task_does_the_same():
    host_selling()
    with time_machine.travel(timezone.now() + timedelta(days=31)):
        assert approve_rewards_task.call() == 1


def test_recompute_rewards_posts_only_differences_for_running_campaigns():
    # given the plans changed behind the services' back (say, a data fix in the admin's database)
    running = host_selling()
    closed = host_selling(campaign_status=CampaignStatus.CLOSED)
    RewardPlan.objects.update(host_code_rate=Decimal("0.10"))

    # when the nightly recomputation runs, then only the running campaign's host gets the difference
    assert run("recompute_rewards") == "posted 1 ledger line(s)"
    assert sum(e.amount for e in LedgerEntry.objects.filter(host=running)) == Decimal("20.00")
    assert sum(e.amount for e in LedgerEntry.objects.filter(host=closed)) == Decimal("10.00")
    # and a second run posts nothing
    assert run("recompute_rewards") == "posted 0 ledger line(s)"
    assert recompute_rewards_task.call() == 0


def test_run_payouts_command_and_task_report_what_they_did(settings):
    settings.STRIPE_SECRET_KEY = ""
    host = host_selling()
    adjust_rewards(host=host, amount=Decimal("25"), reason="photos", by=None)

    assert json.loads(run("run_payouts")) == {
        "reserved": 1,
        "paid": 0,
        "failed": 0,
        "waiting": 1,
        "skipped": 0,
    }
    assert run_payouts_task.call() == {"reserved": 0, "paid": 0, "failed": 0, "waiting": 1, "skipped": 0}
    assert Payout.objects.count() == 1


def test_export_bank_payouts_writes_the_csv_to_stdout_or_a_file(settings, tmp_path):
    settings.STRIPE_SECRET_KEY = ""
    host = host_selling()
    adjust_rewards(host=host, amount=Decimal("25"), reason="photos", by=None)
    run("run_payouts")
    payout = Payout.objects.get()

    printed = run("export_bank_payouts")
    target = tmp_path / "bank.csv"
    call_command("export_bank_payouts", "--output", str(target), stderr=StringIO())

    assert printed.splitlines()[1].startswith(f"{payout.pk},soiree-payout-{payout.pk},")
    assert target.read_text().splitlines() == printed.splitlines()
    assert run("export_bank_payouts", "--campaign", str(host.campaign.pk + 1000)).count("\n") == 0
