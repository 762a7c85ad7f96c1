import json
import threading
from datetime import timedelta
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from django.utils import timezone

from backend.errors import Conflict, Invalid, InvalidTransition
from orders.currencies import currency_decimals, decimal_from_stripe_amount, stripe_amount_from_decimal
from orders.ingestion.refunds import record_shop_refund
from orders.ingestion.rules import OrderData, RefundData, commissionable_amount_of
from orders.ingestion.services import cancel_order, record_order
from orders.models import Order, OrderSource, OrderStatus, Refund
from orders.signals import order_cancelled
from tests.factories import OrderFactory
from tests.orders import stripe_payloads as sp


@pytest.mark.parametrize(
    ("minor", "currency", "amount"),
    [(1999, "eur", "19.99"), (1999, "JPY", "1999.00"), (0, "usd", "0.00"), (150000, "ISK", "1500.00")],
)
def test_stripe_minor_units_round_trip(minor, currency, amount):
    assert decimal_from_stripe_amount(minor, currency) == Decimal(amount)
    assert stripe_amount_from_decimal(Decimal(amount), currency) == minor


def test_iso_4217_decimals():
    assert (currency_decimals("EUR"), currency_decimals("JPY"), currency_decimals("KWD")) == (2, 0, 3)
    assert currency_decimals("XXY") is None


@pytest.mark.parametrize(
    ("subtotal", "discount", "shipping", "tax", "total", "expected"),
    [
        ("120.00", "24.00", "5.00", "17.00", "118.00", "96.00"),  # tax and shipping excluded
        ("120.00", "0.00", "0.00", "20.00", "120.00", "100.00"),  # tax included in the prices
        ("10.00", "15.00", "5.00", "0.00", "0.00", "0.00"),  # a discount beyond the goods: never negative
    ],
)
def test_commissionable_amount(subtotal, discount, shipping, tax, total, expected):
    assert commissionable_amount_of(
        subtotal=Decimal(subtotal),
        discount=Decimal(discount),
        shipping=Decimal(shipping),
        tax=Decimal(tax),
        total=Decimal(total),
    ) == Decimal(expected)


def _data(external_id: str = "S-1", **overrides) -> OrderData:
    values = {
        "external_id": external_id,
        "placed_at": timezone.now() - timedelta(hours=1),
        "customer_email": "a@example.com",
        "currency": "EUR",
        "subtotal": Decimal("100.00"),
        "total": Decimal("100.00"),
    }
    values.update(overrides)
    return OrderData(**values)


@pytest.mark.django_db
def test_the_service_itself_refuses_broken_rules():
    with pytest.raises(Invalid) as error:
        record_order(source=OrderSource.API, data=_data(total=Decimal("99.00")))

    assert (error.value.field, error.value.code) == ("total", "total_mismatch")
    assert not Order.objects.exists()


@pytest.mark.django_db
def test_the_same_external_id_in_two_sources_is_two_orders():
    record_order(source=OrderSource.API, data=_data())
    record_order(source=OrderSource.STRIPE, data=_data())

    assert Order.objects.count() == 2


@pytest.mark.django_db
def test_the_api_and_csv_share_the_shops_order_ids():
    # given the shop's order 'S-1' recorded through the import API
    sale = _data()
    first, created = record_order(source=OrderSource.API, data=sale)
    # when the CSV command brings the same order again
    again, created_again = record_order(source=OrderSource.CSV, data=sale)
    # then it is the same order, recorded once
    assert (created, created_again, again.pk) == (True, False, first.pk)
    assert Order.objects.count() == 1


@pytest.mark.django_db
def test_database_refuses_a_second_order_with_the_same_source_and_id():
    from django.db import IntegrityError

    OrderFactory(source="api", external_id="S-1")
    with pytest.raises(IntegrityError):
        OrderFactory(source="api", external_id="S-1")


@pytest.mark.django_db
def test_refund_conflict_across_orders():
    first, _ = record_order(source=OrderSource.API, data=_data("S-1"))
    second, _ = record_order(source=OrderSource.API, data=_data("S-2"))
    refund = RefundData(external_id="RF-1", amount=Decimal("1.00"), refunded_at=timezone.now())
    record_shop_refund(order=first, source=OrderSource.API, data=refund)

    with pytest.raises(Conflict):
        record_shop_refund(order=second, source=OrderSource.API, data=refund)


@pytest.mark.django_db
def test_cancelled_is_final_and_announced(marketing_user):
    order = OrderFactory()
    cancelled = []
    order_cancelled.connect(lambda **kw: cancelled.append(kw["order"].pk), weak=False, dispatch_uid="c")
    try:
        cancel_order(order=order, by=marketing_user, reason="fraud")
        with pytest.raises(InvalidTransition):
            cancel_order(order=order, by=marketing_user, reason="twice")
    finally:
        order_cancelled.disconnect(dispatch_uid="c")

    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    assert order.net_commissionable_amount == Decimal("0.00")
    assert cancelled == [order.pk]


@pytest.mark.django_db
def test_a_refund_on_a_cancelled_order_keeps_it_cancelled(marketing_user):
    order, _ = record_order(source=OrderSource.API, data=_data())
    cancel_order(order=order, by=marketing_user, reason="fraud")

    record_shop_refund(
        order=order,
        source=OrderSource.API,
        data=RefundData(external_id="RF-1", amount=Decimal("100.00"), refunded_at=timezone.now()),
    )

    order.refresh_from_db()
    assert (order.status, order.refunded_amount) == (OrderStatus.CANCELLED, Decimal("100.00"))


class _FakeStripeRefunds:
    """A local stand-in for Stripe's `GET /v1/refunds` and `GET /v1/checkout/sessions/<id>/line_items`
    that records what the real client asks."""

    def __init__(self, refunds: list[dict], line_items: list[dict] | None = None):
        self.refunds = refunds
        self.line_items = line_items or []
        self.requests: list[tuple[str, dict, str]] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                query = {key: values[0] for key, values in parse_qs(parts.query).items()}
                fake.requests.append((parts.path, query, self.headers.get("Authorization", "")))
                if parts.path.endswith("/line_items"):
                    data = fake.line_items
                else:
                    data = [r for r in fake.refunds if r["charge"] == query.get("charge")]
                body = json.dumps({"object": "list", "data": data, "has_more": False, "url": "/v1/refunds"})
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body.encode())

            def log_message(self, format: str, *args: object) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def fake_refunds(settings):
    fake = _FakeStripeRefunds(
        [sp.refund_object(refund_id="re_X", amount=1800), sp.refund_object(refund_id="re_Y", amount=100)],
        line_items=[
            {
                "id": "li_1",
                "object": "item",
                "amount_subtotal": 9000,
                "amount_total": 9000,
                "currency": "eur",
                "description": "Wool jacket",
                "price": {
                    "id": "price_1",
                    "object": "price",
                    "lookup_key": "JKT-42",
                    "product": "prod_1",
                    "unit_amount": 9000,
                },
                "quantity": 1,
            },
            {
                "id": "li_2",
                "object": "item",
                "amount_subtotal": 3000,
                "amount_total": 3000,
                "currency": "eur",
                "description": "Scarf",
                "price": {
                    "id": "price_2",
                    "object": "price",
                    "lookup_key": None,
                    "product": "prod_2",
                    "unit_amount": 1500,
                },
                "quantity": 2,
            },
        ],
    )
    settings.STRIPE_SECRET_KEY = "sk_test_orders"
    settings.STRIPE_API_BASE = fake.url
    yield fake
    fake.server.shutdown()
    fake.server.server_close()


@pytest.mark.django_db
def test_charge_refunded_without_its_refunds_asks_stripe_for_them(fake_refunds):
    # given an order, and a charge.refunded event as recent API versions send it (no refunds list)
    client = Client()
    session = sp.checkout_session(promotion_code=None)  # no promotion code to read from Stripe
    sp.post_event(client, sp.event("checkout.session.completed", session))

    # when it arrives
    response = sp.post_event(client, sp.event("charge.refunded", sp.charge_object(refunds=None)))

    # then the real client listed the charge's refunds and each was recorded
    assert response.status_code == 200
    path, query, authorization = fake_refunds.requests[0]
    assert (path, query["charge"]) == ("/v1/refunds", "ch_3QdXyZ2eZvKYlo2C0cHaRgE1")
    assert authorization == "Bearer sk_test_orders"
    order = Order.objects.get()
    assert sorted(order.refunds.values_list("external_id", flat=True)) == ["re_X", "re_Y"]
    assert order.refunded_amount == Decimal("19.00")


@pytest.mark.django_db
def test_charge_refunded_without_refunds_or_key_is_ignored_not_failed(settings):
    settings.STRIPE_SECRET_KEY = ""
    client = Client()

    response = sp.post_event(client, sp.event("charge.refunded", sp.charge_object(refunds=None)))

    assert response.status_code == 200
    assert response.json()["status"] == "ignored"
    assert not Refund.objects.exists()


@pytest.mark.django_db
def test_stripe_order_lines_are_read_from_the_session_after_commit(
    fake_refunds, django_capture_on_commit_callbacks
):
    # when a paid session arrives, with a Stripe key configured
    with django_capture_on_commit_callbacks(execute=True):
        session = sp.checkout_session(promotion_code=None)  # no promotion code to read from Stripe
        response = sp.post_event(Client(), sp.event("checkout.session.completed", session))

    # then, after commit, the real client read its line items and the order has them
    assert response.status_code == 200
    assert [path for path, _, _ in fake_refunds.requests] == [
        "/v1/checkout/sessions/cs_test_a1B2c3D4e5F6g7H8i9J0/line_items"
    ]
    order = Order.objects.get()
    assert [(line.sku, line.quantity, line.unit_price) for line in order.lines.all()] == [
        ("JKT-42", 1, Decimal("90.00")),
        ("prod_2", 2, Decimal("15.00")),
    ]

    # and running the task again adds nothing
    from orders.tasks import fetch_stripe_order_lines

    assert fetch_stripe_order_lines.call(order_id=order.pk) == 0
    assert order.lines.count() == 2


@pytest.mark.django_db
def test_lines_expanded_in_the_event_are_taken_from_it(django_capture_on_commit_callbacks):
    session = sp.checkout_session()
    session["line_items"] = {
        "object": "list",
        "data": [
            {
                "id": "li_1",
                "object": "item",
                "quantity": 3,
                "price": {"lookup_key": "SCF-7", "unit_amount": 1000},
            }
        ],
        "has_more": False,
    }

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        sp.post_event(Client(), sp.event("checkout.session.completed", session))

    assert [(line.sku, line.quantity) for line in Order.objects.get().lines.all()] == [("SCF-7", 3)]
    assert callbacks == []  # nothing to fetch
