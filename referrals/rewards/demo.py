"""Demo data of orders, attribution, rewards and payouts.

Called by `seed_demo` (`seed_rewards(campaign=..., hosts=..., by=...)`); everything goes through the
services, so attribution and rewards follow as they would in production. The campaign gets its
plan; the demo host (the first) a paid bank-transfer payout, an approved bonus under the minimum,
and two sales through their code waiting for the holding period. Then the shop's orders arrive
(`seed_orders`): through host and party codes, through links clicked just before, from party guests
after their party, a few that match nothing, then some refunds and a cancellation. Running it twice
adds nothing.
"""

from collections.abc import Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qs, urlsplit

from django.utils import timezone

from ambassadors.models import Campaign, Guest, Host, Party, PartyStatus
from backend.money import round_money
from orders.ingestion.refunds import record_shop_refund
from orders.ingestion.rules import OrderData, RefundData
from orders.ingestion.services import cancel_order, record_order
from orders.models import Order
from referrals.codes.links import follow_link
from referrals.codes.services import issue_host_code, issue_party_code
from referrals.models import LedgerEntry, PayoutMethod, PayoutStatus, RewardPlan
from referrals.payouts.services import mark_payout_paid, reserve_payout
from referrals.rewards.services import adjust_rewards, set_reward_plan

DEMO_PLAN = {
    "party_brackets": [
        {"up_to": "500", "rate": "0.10"},
        {"up_to": "1500", "rate": "0.15"},
        {"up_to": None, "rate": "0.20"},
    ],
    "min_party_buyers": 3,
    "min_party_sales": Decimal("150.00"),
    "host_code_rate": Decimal("0.05"),
    "booking_bonus": Decimal("25.00"),
    "cap_per_host": Decimal("1000.00"),
    "holding_days": 30,
    "payout_minimum": Decimal("20.00"),
}


def seed_rewards(*, campaign: Campaign, hosts: Sequence[Host], by: Any) -> dict[str, int]:
    if not RewardPlan.objects.filter(campaign=campaign).exists():
        set_reward_plan(campaign=campaign, by=by, **DEMO_PLAN)
    if hosts and not LedgerEntry.objects.filter(host=hosts[0]).exists():
        _seed_demo_host_money(campaign=campaign, host=hosts[0], by=by)
    orders = seed_orders(campaign=campaign, hosts=hosts, by=by)
    return {
        **orders,
        "ledger_lines": LedgerEntry.objects.filter(campaign=campaign).count(),
        "payouts_paid": hosts[0].payouts.filter(status=PayoutStatus.PAID).count() if hosts else 0,
    }


def _seed_demo_host_money(*, campaign: Campaign, host: Host, by: Any) -> None:
    adjust_rewards(host=host, amount=Decimal("25.00"), reason="Welcome bonus: first party photos", by=by)
    payout, _ = reserve_payout(host=host)
    if payout is not None and payout.method == PayoutMethod.BANK_TRANSFER:
        mark_payout_paid(payout=payout, by=by)
    adjust_rewards(host=host, amount=Decimal("12.50"), reason="Best party photos of the week", by=by)
    code = issue_host_code(host=host).code
    for number, amount in enumerate(("89.90", "149.00"), start=1):
        record_order(
            source="api",
            data=OrderData(
                external_id=f"DEMO-REWARDS-{host.pk}-{number}",
                placed_at=timezone.now(),
                customer_email=f"demo.buyer{number}@example.com",
                currency=campaign.currency,
                subtotal=Decimal(amount),
                total=Decimal(amount),
                code=code,
            ),
        )


# Basket sizes of the demo shop (subtotals; shipping is added on top).
BASKETS = ["59.90", "89.90", "129.00", "74.50", "189.00", "45.00", "109.90", "239.00"]
SHIPPING = Decimal("4.90")
BROWSER = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148"
REFERRERS = ["https://www.instagram.com/", "https://www.facebook.com/", "https://www.tiktok.com/", ""]


class _Shop:
    """The demo shop: numbers its orders and sends them in as the shop's API would."""

    def __init__(self, campaign: Campaign) -> None:
        self.campaign = campaign
        self.prefix = f"DEMO-SHOP-{campaign.pk}-"
        self.count = 0

    def order(self, *, email: str, placed_at: datetime, code: str = "", landing_token: str = "") -> Order:
        subtotal = Decimal(BASKETS[self.count % len(BASKETS)])
        self.count += 1
        order, _ = record_order(
            source="api",
            data=OrderData(
                external_id=f"{self.prefix}{self.count:04d}",
                placed_at=placed_at,
                customer_email=email,
                currency=self.campaign.currency,
                subtotal=subtotal,
                shipping=SHIPPING,
                total=subtotal + SHIPPING,
                code=code,
                landing_token=landing_token,
            ),
        )
        return order


def _click(code: str, number: int) -> str:
    """A person follows a host's link; the `ref` the shop receives."""
    location = follow_link(
        raw_code=code,
        ip_address=f"198.51.100.{number % 250 + 1}",
        user_agent=BROWSER,
        referrer=REFERRERS[number % len(REFERRERS)],
        record_later=False,  # the order follows at once
    )
    return parse_qs(urlsplit(location).query)["ref"][0]


def seed_orders(*, campaign: Campaign, hosts: Sequence[Host], by: Any) -> dict[str, int]:
    """The shop's orders for the first hosts, each attributed (or not) by the real rules.

    Per host: two orders through their own code; two links clicked and bought through a moment later
    (and one click that buys nothing); the guests of their latest held party buying the next day,
    enough for the party to qualify; one guest using the party code on the evening. Then two orders
    that match nothing (an unknown code, no code at all), partial and full refunds, and a cancelled
    order. Nothing is added when the demo shop already has orders.
    """
    shop = _Shop(campaign)
    created = {"orders": 0, "clicks": 0, "refunds": 0, "cancelled": 0}
    if not hosts or Order.objects.filter(external_id__startswith=shop.prefix).exists():
        return created
    now = timezone.now()
    clicks = 0
    refundable: list[Order] = []
    for host in hosts[:5]:
        code = issue_host_code(host=host).code
        for number in range(2):
            refundable.append(
                shop.order(
                    email=f"client.{host.pk}.{number}@example.com",
                    placed_at=timezone.now(),  # a host code counts from the host's selection
                    code=code.lower() if number else code,  # typed as it comes: codes ignore case
                )
            )
        for number in range(3):
            clicks += 1
            token = _click(code, clicks)
            if number < 2:  # the third visitor only looks
                shop.order(
                    email=f"visitor.{host.pk}.{number}@example.com",
                    placed_at=timezone.now(),
                    landing_token=token,
                )
        party = (
            Party.objects.filter(host=host, status=PartyStatus.HELD, starts_at__lt=now)
            .order_by("-starts_at")
            .first()
        )
        if party is None:
            continue
        guests = list(Guest.objects.filter(party=party).exclude(email="").order_by("pk")[:5])
        if guests:
            evening = party.starts_at + timedelta(hours=2)
            shop.order(email=guests[0].email, placed_at=evening, code=issue_party_code(party=party).code)
        for guest in guests[1:]:
            refundable.append(
                shop.order(email=guest.email, placed_at=min(party.starts_at + timedelta(days=1), now))
            )
    shop.order(email="curious@example.com", placed_at=now - timedelta(hours=5), code="SOLDES-2026")
    shop.order(email="walk.in@example.com", placed_at=now - timedelta(hours=3))
    for number, order in enumerate(refundable[1::4]):
        share = Decimal("1") if number % 3 == 2 else Decimal("0.5")
        record_shop_refund(
            order=order,
            source="api",
            data=RefundData(
                external_id=f"{order.external_id}-R1",
                amount=round_money(order.total * share),
                refunded_at=timezone.now(),
                reason="Size exchange" if share < 1 else "Returned",
            ),
        )
        created["refunds"] += 1
    if refundable:
        cancel_order(order=refundable[-2], by=by, reason="Out of stock: cancelled before shipping")
        created["cancelled"] = 1
    created["orders"] = shop.count
    created["clicks"] = clicks
    return created
