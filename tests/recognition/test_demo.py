"""`seed_demo` shows recognition: milestones and notes on the demo host, once however often it runs."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from ambassadors.models import Host
from recognition.models import BrandNote, Milestone

pytestmark = pytest.mark.django_db


def test_the_demo_host_has_milestones_and_notes_and_a_second_run_adds_none(settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=StringIO())
    host = Host.objects.get(user__email="host@soiree.localhost")
    milestones = set(Milestone.objects.filter(host=host).values_list("kind", flat=True))
    notes = BrandNote.objects.filter(host=host).count()
    assert {"first_party_held", "first_sale"} <= milestones
    assert notes >= 1 and BrandNote.objects.filter(host=host, gift__isnull=False).exists()

    call_command("seed_demo", stdout=StringIO())
    assert set(Milestone.objects.filter(host=host).values_list("kind", flat=True)) == milestones
    assert BrandNote.objects.filter(host=host).count() == notes

    client = Client()
    client.force_login(host.user)
    assert 'data-milestone="first_party_held"' in client.get("/portal/").content.decode()
    assert client.get(f"/c/{host.campaign.slug}/hosts/").status_code == 200
