"""One person present everywhere Soirée keeps personal data: applicant and host (account, social
login, token, code, party with a photo, kit shipment, a problem report), guest at another host's
party, buyer credited to that party and to their own code, in a stored Stripe event."""

import io
import itertools
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import pytest
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from knox.models import AuthToken
from PIL import Image

from ambassadors.models import Campaign, Host, Party, PartyPhoto
from kits.models import Shipment, ShipmentLine, ShipmentProblem
from orders.ingestion.rules import OrderData
from orders.ingestion.services import record_order
from orders.models import Order, StripeEvent
from referrals.codes.services import issue_host_code, issue_party_code
from tests import factories
from tests.orders.stripe_payloads import checkout_session

EMAIL = "zoe.privacy@example.com"
LAST_NAME = "Wojciechowski"
PHONE = "+33698765432"
STREET = "7 impasse Verdier"
_ids = itertools.count(1)


@dataclass
class Person:
    campaign: Campaign
    host: Host
    other_party: Party
    orders: list[Order]


def png_upload() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (32, 24), (200, 80, 120)).save(buffer, format="PNG")
    return SimpleUploadedFile("party.png", buffer.getvalue(), content_type="image/png")


def order_for(email: str, *, code: str = "", hours_ago: float = 1, subtotal: str = "100.00") -> Order:
    amount = Decimal(subtotal)
    order, _ = record_order(
        source="api",
        data=OrderData(
            external_id=f"privacy-{next(_ids)}",
            placed_at=timezone.now() - timedelta(hours=hours_ago),
            customer_email=email,
            currency="EUR",
            subtotal=amount,
            total=amount,
            code=code,
        ),
    )
    return order


@pytest.fixture
def person(db) -> Person:
    campaign = factories.CampaignFactory(status="running")
    host = factories.HostFactory(
        application__campaign=campaign,
        application__email=EMAIL,
        application__first_name="Zoe",
        application__last_name=LAST_NAME,
        application__phone=PHONE,
        application__address_line1=STREET,
        application__motivation=f"The {LAST_NAME} family loves parties.",
        application__social_network="instagram",
        application__social_handle="@zoe_wojc",
        application__social_profile_url="https://instagram.com/zoe_wojc",
        application__ip_hash="a" * 64,
        selected_at=timezone.now() - timedelta(days=10),
    )
    user = host.user
    user.first_name, user.last_name = "Zoe", LAST_NAME
    user.save()
    SocialAccount.objects.create(
        user=user, provider="instagram", uid="17841", extra_data={"username": "zoe_wojc", "email": EMAIL}
    )
    EmailAddress.objects.create(user=user, email=EMAIL, verified=True, primary=True)
    AuthToken.objects.create(user=user)
    own_code = issue_host_code(host=host)

    own_party = factories.PartyFactory(
        host=host, status="held", starts_at=timezone.now() - timedelta(days=4), notes=f"At the {LAST_NAME}s'"
    )
    PartyPhoto.objects.create(party=own_party, image=png_upload(), content_type="image/png", size_bytes=100)
    shipment = Shipment.objects.create(
        host=host,
        campaign=campaign,
        status="shipped",
        ship_to_name=host.full_name,
        ship_to_line1=STREET,
        ship_to_postal_code="75002",
        ship_to_city="Paris",
        ship_to_country="FR",
        ship_to_phone=PHONE,
    )
    ShipmentLine.objects.create(
        shipment=shipment,
        item=factories.ItemFactory(),
        quantity=3,
        unit_cost=Decimal("20.00"),
        retail_price=Decimal("79.90"),
        returnable=True,
    )
    ShipmentProblem.objects.create(shipment=shipment, kind="missing", description=f"Call {PHONE} please")

    other_host = factories.HostFactory(application__campaign=campaign, application__first_name="Bea")
    other_party = factories.PartyFactory(
        host=other_host, status="held", starts_at=timezone.now() - timedelta(days=2)
    )
    issue_party_code(party=other_party)
    factories.GuestFactory(party=other_party, first_name="Zoe", last_name=LAST_NAME, email=EMAIL, phone=PHONE)
    factories.GuestFactory(party=other_party, email="ann@example.com")

    orders = [
        order_for(EMAIL, hours_ago=5),  # guest of the other party
        order_for(EMAIL, code=own_code.code, hours_ago=3),  # self-referral
        order_for("ann@example.com", hours_ago=2, subtotal="80.00"),  # another guest of the party
    ]
    event = checkout_session(email="Zoe.Privacy@Example.com")
    event["customer_details"].update({"name": f"Zoe {LAST_NAME}", "phone": PHONE})
    StripeEvent.objects.create(
        event_id="evt_privacy_1",
        type="checkout.session.completed",
        stripe_created_at=timezone.now(),
        payload={"id": "evt_privacy_1", "type": "checkout.session.completed", "data": {"object": event}},
        status="processed",
    )
    return Person(campaign=campaign, host=host, other_party=other_party, orders=orders)
