"""Two runs of the milestone job at once, on PostgreSQL (SQLite serialises writers and hides races)."""

import threading

import pytest
from django.core import mail
from django.db import connection

from recognition.milestones.services import record_milestones
from recognition.models import Milestone
from tests.factories import CampaignFactory, HostFactory
from tests.recognition.conftest import held_party

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_runs_at_once_record_and_announce_each_milestone_once():
    # given eight hosts, each with a held party of ten guests (two milestones each)
    campaign = CampaignFactory()
    hosts = [HostFactory(application__campaign=campaign) for _ in range(8)]
    for host in hosts:
        held_party(host, guests=10)
    barrier = threading.Barrier(4)
    errors: list[BaseException] = []

    def run() -> None:
        try:
            barrier.wait()
            record_milestones()
        except BaseException as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    # when four runs start together
    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # then sixteen milestones, each announced by one e-mail
    assert errors == []
    assert Milestone.objects.count() == 16
    assert Milestone.objects.filter(announced_at__isnull=True).count() == 0
    assert len(mail.outbox) == 16
    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        host.user.email for host in hosts for _ in range(2)
    )
