"""Amounts are plain decimal strings, as the schema's pattern documents (SPEC §6: "Money travels as
decimal strings"), read by one field wherever an amount comes in; an order dated before the first
campaign's year is refused with the reason. Through the HTTP endpoint and the CSV command."""

import csv
from io import StringIO

import hypothesis
import pytest
from django.core.management import CommandError, call_command
from drf_spectacular.generators import SchemaGenerator
from hypothesis import strategies as st

from orders.ingestion.rules import _decimals_of, _more_decimals_than
from orders.ingestion.serializers import MONEY_PATTERN
from orders.models import Order
from tests.factories import CampaignFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/orders/"
PLACED_AT = "2026-11-03T18:04:00Z"

NOT_PLAIN = [
    "1.2e2",  # an exponent
    "12E1",
    "+120.00",  # a sign
    "-0.00",
    " 120.00",  # spaces around
    "120.00 ",
    "120.00\n",
    "\u0661\u0662\u0660.\u0660\u0660",  # Arabic-Indic digits ١٢٠.٠٠
    "\u0967\u0968\u0966.00",  # Devanagari digits
    "１２０.00",  # full-width digits
    "120,00",  # a decimal comma
    "1_20.00",  # Python's digit separator
    "120.",
    ".50",
    "0x78",
    "Infinity",
    "120.0000",  # more decimals than any currency has
]


def order_payload(external_id: str = "SHOP-1", **overrides):
    payload = {
        "external_id": external_id,
        "placed_at": PLACED_AT,
        "customer_email": "lea@example.com",
        "currency": "EUR",
        "subtotal": "120.00",
        "discount": "0.00",
        "shipping": "0.00",
        "tax": "0.00",
        "total": "120.00",
        "lines": [{"sku": "JKT-42", "quantity": 1, "unit_price": "120.00"}],
    }
    payload.update(overrides)
    return payload


def errors(response) -> dict[str, str]:
    return {error["attr"]: error["code"] for error in response.json()["errors"]}


def test_the_schema_documents_the_pattern_the_field_enforces():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    components = schema["components"]["schemas"]
    amounts = {
        f"{component}.{name}": components[component]["properties"][name]["pattern"]
        for component, names in {
            "OrderInputRequest": ("subtotal", "discount", "shipping", "tax", "total"),
            "OrderLineInputRequest": ("unit_price",),
            "RefundInputRequest": ("amount",),
        }.items()
        for name in names
    }
    assert set(amounts.values()) == {MONEY_PATTERN}


@pytest.mark.parametrize("amount", NOT_PLAIN)
def test_an_amount_that_is_not_a_plain_decimal_string_is_refused(shop_client, amount):
    response = shop_client.post(URL, order_payload(subtotal=amount, total=amount), format="json")

    assert response.status_code == 400, response.json()
    assert response.json()["type"] == "validation_error"
    assert errors(response) == {"subtotal": "invalid", "total": "invalid"}
    assert "plain decimal strings" in response.json()["errors"][0]["detail"]
    assert not Order.objects.exists()


@pytest.mark.parametrize("amount", NOT_PLAIN)
def test_a_batch_refuses_it_on_its_item_and_records_the_others(shop_client, amount):
    batch = {"orders": [order_payload("SHOP-1", subtotal=amount, total=amount), order_payload("SHOP-2")]}

    response = shop_client.post(URL, batch, format="json")

    assert response.status_code == 200, response.json()
    first, second = response.json()["results"]
    assert (first["result"], first["status_code"]) == ("error", 400)
    assert {error["attr"] for error in first["error"]["errors"]} == {"subtotal", "total"}
    assert second["result"] == "created"
    assert list(Order.objects.values_list("external_id", flat=True)) == ["SHOP-2"]


@pytest.mark.parametrize(
    ("overrides", "attr"),
    [
        ({"lines": [{"sku": "JKT-42", "quantity": 1, "unit_price": "1.2e2"}]}, "lines.0.unit_price"),
        (
            {"refunds": [{"refund_id": "RF-1", "amount": "+1.00", "refunded_at": PLACED_AT}]},
            "refunds.0.amount",
        ),
        ({"discount": " 0.00"}, "discount"),
    ],
)
def test_every_amount_of_an_order_is_read_the_same_way(shop_client, overrides, attr):
    response = shop_client.post(URL, order_payload(**overrides), format="json")

    assert response.status_code == 400
    assert errors(response) == {attr: "invalid"}
    assert not Order.objects.exists()


def test_more_decimals_than_the_currency_has_are_refused(shop_client):
    yen = shop_client.post(
        URL, order_payload(currency="JPY", subtotal="120.5", total="120.5", lines=[]), format="json"
    )
    euro = shop_client.post(URL, order_payload(subtotal="120.005", total="120.005", lines=[]), format="json")

    assert errors(yen) == {"subtotal": "too_many_decimals", "total": "too_many_decimals"}
    assert errors(euro) == {"subtotal": "too_many_decimals", "total": "too_many_decimals"}
    assert not Order.objects.exists()


def test_plain_amounts_in_the_currencys_decimals_are_recorded(shop_client):
    response = shop_client.post(
        URL, order_payload(currency="JPY", subtotal="12000", total="12000", lines=[]), format="json"
    )
    assert response.status_code == 201, response.json()


def test_the_csv_command_reads_amounts_with_the_same_field(tmp_path):
    path = tmp_path / "orders.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(
            handle,
            fieldnames=[
                "external_id",
                "placed_at",
                "customer_email",
                "currency",
                "subtotal",
                "total",
                "lines",
            ],
        )
        writer.writeheader()
        writer.writerow(
            {
                "external_id": "CSV-1",
                "placed_at": PLACED_AT,
                "customer_email": "a@example.com",
                "currency": "EUR",
                "subtotal": "1.2e2",
                "total": "1.2e2",
                "lines": "",
            }
        )
        writer.writerow(
            {
                "external_id": "CSV-2",
                "placed_at": PLACED_AT,
                "customer_email": "b@example.com",
                "currency": "EUR",
                "subtotal": " 120.00",
                "total": "120.00",
                "lines": "",
            }
        )
        writer.writerow(
            {
                "external_id": "CSV-3",
                "placed_at": PLACED_AT,
                "customer_email": "c@example.com",
                "currency": "EUR",
                "subtotal": "120.00",
                "total": "120.00",
                "lines": "JKT-42*1@١٢٠.٠٠",
            }
        )
        writer.writerow(
            {
                "external_id": "CSV-4",
                "placed_at": PLACED_AT,
                "customer_email": "d@example.com",
                "currency": "EUR",
                "subtotal": "120.00",
                "total": "120.00",
                "lines": "",
            }
        )
    err = StringIO()

    with pytest.raises(CommandError, match="3 row"):
        call_command("import_orders", str(path), stdout=StringIO(), stderr=err)

    report = err.getvalue()
    assert "line 2: subtotal: Write amounts as plain decimal strings" in report
    assert "line 3: subtotal: Write amounts as plain decimal strings" in report
    assert "line 4: lines.0.unit_price: Write amounts as plain decimal strings" in report
    assert list(Order.objects.values_list("external_id", flat=True)) == ["CSV-4"]


def test_an_order_placed_before_the_first_campaigns_year_is_refused_with_the_reason(shop_client):
    CampaignFactory(name="Autumn-winter 2026")

    response = shop_client.post(URL, order_payload(placed_at="2025-12-31T23:59:59Z"), format="json")

    assert response.status_code == 400, response.json()
    assert errors(response) == {"placed_at": "before_campaign_year"}
    assert response.json()["errors"][0]["detail"] == (
        "Cannot be before 2026, the year of the first campaign: check the date."
    )
    assert not Order.objects.exists()


def test_the_bound_holds_in_a_batch_and_from_the_first_day_of_the_year(shop_client):
    CampaignFactory()
    batch = {
        "orders": [
            order_payload("SHOP-1", placed_at="1970-01-01T00:00:00Z"),
            order_payload("SHOP-2", placed_at="2026-01-01T00:00:00Z"),
        ]
    }

    response = shop_client.post(URL, batch, format="json")

    first, second = response.json()["results"]
    assert first["error"]["errors"][0]["code"] == "before_campaign_year"
    assert second["result"] == "created"


@hypothesis.settings(max_examples=300, deadline=None)
@hypothesis.given(
    value=st.one_of(
        st.decimals(allow_nan=True, allow_infinity=True, places=None).filter(lambda d: not d.is_snan()),
        st.decimals(min_value=0, max_value=10**10, places=3),
        st.builds(lambda d: d.scaleb(-5), st.decimals(min_value=0, max_value=10**9, places=0)),
    ),
    decimals=st.integers(min_value=0, max_value=3),
)
def test_the_quick_decimals_check_says_what_counting_the_decimals_says(value, decimals):
    # the rules ask "more decimals than the currency has?" by a rounding that leaves the amount equal,
    # and count only when it does not: the same answer for every amount, odd ones included
    assert _more_decimals_than(value, decimals) == (_decimals_of(value) > decimals)
