"""BI export figures on the built programme (`bench/build.py`): every order streamed as CSV, then as
Parquet, through the export's own code (`referrals.exports.orders`), each beside PostgreSQL's plain
`COPY (SELECT …) TO STDOUT` of the same columns measured in the same run (the fastest the database
can hand the rows over, with nothing done to them).

The issue's target is 1M orders in under 60 s with bounded memory; the ratio to the COPY is what
`met` reads (machines vary), and each line also says whether the 60 s were met and how much the
process's resident memory rose while streaming.

    DATABASE_URL=postgres://soiree:soiree@127.0.0.1:5432/soiree_bench .venv/bin/python bench/export.py
"""

import argparse
import os
import resource
import sys
import time
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
os.environ.setdefault("SECRET_KEY", "bench-only-secret-key")
os.environ.setdefault("EMAIL_URL", "locmem://")
os.environ.setdefault("LOG_LEVEL", "ERROR")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from figures import emit  # noqa: E402

from referrals.exports.orders import (  # noqa: E402
    OrderExportFilters,
    csv_chunks,
    export_columns,
    export_query,
    parquet_chunks,
)

TARGET_RATIO = 5.0  # the export may take up to five times the bare COPY of the same columns
TARGET_SECONDS = 60.0
PAGE = os.sysconf("SC_PAGE_SIZE")


def rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * PAGE / 2**20


def copy_seconds() -> tuple[float, int]:
    """The baseline: COPY of the export's own statement to STDOUT, the bytes read and dropped."""
    sql, params = export_query(
        filters=OrderExportFilters(), columns=export_columns(personal_data=False), connection=connection
    )
    started = time.perf_counter()
    size = 0
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL work_mem = '64MB'")
        raw = cursor.cursor  # the driver's cursor: COPY is psycopg's
        with raw.copy(f"COPY ({sql % tuple(params)}) TO STDOUT WITH (FORMAT csv)") as copy:
            for block in copy:
                size += len(block)
    return time.perf_counter() - started, size


def streamed(chunks: Iterable[str | bytes]) -> tuple[float, int, float]:
    """Seconds to stream every chunk, bytes streamed, and the largest rise of resident memory (MB)."""
    before = rss_mb()
    peak = before
    size = 0
    started = time.perf_counter()
    for chunk in chunks:
        size += len(chunk)
        peak = max(peak, rss_mb())
    return time.perf_counter() - started, size, peak - before


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("bench/export.py measures PostgreSQL: set DATABASE_URL=postgres://...")
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM orders_order")
        (orders,) = cursor.fetchone()
    if not orders:
        sys.exit("No programme here: run bench/build.py first.")
    copy_warm, _ = copy_seconds()  # warm the cache for both
    baseline, copy_bytes = copy_seconds()
    everything = OrderExportFilters()
    for name, chunks in (
        ("CSV", csv_chunks(filters=everything, personal_data=False)),
        ("Parquet", parquet_chunks(filters=everything, personal_data=False)),
    ):
        seconds, size, rss_rise = streamed(chunks)
        emit(
            figure=f"BI export of every order as {name}, streamed",
            measured=seconds,
            unit="s",
            baseline=baseline,
            baseline_what="COPY (SELECT …) TO STDOUT of the same columns, read and dropped",
            target_ratio=TARGET_RATIO,
            better="lower",
            orders=orders,
            megabytes=round(size / 2**20, 1),
            copy_megabytes=round(copy_bytes / 2**20, 1),
            target_seconds=TARGET_SECONDS,
            under_target_seconds=seconds < TARGET_SECONDS,
            rss_rise_mb=round(rss_rise, 1),
            peak_rss_mb=round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            load_average=round(os.getloadavg()[0], 1),
        )


if __name__ == "__main__":
    main()
