"""Mirror referral codes as Stripe promotion codes on the campaign's coupon (SPEC §7).

Every call carries an idempotency key derived from our own row ids, so a retried task never
creates a second coupon or promotion code. Without STRIPE_SECRET_KEY nothing is mirrored and codes
still work for attribution.
"""

import logging

import stripe
from django.db import transaction

from backend.stripe_client import stripe_client, stripe_configured
from referrals.models import CampaignCoupon, ReferralCode

logger = logging.getLogger(__name__)


def _campaign_coupon_id(client: stripe.StripeClient, code: ReferralCode) -> str:
    campaign = code.campaign
    existing = CampaignCoupon.objects.filter(campaign=campaign).first()
    if existing is not None:
        return existing.stripe_coupon_id
    if campaign.guest_discount_percent is None:  # `mirror_code` only mirrors discounted campaigns
        raise ValueError("a campaign without a guest discount has no coupon")
    coupon = client.v1.coupons.create(
        params={
            "percent_off": float(campaign.guest_discount_percent),  # Stripe takes a number here
            "duration": "once",
            "name": f"{campaign.name} guest discount"[:40],
            "metadata": {"soiree_campaign_id": str(campaign.pk)},
        },
        options={"idempotency_key": f"soiree-campaign-coupon-{campaign.pk}"},
    )
    with transaction.atomic():
        row, _ = CampaignCoupon.objects.get_or_create(
            campaign=campaign,
            defaults={"stripe_coupon_id": coupon.id, "percent_off": campaign.guest_discount_percent},
        )
    return row.stripe_coupon_id


def mirror_code(*, code: ReferralCode) -> str | None:
    """Create the promotion code for `code` unless it exists; returns its Stripe id."""
    if not stripe_configured() or code.campaign.guest_discount_percent is None or not code.active:
        return None
    if code.stripe_promotion_code_id:
        return code.stripe_promotion_code_id
    client = stripe_client()
    promotion = client.v1.promotion_codes.create(
        params={
            "promotion": {"type": "coupon", "coupon": _campaign_coupon_id(client, code)},
            "code": code.code,
            "metadata": {"soiree_code_id": str(code.pk), "soiree_kind": code.kind},
        },
        options={"idempotency_key": f"soiree-promotion-code-{code.pk}"},
    )
    ReferralCode.objects.filter(pk=code.pk).update(stripe_promotion_code_id=promotion.id)
    return promotion.id


def deactivate_mirror(*, code: ReferralCode) -> bool:
    if not stripe_configured() or not code.stripe_promotion_code_id:
        return False
    stripe_client().v1.promotion_codes.update(
        code.stripe_promotion_code_id,
        params={"active": False},
        options={"idempotency_key": f"soiree-promotion-code-{code.pk}-deactivate"},
    )
    return True
