"""The benchmark's report rollup is the application's: `bench/build.py` writes it with the function
ingestion calls, so `bench/report.py`'s "identical numbers" compares the application's rollup with
the plain query, not the builder with itself."""

import importlib.util
import itertools
import os
import sys
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from types import ModuleType
from unittest import mock

import pytest
from django.utils import timezone

from ambassadors.models import PartyStatus
from orders.ingestion.refunds import record_shop_refund
from orders.ingestion.rules import OrderData, RefundData
from orders.ingestion.services import cancel_order, record_order
from referrals.codes.services import issue_host_code, issue_party_code
from referrals.models import AttributedSale, Click
from referrals.rewards.services import set_reward_plan
from tests.factories import GuestFactory, HostFactory, PartyFactory

pytestmark = pytest.mark.django_db

BUILD = Path(__file__).resolve().parents[2] / "bench" / "build.py"
_ids = itertools.count(1)


@pytest.fixture(scope="module")
def bench_build() -> ModuleType:
    """bench/build.py as a module (a script: its environment defaults and path are put back after)."""
    spec = importlib.util.spec_from_file_location("bench_build", BUILD)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    with mock.patch.dict(os.environ), mock.patch.object(sys, "path", list(sys.path)):
        spec.loader.exec_module(module)
    return module


def _order(*, email: str, code: str = "", token: str = "", discount: str = "0", days_ago: int = 1):
    order, _ = record_order(
        source="api",
        data=OrderData(
            external_id=f"bench-sample-{next(_ids)}",
            placed_at=timezone.now() - timedelta(days=days_ago),
            customer_email=email,
            currency="EUR",
            subtotal=Decimal("100"),
            discount=Decimal(discount),
            shipping=Decimal("5"),
            tax=Decimal("20"),
            total=Decimal("125") - Decimal(discount),
            code=code,
            landing_token=token,
        ),
    )
    return order


def _refund(order, amount: str) -> None:
    record_shop_refund(
        order=order,
        source="api",
        data=RefundData(external_id=f"r-{next(_ids)}", amount=Decimal(amount), refunded_at=timezone.now()),
    )


def _rollup() -> dict[int, tuple]:
    return {
        sale.order_id: (
            sale.campaign_id,
            sale.host_id,
            sale.party_id,
            sale.method,
            sale.placed_at,
            sale.buyer,
            sale.is_sale,
            sale.gross,
            sale.net,
            sale.guest_bought,
        )
        for sale in AttributedSale.objects.all()
    }


def test_the_bench_builds_the_rollup_ingestion_keeps(bench_build, marketing_user):
    # given orders of every method recorded through the services, then refunded or cancelled: the
    # rollup is what ingestion, refunds and cancellations wrote
    now = timezone.now()
    host = HostFactory(selected_at=now - timedelta(days=60))
    set_reward_plan(campaign=host.campaign, by=None, host_code_rate=Decimal("0.05"))
    party = PartyFactory(
        host=host,
        starts_at=now - timedelta(days=3),
        status=PartyStatus.HELD,
        attribution_ends_at=now + timedelta(days=27),
    )
    GuestFactory(party=party, email="ana@example.com")
    party_code = issue_party_code(party=party).code
    host_code = issue_host_code(host=host)
    token = Click.objects.create(
        code=host_code, at=now - timedelta(days=2), token="t-1", visitor_hash="h"
    ).token
    orders = [
        _order(email="ana@example.com", code=party_code, discount="10"),  # a guest of the party
        _order(email="ben@example.com", code=party_code),  # not on the guest list
        _order(email="chloe@example.com", code=host_code.code, discount="25"),
        _order(email="dan@example.com", token=token),  # the link
        _order(email="ana@example.com"),  # a guest buying without code, inside the window
        _order(email="eve@example.com", days_ago=90),  # nothing matches
        _order(email="fay@example.com", code=host_code.code),
    ]
    _refund(orders[0], "30")
    _refund(orders[2], "100")  # all of it
    cancel_order(order=orders[6], by=marketing_user, reason="fraud")
    kept = _rollup()
    assert len(kept) == len(orders)
    assert {row[3] for row in kept.values()} == {"code", "link", "guest", "none"}
    assert any(row[9] for row in kept.values())  # a guest bought
    assert any(row[8] < row[7] for row in kept.values())  # refunds took some net away
    assert any(not row[6] for row in kept.values())  # the cancelled order is no sale

    # when the bench's builder writes the rollup again from the stored orders and attributions
    AttributedSale.objects.all().delete()
    written = bench_build.build_report_rollup(batch=3)  # a few batches

    # then it writes the very rows the application keeps
    assert written == len(orders)
    assert _rollup() == kept
