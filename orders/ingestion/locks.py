"""Work on one order (its creation, its refunds) is serialised by a transaction-scoped lock on its
reference (PostgreSQL advisory lock; SQLite serialises writers anyway), so an order and a refund
that arrive together can never miss each other.
"""

import zlib

from django.db import connection

from backend import planned
from backend.arrays import array_text


def lock_order_reference(source: str, reference: str) -> None:
    """Serialise work on one order (by its reference) until the transaction ends."""
    if connection.vendor == "postgresql":
        key = zlib.crc32(f"{source}:{reference}".encode())
        with connection.cursor() as cursor:
            planned.execute(cursor, "SELECT pg_advisory_xact_lock(%s, %s)", [0x50A1, key - 2**31])


def lock_order_references(source: str, references: list[str]) -> None:
    """`lock_order_reference` for many orders in one round trip, in a fixed order (no deadlock)."""
    if connection.vendor == "postgresql" and references:
        keys = sorted({zlib.crc32(f"{source}:{reference}".encode()) - 2**31 for reference in references})
        with connection.cursor() as cursor:
            planned.execute(
                cursor,
                "SELECT count(pg_advisory_xact_lock(%s, key)) FROM unnest(%s::int[]) AS key",
                [0x50A1, array_text(keys)],
            )


def lock_payment_reference(reference: str) -> None:
    """Serialise work on one payment, whichever channel reports it (its order, refunds, disputes)."""
    lock_order_reference("payment", reference)


def lock_order_and_payment(source: str, reference: str, payment_reference: str) -> None:
    """`lock_order_reference` then `lock_payment_reference`, in one round trip and in that order
    (the order's own lock always first: no deadlock with a refund holding only the payment's)."""
    if connection.vendor == "postgresql":
        order_key = zlib.crc32(f"{source}:{reference}".encode()) - 2**31
        payment_key = zlib.crc32(f"payment:{payment_reference}".encode()) - 2**31
        with connection.cursor() as cursor:
            # One row, its expressions evaluated left to right.
            planned.execute(
                cursor,
                "SELECT pg_advisory_xact_lock(%s, %s), pg_advisory_xact_lock(%s, %s)",
                [0x50A1, order_key, 0x50A1, payment_key],
            )
