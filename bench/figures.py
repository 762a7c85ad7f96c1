"""One JSON line per figure: the measurement beside its baseline of the same run, and `met` computed from their ratio.

Machines differ two-fold from day to day, so a target is a ratio to a baseline measured in the same run,
never an absolute figure; the one exception, the 10M build's 30 minutes (`bench/build.py --figure`),
says so in its `baseline_what`. Every benchmark prints its figures through `emit`, and the README's table is
regenerated from these lines.
"""

import json
from typing import Literal


def emit(
    *,
    figure: str,
    measured: float,
    unit: str,
    baseline: float,
    baseline_what: str,
    target_ratio: float,
    better: Literal["lower", "higher"],
    holds: dict[str, bool] | None = None,
    **details: object,
) -> dict[str, object]:
    """Print the figure as one JSON line and return it.

    `ratio` is measured / baseline. With `better="lower"` (a time) the target is met when the ratio is at
    most `target_ratio`; with `better="higher"` (a rate) when it is at least `target_ratio`. `holds`
    names conditions the figure also needs (the same query count, a run that lost nothing): each must
    be true for `met`, and they are printed with the line.
    """
    ratio = measured / baseline if baseline else float("inf")
    met = ratio <= target_ratio if better == "lower" else ratio >= target_ratio
    if holds:
        met = met and all(holds.values())
        details = {"holds": holds, **details}
    line: dict[str, object] = {
        "figure": figure,
        "measured": round(measured, 3),
        "unit": unit,
        "baseline": round(baseline, 3),
        "baseline_what": baseline_what,
        "ratio": round(ratio, 3),
        "target": f"{'≤' if better == 'lower' else '≥'} {target_ratio:g}× baseline",
        "met": met,
        **details,
    }
    print(json.dumps(line, ensure_ascii=False), flush=True)
    return line
