"""`seed_demo` builds the recruitment demo once, and running it again changes nothing."""

from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command

from ambassadors.models import Application, ApplicationStatus, Campaign, Host, HostStatus
from backend.permissions import user_has_role
from feedback.models import BrandAnswer, PieceFeedback
from orders.models import Order, OrderStatus, Refund
from referrals.models import Attribution, AttributionReason, Click, LedgerEntry

pytestmark = pytest.mark.django_db


def counts():
    return {
        "campaigns": Campaign.objects.count(),
        "applications": Application.objects.count(),
        "hosts": Host.objects.count(),
        "selected": Application.objects.filter(status=ApplicationStatus.SELECTED).count(),
        "orders": Order.objects.count(),
        "refunds": Refund.objects.count(),
        "clicks": Click.objects.count(),
        "ledger": LedgerEntry.objects.count(),
        "feedback": PieceFeedback.objects.count(),
        "answers": BrandAnswer.objects.count(),
    }


def test_seed_demo_is_idempotent_and_prints_the_logins(settings):
    settings.DEBUG = True
    out = StringIO()
    call_command("seed_demo", stdout=out)
    first = counts()
    call_command("seed_demo", stdout=StringIO())
    assert counts() == first
    # 200 applications of the form (more may come from party guests who want to host)
    campaign = Campaign.objects.get(slug="automne-hiver-2026")
    form_applications = Application.objects.filter(campaign=campaign, booked_from_party__isnull=True)
    assert form_applications.count() == 200
    assert Host.objects.filter(campaign=campaign).count() == 10
    # dressed as an autumn-winter fashion brand, its texts in both languages
    assert (campaign.name_fr, campaign.name_en) == ("Automne-hiver 2026", "Autumn-winter 2026")
    assert (campaign.brand_name, campaign.brand_primary_colour) == ("Maison Automne", "#7a1f3d")
    assert campaign.brand_logo.name.endswith(".png") and campaign.brand_cover_image.name.endswith(".jpg")
    assert len({host.postal_code[:2] for host in Host.objects.filter(campaign=campaign)}) >= 8  # spread
    assert form_applications.exclude(risk_flags=[]).exists()
    assert form_applications.filter(social_verified=True).exists()
    assert form_applications.filter(social_verified=False).exists()
    assert {str(phone)[:3] for phone in form_applications.values_list("phone", flat=True)} == {"+33", "+32"}
    text = out.getvalue()
    for role in ("admin", "marketing", "logistics", "host"):
        assert f"{role}@soiree.localhost" in text
        password = f"soiree-{role}-demo"
        assert password in text
        user = authenticate(email=f"{role}@soiree.localhost", password=password)
        assert user is not None
        if role != "host":
            assert user_has_role(user, role)
    host = Host.objects.get(user__email="host@soiree.localhost")
    assert host.status == HostStatus.ACTIVE
    # the demo host rated pieces of her kit, guests rated some, the brand answered twice
    assert PieceFeedback.objects.by_hosts().filter(host=host).count() >= 3
    assert PieceFeedback.objects.by_guests().exists()
    assert (
        BrandAnswer.objects.filter(item__isnull=True).count()
        == 1
        == BrandAnswer.objects.filter(item__isnull=False).count()
    )


def test_seed_demo_sells_through_codes_links_and_guest_lists_with_refunds_and_rewards(settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=StringIO())

    attributions = Attribution.objects.all()
    assert set(attributions.values_list("method", flat=True)) >= {"code", "link", "guest", "none"}
    assert attributions.filter(method="code", party__isnull=False).exists()  # a party code, too
    assert (
        attributions.filter(method="link", click__isnull=False).count()
        == Order.objects.exclude(landing_token="").count()
    )
    assert {AttributionReason.UNKNOWN_CODE, AttributionReason.NO_MATCH} <= set(
        attributions.filter(method="none").values_list("reason", flat=True)
    )
    assert Click.objects.count() > attributions.filter(method="link").count()  # not every click buys
    assert Refund.objects.exists()
    assert Order.objects.filter(status=OrderStatus.PARTIALLY_REFUNDED).exists()
    assert Order.objects.filter(status=OrderStatus.REFUNDED).exists()
    assert Order.objects.filter(status=OrderStatus.CANCELLED).count() == 1
    kinds = set(LedgerEntry.objects.values_list("kind", flat=True))
    assert {"accrual", "reversal", "adjustment", "payout"} <= kinds
    assert LedgerEntry.objects.filter(basis__startswith="party:", amount__gt=0).exists()  # a party qualified


def test_seed_demo_refuses_to_run_without_debug(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("seed_demo", stdout=StringIO())
    assert not Campaign.objects.exists()
