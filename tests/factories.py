"""factory_boy factories shared by every test module."""

from datetime import timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from ambassadors.models import Application, Campaign, CampaignStatus, Host
from backend.models import User


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("email",)

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    first_name = "Alex"
    last_name = "Martin"
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery staple")


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Campaign

    name = factory.Sequence(lambda n: f"Autumn-winter {2026 + n}")
    slug = factory.Sequence(lambda n: f"autumn-winter-{n}")
    description = "Host a party with our autumn-winter collection."
    collection_name = "Autumn-winter"
    shop_url = "https://shop.example.com/collection"
    applications_open_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))
    applications_close_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=30))
    host_slots = 10
    eligible_countries = factory.LazyFunction(lambda: ["FR", "BE"])
    party_window_start = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))
    party_window_end = factory.LazyFunction(lambda: timezone.now() + timedelta(days=90))
    currency = "EUR"
    status = CampaignStatus.RECRUITING


class ApplicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Application

    campaign = factory.SubFactory(CampaignFactory)
    first_name = "Clara"
    last_name = "Dupont"
    email = factory.Sequence(lambda n: f"fan{n}@example.com")
    phone = factory.Sequence(lambda n: f"+3361234{n:04d}")
    address_line1 = factory.Sequence(lambda n: f"{n + 1} rue de la Paix")
    postal_code = "75002"
    city = "Paris"
    country = "FR"
    motivation = "I love the brand."
    expected_guests = 12
    terms_accepted_at = factory.LazyFunction(timezone.now)


class HostFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Host

    application = factory.SubFactory(ApplicationFactory, status="selected")
    campaign = factory.SelfAttribute("application.campaign")
    user = factory.LazyAttribute(lambda o: UserFactory(email=o.application.email, password=None))
    first_name = factory.SelfAttribute("application.first_name")
    last_name = factory.SelfAttribute("application.last_name")
    phone = factory.SelfAttribute("application.phone")
    address_line1 = factory.SelfAttribute("application.address_line1")
    postal_code = factory.SelfAttribute("application.postal_code")
    city = factory.SelfAttribute("application.city")
    country = factory.SelfAttribute("application.country")
    status = "active"


class ItemFactory(factory.django.DjangoModelFactory):
    """A catalogue SKU, created through the service so its (empty) stock row exists."""

    class Meta:
        model = "kits.Item"

    sku = factory.Sequence(lambda n: f"AW26-{n:05d}")
    name = factory.Sequence(lambda n: f"Wool coat {n}")
    colour = "Navy"
    size = "M"
    unit_cost = factory.LazyFunction(lambda: __import__("decimal").Decimal("20.00"))
    retail_price = factory.LazyFunction(lambda: __import__("decimal").Decimal("79.90"))
    currency = "EUR"
    weight_grams = 600
    bin_location = factory.Sequence(lambda n: f"A-{n % 20:02d}-{n % 7}")
    returnable = True
    active = True

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        from kits.catalogue.services import create_item

        return create_item(**kwargs)


class PartyFactory(factory.django.DjangoModelFactory):
    """A planned party starting tomorrow inside its campaign's party window."""

    class Meta:
        model = "ambassadors.Party"

    host = factory.SubFactory(HostFactory)
    campaign = factory.SelfAttribute("host.campaign")
    title = factory.Sequence(lambda n: f"Autumn evening {n}")
    starts_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=1))
    city = "Lyon"
    postal_code = "69003"
    expected_guests = 15
    status = "planned"
    attribution_ends_at = factory.LazyAttribute(
        lambda o: o.starts_at + timedelta(days=o.campaign.attribution_window_days)
    )
    public_token = factory.Sequence(lambda n: f"party-token-{n:06d}")


class GuestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "ambassadors.Guest"

    party = factory.SubFactory(PartyFactory)
    source = "host"
    first_name = "Lou"
    email = factory.Sequence(lambda n: f"guest{n}@example.com")
    consent_at = factory.LazyFunction(timezone.now)
    withdrawal_token = factory.Sequence(lambda n: f"withdraw-{n:08d}")


class OrderFactory(factory.django.DjangoModelFactory):
    """A paid shop order: 120.00 − 24.00 + 5.00 + 17.00 = 118.00 EUR, commissionable 96.00.

    Written directly, without announcing it; to go through the real ingestion path (signals,
    idempotency) use `orders.ingestion.services.record_order`.
    """

    class Meta:
        model = "orders.Order"

    source = "api"
    external_id = factory.Sequence(lambda n: f"SHOP-{n:06d}")
    placed_at = factory.LazyFunction(lambda: timezone.now() - timedelta(hours=1))
    customer_email = factory.Sequence(lambda n: f"buyer{n}@example.com")
    currency = "EUR"
    subtotal = Decimal("120.00")
    discount = Decimal("24.00")
    shipping = Decimal("5.00")
    tax = Decimal("17.00")
    total = Decimal("118.00")
    commissionable_amount = Decimal("96.00")
    fingerprint = factory.Sequence(lambda n: f"{n:064x}")
