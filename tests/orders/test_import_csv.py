import csv
from datetime import timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from orders.models import Order, OrderSource, OrderStatus, Refund

pytestmark = pytest.mark.django_db

PLACED = (timezone.now() - timedelta(days=1)).replace(microsecond=0).isoformat()
COLUMNS = [
    "external_id", "placed_at", "customer_email", "currency", "subtotal", "discount", "shipping", "tax",
    "total", "code", "landing_token", "lines", "refund_id", "refund_amount", "refunded_at", "refund_reason",
]  # fmt: skip


def row(external_id: str, **overrides: str) -> dict[str, str]:
    values = {
        "external_id": external_id,
        "placed_at": PLACED,
        "customer_email": "Lea@Example.com",
        "currency": "EUR",
        "subtotal": "120.00",
        "discount": "24.00",
        "shipping": "5.00",
        "tax": "17.00",
        "total": "118.00",
        "code": "CLARA-7K2F",
        "landing_token": "",
        "lines": "JKT-42*1@90.00|SCF-7*2@15.00",
    }
    values.update(overrides)
    return values


def write_csv(tmp_path, rows) -> str:
    path = tmp_path / "orders.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    return str(path)


def run(*args: str) -> tuple[str, str, bool]:
    out, err = StringIO(), StringIO()
    try:
        call_command("import_orders", *args, stdout=out, stderr=err)
    except CommandError as error:
        return out.getvalue(), err.getvalue() + str(error), False
    return out.getvalue(), err.getvalue(), True


def test_imports_orders_with_lines_and_refunds(tmp_path):
    now = timezone.now().isoformat()
    path = write_csv(
        tmp_path,
        [
            row("CSV-1"),
            row("CSV-2", refund_id="RF-1", refund_amount="18.00", refunded_at=now),
            row("CSV-2", refund_id="RF-2", refund_amount="100.00", refunded_at=now),
        ],
    )

    out, _, ok = run(path)

    assert ok
    assert "2 created, 1 updated (new refunds), 0 unchanged, 0 rejected." in out
    first = Order.objects.get(external_id="CSV-1")
    assert first.source == OrderSource.CSV
    assert first.customer_email == "lea@example.com"
    assert [(line.sku, line.quantity) for line in first.lines.all()] == [("JKT-42", 1), ("SCF-7", 2)]
    second = Order.objects.get(external_id="CSV-2")
    assert (second.status, second.refunded_amount) == (OrderStatus.REFUNDED, Decimal("118.00"))


def test_importing_the_same_file_twice_changes_nothing(tmp_path):
    path = write_csv(tmp_path, [row("CSV-1"), row("CSV-2")])
    run(path)

    out, _, ok = run(path)

    assert ok
    assert "0 created, 0 updated (new refunds), 2 unchanged, 0 rejected." in out
    assert Order.objects.count() == 2


def test_bad_rows_are_reported_with_their_line_and_the_rest_imported(tmp_path):
    path = write_csv(
        tmp_path,
        [
            row("CSV-1"),
            row("CSV-2", total="1.00"),
            row("CSV-3", currency="XXY", lines="JKT-42 one"),
            row("CSV-4", placed_at="2026-11-03 18:04"),
        ],
    )

    out, err, ok = run(path)

    assert not ok
    assert "1 created, 0 updated (new refunds), 0 unchanged, 3 rejected." in out
    assert "line 3: total: subtotal − discount + shipping + tax = 118.00, not 1.00." in err
    assert "line 4: lines: 'JKT-42 one' is not SKU*QUANTITY@UNIT_PRICE" in err
    assert "line 5: placed_at: Give a time zone offset" in err
    assert list(Order.objects.values_list("external_id", flat=True)) == ["CSV-1"]


def test_a_changed_row_for_a_known_order_is_a_conflict(tmp_path):
    run(write_csv(tmp_path, [row("CSV-1")]))

    out, err, ok = run(write_csv(tmp_path, [row("CSV-1", code="OTHER")]))

    assert not ok
    assert "order_conflict" in err
    assert Order.objects.get().code == "CLARA-7K2F"


def test_dry_run_reports_everything_and_writes_nothing(tmp_path):
    path = write_csv(
        tmp_path,
        [
            row("CSV-1", refund_id="RF-1", refund_amount="10.00", refunded_at=timezone.now().isoformat()),
            row("CSV-2"),
        ],
    )

    out, _, ok = run(path, "--dry-run")

    assert ok
    assert out.startswith("Dry run (nothing written): 2 created")
    assert not Order.objects.exists()
    assert not Refund.objects.exists()


def test_missing_columns_and_missing_file_are_clear_errors(tmp_path):
    broken = tmp_path / "broken.csv"
    broken.write_text("external_id,total\nX,1.00\n")

    _, missing_columns, ok = run(str(broken))
    _, missing_file, ok_file = run(str(tmp_path / "nope.csv"))

    assert not ok and "missing columns currency, customer_email, placed_at, subtotal" in missing_columns
    assert not ok_file and "Cannot read" in missing_file
