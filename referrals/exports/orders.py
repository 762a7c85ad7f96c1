"""The flat export of orders for BI: one row per order with its attribution, refunds and rewards.

Read by one SQL statement through a server-side cursor (PostgreSQL) and handed on `rows_per_chunk`
rows at a time, so a whole programme (a million orders) streams with bounded memory: CSV text chunk
by chunk, Parquet one row group per chunk. The columns, their names and types are `COLUMNS`: a
published contract (README, the API schema), so a column is added, never renamed or dropped.
"""

import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

import pyarrow as pa
import pyarrow.parquet as pq
from django.db import connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper

from backend.csv_export import csv_writer
from backend.db_router import report_reads
from orders.models import Order

Kind = Literal["int", "text", "bool", "datetime", "date", "decimal"]
ROWS_PER_CHUNK = 10_000


@dataclass(frozen=True)
class Column:
    """One column of the export: its stable name, its type, the SQL that reads it, what it holds."""

    name: str
    kind: Kind
    sql: str
    description: str
    digits: tuple[int, int] = (0, 0)  # (precision, scale) of a decimal


def _money(name: str, sql: str, description: str, digits: tuple[int, int] = (13, 3)) -> Column:
    return Column(name, "decimal", sql, description, digits)


# Amounts of the order are in its own `currency`, with three decimals (some currencies have three);
# report and reward amounts are in the campaign's currency (`campaign_currency`), with two.
COLUMNS: tuple[Column, ...] = (
    Column("order_id", "int", "o.id", "Soirée's id of the order: the row's key."),
    Column("order_source", "text", "o.source", "Channel that recorded the order: stripe, api, csv, shopify, woocommerce."),
    Column("order_external_id", "text", "o.external_id", "The order's id in its source (unique per source)."),
    Column("payment_reference", "text", "NULLIF(o.payment_reference, '')", "The payment's id at the payment provider (Stripe PaymentIntent, WooCommerce transaction id); empty if none."),
    Column("promotion_code_id", "text", "NULLIF(o.promotion_code_id, '')", "Stripe promotion code id the checkout carried; empty if none."),
    Column("code_entered", "text", "NULLIF(o.code, '')", "The code typed at checkout, as typed; empty if none."),
    Column("placed_at", "datetime", "o.placed_at", "When the order was placed (UTC)."),
    Column("order_status", "text", "o.status", "paid, partially_refunded, refunded or cancelled."),
    Column("dispute_status", "text", "NULLIF(o.dispute_status, '')", "State of the order's chargebacks (open, won, lost); empty without any."),
    Column("channel_conflict", "bool", "o.channel_conflict", "Another channel described this sale with other figures."),
    Column("currency", "text", "o.currency", "Currency the order was paid in (ISO 4217)."),
    _money("subtotal", "o.subtotal", "Lines before discount, tax and shipping, in `currency`."),
    _money("discount", "o.discount", "Discount, in `currency`."),
    _money("shipping", "o.shipping", "Shipping, in `currency`."),
    _money("tax", "o.tax", "Tax, in `currency`."),
    _money("total", "o.total", "What the buyer paid, in `currency`."),
    _money("commissionable_amount", "o.commissionable_amount", "Subtotal − discount, in `currency`: what rewards are computed on."),
    _money("refunded_amount", "o.refunded_amount", "What went back to the buyer (refunds pending or succeeded, disputes holding the money), at most the total, in `currency`."),
    Column("currency_status", "text", "o.currency_status", "same, converted or waiting_for_rate: whether the commissionable amount is known in the campaign's currency."),
    Column("reward_currency", "text", "NULLIF(o.reward_currency, '')", "The campaign's currency when it differs from `currency`; empty otherwise."),
    _money("reward_amount", "o.reward_amount", "The commissionable amount converted to `reward_currency`; empty when no conversion."),
    Column("exchange_rate", "decimal", "o.exchange_rate", "Units of `reward_currency` for one unit of `currency`; empty when no conversion.", (24, 12)),
    Column("rate_date", "date", "o.rate_date", "Day of the reference rate used; empty when no conversion."),
    Column("refund_count", "int", "COALESCE(r.refunds, 0)", "Refunds recorded on the order, in any state."),
    _money("refunds_succeeded", "COALESCE(r.succeeded, 0)", "Sum of the order's succeeded refunds, in `currency`."),
    _money("refunds_pending", "COALESCE(r.pending, 0)", "Sum of the order's pending refunds, in `currency`."),
    Column("last_refund_at", "datetime", "r.last_at", "When the latest refund was made (UTC); empty without refunds."),
    Column("attribution_id", "int", "a.id", "Id of the order's attribution; empty if not attributed yet."),
    Column("attribution_method", "text", "a.method", "code, link, guest, manual or none (unattributed)."),
    Column("attribution_reason", "text", "NULLIF(a.reason, '')", "Why the attribution is what it is (unknown_code, no_match, self_referral, ...); empty when nothing to say."),
    Column("attribution_earns", "bool", "a.earns", "The attribution earns rewards (false for self-referrals and paused or banned hosts)."),
    Column("attributed_at", "datetime", "a.decided_at", "When the attribution was decided (UTC)."),
    Column("campaign_id", "int", "a.campaign_id", "Campaign the order is credited to; empty when unattributed."),
    Column("campaign_slug", "text", "c.slug", "That campaign's slug."),
    Column("campaign_currency", "text", "c.currency", "That campaign's currency: the currency of the sales and reward columns."),
    Column("host_id", "int", "a.host_id", "Host the order is credited to; empty when unattributed."),
    Column("party_id", "int", "a.party_id", "Party the order is credited to; empty outside a party."),
    Column("referral_code_id", "int", "a.referral_code_id", "Referral code that credited the order; empty if none."),
    Column("referral_code", "text", "rc.code", "That code's text."),
    Column("click_id", "int", "a.click_id", "Referral-link click that credited the order; empty if none."),
    _money("gross_sales", "s.gross", "As the attribution report counts it: the commissionable amount in the campaign's currency, 0 for a cancelled order; empty if not attributed yet.", (12, 2)),
    _money("net_sales", "s.net", "As the attribution report counts it: gross sales after refunds, in proportion to what was paid back; empty if not attributed yet.", (12, 2)),
    _money("post_close_refunds", "s.refunded_after_close", "Of gross − net, the share refunded after the order's party closed (its reward is final).", (12, 2)),
    _money("order_reward", "COALESCE(lo.total, 0)", "Sum of the ledger lines about this order itself (a sale through a host's own code, outside a party), any state, reversals included, in the campaign's currency.", (14, 2)),
    _money("order_reward_pending", "COALESCE(lo.pending, 0)", "Of `order_reward`, the lines still pending.", (14, 2)),
    _money("order_reward_approved", "COALESCE(lo.approved, 0)", "Of `order_reward`, the lines approved, not paid yet.", (14, 2)),
    _money("order_reward_paid", "COALESCE(lo.paid, 0)", "Of `order_reward`, the lines paid out.", (14, 2)),
    _money("party_reward", "lp.total", "The party's reward (its ledger lines, any state), repeated on every order of the party: count it once per `party_id`, never sum it over orders; empty outside a party.", (14, 2)),
)  # fmt: skip
EMAIL = Column(
    "customer_email",
    "text",
    "o.customer_email",
    "The buyer's e-mail: only with `personal_data=true`, for staff holding the personal-data permission.",
)


@dataclass(frozen=True)
class OrderExportFilters:
    """Which orders: those credited to a campaign, placed in [placed_after, placed_before)."""

    campaign_id: int | None = None
    placed_after: datetime | None = None
    placed_before: datetime | None = None


def export_columns(*, personal_data: bool) -> tuple[Column, ...]:
    return (*COLUMNS, EMAIL) if personal_data else COLUMNS


def _ledger_totals(prefix: str, states: bool) -> str:
    by_state = "".join(
        f", SUM(CASE WHEN state = '{state}' THEN amount ELSE 0 END) AS {state}"
        for state in ("pending", "approved", "paid")
        if states
    )
    length = len(prefix) + 1
    return f"""
        SELECT CAST(SUBSTR(basis, {length}) AS BIGINT) AS key, SUM(amount) AS total{by_state}
        FROM referrals_ledgerentry WHERE basis LIKE '{prefix}%%' GROUP BY basis
    """  # noqa: S608 (fixed fragments only)


def _as_text(column: Column, vendor: str) -> str:
    """The column read as text in its one written form, so the rows cross the driver without a
    Python object per typed value: times ISO 8601 in UTC, decimals at their scale, true/false."""
    sql = column.sql
    postgres = vendor == "postgresql"
    if column.kind == "decimal":
        places = column.digits[1]
        if postgres:
            return f"CAST(CAST({sql} AS NUMERIC({column.digits[0]}, {places})) AS TEXT)"
        return f"CASE WHEN ({sql}) IS NULL THEN NULL ELSE printf('%%.{places}f', {sql}) END"
    if column.kind == "datetime":
        if postgres:
            return f"""to_char(({sql}) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')"""
        return f"REPLACE({sql}, ' ', 'T') || 'Z'"  # stored in UTC as `YYYY-MM-DD HH:MM:SS[.ffffff]`
    if column.kind == "date":
        return f"to_char({sql}, 'YYYY-MM-DD')" if postgres else f"CAST({sql} AS TEXT)"
    if column.kind == "bool":
        return f"CASE WHEN ({sql}) IS NULL THEN NULL WHEN ({sql}) THEN 'true' ELSE 'false' END"
    if column.kind == "int":
        return f"CAST({sql} AS TEXT)"
    return sql


def export_query(
    *, filters: OrderExportFilters, columns: Sequence[Column], connection: BaseDatabaseWrapper
) -> tuple[str, list[Any]]:
    """The one statement of the export, and its parameters (PostgreSQL, and SQLite for development)."""
    select = ", ".join(_as_text(c, connection.vendor) for c in columns)
    where: list[str] = []
    params: list[Any] = []
    if filters.campaign_id is not None:
        where.append("a.campaign_id = %s")
        params.append(filters.campaign_id)
    if filters.placed_after is not None:
        where.append("o.placed_at >= %s")
        params.append(connection.ops.adapt_datetimefield_value(filters.placed_after))
    if filters.placed_before is not None:
        where.append("o.placed_at < %s")
        params.append(connection.ops.adapt_datetimefield_value(filters.placed_before))
    sql = f"""
        SELECT {select}
        FROM orders_order o
        LEFT JOIN referrals_attribution a ON a.order_id = o.id
        LEFT JOIN ambassadors_campaign c ON c.id = a.campaign_id
        LEFT JOIN referrals_referralcode rc ON rc.id = a.referral_code_id
        LEFT JOIN referrals_attributedsale s ON s.order_id = o.id
        LEFT JOIN (
            SELECT order_id, COUNT(*) AS refunds,
                   SUM(CASE WHEN status = 'succeeded' THEN amount ELSE 0 END) AS succeeded,
                   SUM(CASE WHEN status = 'pending' THEN amount ELSE 0 END) AS pending,
                   MAX(refunded_at) AS last_at
            FROM orders_refund WHERE order_id IS NOT NULL GROUP BY order_id
        ) r ON r.order_id = o.id
        LEFT JOIN ({_ledger_totals("order:", states=True)}) lo ON lo.key = o.id
        LEFT JOIN ({_ledger_totals("party:", states=False)}) lp ON lp.key = a.party_id
        {"WHERE " + " AND ".join(where) if where else ""}
        ORDER BY o.id
    """  # noqa: S608 (fixed fragments only; the values are parameters)
    return sql, params


def export_chunks(
    *, filters: OrderExportFilters, personal_data: bool, rows_per_chunk: int = ROWS_PER_CHUNK
) -> Iterator[list[tuple[str | None, ...]]]:
    """The export's rows in order id order, every value as text (`_as_text`), `rows_per_chunk` at a
    time: one statement, read through a server-side cursor inside a read-only transaction, so neither
    the database's client nor this process holds the whole set."""
    columns = export_columns(personal_data=personal_data)
    with report_reads():
        alias = Order.objects.db
    connection = connections[alias]
    sql, params = export_query(filters=filters, columns=columns, connection=connection)
    with transaction.atomic(using=alias):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION READ ONLY")
                # the hash aggregates of the refunds and the ledger stay in memory
                cursor.execute("SET LOCAL work_mem = '64MB'")
        with connection.chunked_cursor() as cursor:
            cursor.execute(sql, params)
            while rows := cursor.fetchmany(rows_per_chunk):
                yield rows


# CSV ----------------------------------------------------------------------------------------------


class _Lines:
    """A file whose writes are kept until taken: the CSV writer's output, chunk by chunk."""

    def __init__(self) -> None:
        self.parts: list[str] = []

    def write(self, value: str) -> None:
        self.parts.append(value)

    def take(self) -> str:
        text = "".join(self.parts)
        self.parts.clear()
        return text


def csv_chunks(
    *, filters: OrderExportFilters, personal_data: bool, rows_per_chunk: int = ROWS_PER_CHUNK
) -> Iterator[str]:
    """The export as CSV text: the header, then one piece per chunk of rows (an empty cell is a
    missing value; a text that a spreadsheet would run as a formula starts with `'`)."""
    columns = export_columns(personal_data=personal_data)
    out = _Lines()
    csv_writer(out).writerow([c.name for c in columns])
    yield out.take()
    # Only text can be read as a formula: ids, amounts, times and booleans are written by the query.
    writer = csv_writer(out, text_columns=[i for i, c in enumerate(columns) if c.kind == "text"])
    for rows in export_chunks(filters=filters, personal_data=personal_data, rows_per_chunk=rows_per_chunk):
        writer.writerows(rows)
        yield out.take()


# Parquet ------------------------------------------------------------------------------------------


def _arrow_type(column: Column) -> pa.DataType:
    return {
        "int": pa.int64(),
        "text": pa.string(),
        "bool": pa.bool_(),
        "datetime": pa.timestamp("us", tz="UTC"),
        "date": pa.date32(),
        "decimal": pa.decimal128(*column.digits) if column.kind == "decimal" else None,
    }[column.kind]


def arrow_schema(*, personal_data: bool) -> pa.Schema:
    return pa.schema(
        [
            pa.field(c.name, _arrow_type(c), metadata={"description": c.description})
            for c in export_columns(personal_data=personal_data)
        ]
    )


class _Sink(io.RawIOBase):
    """A write-only file whose bytes are taken as they come: Parquet streamed row group by row group."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[bytes] = []
        self.position = 0

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        chunk = bytes(data)
        self.parts.append(chunk)
        self.position += len(chunk)
        return len(chunk)

    def tell(self) -> int:
        return self.position

    def take(self) -> bytes:
        data = b"".join(self.parts)
        self.parts.clear()
        return data


def parquet_chunks(
    *, filters: OrderExportFilters, personal_data: bool, rows_per_chunk: int = ROWS_PER_CHUNK
) -> Iterator[bytes]:
    """The export as a Parquet file, one row group per chunk of rows, each handed on once written."""
    schema = arrow_schema(personal_data=personal_data)
    sink = _Sink()
    writer = pq.ParquetWriter(sink, schema, compression="snappy")
    try:
        for rows in export_chunks(
            filters=filters, personal_data=personal_data, rows_per_chunk=rows_per_chunk
        ):
            values = zip(*rows, strict=True)
            batch = pa.record_batch(
                [pa.array(v, pa.string()).cast(field.type) for v, field in zip(values, schema, strict=True)],
                schema=schema,
            )
            writer.write_batch(batch)
            yield sink.take()
    finally:
        writer.close()
    yield sink.take()
