"""`backend.bulk.insert_new` stores exactly what `bulk_create` stores (every column, defaults,
`auto_now` stamps, a related instance saved since, JSON), and gives each instance its id."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import DataError, IntegrityError, transaction
from phonenumber_field.phonenumber import PhoneNumber

from ambassadors.models import Host
from backend.bulk import insert_new, unsaved
from orders.models import Order, OrderArrival, OrderLine, OrderSource
from referrals.models import Attribution, LedgerEntry
from webhooks.models import Event, EventType

pytestmark = pytest.mark.django_db

SKIP = {"id", "external_id", "order", "created_at", "updated_at", "received_at"}


def _order(external_id: str) -> Order:
    return Order(
        source=OrderSource.API,
        external_id=external_id,
        placed_at=datetime(2026, 11, 3, 18, 4, tzinfo=UTC),
        customer_email="lea.martin@example.com",
        currency="EUR",
        subtotal=Decimal("120.00"),
        discount=Decimal("24.00"),
        total=Decimal("118.00"),
        commissionable_amount=Decimal("96.00"),
        code="CLARA-7K2F",
        fingerprint="f" * 64,
    )


def _row(obj: object) -> dict:
    model = type(obj)
    row = model.objects.filter(pk=obj.pk).values().get()  # type: ignore[attr-defined]
    return {name: value for name, value in row.items() if name not in SKIP and not name.endswith("order_id")}


def test_rows_are_those_bulk_create_stores():
    mine, theirs = insert_new([_order("A-1"), _order("A-2")]), Order.objects.bulk_create([_order("B-1")])
    assert all(order.pk and not order._state.adding for order in mine)
    assert _row(mine[0]) == _row(mine[1]) == _row(theirs[0])
    stored = Order.objects.get(pk=mine[0].pk)
    assert stored.created_at is not None and stored.updated_at is not None  # the auto_now stamps

    # a related instance given as the object before it was saved, and a JSON column
    later = _order("A-3")
    line = OrderLine(order=later, sku="JKT-42", quantity=2, unit_price=Decimal("45.00"))
    insert_new([later])
    insert_new([line])
    assert OrderLine.objects.get(pk=line.pk).order_id == later.pk
    conflicts = [{"field": "total", "kept": "118.00", "received": "119.00"}]
    (arrival,) = insert_new(
        [OrderArrival(order=mine[1], source=OrderSource.SHOPIFY, external_id="5001", conflicts=conflicts)]
    )
    stored_arrival = OrderArrival.objects.get(pk=arrival.pk)
    assert stored_arrival.conflicts == conflicts and stored_arrival.order_id == mine[1].pk
    assert stored_arrival.received_at is not None


def test_the_database_constraints_stay_the_last_word():
    insert_new([_order("C-1")])
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_new([_order("C-1")])
    assert Order.objects.filter(external_id="C-1").count() == 1


def test_any_text_any_null_and_other_types_are_stored_as_given():
    # quotes, backslashes, braces, commas, "NULL" as text, a NULL, JSON holding quotes, and a column
    # type with no array text of its own (a UUID: the driver quotes those values itself)
    odd = _order('A "quoted" \\ {brace}, NULL')
    odd.code = "NULL"
    odd.exchange_rate = None
    (stored,) = insert_new([odd])
    row = Order.objects.filter(pk=stored.pk).values("external_id", "code", "exchange_rate").get()
    assert row == {"external_id": 'A "quoted" \\ {brace}, NULL', "code": "NULL", "exchange_rate": None}
    conflicts = [{"field": 'say "hi"', "kept": "a\\b", "received": "é ✓"}]
    (arrival,) = insert_new(
        [OrderArrival(order=stored, source=OrderSource.SHOPIFY, external_id="5002", conflicts=conflicts)]
    )
    assert OrderArrival.objects.get(pk=arrival.pk).conflicts == conflicts
    events = insert_new([Event(type=EventType.ORDER_ATTRIBUTED, payload={"order": 1}) for _ in range(2)])
    stored_ids = set(Event.objects.filter(pk__in=[e.pk for e in events]).values_list("event_id", flat=True))
    assert stored_ids == {event.event_id for event in events} and len(stored_ids) == 2


def test_an_unsaved_row_keeps_its_related_objects_as_given(django_assert_num_queries):
    (order,) = insert_new([_order("D-1")])
    line = unsaved(OrderLine, order=order, sku="JKT-42", quantity=2, unit_price=Decimal("45.00"))
    with django_assert_num_queries(0):
        assert line.order is order and line.order_id == order.pk
    insert_new([line])
    assert OrderLine.objects.filter(pk=line.pk, order_id=order.pk, sku="JKT-42").exists()
    detached = unsaved(OrderArrival, order=None, source=OrderSource.SHOPIFY, external_id="5003")
    assert detached.order_id is None


@pytest.mark.parametrize(
    ("model", "values"),
    [
        (
            Order,
            {"source": OrderSource.API, "external_id": "E-1", "placed_at": datetime(2026, 11, 3, tzinfo=UTC)},
        ),
        (OrderLine, {"sku": "JKT-42", "quantity": 2, "unit_price": Decimal("45.00"), "order_id": 7}),
        (Attribution, {"method": "code", "host_id": 3, "earns": True, "order_id": 7}),
        (LedgerEntry, {"host_id": 3, "campaign_id": 2, "basis": "order:7", "amount": Decimal("4.80")}),
    ],
)
def test_a_new_row_holds_what_the_models_own_constructor_gives_it(model, values):
    mine, theirs = unsaved(model, **values), model(**values)
    mine_values, their_values = vars(mine).copy(), vars(theirs).copy()
    for name in ("_state", *(f.attname for f in model._meta.concrete_fields if callable(f.default))):
        made, expected = mine_values.pop(name), their_values.pop(name)  # a default made by a call
        assert type(made) is type(expected)
        if isinstance(made, datetime):
            assert abs(made - expected) < timedelta(seconds=1)
    assert mine_values == their_values
    assert mine._state.adding and mine._state.db is None
    with pytest.raises(TypeError, match="unexpected keyword"):
        unsaved(model, **values, colour="red")


def test_a_model_with_a_field_setter_of_its_own_is_built_by_its_constructor():
    host = unsaved(Host, first_name="Léa", phone="+33612345678")
    assert isinstance(host.phone, PhoneNumber) and host.phone == Host(phone="+33612345678").phone


@pytest.mark.postgres  # SQLite keeps any length
def test_a_value_too_long_for_its_column_is_refused_not_cut():
    (order,) = insert_new([_order("F-1")])
    with pytest.raises(DataError), transaction.atomic():
        insert_new([unsaved(OrderLine, order=order, sku="X" * 65, quantity=1, unit_price=Decimal("1.00"))])
    assert not OrderLine.objects.filter(order=order).exists()
