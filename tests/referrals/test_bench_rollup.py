"""The benchmark's report rollup is the application's: `bench/build.py` computes each generated order's
row with the function ingestion calls, from the order's stored values (without a model instance),
so `bench/report.py`'s "identical numbers" compares the application's rollup with the plain query,
not the builder with itself."""

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
from django.db import connection
from django.utils import timezone

from ambassadors.models import PartyStatus
from orders.ingestion.refunds import record_shop_refund
from orders.ingestion.rules import OrderData, RefundData
from orders.ingestion.services import cancel_order, record_order
from orders.models import Order
from referrals.codes.services import issue_host_code, issue_party_code
from referrals.models import AttributedSale, Click, SaleFact
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


_COLUMNS = ("campaign_id", "host_id", "party_id", "method", "placed_at", "buyer", "is_sale", "gross", "net")
_COLUMNS += ("guest_bought",)


def _rollup() -> dict[int, tuple]:
    return {
        row["order_id"]: tuple(row[name] for name in _COLUMNS)
        for row in AttributedSale.objects.values("order_id", *_COLUMNS)
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

    # when the bench's builder computes each row from the values it would load for that order
    guests = {(party.pk, "ana@example.com")}
    built = {}
    for order in Order.objects.select_related("attribution"):
        attribution = order.attribution
        values = bench_build.rollup_values(
            order=bench_build._StoredOrder(
                order.placed_at,
                order.customer_email,
                order.total,
                order.commissionable_amount,
                order.refunded_amount,
                order.status,
            ),
            attribution=bench_build._StoredAttribution(
                attribution.method, attribution.campaign_id, attribution.host_id, attribution.party_id
            ),
            guest_bought=(attribution.party_id, order.customer_email) in guests,
        )
        built[order.pk] = dict(zip(bench_build.ROLLUP_COLUMNS, values, strict=True))

    # then it has the very rows the application keeps
    assert {order_id: tuple(row[name] for name in _COLUMNS) for order_id, row in built.items()} == kept


def _schema() -> set[tuple]:
    """Every index, constraint and column default of the database as PostgreSQL reports them."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name, column_name, column_default FROM information_schema.columns"
            " WHERE table_schema = current_schema()"
        )
        defaults = {("default", *row) for row in cursor.fetchall()}
        cursor.execute(
            "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema()"
        )
        indexes = {("index", *row) for row in cursor.fetchall()}
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid), convalidated"
            " FROM pg_constraint WHERE connamespace = current_schema()::regnamespace"
        )
        return defaults | indexes | {("constraint", *row) for row in cursor.fetchall()}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_bench_loads_orders_without_indexes_and_leaves_the_schema_as_migrated(bench_build):
    # given the migrated schema
    migrated = _schema()
    assert any(kind == "constraint" and "FOREIGN KEY" in row[2] for kind, *row in migrated)

    # when the builder loads its orders with their indexes and keys dropped, then built again
    counts = bench_build.build(scale=0.001)

    # then every index and constraint is back, spelled as the migrations made it, keys validated, and
    # no column keeps the default it had while loading
    assert _schema() == migrated
    assert counts["orders"] == Order.objects.count() == 1000
    assert SaleFact.objects.exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_bench_build_stopped_half_way_leaves_the_schema_as_migrated(bench_build):
    # given the migrated schema
    migrated = _schema()

    # when the build stops after loading its orders, before their indexes are built again
    stopped = mock.patch.object(bench_build, "rebuild_report_facts", side_effect=RuntimeError("stopped"))
    with stopped, pytest.raises(RuntimeError, match="stopped"):
        bench_build.build(scale=0.001)

    # then nothing of the orders stays and the schema is whole
    assert _schema() == migrated
    assert not Order.objects.exists()
