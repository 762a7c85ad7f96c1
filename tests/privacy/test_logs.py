"""No personal data in logs (SPEC §13): every record of the main flows, message, arguments and
structured fields, is free of the e-mail addresses, phone numbers and last names involved."""

import json
import logging
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from ambassadors.hosts.signin import signin_path_for
from ambassadors.models import Application, Guest, Host
from backend.logging import JsonFormatter
from orders.models import Order, ShopApiKey
from referrals.models import Attribution
from tests import factories
from tests.orders.stripe_payloads import WEBHOOK_SECRET, checkout_session, event, post_event

pytestmark = pytest.mark.django_db

APPLICANT = {"email": "clara.leak@example.com", "phone": "06 12 34 56 78", "last_name": "Duvalierre"}
GUEST = {"email": "nina.leak@example.com", "phone": "06 98 76 54 32", "last_name": "Rousseliere"}
STRIPE_BUYER = {"email": "camille.leak@example.com", "last_name": "Bernadotte"}
FORBIDDEN = [
    "clara.leak@example.com",
    "+33612345678",
    "0612345678",
    "06 12 34 56 78",
    "Duvalierre",
    "nina.leak@example.com",
    "+33698765432",
    "0698765432",
    "06 98 76 54 32",
    "Rousseliere",
    "camille.leak@example.com",
    "Bernadotte",
]


class _Everything(logging.Handler):
    """Keeps every record reaching the root logger, whatever the level."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def _texts_of(record: logging.LogRecord) -> list[str]:
    """The message, its arguments, every extra field and the structured line as the formatter writes it."""
    return [
        record.getMessage(),
        repr(record.args),
        repr({key: value for key, value in record.__dict__.items() if key not in {"msg", "args"}}),
        JsonFormatter().format(record),
    ]


def _application_payload() -> dict:
    return {
        "first_name": "Clara",
        "last_name": APPLICANT["last_name"],
        "email": APPLICANT["email"].upper(),
        "phone": APPLICANT["phone"],
        "address_line1": "12 rue de la Paix",
        "postal_code": "75002",
        "city": "Paris",
        "country": "FR",
        "motivation": "J'adore la marque.",
        "expected_guests": 12,
        "accept_terms": True,
        "social_network": "instagram",
        "social_handle": "@clara",
        "social_profile_url": "https://instagram.com/clara",
        "follower_count": 1500,
    }


@pytest.fixture
def every_log(caplog):
    caplog.set_level(logging.DEBUG)
    handler = _Everything()
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield handler.records, caplog
    finally:
        root.removeHandler(handler)


def test_main_flows_log_no_email_phone_or_last_name(
    every_log, settings, marketing_client, django_capture_on_commit_callbacks
):
    records, caplog = every_log
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.STRIPE_SECRET_KEY = ""
    campaign = factories.CampaignFactory()
    public = APIClient()
    _, shop_key = ShopApiKey.objects.create_key(name="shop")
    shop = APIClient()
    shop.credentials(HTTP_AUTHORIZATION=f"Api-Key {shop_key}")

    with django_capture_on_commit_callbacks(execute=True):
        # an application through the public API, and the same again (409)
        applied = public.post(
            f"/api/v1/public/campaigns/{campaign.slug}/applications/", _application_payload(), format="json"
        )
        again = public.post(
            f"/api/v1/public/campaigns/{campaign.slug}/applications/", _application_payload(), format="json"
        )
        # the applicant selected: a host, an invitation e-mail with a sign-in link
        application = Application.objects.get()
        selected = marketing_client.post(f"/api/v1/applications/{application.pk}/select/", {})
        host = Host.objects.get()
        # a party, and a guest registering on its public page
        party = factories.PartyFactory(
            host=host, status="held", starts_at=timezone.now() - timedelta(hours=3)
        )
        registered = public.post(
            f"/api/v1/public/parties/{party.public_token}/guests/",
            {
                "first_name": "Nina",
                "last_name": GUEST["last_name"],
                "email": GUEST["email"],
                "phone": GUEST["phone"],
                "accept_terms": True,
            },
            format="json",
        )
        # the guest's order through the shop API, attributed to the party
        imported = shop.post(
            "/api/v1/orders/",
            {
                "external_id": "SHOP-LOG-1",
                "placed_at": (timezone.now() - timedelta(hours=1)).isoformat(),
                "customer_email": GUEST["email"],
                "currency": "EUR",
                "subtotal": "100.00",
                "total": "100.00",
            },
            format="json",
        )
        # a Stripe checkout, signed as Stripe signs it, then a tampered copy
        session = checkout_session(email=STRIPE_BUYER["email"].title(), promotion_code=None, ref=None)
        session["customer_details"]["name"] = f"Camille {STRIPE_BUYER['last_name']}"
        webhook = post_event(Client(), event("checkout.session.completed", session))
        tampered = post_event(Client(), event("checkout.session.completed", session), secret="whsec_wrong")
        # the host signs in with the link from the invitation
        signed_in = Client().get(signin_path_for(host.user))

    # the flows really ran
    assert applied.status_code == 201 and again.status_code == 409
    assert selected.status_code == 200
    assert registered.status_code == 201, registered.json()
    assert imported.status_code == 201, imported.json()
    assert Attribution.objects.get(order__external_id="SHOP-LOG-1").method == "guest"
    assert webhook.status_code == 200 and tampered.status_code == 400
    assert signed_in.status_code == 302
    assert Guest.objects.filter(email=GUEST["email"]).exists()
    assert Order.objects.filter(customer_email=STRIPE_BUYER["email"]).exists()
    assert records and caplog.records  # the flows do log (requests refused, tasks run)

    # Factories log what they build (test tooling, not the application's logs).
    application_records = [
        record for record in [*records, *caplog.records] if not record.name.startswith("factory")
    ]
    leaks = [
        (record.name, text)
        for record in application_records
        for text in _texts_of(record)
        for value in FORBIDDEN
        if value.lower() in text.lower()
    ]
    assert leaks == []
    assert all(json.loads(JsonFormatter().format(record)) for record in application_records)
