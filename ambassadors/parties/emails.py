"""E-mails to party guests, built from the database when the e-mail task runs (`backend.mail`)."""

from django.conf import settings
from django.urls import reverse

from ambassadors.models import Guest, GuestSource
from ambassadors.recruitment.branding import brand_of
from backend.mail import Email, email_builder


def withdrawal_url(guest: Guest) -> str:
    return settings.SITE_URL + reverse("party_public:withdraw", args=[guest.withdrawal_token])


@email_builder
def guest_confirmation_email(guest_id: int) -> Email | None:
    """The guest is on the list, with the link that takes them off; none once they left or have no e-mail."""
    guest = (
        Guest.objects.select_related("party__host", "party__campaign")
        .filter(pk=guest_id)
        .exclude(email="")
        .first()
    )
    if guest is None:
        return None
    party = guest.party
    return Email(
        to=guest.email,
        template="party_guest_confirmation",
        context={
            "first_name": guest.first_name,
            "host_first_name": party.host.first_name,
            "party_title": party.title,
            "starts_at": party.starts_at.isoformat(),
            "city": party.city,
            "added_by_host": guest.source == GuestSource.HOST,
            "booked": guest.booked_application_id is not None,
            "withdrawal_url": withdrawal_url(guest),
        },
        language=guest.language,
        brand=brand_of(party.campaign, absolute_urls=True),
    )
