"""Report figures of SPEC §12 on the built programme (`bench/build.py`), one JSON line each (`bench/figures.py`):

the sale columns of the attribution report (orders, distinct buyers, gross, net and post-close refunds)
of one campaign grouped by host, from the report's facts, p50 over repeated runs, beside

- the honest baseline: ONE plain SQL statement of the same columns over orders ⋈ attributions, grouped
  by host, no Python loop — target: at least 10× faster (ratio ≤ 0.1);
- the floor: a `SELECT` of the same result rows (one per host, about 1,000) from a table of their own —
  target: p50 within 3× of it;

measured in the same run, interleaved; and whether the facts give the plain statement's numbers. The
whole report (guests, clicks, kit cost and rewards beside the sales) is timed too, as a detail.

With BENCH_HISTORY_DATABASE_URL naming the same programme after ten times the sales
(`bench/build.py --history 10`: 10M orders on the same hosts), the same columns are read there too,
interleaved with the 1M reads: p50 at 10M against p50 at 1M, target at most 1.2×, and whether the
10M facts give the 10M plain statement's numbers.

    DATABASE_URL=postgres://soiree:soiree@127.0.0.1:5432/soiree_bench \\
    [BENCH_HISTORY_DATABASE_URL=postgres://soiree:soiree@127.0.0.1:5432/soiree_history] \\
        .venv/bin/python bench/report.py [--runs 21]
"""

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
os.environ.setdefault("SECRET_KEY", "bench-only-secret-key")
os.environ.setdefault("EMAIL_URL", "locmem://")
os.environ.setdefault("LOG_LEVEL", "ERROR")

import dj_database_url  # noqa: E402
import django  # noqa: E402
from django.conf import settings  # noqa: E402

HISTORY = "history"  # the alias of the programme after ten times the sales, when there is one
if os.environ.get("BENCH_HISTORY_DATABASE_URL"):
    settings.DATABASES[HISTORY] = dj_database_url.parse(os.environ["BENCH_HISTORY_DATABASE_URL"])
django.setup()

from django.db import connection  # noqa: E402
from figures import emit  # noqa: E402

from ambassadors.models import Campaign  # noqa: E402
from orders.models import Order  # noqa: E402
from referrals.reports.filters import ReportFilters  # noqa: E402
from referrals.reports.plain import sale_rows_from_orders  # noqa: E402
from referrals.reports.query import attribution_report  # noqa: E402
from referrals.reports.statement import COLUMNS, fetch, sale_branches  # noqa: E402

FLOOR = "bench_report_floor"
SALE_COLUMNS = ("orders", "buyers", "gross_sales", "net_sales", "post_close_refunds")


def _fast(filters: ReportFilters, alias: str = "default") -> list[tuple[bool, Any, list[Any]]]:
    """The sale columns per host from the report's facts: the report's own statement (`sale_branches`),
    its rows read as the report reads them."""
    return list(fetch(sale_branches(filters, "host"), "host", alias))


def _by_host(rows: list[tuple[bool, Any, list[Any]]]) -> dict[Any, tuple[Any, ...]]:
    found: dict[Any, dict[str, Any]] = {}
    for whole, key, values in rows:
        if whole:
            continue
        row = found.setdefault(key, dict.fromkeys(SALE_COLUMNS))
        for (name, _), value in zip(COLUMNS, values, strict=True):
            if name in row and value is not None:
                row[name] = value
    return {key: tuple(row[name] or 0 for name in SALE_COLUMNS) for key, row in found.items()}


def _plain(filters: ReportFilters, alias: str = "default") -> dict[Any, tuple[Any, ...]]:
    return {
        row["key"]: tuple(row[name] or 0 for name in SALE_COLUMNS)
        for row in sale_rows_from_orders(filters, "host", using=alias)
    }


def _same(fast_rows: list[tuple[bool, Any, list[Any]]], plain_rows: dict[Any, tuple[Any, ...]]) -> bool:
    return {k: tuple(Decimal(v) for v in values) for k, values in _by_host(fast_rows).items()} == {
        k: tuple(Decimal(v) for v in values) for k, values in plain_rows.items()
    }


def bench_history(runs: int) -> None:
    """The same report at 1M and at 10M orders on the same hosts, read in turn."""
    filters, history = (
        ReportFilters(
            campaign_id=Campaign.objects.using(alias).order_by("-pk").values_list("pk", flat=True)[0]
        )
        for alias in ("default", HISTORY)
    )
    at_1m, at_10m = [], []
    for _ in range(2):  # warm both
        _fast(filters), _fast(history, HISTORY)
    for _ in range(runs):
        _timed(lambda: _fast(filters), at_1m)
        rows = _timed(lambda: _fast(history, HISTORY), at_10m)
    emit(
        figure="attribution report sale columns, one campaign by host, at 10M orders (same hosts, ten times the sales)",
        measured=statistics.median(at_10m),
        unit="ms (p50)",
        baseline=statistics.median(at_1m),
        baseline_what="the same report at 1M orders",
        target_ratio=1.2,
        better="lower",
        holds={"identical_numbers": _same(rows, _plain(history, HISTORY))},
        orders_in_database=Order.objects.using(HISTORY).count(),
        campaign_orders=sum(values[0] for values in _by_host(rows).values()),
        rows=len(_by_host(rows)),
        runs=runs,
    )


def _floor() -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {FLOOR}")  # noqa: S608
        return cursor.fetchall()


def _timed(work: Callable[[], Any], times: list[float]) -> Any:
    started = time.perf_counter()
    result = work()
    times.append((time.perf_counter() - started) * 1000)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=21)
    options = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("bench/report.py measures PostgreSQL: set DATABASE_URL=postgres://...")
    campaign = Campaign.objects.order_by("-pk").first()
    if campaign is None:
        sys.exit("No programme here: run bench/build.py first.")
    filters = ReportFilters(campaign_id=campaign.pk)
    plain_rows = _plain(filters)
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {FLOOR}")
        cursor.execute(
            f"CREATE UNLOGGED TABLE {FLOOR} (host_id bigint, orders bigint, buyers bigint,"
            " gross_sales numeric(12, 2), net_sales numeric(12, 2), post_close_refunds numeric(12, 2))"
        )
        cursor.executemany(
            f"INSERT INTO {FLOOR} VALUES (%s, %s, %s, %s, %s, %s)",  # noqa: S608
            [(key, *values) for key, values in plain_rows.items()],
        )
        cursor.execute(f"VACUUM ANALYZE {FLOOR}")
    fast, plain, floor, whole = [], [], [], []
    try:
        for _ in range(2):  # warm every path
            _fast(filters), _plain(filters), _floor(), attribution_report(filters=filters, group_by="host")
        for _ in range(options.runs):
            fast_rows = _timed(lambda: _fast(filters), fast)
            plain_rows = _timed(lambda: _plain(filters), plain)
            floor_rows = _timed(_floor, floor)
            _timed(lambda: attribution_report(filters=filters, group_by="host"), whole)
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {FLOOR}")
    identical = _same(fast_rows, plain_rows)
    fast_rows = _by_host(fast_rows)
    p50, plain_p50, floor_p50 = (statistics.median(times) for times in (fast, plain, floor))
    details = {
        "orders_in_database": Order.objects.count(),
        "campaign_orders": sum(values[0] for values in fast_rows.values()),
        "rows": len(fast_rows),
        "floor_rows": len(floor_rows),
        "p95": round(sorted(fast)[int(len(fast) * 0.95)], 2),
        "identical_numbers": identical,
        "whole_report_p50_ms": round(statistics.median(whole), 2),
        "runs": options.runs,
    }
    figure = "attribution report sale columns, one campaign by host, from the facts"
    emit(
        figure=figure,
        measured=p50,
        unit="ms (p50)",
        baseline=plain_p50,
        baseline_what="one plain SQL statement of the same columns: orders ⋈ attributions grouped by host",
        target_ratio=0.1,
        better="lower",
        speedup=round(plain_p50 / p50, 1),
        **details,
    )
    emit(
        figure=figure,
        measured=p50,
        unit="ms (p50)",
        baseline=floor_p50,
        baseline_what="SELECT of the same result rows from a table of their own (the floor)",
        target_ratio=3,
        better="lower",
        **details,
    )
    if HISTORY in settings.DATABASES:
        bench_history(options.runs)


if __name__ == "__main__":
    main()
