"""Forms that no longer apply say so before anything is typed; destructive steps are confirmed;
the page's messages are a plain list inside one status region."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from ambassadors.models import Guest
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def host_web(client, host):
    client.force_login(host.user)
    client.cookies["django_language"] = "fr"
    return client


@pytest.mark.parametrize(
    ("status", "sentence"),
    [
        ("cancelled", "Cette soirée a été annulée."),
        ("held", "Cette soirée a eu lieu."),
        ("closed", "Cette soirée est clôturée."),
    ],
)
def test_the_edit_form_of_a_past_party_says_so_instead_of_showing_fields(host, host_web, status, sentence):
    party = factories.PartyFactory(host=host, status=status)

    page = host_web.get(f"/portal/parties/{party.pk}/edit/")
    html = page.content.decode()
    assert page.status_code == 200
    assert sentence in html and "Ses informations ne peuvent plus être modifiées." in html
    assert 'name="title"' not in html

    sent = host_web.post(f"/portal/parties/{party.pk}/edit/", {"title": "New title"})
    assert sent.status_code == 409
    party.refresh_from_db()
    assert party.title != "New title"


def test_the_report_form_says_so_before_the_party_has_started(host, host_web):
    party = factories.PartyFactory(host=host, starts_at=timezone.now() + timedelta(days=3))

    html = host_web.get(f"/portal/parties/{party.pk}/held/").content.decode()

    assert "Une soirée peut être déclarée une fois commencée." in html
    assert 'name="actual_guests"' not in html
    assert host_web.post(f"/portal/parties/{party.pk}/held/", {"actual_guests": "3"}).status_code == 409
    party.refresh_from_db()
    assert party.status == "planned"


def test_the_report_form_of_a_cancelled_party_says_so(host, host_web):
    party = factories.PartyFactory(
        host=host, status="cancelled", starts_at=timezone.now() - timedelta(days=1)
    )
    html = host_web.get(f"/portal/parties/{party.pk}/held/").content.decode()
    assert "Cette soirée a été annulée. Il n’y a plus rien à déclarer." in html
    assert 'name="actual_guests"' not in html


def test_removing_a_guest_asks_first_without_javascript(host, host_web):
    party = factories.PartyFactory(host=host)
    guest = factories.GuestFactory(party=party, first_name="Nina")

    html = host_web.get(f"/portal/parties/{party.pk}/").content.decode()

    # the remove button only opens the question; the form that removes sits inside it
    disclosure = re.search(r'<details class="confirm inline">(.*?)</details>', html, re.S)
    assert disclosure is not None
    assert "Retirer Nina" in disclosure.group(1)
    assert f'action="/portal/parties/{party.pk}/guests/{guest.pk}/remove/"' in disclosure.group(1)
    assert "Oui, retirer" in disclosure.group(1)
    outside = html.replace(disclosure.group(0), "")
    assert "/remove/" not in outside
    assert Guest.objects.filter(pk=guest.pk).exists()


def test_messages_are_a_plain_list_inside_one_status_region(host, host_web):
    party = factories.PartyFactory(host=host)
    followed = host_web.post(f"/portal/parties/{party.pk}/cancel/", {"reason": "Flu"}, follow=True)

    html = followed.content.decode()
    region = re.search(r'<div role="status"><ul class="messages">(.*?)</ul></div>', html, re.S)
    assert region is not None
    items = re.findall(r"<li[^>]*>", region.group(1))
    assert items and all("role=" not in item for item in items)
