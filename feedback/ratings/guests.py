"""How a guest, who has no account, is known on the pieces page: by a signed link sent to the e-mail
address she registered with for that party. The link names her guest row; opening it remembers her in
the browser's session for that party only."""

from django.conf import settings
from django.core import signing
from django.urls import reverse

from ambassadors.models import Guest, Party
from ambassadors.recruitment.branding import brand_of
from backend.email_address import normalise_email
from backend.mail import Email, email_builder, send_email_on_commit

_SALT = "feedback.guest-link"
SESSION_KEY = "feedback_guests"  # {party public token: guest id}


def guest_link_token(guest: Guest) -> str:
    return signing.dumps({"guest": guest.pk}, salt=_SALT, compress=True)


def guest_from_link(*, party: Party, token: str) -> Guest | None:
    """The guest the link was made for, if it is a guest of this party (and still listed)."""
    try:
        value = signing.loads(token, salt=_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(value, dict) or not isinstance(value.get("guest"), int):
        return None
    return Guest.objects.filter(pk=value["guest"], party=party).first()


def guest_link_url(guest: Guest) -> str:
    return settings.SITE_URL + reverse(
        "feedback_public:guest-link", args=[guest.party.public_token, guest_link_token(guest)]
    )


def send_guest_link(*, party: Party, email: str) -> None:
    """Send the pieces link to this address if a guest of the party registered with it; nothing
    otherwise (the page says the same either way, so it tells no one who is on the list)."""
    guest = Guest.objects.filter(party=party, email=normalise_email(email)).exclude(email="").first()
    if guest is not None:
        send_email_on_commit(build=guest_link_email, object_id=guest.pk)


@email_builder
def guest_link_email(guest_id: int) -> Email | None:
    guest = (
        Guest.objects.select_related("party__host", "party__campaign")
        .filter(pk=guest_id)
        .exclude(email="")
        .first()
    )
    if guest is None:
        return None
    return Email(
        to=guest.email,
        template="feedback_guest_link",
        context={
            "first_name": guest.first_name,
            "host_first_name": guest.party.host.first_name,
            "party_title": guest.party.title,
            "link": guest_link_url(guest),
        },
        language=guest.language,
        brand=brand_of(guest.party.campaign, absolute_urls=True),
    )
