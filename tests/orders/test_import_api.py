from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from orders.models import Order, OrderSource, OrderStatus, Refund, ShopApiKey
from orders.signals import order_recorded, refund_recorded

pytestmark = pytest.mark.django_db

URL = "/api/v1/orders/"
PLACED_AT = (timezone.now() - timedelta(hours=2)).replace(microsecond=0)


def order_payload(external_id: str = "SHOP-1001", **overrides):
    payload = {
        "external_id": external_id,
        "placed_at": PLACED_AT.isoformat(),
        "customer_email": "  Lea.Martin@Example.com ",
        "currency": "EUR",
        "subtotal": "120.00",
        "discount": "24.00",
        "shipping": "5.00",
        "tax": "17.00",
        "total": "118.00",
        "code": "CLARA-7K2F",
        "landing_token": "k8Jd93hFq2LmZx0p",
        "lines": [
            {"sku": "JKT-42", "quantity": 1, "unit_price": "90.00"},
            {"sku": "SCF-7", "quantity": 2, "unit_price": "15.00"},
        ],
    }
    payload.update(overrides)
    return payload


def errors_by_attr(response) -> dict[str, str]:
    return {error["attr"]: error["code"] for error in response.json()["errors"]}


def test_requires_a_valid_shop_api_key(db, marketing_client):
    anonymous = APIClient().post(URL, order_payload(), format="json")
    wrong = APIClient()
    wrong.credentials(HTTP_AUTHORIZATION="Api-Key not.a-key")
    staff_token_is_not_enough = marketing_client.post(URL, order_payload(), format="json")

    assert anonymous.status_code == 401
    assert anonymous.headers["WWW-Authenticate"] == "Api-Key"
    assert wrong.post(URL, order_payload(), format="json").status_code == 401
    assert staff_token_is_not_enough.status_code in (401, 403)
    assert not Order.objects.exists()


def test_revoked_key_is_refused(db):
    api_key, key = ShopApiKey.objects.create_key(name="old shop")
    api_key.revoked = True
    api_key.save()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")

    assert client.post(URL, order_payload(), format="json").status_code == 401


def test_key_is_stored_hashed(shop_key):
    stored = ShopApiKey.objects.get()
    assert shop_key not in stored.hashed_key
    assert stored.is_valid(shop_key)


def test_one_order_is_recorded_with_its_lines(shop_client):
    response = shop_client.post(URL, order_payload(), format="json")

    assert response.status_code == 201, response.json()
    order = Order.objects.get()
    assert response.json()["id"] == order.pk
    assert order.source == OrderSource.API
    assert order.customer_email == "lea.martin@example.com"
    assert order.commissionable_amount == Decimal("96.00")
    assert [(line.sku, line.quantity, line.unit_price) for line in order.lines.all()] == [
        ("JKT-42", 1, Decimal("90.00")),
        ("SCF-7", 2, Decimal("15.00")),
    ]
    assert response.json()["commissionable_amount"] == "96.00"


def test_same_payload_again_answers_200_with_the_same_result(shop_client):
    received = []
    order_recorded.connect(lambda **kw: received.append(kw["order"].pk), weak=False, dispatch_uid="imp")
    try:
        payload = order_payload()
        first = shop_client.post(URL, payload, format="json")
        # same content, other formatting
        second = shop_client.post(
            URL, {**payload, "subtotal": "120", "customer_email": "lea.martin@example.com"}, format="json"
        )
    finally:
        order_recorded.disconnect(dispatch_uid="imp")

    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json() == second.json()
    assert Order.objects.count() == 1
    assert len(received) == 1


def test_different_payload_for_the_same_id_answers_409(shop_client):
    shop_client.post(URL, order_payload(), format="json")

    response = shop_client.post(URL, order_payload(subtotal="130.00", total="128.00"), format="json")

    assert response.status_code == 409
    assert response.json()["errors"][0]["code"] == "order_conflict"
    assert response.json()["extra"]["external_id"] == "SHOP-1001"
    assert Order.objects.get().total == Decimal("118.00")


@pytest.mark.parametrize(
    ("overrides", "attr", "code"),
    [
        ({"currency": "EUX"}, "currency", "unknown_currency"),
        ({"currency": "E1"}, "currency", "invalid"),
        ({"currency": "CLF"}, "currency", "unsupported_currency"),
        (
            {
                "currency": "JPY",
                "subtotal": "1200.50",
                "discount": "0",
                "shipping": "0",
                "tax": "0",
                "total": "1200.50",
            },
            "subtotal",
            "too_many_decimals",
        ),
        ({"subtotal": "120.001"}, "subtotal", "too_many_decimals"),
        ({"discount": "-1.00"}, "discount", "invalid"),
        ({"total": 118.0}, "total", "not_a_string"),
        ({"total": "119.00"}, "total", "total_mismatch"),
        ({"placed_at": (timezone.now() + timedelta(hours=1)).isoformat()}, "placed_at", "in_future"),
        ({"placed_at": "2026-11-03T18:04:00"}, "placed_at", "naive"),
        ({"customer_email": "not-an-email"}, "customer_email", "invalid"),
        ({"external_id": ""}, "external_id", "blank"),
        ({"lines": [{"sku": "X", "quantity": 0, "unit_price": "1.00"}]}, "lines.0.quantity", "min_value"),
    ],
)
def test_each_rule_answers_400_on_its_field_and_writes_nothing(shop_client, overrides, attr, code):
    response = shop_client.post(URL, order_payload(**overrides), format="json")

    assert response.status_code == 400, response.json()
    assert response.json()["type"] == "validation_error"
    assert errors_by_attr(response).get(attr) == code, response.json()
    assert not Order.objects.exists()


def test_several_broken_rules_are_all_reported(shop_client):
    response = shop_client.post(
        URL,
        order_payload(total="1.00", placed_at=(timezone.now() + timedelta(days=1)).isoformat()),
        format="json",
    )

    assert errors_by_attr(response) == {"total": "total_mismatch", "placed_at": "in_future"}


def test_refunds_are_recorded_once_by_refund_id(shop_client):
    received = []
    refund_recorded.connect(
        lambda **kw: received.append(kw["refund"].external_id), weak=False, dispatch_uid="r"
    )
    refund = {"refund_id": "RF-1", "amount": "30.00", "refunded_at": timezone.now().isoformat()}
    try:
        created = shop_client.post(URL, order_payload(), format="json")
        with_refund = shop_client.post(URL, order_payload(refunds=[refund]), format="json")
        again = shop_client.post(URL, order_payload(refunds=[refund]), format="json")
    finally:
        refund_recorded.disconnect(dispatch_uid="r")

    assert (created.status_code, with_refund.status_code, again.status_code) == (201, 200, 200)
    assert with_refund.json() == again.json()
    assert with_refund.json()["status"] == OrderStatus.PARTIALLY_REFUNDED
    assert with_refund.json()["refunded_amount"] == "30.00"
    assert Refund.objects.count() == 1
    assert received == ["RF-1"]


def test_a_refund_id_reused_with_other_content_answers_409(shop_client):
    refund = {"refund_id": "RF-1", "amount": "30.00", "refunded_at": timezone.now().isoformat()}
    shop_client.post(URL, order_payload(refunds=[refund]), format="json")

    response = shop_client.post(URL, order_payload(refunds=[{**refund, "amount": "31.00"}]), format="json")

    assert response.status_code == 409
    assert response.json()["errors"][0]["code"] == "refund_conflict"
    assert Refund.objects.get().amount == Decimal("30.00")


def test_refunds_never_exceed_what_was_paid(shop_client):
    now = timezone.now().isoformat()
    shop_client.post(
        URL,
        order_payload(refunds=[{"refund_id": "RF-1", "amount": "100.00", "refunded_at": now}]),
        format="json",
    )

    response = shop_client.post(
        URL,
        order_payload(refunds=[{"refund_id": "RF-2", "amount": "18.01", "refunded_at": now}]),
        format="json",
    )
    whole = shop_client.post(
        URL,
        order_payload(refunds=[{"refund_id": "RF-3", "amount": "18.00", "refunded_at": now}]),
        format="json",
    )

    assert response.status_code == 400
    assert errors_by_attr(response) == {"refunds.0.amount": "refund_exceeds_paid"}
    assert whole.status_code == 200
    assert whole.json()["status"] == OrderStatus.REFUNDED
    assert sorted(Refund.objects.values_list("external_id", flat=True)) == ["RF-1", "RF-3"]


def test_a_bad_refund_rejects_the_whole_item(shop_client):
    refund = {"refund_id": "RF-1", "amount": "500.00", "refunded_at": timezone.now().isoformat()}

    response = shop_client.post(URL, order_payload(refunds=[refund]), format="json")

    assert response.status_code == 400
    assert not Order.objects.exists()
    assert not Refund.objects.exists()


def test_refund_dated_before_the_order_or_in_the_future_is_refused(shop_client):
    placed = timezone.now() - timedelta(hours=2)
    early = {"refund_id": "RF-1", "amount": "1.00", "refunded_at": (placed - timedelta(hours=1)).isoformat()}
    future = {
        "refund_id": "RF-2",
        "amount": "1.00",
        "refunded_at": (timezone.now() + timedelta(hours=1)).isoformat(),
    }

    first = shop_client.post(URL, order_payload(placed_at=placed.isoformat(), refunds=[early]), format="json")
    second = shop_client.post(
        URL, order_payload(placed_at=placed.isoformat(), refunds=[future]), format="json"
    )

    assert errors_by_attr(first) == {"refunds.0.refunded_at": "before_order"}
    assert errors_by_attr(second) == {"refunds.0.refunded_at": "in_future"}


def test_batch_gives_a_result_per_item(shop_client):
    # given one existing order
    shop_client.post(URL, order_payload("SHOP-1"), format="json")

    # when a batch repeats it, adds two, breaks one and conflicts with one
    response = shop_client.post(
        URL,
        {
            "orders": [
                order_payload("SHOP-1"),
                order_payload("SHOP-2"),
                order_payload("SHOP-3", total="1.00"),
                order_payload("SHOP-1", code="OTHER"),
                order_payload("SHOP-4"),
            ]
        },
        format="json",
    )

    # then each item has its own answer, in the order sent
    assert response.status_code == 200
    body = response.json()
    assert [(r["index"], r["result"], r["status_code"]) for r in body["results"]] == [
        (0, "unchanged", 200),
        (1, "created", 201),
        (2, "error", 400),
        (3, "error", 409),
        (4, "created", 201),
    ]
    assert (body["created"], body["unchanged"], body["errors"]) == (2, 1, 2)
    assert body["results"][2]["error"]["errors"][0] == {
        "code": "total_mismatch",
        "detail": "subtotal − discount + shipping + tax = 118.00, not 1.00.",
        "attr": "total",
    }
    assert body["results"][3]["error"]["errors"][0]["code"] == "order_conflict"
    assert sorted(Order.objects.values_list("external_id", flat=True)) == ["SHOP-1", "SHOP-2", "SHOP-4"]


def test_batch_is_limited_to_1000(shop_client):
    response = shop_client.post(
        URL, {"orders": [order_payload(f"S-{i}") for i in range(1001)]}, format="json"
    )

    assert response.status_code == 400
    assert errors_by_attr(response) == {"orders": "max_length"}
    assert not Order.objects.exists()


def test_batch_of_1000_is_accepted(shop_client):
    response = shop_client.post(
        URL, {"orders": [order_payload(f"S-{i}") for i in range(1000)]}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["created"] == 1000
    assert Order.objects.count() == 1000


def test_batch_items_that_are_not_objects_are_reported(shop_client):
    response = shop_client.post(URL, {"orders": [{}, "nope", None]}, format="json")

    assert response.status_code == 400
    assert errors_by_attr(response) == {"orders.1": "not_a_dict", "orders.2": "null"}
    assert not Order.objects.exists()


def test_empty_body_is_a_validation_error(shop_client):
    response = shop_client.post(URL, {}, format="json")

    assert response.status_code == 400
    assert {"external_id", "placed_at", "customer_email", "currency", "subtotal", "total"} <= set(
        errors_by_attr(response)
    )


def test_one_order_twice_in_a_batch_is_recorded_once(shop_client):
    response = shop_client.post(
        URL,
        {"orders": [order_payload("SHOP-9"), order_payload("SHOP-9"), order_payload("SHOP-9", code="OTHER")]},
        format="json",
    )

    assert [(r["result"], r["status_code"]) for r in response.json()["results"]] == [
        ("created", 201),
        ("unchanged", 200),
        ("error", 409),
    ]
    assert Order.objects.count() == 1


def test_batch_items_with_refunds_stand_alone(shop_client):
    now = timezone.now().isoformat()
    too_much = {"refund_id": "RF-9", "amount": "500.00", "refunded_at": now}
    fine = {"refund_id": "RF-1", "amount": "18.00", "refunded_at": now}

    response = shop_client.post(
        URL,
        {
            "orders": [
                order_payload("A", refunds=[too_much]),
                order_payload("B", refunds=[fine]),
                order_payload("C"),
            ]
        },
        format="json",
    )

    body = response.json()
    assert [r["result"] for r in body["results"]] == ["error", "created", "created"]
    assert body["results"][0]["error"]["errors"][0]["attr"] == "refunds.0.amount"
    assert body["results"][1]["order"]["refunded_amount"] == "18.00"
    assert sorted(Order.objects.values_list("external_id", flat=True)) == ["B", "C"]


def test_batch_answer_reads_refunds_in_one_query(shop_client, django_assert_max_num_queries):
    now = timezone.now().isoformat()
    for i in range(20):
        refund = {"refund_id": f"RF-{i}", "amount": "1.00", "refunded_at": now}
        shop_client.post(URL, order_payload(f"R-{i}", refunds=[refund]), format="json")
    repeat = {"orders": [order_payload(f"R-{i}") for i in range(20)]}

    with django_assert_max_num_queries(8):  # key, savepoint, lookup, refunds, release
        response = shop_client.post(URL, repeat, format="json")

    assert response.json()["unchanged"] == 20
    assert all(len(r["order"]["refunds"]) == 1 for r in response.json()["results"])


def test_batch_answer_of_a_new_order_is_the_order_as_read_back(shop_client):
    # given a batch that creates an order with refunds and one without
    refund = {"refund_id": "RF-1", "amount": "18.00", "refunded_at": timezone.now().isoformat()}
    batch = {"orders": [order_payload("NEW-1", refunds=[refund]), order_payload("NEW-2")]}
    created = shop_client.post(URL, batch, format="json").json()["results"]

    # when the same orders come again, answered from the database
    repeated = shop_client.post(URL, batch, format="json").json()["results"]

    # then each body, built from memory or read back, is the same
    assert [r["result"] for r in created] == ["created", "created"]
    assert [r["result"] for r in repeated] == ["unchanged", "unchanged"]
    assert [r["order"] for r in created] == [r["order"] for r in repeated]
    assert created[1]["order"]["refunds"] == []


def test_an_impossible_date_is_a_validation_error(shop_client):
    response = shop_client.post(URL, order_payload(placed_at="2026-02-30T10:00:00Z"), format="json")

    assert response.status_code == 400
    assert errors_by_attr(response) == {"placed_at": "invalid"}
