"""Report figure of SPEC §12 on the built programme (`bench/build.py`), one JSON line:

the attribution report of one campaign grouped by host (every column: sales from the rollup,
guests, clicks, kit cost, rewards), p50 over repeated runs — target ≤ 100 ms — beside the same
report whose sales columns come from the plain GROUP BY over orders ⋈ attributions, measured in
the same run, interleaved; and whether both give identical numbers.

    DATABASE_URL=postgres://soiree:soiree@127.0.0.1:5432/soiree_bench .venv/bin/python bench/report.py [--runs 21]
"""

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
os.environ.setdefault("SECRET_KEY", "bench-only-secret-key")
os.environ.setdefault("EMAIL_URL", "locmem://")
os.environ.setdefault("LOG_LEVEL", "ERROR")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402

from ambassadors.models import Campaign  # noqa: E402
from orders.models import Order  # noqa: E402
from referrals.reports.csv import row_values  # noqa: E402
from referrals.reports.filters import ReportFilters  # noqa: E402
from referrals.reports.query import attribution_report  # noqa: E402


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
    fast, plain = [], []
    for _ in range(2):  # warm both paths
        attribution_report(filters=filters, group_by="host")
        attribution_report(filters=filters, group_by="host", from_orders=True)
    for _ in range(options.runs):
        started = time.perf_counter()
        report = attribution_report(filters=filters, group_by="host")
        fast.append(time.perf_counter() - started)
        started = time.perf_counter()
        baseline = attribution_report(filters=filters, group_by="host", from_orders=True)
        plain.append(time.perf_counter() - started)
    identical = [row_values(r) for r in report.rows] == [row_values(r) for r in baseline.rows] and row_values(
        report.totals
    ) == row_values(baseline.totals)
    p50, plain_p50 = statistics.median(fast) * 1000, statistics.median(plain) * 1000
    print(
        json.dumps(
            {
                "figure": "attribution report, one campaign, grouped by host",
                "orders_in_database": Order.objects.count(),
                "campaign_orders": report.totals.orders,
                "rows": len(report.rows),
                "value": round(p50, 1),
                "unit": "ms (p50)",
                "p95": round(sorted(fast)[int(len(fast) * 0.95)] * 1000, 1),
                "target": "<= 100 and >= 2x faster than the plain GROUP BY",
                "speedup": round(plain_p50 / p50, 2),
                "identical_numbers": identical,
                "met": p50 <= 100 and plain_p50 / p50 >= 2 and identical,
                "baseline": {
                    "what": "same report, sales from the plain GROUP BY over orders joined to attributions",
                    "value": round(plain_p50, 1),
                    "unit": "ms (p50)",
                },
            }
        ),
        flush=True,
    )


if __name__ == "__main__":
    main()
