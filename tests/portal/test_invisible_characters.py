"""Names and e-mail addresses with invisible or bidirectional control characters are refused.

One rule (`backend.visible_text`) on every path that takes a person's name or address: the
application API and form, a guest added by the host (API and page), a guest registering on the
party's page (and its API), the host's profile. The API answers in the one error shape, a form
beside the field, in the visitor's language; nothing is stored.
"""

import pytest
from django.urls import reverse

from ambassadors.models import Application, Guest, Host
from backend.visible_text import first_hidden_character
from tests.factories import CampaignFactory, HostFactory, PartyFactory
from tests.parties.conftest import client_for

pytestmark = pytest.mark.django_db

# Right-to-left override, zero-width space, left-to-right isolate, byte-order mark, bell, line
# separator, Hangul filler (a letter drawn blank): one per field below, in turn.
HIDDEN = ["\u202e", "\u200b", "\u2066", "\ufeff", "\x07", "\u2028", "\u3164"]


def spoiled(field: str, index: int) -> str:
    character = HIDDEN[index % len(HIDDEN)]
    if field == "email":  # Django's own e-mail check lets these through in the domain part
        return f"lea@zzy{character}zx.com"
    return f"Léa{character}Zzyzx"


def nothing_stored() -> bool:
    """No application, guest or host row holds any part of a spoiled value."""
    rows = [*Application.objects.values(), *Guest.objects.values(), *Host.objects.values()]
    return not any("zzy" in str(value).lower() for row in rows for value in row.values())


@pytest.mark.parametrize(
    "text",
    [
        "Zoë",
        "Łukasiewicz-Nuñez",
        "O'Brien",
        "José María",
        "李小龙",
        "Nguyễn",
        "محمد",
        "Ñandú ❤️",
        "8 quai Saint-Vincent",
    ],
)
def test_ordinary_names_pass(text):
    assert first_hidden_character(text) is None


@pytest.mark.parametrize(
    "character", [*HIDDEN, "\x00", "\n", "\u200f", "\u00ad", "\u2800", "\U000e0041", "\ue000"]
)
def test_hidden_characters_are_found(character):
    assert first_hidden_character(f"Léa{character}") == character


# --- the API: 400 in the one error shape, on the field ---------------------------------------------


def application_api(client, field, value):
    campaign = CampaignFactory(eligible_countries=["FR"])
    payload = {
        "first_name": "Clara",
        "last_name": "Dupont",
        "email": "clara@example.com",
        "phone": "06 12 34 56 78",
        "address_line1": "12 rue de la Paix",
        "address_line2": "",
        "postal_code": "75002",
        "city": "Paris",
        "country": "FR",
        "expected_guests": 12,
        "accept_terms": True,
        field: value,
    }
    return client.post(f"/api/v1/public/campaigns/{campaign.slug}/applications/", payload, format="json")


def host_guest_api(client, field, value):
    host = HostFactory()
    party = PartyFactory(host=host)
    payload = {"first_name": "Lou", "email": "lou@example.com", "guest_agreed": True, field: value}
    return client_for(host.user).post(f"/api/v1/parties/{party.pk}/guests/", payload, format="json")


def public_guest_api(client, field, value):
    party = PartyFactory(host=HostFactory())
    payload = {"first_name": "Nina", "email": "nina@example.com", "accept_terms": True, field: value}
    return client.post(f"/api/v1/public/parties/{party.public_token}/guests/", payload, format="json")


API_CASES = [
    *[
        (application_api, field)
        for field in ("first_name", "last_name", "email", "address_line1", "address_line2", "city")
    ],
    *[(host_guest_api, field) for field in ("first_name", "last_name", "email")],
    *[(public_guest_api, field) for field in ("first_name", "last_name", "email")],
]


@pytest.mark.parametrize(
    ("send", "field"), API_CASES, ids=[f"{send.__name__}-{field}" for send, field in API_CASES]
)
def test_the_api_refuses_a_hidden_character_on_its_field_and_stores_nothing(api_client, send, field):
    response = send(api_client, field, spoiled(field, API_CASES.index((send, field))))

    assert response.status_code == 400, response.json()
    body = response.json()
    assert body["type"] == "validation_error"
    assert body["errors"] == [
        {"code": "invisible_character", "detail": body["errors"][0]["detail"], "attr": field}
    ]
    assert "invisible or control character (U+" in body["errors"][0]["detail"]
    assert nothing_stored()


# --- the portal's forms: 400, the message beside the field, in French --------------------------------


def application_form(client, field, value):
    campaign = CampaignFactory(eligible_countries=["FR"])
    data = {
        "first_name": "Clara",
        "last_name": "Dupont",
        "email": "clara@example.com",
        "phone": "06 12 34 56 78",
        "address_line1": "3 rue des Lilas",
        "postal_code": "69003",
        "city": "Lyon",
        "country": "FR",
        "expected_guests": "15",
        "accept_terms": "on",
        field: value,
    }
    return client.post(reverse("portal:apply", kwargs={"slug": campaign.slug}), data), f"id_{field}"


def host_guest_form(client, field, value):
    host = HostFactory()
    party = PartyFactory(host=host)
    client.force_login(host.user)
    data = {"first_name": "Lou", "email": "lou@example.com", "phone": "", "guest_agreed": "on", field: value}
    return client.post(f"/portal/parties/{party.pk}/guests/add/", data), f"id_{field}"


def registration_page(client, field, value):
    party = PartyFactory(host=HostFactory())
    data = {"first_name": "Nina", "email": "nina@example.com", "accept_terms": "on", field: value}
    return client.post(f"/p/{party.public_token}/", data), f"id_{field}"


def profile_form(client, field, value):
    host = HostFactory()
    client.force_login(host.user)
    data = {
        "contact-phone": "07 98 76 54 32",
        "contact-address_line1": "8 quai Saint-Vincent",
        "contact-address_line2": "",
        "contact-postal_code": "69001",
        "contact-city": "Lyon",
        f"contact-{field}": value,
    }
    return client.post(reverse("portal:profile"), data), f"id_contact-{field}"


FORM_CASES = [
    *[(application_form, field) for field in ("first_name", "last_name", "email", "address_line1", "city")],
    *[(host_guest_form, field) for field in ("first_name", "last_name", "email")],
    *[(registration_page, field) for field in ("first_name", "last_name", "email")],
    *[(profile_form, field) for field in ("address_line1", "address_line2", "city")],
]


@pytest.mark.parametrize(
    ("send", "field"), FORM_CASES, ids=[f"{send.__name__}-{field}" for send, field in FORM_CASES]
)
def test_a_form_refuses_a_hidden_character_beside_the_field_in_the_visitors_language(client, send, field):
    client.cookies["django_language"] = "fr"

    page, field_id = send(client, field, spoiled(field, FORM_CASES.index((send, field))))

    assert page.status_code == 400
    html = page.content.decode()
    block = html[html.index(f'for="{field_id}"') :]
    block = block[: block.index("</div>")]
    assert f'id="{field_id}_error"' in block
    assert "Supprimez le caractère invisible ou de contrôle" in block
    assert nothing_stored()
