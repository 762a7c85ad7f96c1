"""Milestones from facts (SPEC §16): each rule, recorded once and e-mailed once however often the job
runs, in the host's language; never for banned or erased hosts."""

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ambassadors.models import HostStatus, PartyStatus
from recognition.milestones.services import record_milestones
from recognition.models import Milestone, MilestoneKind
from referrals.codes.services import issue_host_code
from tests.factories import GuestFactory, HostFactory, PartyFactory
from tests.recognition.conftest import buy, held_party, party_code

pytestmark = pytest.mark.django_db


def kinds(host) -> set[str]:
    return set(Milestone.objects.filter(host=host).values_list("kind", flat=True))


def test_a_held_party_is_a_first_party_held_and_a_planned_one_is_not(host):
    PartyFactory(host=host)  # planned
    record_milestones()
    assert kinds(host) == set()

    party = held_party(host)
    record_milestones()
    assert kinds(host) == {MilestoneKind.FIRST_PARTY_HELD}
    assert Milestone.objects.get(host=host).party == party


def test_a_closed_party_counts_as_held_and_a_cancelled_one_does_not(host):
    held_party(host, status=PartyStatus.CANCELLED)
    record_milestones()
    assert kinds(host) == set()
    held_party(host, status=PartyStatus.CLOSED)
    record_milestones()
    assert kinds(host) == {MilestoneKind.FIRST_PARTY_HELD}


def test_a_party_qualifies_with_the_plans_buyers_and_sales(host):
    # given a held party; the plan asks for 3 buyers and 150 of sales
    party = held_party(host)
    code = party_code(party)
    buy(code, "100")
    buy(code, "100")
    record_milestones()
    assert MilestoneKind.FIRST_QUALIFIED_PARTY not in kinds(host)  # two buyers

    # when a third buyer buys
    buy(code, "10")
    record_milestones()

    # then the party qualified: 3 buyers, 210 of sales
    assert MilestoneKind.FIRST_QUALIFIED_PARTY in kinds(host)
    assert Milestone.objects.get(host=host, kind=MilestoneKind.FIRST_QUALIFIED_PARTY).party == party


def test_enough_buyers_but_too_few_sales_is_no_qualified_party(host):
    code = party_code(held_party(host))
    for amount in ("60", "50", "30"):  # 140 < 150
        buy(code, amount)
    record_milestones()
    assert MilestoneKind.FIRST_QUALIFIED_PARTY not in kinds(host)


@pytest.mark.parametrize(
    ("guests", "expected"), [(9, set()), (10, {"ten_guests"}), (50, {"ten_guests", "fifty_guests"})]
)
def test_guests_welcomed_count_the_lists_of_held_parties(host, guests, expected):
    # the guests are split between two held parties; a planned party's guests do not count
    held_party(host, guests=guests // 2)
    held_party(host, guests=guests - guests // 2)
    planned = PartyFactory(host=host)
    for _ in range(5):
        GuestFactory(party=planned)
    record_milestones()
    assert kinds(host) - {MilestoneKind.FIRST_PARTY_HELD} == expected


def test_a_sale_through_her_code_is_her_first_sale_and_her_own_order_is_not(host):
    code = issue_host_code(host=host).code
    buy(code, "50", email=host.user.email)  # self-referral: credited, earns nothing
    record_milestones()
    assert kinds(host) == set()

    buy(code, "50")
    record_milestones()
    assert kinds(host) == {MilestoneKind.FIRST_SALE}


def test_the_top_ten_are_the_campaigns_ten_best_held_parties_by_credited_sales(campaign):
    # given twelve hosts, each with one held party: party i sells 10 × (i + 1)
    hosts = [HostFactory(application__campaign=campaign) for _ in range(12)]
    for index, host in enumerate(hosts):
        buy(party_code(held_party(host)), str(10 * (index + 1)))
    # and a party of another campaign with more sales than all of them
    stranger = HostFactory()
    buy(party_code(held_party(stranger)), "9000")

    record_milestones()

    top = set(Milestone.objects.filter(kind=MilestoneKind.TOP_TEN_PARTY).values_list("host_id", flat=True))
    assert top == {host.pk for host in hosts[2:]} | {stranger.pk}


def test_milestones_are_recorded_and_announced_once_however_often_the_job_runs(
    host, django_capture_on_commit_callbacks
):
    # given a host with a held party of ten guests
    held_party(host, guests=10)

    # when the job runs three times
    for _ in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            call_command("record_milestones")

    # then two milestones, each e-mailed once
    assert Milestone.objects.filter(host=host).count() == 2
    assert all(milestone.announced_at for milestone in Milestone.objects.filter(host=host))
    assert len(mail.outbox) == 2
    assert {message.to[0] for message in mail.outbox} == {host.user.email}


def test_the_announcement_is_in_the_hosts_language(host, django_capture_on_commit_callbacks):
    host.user.language = "fr"
    host.user.save(update_fields=["language"])
    held_party(host)
    with django_capture_on_commit_callbacks(execute=True):
        record_milestones()
    (message,) = mail.outbox
    assert "Alma" in message.subject
    assert "Vous avez tenu votre première soirée." in message.body


def test_banned_and_erased_hosts_are_not_recognised(campaign, django_capture_on_commit_callbacks):
    banned = HostFactory(application__campaign=campaign, status=HostStatus.BANNED)
    erased = HostFactory(application__campaign=campaign)
    erased.user.is_active = False
    erased.user.save(update_fields=["is_active"])
    for host in (banned, erased):
        held_party(host, guests=10)
    with django_capture_on_commit_callbacks(execute=True):
        record_milestones()
    assert Milestone.objects.count() == 0
    assert mail.outbox == []


def test_the_job_reads_the_programme_in_a_fixed_number_of_queries(campaign):
    def run() -> int:
        Milestone.objects.all().delete()
        with CaptureQueriesContext(connection) as queries:
            record_milestones()
        return len(queries)

    hosts = [HostFactory(application__campaign=campaign) for _ in range(2)]
    for host in hosts:
        held_party(host, guests=10)
    few = run()
    hosts += [HostFactory(application__campaign=campaign) for _ in range(4)]
    for host in hosts[2:]:
        held_party(host, guests=10)
    assert run() == few


def test_the_task_runs_the_same_job(host, django_capture_on_commit_callbacks):
    from recognition.tasks import record_milestones_task

    held_party(host)
    with django_capture_on_commit_callbacks(execute=True):
        assert record_milestones_task.call() == {"recorded": 1, "announced": 1}
        assert record_milestones_task.call() == {"recorded": 0, "announced": 0}
    assert len(mail.outbox) == 1
