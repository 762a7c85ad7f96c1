"""Recording orders exactly once, from any source (SPEC §6): the one `record_order` path, the shop's
import (one order or a batch, with its refunds), cancellation, and the order reads.

Idempotency rests on the database: `(source, external_id)` is unique for orders and for refunds,
and the import API and CSV files share their ids (`same_channel_sources`): one shop order is one
order whichever of the two brought it. Across Stripe and a shop, one payment reference is one
order: a second channel's arrival enriches the first (`orders.ingestion.channels`).
Work on one order is serialised by a lock on its reference and on its payment
(`orders.ingestion.locks`).
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import Any

from django.db import connections, router, transaction
from django.db.models import BooleanField, Exists, F, Func, OuterRef, Q, Subquery
from django.db.models.expressions import RawSQL

from backend import planned
from backend.arrays import array_text
from backend.bulk import array_type, insert_new, unsaved
from backend.email_address import normalise_email
from backend.errors import Conflict, DomainError, Invalid, NotFound
from backend.prepared import Prepared
from backend.transitions import move_status
from orders.ingestion.channels import merge_arrival
from orders.ingestion.locks import lock_order_and_payment, lock_order_reference, lock_order_references
from orders.ingestion.refunds import record_shop_refund, refresh_refunds
from orders.ingestion.rules import (
    LineData,
    OrderData,
    RefundData,
    commissionable_amount_of,
    order_fingerprint,
    order_rule_problems,
    raise_first_problem,
)
from orders.models import (
    ORDER_TRANSITIONS,
    PROVIDER_SOURCES,
    Dispute,
    Order,
    OrderArrival,
    OrderLine,
    OrderSource,
    OrderStatus,
    OrderStatusChange,
    Refund,
    same_channel_sources,
)
from orders.signals import (
    dispute_recorded,
    earliest_order_time_wanted,
    order_cancelled,
    order_recorded,
    orders_recorded,
    refund_recorded,
)


def earliest_order_time() -> datetime | None:
    """The earliest an order of the shop may be placed, as `earliest_order_time_wanted`'s receivers
    answer (the start of the first campaign's year); None when none answers."""
    earliest: datetime | None = None
    for _, answer in earliest_order_time_wanted.send(sender=Order):
        moment: Any = answer  # a receiver's answer, typed loosely by Django
        if isinstance(moment, datetime) and (earliest is None or moment < earliest):
            earliest = moment
    return earliest


@dataclass
class ImportResult:
    """What importing one order (and the refunds sent with it) did."""

    order: Order
    order_created: bool
    refunds: list[tuple[Refund, bool]] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return self.order_created or any(created for _, created in self.refunds)


def _order_conflict(order: Order) -> Conflict:
    return Conflict(
        f"Order {order.external_id} was already recorded from {order.source} with different content.",
        code="order_conflict",
        extra={"source": order.source, "external_id": order.external_id, "order_id": order.pk},
    )


def record_order(*, source: str, data: OrderData, keep_first: bool = False) -> tuple[Order, bool]:
    """Record an order once per (source, external id); returns (order, created).

    A second delivery of the same content returns the first order untouched. Different content is
    a conflict, unless `keep_first` (Stripe, Shopify, WooCommerce: the provider's order is the truth
    and its events repeat it with small differences), in which case the first recording stands.
    The providers' figures are recorded as sent (`PROVIDER_SOURCES`): the money was already taken.
    Refunds that arrived before the order are attached to it now.
    The same payment (`payment_reference`) already recorded from another channel is that order:
    this arrival is kept beside it, fills what it lacks and flags what it tells otherwise
    (`orders.ingestion.channels`); created is False and nothing is announced.

    Atomic without a savepoint of its own (it runs once per imported order, so every round trip
    counts): the rules and the conflict are checked outside the block, so a refusal never spoils the
    caller's transaction.
    """
    if source not in PROVIDER_SOURCES:
        raise_first_problem(order_rule_problems(data, not_before=earliest_order_time()))
    fingerprint = order_fingerprint(data)
    with transaction.atomic(savepoint=False):
        order, created = _insert_order_once(source=source, data=data, fingerprint=fingerprint)
    same_description = order.source in same_channel_sources(source) and order.external_id == data.external_id
    if same_description and order.fingerprint != fingerprint and not keep_first:
        raise _order_conflict(order)
    return order, created


def _unsaved_order(*, source: str, data: OrderData, fingerprint: str) -> Order:
    return unsaved(
        Order,
        source=source,
        external_id=data.external_id,
        placed_at=data.placed_at,
        customer_email=normalise_email(data.customer_email),
        currency=data.currency.upper(),
        subtotal=data.subtotal,
        discount=data.discount,
        shipping=data.shipping,
        tax=data.tax,
        total=data.total,
        commissionable_amount=commissionable_amount_of(
            subtotal=data.subtotal,
            discount=data.discount,
            shipping=data.shipping,
            tax=data.tax,
            total=data.total,
        ),
        code=data.code,
        promotion_code_id=data.promotion_code_id,
        promotion_code_problem=data.promotion_code_problem,
        landing_token=data.landing_token,
        payment_reference=data.payment_reference,
        fingerprint=fingerprint,
    )


class _PkAmong(Func):
    """`pk IN (subquery)`, written `pk = ANY(ARRAY(subquery))` on PostgreSQL: within an `OR` the
    planner reads the `IN` form as a filter over every order, the `ANY` form as one more index scan."""

    output_field = BooleanField()
    arg_joiner = " IN "
    template = "%(expressions)s"

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(
            compiler, connection, arg_joiner=" = ANY(ARRAY", template="%(expressions)s)", **extra
        )


def find_order(*, source: str, external_id: str) -> Order | None:
    """The order a channel knows as `external_id`: recorded from it, or reached it second."""
    channel = same_channel_sources(source)
    order = Order.objects.filter(source__in=channel, external_id=external_id).first()
    if order is None:
        arrival = (
            OrderArrival.objects.filter(source__in=channel, external_id=external_id)
            .select_related("order")
            .first()
        )
        order = arrival.order if arrival is not None else None
    return order


def _insert_order_once(*, source: str, data: OrderData, fingerprint: str) -> tuple[Order, bool]:
    channel = same_channel_sources(source)
    if data.payment_reference:
        lock_order_and_payment(channel[0], data.external_id, data.payment_reference)
    else:
        lock_order_reference(channel[0], data.external_id)
    # The common case first: an order nobody has recorded, inserted in the one statement that checks
    # it (this channel's id, recorded or reached second; the payment, by its unique index) and says
    # whether Stripe's refunds or disputes of its payment came first. Their writers hold this
    # payment's lock too, so none can come or go until this transaction ends.
    order = _unsaved_order(source=source, data=data, fingerprint=fingerprint)
    inserted, kinds = _insert_unless_known(order, channel=channel, lines=data.lines)
    if not inserted:
        return _known_order(source=source, data=data, channel=channel)
    order_recorded.send(sender=Order, order=order)

    if not kinds:
        return order, True
    waiting = list(_waiting_refunds(data.payment_reference).select_for_update()) if "refund" in kinds else []
    disputes = (
        list(_waiting_disputes(data.payment_reference).select_for_update()) if "dispute" in kinds else []
    )
    if waiting or disputes:
        for refund in waiting:
            refund.order = order
            refund.save(update_fields=["order", "updated_at"])
        for dispute in disputes:
            dispute.order = order
            dispute.save(update_fields=["order", "updated_at"])
        refresh_refunds(order=order, reason="refunds or disputes received before the order")
        for refund in waiting:
            refund_recorded.send(sender=Refund, refund=refund, order=order)
        for dispute in disputes:
            dispute_recorded.send(sender=Dispute, dispute=dispute, order=order)
    return order, True


def _waiting_refunds(payment_reference: str) -> Any:
    return Refund.objects.filter(
        source=OrderSource.STRIPE, order__isnull=True, order_reference=payment_reference
    )


def _waiting_disputes(payment_reference: str) -> Any:
    return Dispute.objects.filter(order__isnull=True, order_reference=payment_reference)


def _insert_unless_known(
    order: Order, *, channel: tuple[str, ...], lines: Sequence[LineData] = ()
) -> tuple[bool, set[str]]:
    """INSERT `order` and its `lines` unless its channel knows its id (recorded from it, or reached
    by it second) or its payment is recorded (the unique index); one statement. Returns (inserted,
    the kinds of what waits for its payment: "refund", "dispute"). The primary key is set when
    inserted."""
    alias = router.db_for_write(Order)
    connection = connections[alias]
    fields = [field for field in Order._meta.concrete_fields if not field.primary_key]
    values = [field.get_db_prep_save(field.pre_save(order, True), connection=connection) for field in fields]
    params = [*values, *channel, order.external_id, *channel, order.external_id]
    with_lines = bool(lines) and connection.vendor == "postgresql"
    sql = _insert_unless_known_sql(alias, len(channel), bool(order.payment_reference), with_lines)
    if order.payment_reference:
        params += [OrderSource.STRIPE, order.payment_reference, order.payment_reference]
    if with_lines:
        params += [
            array_text([getattr(line, name) for line in lines]) for name in ("sku", "quantity", "unit_price")
        ]
    with connection.cursor() as cursor:
        planned.execute(cursor, sql, params)
        row = cursor.fetchone()
    if row is None:
        return False, set()
    order.pk = row[0]
    order._state.adding = False
    order._state.db = alias
    if lines and not with_lines:  # SQLite: the lines in a statement of their own
        insert_new(
            [
                unsaved(
                    OrderLine, order=order, sku=line.sku, quantity=line.quantity, unit_price=line.unit_price
                )
                for line in lines
            ]
        )
    kinds = {kind for kind, waiting in zip(("refund", "dispute"), row[1:], strict=False) if waiting}
    return True, kinds


@cache
def _insert_unless_known_sql(alias: str, sources: int, with_payment: bool, with_lines: bool) -> str:
    """`_insert_unless_known`'s statement for a channel of `sources` sources, with the payment's
    waiting refunds and disputes, with the lines: built once per shape. On PostgreSQL each value is
    typed as its column is, without a length (too long, the column refuses it), so the server can
    prepare it (`backend.planned`)."""
    connection = connections[alias]
    quote = connection.ops.quote_name
    fields = [field for field in Order._meta.concrete_fields if not field.primary_key]
    postgres = connection.vendor == "postgresql"

    def column(model: Any, name: str) -> str:
        return quote(model._meta.get_field(name).column)

    def table(model: Any) -> str:
        return quote(model._meta.db_table)

    listed = ", ".join(["%s"] * sources)
    selected = ", ".join(f"%s::{array_type(field, connection)}" if postgres else "%s" for field in fields)
    # The models' own names and types only; every value is a parameter.
    sql = (
        f"INSERT INTO {table(Order)} ({', '.join(quote(field.column) for field in fields)}) "  # noqa: S608
        f"SELECT {selected} WHERE NOT EXISTS (SELECT 1 FROM {table(Order)} WHERE "
        f"{column(Order, 'source')} IN ({listed}) AND {column(Order, 'external_id')} = %s) "
        f"AND NOT EXISTS (SELECT 1 FROM {table(OrderArrival)} WHERE "
        f"{column(OrderArrival, 'source')} IN ({listed}) AND {column(OrderArrival, 'external_id')} = %s) "
        f"ON CONFLICT DO NOTHING RETURNING {quote(Order._meta.pk.column)}"
    )
    if with_payment:
        sql += (
            f", EXISTS (SELECT 1 FROM {table(Refund)} WHERE {column(Refund, 'source')} = %s "  # noqa: S608
            f"AND {column(Refund, 'order')} IS NULL AND {column(Refund, 'order_reference')} = %s)"
            f", EXISTS (SELECT 1 FROM {table(Dispute)} WHERE {column(Dispute, 'order')} IS NULL "
            f"AND {column(Dispute, 'order_reference')} = %s)"
        )
    if with_lines:
        # The lines in the same statement, one array per column: inserted only if the order was.
        line_fields: list[Any] = [
            OrderLine._meta.get_field(name) for name in ("order", "sku", "quantity", "unit_price")
        ]
        names = ", ".join(quote(field.column) for field in line_fields)
        arrays = ", ".join(f"%s::{array_type(field, connection)}[]" for field in line_fields[1:])
        sql = (
            f"WITH recorded AS ({sql}), _lines AS (INSERT INTO {table(OrderLine)} ({names}) "  # noqa: S608
            f"SELECT saved.*, line.* FROM (SELECT {quote(Order._meta.pk.column)} FROM recorded) AS saved, "
            f"unnest({arrays}) AS line) SELECT * FROM recorded"
        )
    return sql


def _known_order(*, source: str, data: OrderData, channel: tuple[str, ...]) -> tuple[Order, bool]:
    """The order this channel or this payment already recorded (locked), this arrival kept beside it
    when it came from another channel; created is False."""
    # Recorded from this channel, reached by it second (an arrival), or recorded from another under
    # the same payment: one read, each branch indexed.
    reached = OrderArrival.objects.filter(source__in=channel, external_id=data.external_id)
    known = Q(source__in=channel, external_id=data.external_id) | Q(
        _PkAmong(F("pk"), Subquery(reached.values("order_id")))
    )
    if data.payment_reference:
        known |= Q(payment_reference=data.payment_reference)
    matches = list(
        Order.objects.select_for_update()
        .filter(known)
        .annotate(reached_here=Exists(reached.filter(order=OuterRef("pk"))))[:3]
    )
    own = next((o for o in matches if o.source in channel and o.external_id == data.external_id), None)
    if own is not None:
        return own, False
    arrival = next((o for o in matches if getattr(o, "reached_here", False)), None)
    if arrival is not None:
        return arrival, False  # this channel reached it second before
    paid = matches[0]  # the same payment, recorded from another channel
    _record_arrival(order=paid, source=source, data=data)
    return paid, False


def _record_arrival(*, order: Order, source: str, data: OrderData) -> OrderArrival:
    """Keep another channel's description of a recorded order: fill, flag, never duplicate."""
    merge = merge_arrival(order=order, data=data, order_has_lines=order.lines.exists())
    arrival = OrderArrival.objects.create(
        order=order, source=source, external_id=data.external_id, conflicts=merge.conflicts
    )
    changed = list(merge.filled)
    for name, value in merge.filled.items():
        setattr(order, name, value)
    if merge.conflicts and not order.channel_conflict:
        order.channel_conflict = True
        changed.append("channel_conflict")
    if changed:
        order.save(update_fields=[*changed, "updated_at"])
    if merge.lines:
        OrderLine.objects.bulk_create(
            OrderLine(order=order, sku=line.sku, quantity=line.quantity, unit_price=line.unit_price)
            for line in merge.lines
        )
    return arrival


@transaction.atomic
def import_order(*, source: str, data: OrderData, refunds: tuple[RefundData, ...] = ()) -> ImportResult:
    """The shop's unit of work (API item or CSV row): the order, then each refund, all or nothing."""
    order, created = record_order(source=source, data=data)
    result = ImportResult(order=order, order_created=created)
    for index, refund_data in enumerate(refunds):
        try:
            result.refunds.append(record_shop_refund(order=order, source=source, data=refund_data))
        except Invalid as error:
            error.field = f"refunds.{index}.{error.field}" if error.field else f"refunds.{index}"
            raise
    if result.refunds:
        order.refresh_from_db(fields=["refunded_amount", "status", "updated_at"])
    return result


# A batch's known orders: its ids as one array (a list of 1,000 was compiled and planned anew each time).
_KNOWN_ORDERS: Prepared[Order] = Prepared(
    Order,
    lambda sources, external_ids: Order.objects.filter(
        RawSQL(  # noqa: S611 (the table's name only; the lists are parameters)
            f"{Order._meta.db_table}.source = ANY(%s::varchar[]) "
            f"AND {Order._meta.db_table}.external_id = ANY(%s::varchar[])",
            (sources, external_ids),
            output_field=BooleanField(),
        )
    ).order_by(),
)


def _known_orders(channel: tuple[str, ...], external_ids: list[str]) -> list[Order]:
    if connections[router.db_for_write(Order)].vendor == "postgresql":
        return _KNOWN_ORDERS.run(array_text(channel), array_text(external_ids))
    return list(Order.objects.filter(source__in=channel, external_id__in=external_ids))


def import_order_batch(
    *, source: str, items: list[tuple[OrderData, tuple[RefundData, ...]]]
) -> list[ImportResult | DomainError]:
    """Many shop orders in one transaction, set-based: one lock, one lookup, one INSERT of the new
    orders and one of their lines, then one announcement of all the new orders (`orders_recorded`). The result list follows
    `items`; a refused item is its DomainError and leaves the others alone.

    Items that carry refunds go through `import_order` one by one (all or nothing per item).
    The same rules and idempotency as `import_order`: a repeat is unchanged, a changed repeat is
    a conflict, also between two items of one batch.
    """
    results: list[ImportResult | DomainError | None] = [None] * len(items)
    fingerprints: dict[int, str] = {}
    not_before = earliest_order_time()
    for index, (data, _) in enumerate(items):
        try:
            raise_first_problem(order_rule_problems(data, not_before=not_before))
        except DomainError as error:
            results[index] = error
        else:
            fingerprints[index] = order_fingerprint(data)
    with transaction.atomic():
        channel = same_channel_sources(source)
        lock_order_references(channel[0], [items[i][0].external_id for i in fingerprints])
        known = {
            order.external_id: order
            for order in _known_orders(channel, [items[i][0].external_id for i in fingerprints])
        }
        fresh: dict[str, Order] = {}
        lines: list[OrderLine] = []
        with_refunds = []
        for index, fingerprint in fingerprints.items():
            data, refunds = items[index]
            if refunds:
                with_refunds.append(index)
                continue
            order = known.get(data.external_id) or fresh.get(data.external_id)
            if order is not None:
                results[index] = (
                    ImportResult(order=order, order_created=False)
                    if order.fingerprint == fingerprint
                    else _order_conflict(order)
                )
                continue
            order = fresh[data.external_id] = _unsaved_order(
                source=source, data=data, fingerprint=fingerprint
            )
            results[index] = ImportResult(order=order, order_created=True)
        insert_new(list(fresh.values()))
        for index in fingerprints:
            result = results[index]
            if isinstance(result, ImportResult) and result.order_created:
                lines += [
                    unsaved(
                        OrderLine,
                        order=result.order,
                        sku=line.sku,
                        quantity=line.quantity,
                        unit_price=line.unit_price,
                    )
                    for line in items[index][0].lines
                ]
        insert_new(lines)
        if fresh:
            orders_recorded.send(sender=Order, orders=list(fresh.values()))
        for index in with_refunds:
            data, refunds = items[index]
            try:
                results[index] = import_order(source=source, data=data, refunds=refunds)
            except DomainError as error:
                results[index] = error
    assert all(result is not None for result in results)
    return results  # type: ignore[return-value]  # every slot was filled above


@transaction.atomic
def add_order_lines(*, order: Order, lines: tuple[LineData, ...]) -> int:
    """Give an order the lines its source sent later (Stripe lists them apart); once only."""
    order = Order.objects.select_for_update().get(pk=order.pk)
    if not lines or order.lines.exists():
        return 0
    return len(
        OrderLine.objects.bulk_create(
            OrderLine(order=order, sku=line.sku, quantity=line.quantity, unit_price=line.unit_price)
            for line in lines
        )
    )


@transaction.atomic
def cancel_order(*, order: Order, by: Any, reason: str) -> Order:
    """Void an order (e.g. the shop cancelled it before shipping): it earns nothing from now on."""
    order, _ = move_status(
        order,
        to_status=OrderStatus.CANCELLED,
        transitions=ORDER_TRANSITIONS,
        history=OrderStatusChange,
        by=by,
        reason=reason,
    )
    order_cancelled.send(sender=Order, order=order)
    return order


def get_order(*, pk: int) -> Order:
    order = Order.objects.for_detail().filter(pk=pk).first()
    if order is None:
        raise NotFound("No such order.")
    return order
