"""The orders export for BI: one row per order with its attribution, refunds and rewards, the same rows
as CSV and as Parquet, numbers equal to the order, attribution, refund and ledger tables, filters,
permissions, bounded reads, and bad filters refused in the one error shape."""

import csv
import io
import itertools
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.db import connection
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from backend.models import User
from orders.ingestion.refunds import record_shop_refund
from orders.ingestion.rules import OrderData, RefundData
from orders.ingestion.services import cancel_order, record_order
from orders.models import Order, OrderStatus, Refund
from referrals.attribution.services import reattribute_order
from referrals.codes.services import issue_host_code
from referrals.exports.api import COLUMN_LIST
from referrals.exports.orders import (
    COLUMNS,
    EMAIL,
    OrderExportFilters,
    csv_chunks,
    export_chunks,
    parquet_chunks,
)
from referrals.models import AttributedSale, Attribution, EntryKind, EntryState, LedgerEntry
from referrals.rewards.services import set_reward_plan
from tests import factories

pytestmark = pytest.mark.django_db
URL = "/api/v1/exports/orders/"
ECB = Path(__file__).resolve().parent.parent / "fixtures" / "ecb"
KINDS = {c.name: c.kind for c in (*COLUMNS, EMAIL)}
_ids = itertools.count(1)


def _campaign(slug: str):
    campaign = factories.CampaignFactory(slug=slug, currency="EUR", status="running")
    set_reward_plan(
        campaign=campaign,
        by=None,
        party_brackets=[{"up_to": None, "rate": "0.10"}],
        min_party_buyers=1,
        min_party_sales=Decimal("0"),
        host_code_rate=Decimal("0.05"),
        booking_bonus=Decimal("0"),
        holding_days=30,
        payout_minimum=Decimal("20"),
    )
    return campaign


def _host(campaign):
    host = factories.HostFactory(
        application__campaign=campaign, selected_at=datetime(2026, 10, 1, tzinfo=UTC)
    )
    return host, issue_host_code(host=host).code


def _order(*, day: int, subtotal: str, code: str = "", currency: str = "EUR", external_id: str = ""):
    amount = Decimal(subtotal)
    order, _ = record_order(
        source="api",
        data=OrderData(
            external_id=external_id or f"exp-{next(_ids)}",
            placed_at=datetime(2026, 11, day, 10, 0, tzinfo=UTC),
            customer_email=f"buyer{next(_ids)}@example.com",
            currency=currency,
            subtotal=amount,
            total=amount,
            code=code,
        ),
    )
    return order


@pytest.fixture
def programme():
    """Two campaigns; in the first, sales through two hosts' codes (one refunded in part, one in
    full, one cancelled, one paid in yen), one moved by hand to a party, one with an unknown code
    (unattributed); one sale in the second campaign."""
    call_command("load_exchange_rates", str(ECB / "eurofxref-hist.csv"), stdout=io.StringIO())
    spring, autumn = _campaign("printemps"), _campaign("automne")
    (clara, clara_code), (_, hugo_code), (_, ines_code) = _host(spring), _host(spring), _host(autumn)
    party = factories.PartyFactory(host=clara, status="held")
    orders = {
        "code": _order(day=2, subtotal="100.00", code=clara_code),
        "partial": _order(day=3, subtotal="80.00", code=hugo_code),
        "full": _order(day=3, subtotal="40.00", code=hugo_code),
        "cancelled": _order(day=4, subtotal="30.00", code=hugo_code),
        "yen": _order(day=2, subtotal="10000", code=clara_code, currency="JPY"),
        "party": _order(day=5, subtotal="60.00", code=clara_code),
        "none": _order(day=5, subtotal="20.00", code="NOT-OURS", external_id="=HYPERLINK(1)"),
        "autumn": _order(day=6, subtotal="50.00", code=ines_code),
    }
    now = timezone.now()
    record_shop_refund(
        order=orders["partial"],
        source="api",
        data=RefundData(external_id="r-1", amount=Decimal("20"), refunded_at=now),
    )
    record_shop_refund(
        order=orders["full"],
        source="api",
        data=RefundData(external_id="r-2", amount=Decimal("40"), refunded_at=now),
    )
    # a refund still on its way (Stripe reports them pending first), counted apart from the succeeded one
    Refund.objects.create(
        source="stripe",
        external_id="re_pending",
        order=orders["partial"],
        order_reference="pi_partial",
        amount=Decimal("5.00"),
        currency="EUR",
        status="pending",
        refunded_at=now,
    )
    cancel_order(order=orders["cancelled"], by=None, reason="cancelled by the shop")
    reattribute_order(order=orders["party"], host=clara, party=party, by=None, reason="her party")
    LedgerEntry.objects.create(
        host=clara,
        campaign=spring,
        kind=EntryKind.ACCRUAL,
        state=EntryState.APPROVED,
        basis=f"party:{party.pk}",
        amount=Decimal("6.00"),
        currency="EUR",
        description="party",
        approvable_at=now,
    )
    return {"spring": spring, "autumn": autumn, "party": party, "orders": orders}


def _typed(name: str, text: str) -> Any:
    """A CSV cell read back as the type its column has in Parquet."""
    if text == "":
        return None
    kind = KINDS[name]
    if kind == "int":
        return int(text)
    if kind == "decimal":
        return Decimal(text)
    if kind == "datetime":
        return datetime.fromisoformat(text)
    if kind == "date":
        return date.fromisoformat(text)
    if kind == "bool":
        return {"true": True, "false": False}[text]
    return text


def _csv(client, **params) -> tuple[list[str], list[dict[str, Any]]]:
    response = client.get(URL, {"format": "csv", **params})
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    reader = csv.reader(io.StringIO(b"".join(response.streaming_content).decode()))
    header = next(reader)
    return header, [
        {name: _typed(name, cell) for name, cell in zip(header, row, strict=True)} for row in reader
    ]


def _parquet(client, **params) -> tuple[list[str], list[dict[str, Any]]]:
    response = client.get(URL, {"format": "parquet", **params})
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/vnd.apache.parquet"
    table = pq.read_table(io.BytesIO(b"".join(response.streaming_content)))
    return table.column_names, table.to_pylist()


def _by_id(rows: list[dict[str, Any]]) -> dict[int, dict[str, Any]]:
    return {row["order_id"]: row for row in rows}


def test_csv_and_parquet_hold_the_same_rows_and_columns(programme, marketing_client):
    csv_header, csv_rows = _csv(marketing_client)
    parquet_header, parquet_rows = _parquet(marketing_client)

    assert csv_header == parquet_header == [c.name for c in COLUMNS]
    assert len(csv_rows) == Order.objects.count() == 8
    # the quote keeps a spreadsheet from running the shop's id as a formula; Parquet has the id as it is
    unattributed = programme["orders"]["none"].pk
    assert _by_id(csv_rows)[unattributed]["order_external_id"] == "'=HYPERLINK(1)"
    assert _by_id(parquet_rows)[unattributed]["order_external_id"] == "=HYPERLINK(1)"
    csv_rows = [{**row, "order_external_id": row["order_external_id"].removeprefix("'")} for row in csv_rows]
    assert csv_rows == parquet_rows
    assert [row["order_id"] for row in parquet_rows] == sorted(Order.objects.values_list("pk", flat=True))


def test_every_number_equals_the_order_attribution_refund_and_ledger_tables(programme, marketing_client):
    _, rows = _parquet(marketing_client)

    for order in Order.objects.all():
        row = _by_id(rows)[order.pk]
        assert (row["order_source"], row["order_external_id"], row["order_status"]) == (
            order.source,
            order.external_id,
            order.status,
        )
        assert (row["currency"], row["subtotal"], row["total"], row["refunded_amount"]) == (
            order.currency,
            order.subtotal,
            order.total,
            order.refunded_amount,
        )
        assert (row["reward_amount"], row["exchange_rate"], row["rate_date"]) == (
            order.reward_amount,
            order.exchange_rate,
            order.rate_date,
        )
        refunds = Refund.objects.filter(order=order)
        assert row["refund_count"] == refunds.count()
        for status in ("succeeded", "pending"):
            assert row[f"refunds_{status}"] == sum(
                (r.amount for r in refunds if r.status == status), Decimal(0)
            )
        attribution = Attribution.objects.get(order=order)
        assert (row["attribution_id"], row["attribution_method"], row["campaign_id"]) == (
            attribution.pk,
            attribution.method,
            attribution.campaign_id,
        )
        assert (row["host_id"], row["party_id"], row["referral_code_id"], row["attribution_earns"]) == (
            attribution.host_id,
            attribution.party_id,
            attribution.referral_code_id,
            attribution.earns,
        )
        assert (
            row["net_sales"] == order.net_commissionable_amount == AttributedSale.objects.get(order=order).net
        )
        lines = LedgerEntry.objects.filter(basis=f"order:{order.pk}")
        assert row["order_reward"] == (lines.aggregate(s=Sum("amount"))["s"] or Decimal("0"))
        for state in ("pending", "approved", "paid"):
            assert row[f"order_reward_{state}"] == (
                lines.filter(state=state).aggregate(s=Sum("amount"))["s"] or Decimal("0")
            )


def test_refunded_cancelled_unattributed_and_yen_orders_read_as_they_are(programme, marketing_client):
    _, rows = _parquet(marketing_client)
    orders, by_id = programme["orders"], _by_id(rows)

    partial, full = by_id[orders["partial"].pk], by_id[orders["full"].pk]
    assert (partial["refund_count"], partial["refunds_pending"]) == (2, Decimal("5.000"))
    assert (partial["order_status"], partial["refunds_succeeded"], partial["net_sales"]) == (
        "partially_refunded",
        Decimal("20.000"),
        Decimal("60.00"),
    )
    assert partial["order_reward"] == Decimal("3.00")  # 5 % of the 60.00 kept, after the reversal
    assert (full["order_status"], full["net_sales"], full["order_reward"]) == ("refunded", Decimal("0"), 0)
    cancelled = by_id[orders["cancelled"].pk]
    assert (cancelled["order_status"], cancelled["gross_sales"], cancelled["net_sales"]) == (
        "cancelled",
        0,
        0,
    )
    none = by_id[orders["none"].pk]
    assert (none["attribution_method"], none["attribution_reason"], none["campaign_id"], none["host_id"]) == (
        "none",
        "unknown_code",
        None,
        None,
    )
    yen = by_id[orders["yen"].pk]
    assert (yen["currency"], yen["total"], yen["reward_currency"], yen["reward_amount"]) == (
        "JPY",
        Decimal("10000"),
        "EUR",
        Decimal("62.50"),
    )
    assert (yen["currency_status"], yen["gross_sales"], yen["order_reward"]) == (
        "converted",
        Decimal("62.50"),
        Decimal("3.13"),
    )
    party = by_id[orders["party"].pk]
    party_lines = LedgerEntry.objects.filter(basis=f"party:{programme['party'].pk}")
    assert (party["attribution_method"], party["party_id"], party["party_reward"]) == (
        "manual",
        programme["party"].pk,
        Decimal("12.00"),  # 10 % of its 60.00 by the plan, and 6.00 posted by hand
    )
    assert party["party_reward"] == party_lines.aggregate(s=Sum("amount"))["s"]
    assert by_id[orders["code"].pk]["party_reward"] is None


def test_a_campaign_by_id_or_slug_and_a_time_range_choose_the_rows(programme, marketing_client):
    spring, orders = programme["spring"], programme["orders"]
    in_spring = {o.pk for key, o in orders.items() if key not in ("none", "autumn")}

    assert set(_by_id(_csv(marketing_client, campaign=spring.pk)[1])) == in_spring
    assert set(_by_id(_parquet(marketing_client, campaign="printemps")[1])) == in_spring
    # placed_after is included, placed_before is not
    _, rows = _csv(
        marketing_client, placed_after="2026-11-03T10:00:00Z", placed_before="2026-11-05T10:00:00Z"
    )
    assert set(_by_id(rows)) == {orders["partial"].pk, orders["full"].pk, orders["cancelled"].pk}
    _, rows = _parquet(marketing_client, campaign="automne", placed_after="2026-11-06T12:00:00+02:00")
    assert set(_by_id(rows)) == {orders["autumn"].pk}  # 10:00 UTC is 12:00 in Paris, included


def test_only_marketing_reads_the_export_and_the_email_needs_the_personal_data_permission(
    programme, api_client, logistics_client, marketing_client, marketing_user
):
    assert api_client.get(URL).status_code in (401, 403)
    assert logistics_client.get(URL).status_code == 403
    refused = marketing_client.get(URL, {"personal_data": "true"})
    assert refused.status_code == 403
    assert refused.json()["errors"][0]["code"] == "permission_denied"
    header, _ = _csv(marketing_client)
    assert "customer_email" not in header

    marketing_user.user_permissions.add(Permission.objects.get(codename="view_personal_data"))
    marketing_client.force_authenticate(User.objects.get(pk=marketing_user.pk))
    for read in (_csv, _parquet):
        header, rows = read(marketing_client, personal_data="true")
        assert header[-1] == "customer_email"
        assert {row["customer_email"] for row in rows} == set(
            Order.objects.values_list("customer_email", flat=True)
        )


@pytest.mark.parametrize(
    ("params", "attr", "code"),
    [
        ({"campaign": "nope"}, "campaign", "does_not_exist"),
        ({"campaign": "99999999999999999999"}, "campaign", "does_not_exist"),
        ({"campaign": ""}, "campaign", "blank"),
        ({"placed_after": "yesterday"}, "placed_after", "invalid"),
        ({"placed_before": ""}, "placed_before", "invalid"),
        (
            {"placed_after": "2026-11-05T00:00:00Z", "placed_before": "2026-11-05T00:00:00Z"},
            "placed_before",
            "invalid",
        ),
        ({"personal_data": "maybe"}, "personal_data", "invalid"),
    ],
)
def test_a_bad_filter_is_refused_in_the_one_error_shape(marketing_client, params, attr, code):
    for file_format in ("csv", "parquet"):
        response = marketing_client.get(URL, {**params, "format": file_format})
        assert response.status_code == 400
        assert response["Content-Type"] == "application/json"
        body = response.json()
        assert body["type"] == "validation_error"
        assert (body["errors"][0]["attr"], body["errors"][0]["code"]) == (attr, code)


def test_a_format_the_export_does_not_have_is_not_found_in_json(marketing_client):
    response = marketing_client.get(URL, {"format": "xlsx"})
    assert response.status_code == 404
    assert response.json()["errors"][0]["code"] == "not_found"


def test_rows_are_read_in_chunks_by_one_statement_whatever_the_number_of_orders(programme):
    everything = OrderExportFilters()
    with CaptureQueriesContext(connection) as few:
        chunks = list(export_chunks(filters=everything, personal_data=False, rows_per_chunk=3))
    for day in range(2, 9):
        _order(day=day, subtotal="10.00")
    with CaptureQueriesContext(connection) as more:
        more_chunks = list(export_chunks(filters=everything, personal_data=False, rows_per_chunk=3))

    assert [len(chunk) for chunk in chunks] == [3, 3, 2]
    assert [len(chunk) for chunk in more_chunks] == [3, 3, 3, 3, 3]
    assert len(few.captured_queries) == len(more.captured_queries)


def test_parquet_is_written_one_row_group_per_chunk_and_each_is_sent_as_it_is_written(programme):
    pieces = parquet_chunks(filters=OrderExportFilters(), personal_data=False, rows_per_chunk=3)
    first = next(pieces)
    rest = list(pieces)

    # the first row group, sent before the next one is read: the file is not closed yet (no footer)
    assert first.startswith(b"PAR1") and not first.endswith(b"PAR1")
    assert len(rest) == 3  # two more row groups, then the footer
    file = pq.ParquetFile(io.BytesIO(first + b"".join(rest)))
    assert [file.metadata.row_group(i).num_rows for i in range(file.num_row_groups)] == [3, 3, 2]
    assert (
        file.schema_arrow.field("net_sales").metadata[b"description"].startswith(b"As the attribution report")
    )


def test_csv_is_sent_chunk_by_chunk(programme):
    pieces = list(csv_chunks(filters=OrderExportFilters(), personal_data=False, rows_per_chunk=3))

    assert pieces[0].startswith("order_id,order_source,")
    assert [piece.count("\r\n") for piece in pieces] == [1, 3, 3, 2]


def test_an_order_without_attribution_yet_still_has_its_row(programme, marketing_client):
    order = programme["orders"]["code"]
    AttributedSale.objects.filter(order=order).delete()
    Attribution.objects.filter(order=order).delete()

    row = _by_id(_parquet(marketing_client)[1])[order.pk]

    assert (row["attribution_id"], row["campaign_id"], row["net_sales"]) == (None, None, None)
    assert row["order_status"] == OrderStatus.PAID


def test_every_column_is_defined_in_the_readme_and_the_api_schema():
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()

    for column in (*COLUMNS, EMAIL):
        assert f"| `{column.name}` |" in readme and f"| {column.description} |" in readme
        assert f"- `{column.name}`: {column.description}" in COLUMN_LIST  # the CSV answer's description
