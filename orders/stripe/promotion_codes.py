"""A Checkout Session names its promotion code by id (`promo_...`): Stripe tells us its code text.

The order keeps both. When Stripe cannot tell (no key, unreachable, an id it does not know) the
order keeps the id and the reason; attribution still tries the referral codes' own mirror ids, and
the reconciliation job asks again (`resolve_order_promotion_code`).
"""

import logging

import stripe
from django.db import transaction

from backend.stripe_client import stripe_client, stripe_configured
from orders.models import Order, PromotionCodeProblem

logger = logging.getLogger(__name__)


def read_promotion_code(*, promotion_code_id: str) -> tuple[str, str]:
    """(its code text, "") from `GET /v1/promotion_codes/{id}`, or ("", the problem)."""
    if not stripe_configured():
        return "", PromotionCodeProblem.NO_STRIPE_KEY
    try:
        promotion = stripe_client().v1.promotion_codes.retrieve(promotion_code_id)
    except stripe.InvalidRequestError:
        return "", PromotionCodeProblem.UNKNOWN_PROMOTION_CODE
    except stripe.StripeError as error:
        logger.warning(
            "stripe promotion code unreadable",
            extra={"promotion_code": promotion_code_id, "error": type(error).__name__},
        )
        return "", PromotionCodeProblem.STRIPE_UNREACHABLE
    return str(promotion.to_dict().get("code") or "")[:64], ""


def resolve_order_promotion_code(*, order: Order) -> bool:
    """Ask Stripe again for the code of an order whose promotion code is known only by its id;
    True when the order has its code text now."""
    if not order.promotion_code_id or order.code:
        return False
    code, problem = read_promotion_code(promotion_code_id=order.promotion_code_id)
    with transaction.atomic():
        updated = Order.objects.filter(pk=order.pk, code="").update(code=code, promotion_code_problem=problem)
    if updated:
        order.code, order.promotion_code_problem = code, problem
    return bool(code)
