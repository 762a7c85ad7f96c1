"""Codes mirrored as Stripe promotion codes, through the real client against a local fake API."""

from decimal import Decimal

import pytest

from ambassadors.parties.services import cancel_party
from referrals.codes.services import deactivate_codes, issue_host_code, issue_party_code
from referrals.models import CampaignCoupon, ReferralCode
from tests.factories import HostFactory, PartyFactory
from tests.fakes.stripe_api import start_fake_stripe

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def fake_stripe(settings):
    fake, server = start_fake_stripe()
    settings.STRIPE_SECRET_KEY = "sk_test_fake"
    settings.STRIPE_API_BASE = fake.url
    yield fake
    server.shutdown()


def test_code_is_mirrored_on_the_campaign_coupon_with_idempotency_keys(fake_stripe):
    host = HostFactory(application__campaign__guest_discount_percent=Decimal("15.00"))

    code = issue_host_code(host=host)

    code.refresh_from_db()
    [coupon_call] = fake_stripe.calls("POST", "/v1/coupons")
    [promo_call] = fake_stripe.calls("POST", "/v1/promotion_codes")
    assert coupon_call.params["percent_off"] == "15.0"
    assert coupon_call.idempotency_key == f"soiree-campaign-coupon-{host.campaign.pk}"
    assert promo_call.params["code"] == code.code
    assert promo_call.params["promotion[type]"] == "coupon"
    assert promo_call.params["promotion[coupon]"] == CampaignCoupon.objects.get().stripe_coupon_id
    assert promo_call.idempotency_key == f"soiree-promotion-code-{code.pk}"
    assert code.stripe_promotion_code_id.startswith("promo_")


def test_second_code_of_the_campaign_reuses_its_coupon(fake_stripe):
    first = HostFactory(application__campaign__guest_discount_percent=Decimal("10"))
    second = HostFactory(application__campaign=first.campaign)
    issue_host_code(host=first)
    issue_host_code(host=second)
    assert len(fake_stripe.calls("POST", "/v1/coupons")) == 1
    assert len(fake_stripe.calls("POST", "/v1/promotion_codes")) == 2


def test_retrying_the_mirror_task_sends_the_same_idempotency_key_and_creates_nothing_twice(fake_stripe):
    from referrals.tasks import mirror_code_to_stripe

    host = HostFactory(application__campaign__guest_discount_percent=Decimal("10"))
    code = issue_host_code(host=host)
    ReferralCode.objects.filter(pk=code.pk).update(stripe_promotion_code_id="")  # as if the commit was lost

    mirror_code_to_stripe.call(code_id=code.pk)

    calls = fake_stripe.calls("POST", "/v1/promotion_codes")
    assert len(calls) == 2 and calls[0].idempotency_key == calls[1].idempotency_key
    assert len({obj_id for obj_id in fake_stripe.objects if obj_id.startswith("promo_")}) == 1


def test_deactivating_a_code_switches_its_promotion_code_off(fake_stripe):
    host = HostFactory(application__campaign__guest_discount_percent=Decimal("10"))
    code = issue_host_code(host=host)
    code.refresh_from_db()

    deactivate_codes(host=host, reason="banned")

    [update] = fake_stripe.calls("POST", f"/v1/promotion_codes/{code.stripe_promotion_code_id}")
    assert update.params == {"active": "false"}
    assert fake_stripe.objects[code.stripe_promotion_code_id]["active"] is False


def test_no_discount_means_nothing_is_sent_to_stripe(fake_stripe):
    issue_host_code(host=HostFactory())
    assert fake_stripe.requests == []


def test_without_stripe_configured_codes_still_work(settings):
    settings.STRIPE_SECRET_KEY = ""
    host = HostFactory(application__campaign__guest_discount_percent=Decimal("10"))
    code = issue_host_code(host=host)
    code.refresh_from_db()
    assert code.stripe_promotion_code_id == ""
    assert ReferralCode.objects.lookup(code.code) == code


def test_banning_a_host_through_the_api_switches_their_promotion_codes_off(fake_stripe, marketing_client):
    # given an active host whose code is mirrored on Stripe
    host = HostFactory(status="active", application__campaign__guest_discount_percent=Decimal("15.00"))
    code = issue_host_code(host=host)
    code.refresh_from_db()

    # when marketing bans the host
    response = marketing_client.post(
        f"/api/v1/hosts/{host.pk}/transition/", {"status": "banned", "reason": "fraud"}, format="json"
    )

    # then the code stops crediting and its promotion code is off at Stripe
    assert response.status_code == 200, response.content
    code.refresh_from_db()
    assert code.deactivated_at is not None and code.deactivation_reason == "host banned"
    [update] = fake_stripe.calls("POST", f"/v1/promotion_codes/{code.stripe_promotion_code_id}")
    assert update.params == {"active": "false"}


def test_cancelling_a_party_switches_its_promotion_code_off(fake_stripe):
    party = PartyFactory(host__application__campaign__guest_discount_percent=Decimal("15.00"))
    code = issue_party_code(party=party)
    code.refresh_from_db()
    assert code.stripe_promotion_code_id

    cancel_party(party=party, by=party.host.user, reason="ill")

    code.refresh_from_db()
    assert code.deactivated_at is not None
    [update] = fake_stripe.calls("POST", f"/v1/promotion_codes/{code.stripe_promotion_code_id}")
    assert update.params == {"active": "false"}
