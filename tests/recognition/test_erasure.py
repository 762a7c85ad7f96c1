"""Erasure removes what recognition holds about the person, and the job does not bring it back."""

import pytest

from privacy.erasure import erase_personal_data
from privacy.export import export_personal_data
from recognition.leaderboard.services import set_leaderboard_consent
from recognition.milestones.services import record_milestones
from recognition.models import BrandNote, LeaderboardConsent, Milestone
from recognition.notes.services import write_brand_note
from tests.factories import HostFactory, UserFactory
from tests.recognition.conftest import held_party

pytestmark = pytest.mark.django_db


def test_erasure_removes_the_persons_milestones_notes_and_consent_and_the_job_does_not_restore_them(campaign):
    # given two hosts with milestones, a note each, and the first listed on the leaderboard
    erased, kept = (HostFactory(application__campaign=campaign) for _ in range(2))
    for host in (erased, kept):
        held_party(host, guests=10)
        set_leaderboard_consent(host=host, consents=True)
    record_milestones()
    for host in (erased, kept):
        write_brand_note(host=host, body="Merci pour cette belle soirée !", by=None)
    officer = UserFactory(email="dpo@example.com")

    # when the first is erased
    summary = erase_personal_data(email=erased.application.email, by=officer, reason="request")

    # then nothing of hers is left in recognition, the other host keeps everything
    assert (summary.milestones, summary.brand_notes) == (2, 1)
    assert not Milestone.objects.filter(host=erased).exists()
    assert not BrandNote.objects.filter(host=erased).exists()
    assert not LeaderboardConsent.objects.filter(host=erased).exists()
    assert Milestone.objects.filter(host=kept).count() == 2
    assert BrandNote.objects.filter(host=kept).count() == 1

    # and running the job again does not recognise her again
    record_milestones()
    assert not Milestone.objects.filter(host=erased).exists()


def test_the_personal_data_export_holds_her_milestones_notes_and_consent(host):
    held_party(host)
    record_milestones()
    write_brand_note(host=host, body="Merci Alma", by=None)
    set_leaderboard_consent(host=host, consents=True)

    data = export_personal_data(email=host.application.email, by=UserFactory(email="dpo@example.com"))

    [exported] = data["hosts"]
    assert [row["kind"] for row in exported["milestones"]] == ["first_party_held"]
    assert [row["body"] for row in exported["notes_from_the_brand"]] == ["Merci Alma"]
    assert exported["on_the_public_list_of_top_hosts"] is True
