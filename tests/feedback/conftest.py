"""A host with a shipped kit of two garments and a bag of flyers, a party of hers with a guest, and
another host with her own kit (the outsider)."""

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone
from PIL import Image

from feedback.ratings import guests
from kits.catalogue.services import set_kit_template
from kits.shipments import services as kits
from kits.stock.services import receive_stock
from tests.factories import CampaignFactory, GuestFactory, HostFactory, ItemFactory, PartyFactory


def ship_kit(host):
    shipment = kits.mark_packed(shipment=kits.allocate_kit(host=host, by=None), by=None)
    return kits.mark_shipped(shipment=shipment, carrier="Colissimo", tracking_number="6A1234567", by=None)


@pytest.fixture
def programme(db):
    return build_programme()


def build_programme():
    campaign = CampaignFactory(name="Autumn-winter 2026")
    coat = ItemFactory(sku="AW26-COAT-CAMEL-M", name="Wool coat", colour="Camel", size="M")
    dress = ItemFactory(sku="AW26-DRESS-NAVY-S", name="Knit dress", colour="Navy", size="S")
    flyers = ItemFactory(sku="AW26-FLYERS", name="Flyers", colour="", size="", returnable=False)
    set_kit_template(campaign=campaign, lines=[(coat, 1), (dress, 1), (flyers, 1)], by=None)
    for item in (coat, dress, flyers):
        receive_stock(item=item, quantity=5, by=None)
    selected = timezone.now() - timedelta(days=90)  # hosting before any order of the tests
    host = HostFactory(
        application__campaign=campaign, first_name="Clara", postal_code="69003", selected_at=selected
    )
    other = HostFactory(
        application__campaign=campaign, first_name="Zoé", postal_code="75011", selected_at=selected
    )
    shipment, other_shipment = ship_kit(host), ship_kit(other)
    party = PartyFactory(host=host, campaign=campaign)
    guest = GuestFactory(party=party, first_name="Inès", email="ines@example.com")
    other_party = PartyFactory(host=other, campaign=campaign)
    return {
        "campaign": campaign,
        "coat": coat,
        "dress": dress,
        "flyers": flyers,
        "host": host,
        "other": other,
        "shipment": shipment,
        "other_shipment": other_shipment,
        "line": shipment.lines.get(item=coat),
        "dress_line": shipment.lines.get(item=dress),
        "flyers_line": shipment.lines.get(item=flyers),
        "other_line": other_shipment.lines.get(item=coat),
        "party": party,
        "guest": guest,
        "other_party": other_party,
    }


def rating(**overrides):
    values = {
        "fit": "right",
        "colour": "love",
        "quality": "4",
        "would_buy": "on",
        "comment": "Warm and light.",
        "consent": "on",
    }
    values.update(overrides)
    return values


def posted(line, **overrides):
    """The form fields as the page names them (one form per piece, prefixed with its line)."""
    return {
        f"line-{line.pk}-{name}": value for name, value in rating(**overrides).items() if value is not None
    }


def host_client(host) -> Client:
    client = Client()
    client.force_login(host.user)
    return client


def guest_client(guest) -> Client:
    """A browser that opened the guest's e-mailed link."""
    client = Client()
    token = guests.guest_link_token(guest)
    client.get(f"/p/{guest.party.public_token}/pieces/link/{token}/")
    return client


def jpeg(name="me.jpg"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (150, 100, 60)).save(buffer, format="JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


MONEY = Decimal("79.90")
