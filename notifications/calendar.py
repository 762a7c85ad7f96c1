"""The party as an iCalendar event (RFC 5545), attached to the guest's invitation."""

from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from ambassadors.models import Party

# A party has a start and no end: calendars get an evening of this length.
PARTY_LENGTH = timedelta(hours=3)


def party_location(party: Party) -> str:
    """Where, as the party records it: postal code and town, never a street."""
    return f"{party.postal_code} {party.city}".strip()


def party_page_url(party: Party) -> str:
    return settings.SITE_URL + reverse("party_public:register", args=[party.public_token])


def party_calendar(party: Party) -> bytes:
    """One event: the party's title, start, town and host, in the active language; the same UID
    every time, so a calendar that imports it twice keeps one event."""
    event = Event()
    event.add("uid", f"party-{party.pk}@{urlsplit(settings.SITE_URL).hostname or 'soiree'}")
    event.add("dtstamp", timezone.now())
    event.add("dtstart", party.starts_at)
    event.add("dtend", party.starts_at + PARTY_LENGTH)
    event.add("summary", party.title)
    event.add("location", party_location(party))
    event.add("description", _("A party hosted by %(host)s.") % {"host": party.host.first_name})
    event.add("url", party_page_url(party))
    calendar = Calendar()
    calendar.add("prodid", "-//Soiree//Parties//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    calendar.add_component(event)
    return calendar.to_ical()
