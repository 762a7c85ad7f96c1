"""README's Performance table, written from `bench/run`'s JSON lines, never by hand.

    bench/run | tee run.jsonl            # or take the file bench/run keeps in bench/results/
    .venv/bin/python bench/readme.py bench/results/<file>.jsonl   # rewrites the table in README.md

The table sits between the two marker comments below, in README.md; everything else is left as it
is. Each figure of the run is one row: what was measured, its baseline of the same run, their
ratio, the target (a ratio to that baseline) and whether it is met, as `bench.figures.emit` printed
them. The run's first line (`--run-line`, printed by bench/run) gives the date, the machine and its
load average at the start; its last line the load average at the end. A line not in the emitter's
shape is listed as such (its script does not print through `emit` yet), never guessed.

The 10M-order build is timed only in a run that builds it (`BENCH_REBUILD=history`, half an hour).
A run that did not, read from `bench/results/`, takes that figure from the latest earlier run there
that did, its row saying which run measured it.
"""

import argparse
import json
import os
import platform
import re
import sys
from datetime import UTC, datetime
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"
START = "<!-- bench/readme.py: the table below is written from bench/run's output; do not edit it by hand -->"
END = "<!-- bench/readme.py: end of the table -->"


def run_line(*, end: bool) -> dict[str, object]:
    load = [round(value, 2) for value in os.getloadavg()]
    return {
        "run": "end" if end else "start",
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}",
        "load_average": load,
    }


def _number(value: object) -> str:
    if not isinstance(value, int | float) or isinstance(value, bool):
        return str(value)
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:,.3g}" if abs(value) < 1 else f"{value:,.2f}"


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def table(lines: list[dict[str, object]]) -> str:
    start = next((line for line in lines if line.get("run") == "start"), None)
    end = next((line for line in lines if line.get("run") == "end"), None)
    out = []
    if start is not None:
        load = f"load average (1, 5, 15 min) {start['load_average']} at the start"
        if end is not None:
            load += f", {end['load_average']} at the end"
        out.append(f"Run of {start['date']} on {start['machine']}; {load}.")
        out.append("")
    out.append("| figure | measured | baseline, same run | ratio | target | met |")
    out.append("| --- | --- | --- | --- | --- | --- |")
    for line in lines:
        if "run" in line or "figure" not in line:
            continue
        figure = _cell(line["figure"])
        if line.get("measured") is False:
            out.append(f"| {figure} | not measured: {_cell(line.get('why', ''))} | | | | |")
            continue
        if not {"measured", "unit", "baseline", "baseline_what", "ratio", "target", "met"} <= line.keys():
            out.append(f"| {figure} | not in the emitter's shape (its script predates `emit`) | | | | |")
            continue
        holds = line.get("holds")
        met = "yes" if line["met"] else "no"
        if isinstance(holds, dict) and not all(holds.values()):
            met += " (fails: " + ", ".join(_cell(name) for name, ok in holds.items() if not ok) + ")"
        out.append(
            f"| {figure} | {_number(line['measured'])} {_cell(line['unit'])} "
            f"| {_cell(line['baseline_what'])}: {_number(line['baseline'])} {_cell(line['unit'])} "
            f"| {_number(line['ratio'])} | {_cell(line['target'])} | {met} |"
        )
    return "\n".join(out)


# The figure `bench/build.py --figure` prints (`programme of 10,000,000 orders built …`).
BUILD_FIGURE = "programme of "


def _is_build(line: dict[str, object]) -> bool:
    return str(line.get("figure", "")).startswith(BUILD_FIGURE)


# bench/run names each run's file by its UTC start (`20261205T152635Z.jsonl`): the names sort in time.
RUN_NAME = re.compile(r"\d{8}T\d{6}Z")


def with_earlier_build(lines: list[dict[str, object]], output: Path) -> list[dict[str, object]]:
    """The run's lines, with the build figure of the latest earlier run kept beside `output` when
    this run has none (after the run's first line, marked with the run that measured it, and its
    machine when another)."""
    if any(_is_build(line) for line in lines) or not RUN_NAME.fullmatch(output.stem):
        return lines
    this_start = next((line for line in lines if line.get("run") == "start"), {})
    for earlier in sorted(output.parent.glob("*.jsonl"), reverse=True):
        if not RUN_NAME.fullmatch(earlier.stem) or earlier.stem >= output.stem:
            continue
        earlier_lines = read_lines(earlier.read_text())
        builds = [line for line in earlier_lines if _is_build(line)]
        if builds:
            start = next((line for line in earlier_lines if line.get("run") == "start"), {})
            when = f"the run of {start.get('date', earlier.stem)}"
            if start.get("machine") != this_start.get("machine"):
                when += f" on {start.get('machine')}"
            carried = [{**line, "figure": f"{line['figure']}, measured in {when}"} for line in builds]
            first = 1 if lines and lines[0].get("run") == "start" else 0
            print(f"the build figure is the one of {earlier}", file=sys.stderr)
            return lines[:first] + carried + lines[first:]
    return lines


def rewrite(readme: str, body: str) -> str:
    pattern = re.compile(re.escape(START) + r"\n.*?\n" + re.escape(END), re.DOTALL)
    if not pattern.search(readme):
        raise SystemExit(
            f"README.md has no table markers: put these two lines where it goes:\n{START}\n{END}"
        )
    return pattern.sub(lambda _: f"{START}\n{body}\n{END}", readme)


def read_lines(text: str) -> list[dict[str, object]]:
    lines = []
    for raw in text.splitlines():
        raw = raw.strip()
        if raw.startswith("{"):
            try:
                value = json.loads(raw)
            except ValueError:
                continue
            if isinstance(value, dict):
                lines.append(value)
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output", nargs="?", help="bench/run's JSON lines (default: standard input)")
    parser.add_argument("--run-line", action="store_true", help="print the line naming this run, and stop")
    parser.add_argument("--end", action="store_true", help="with --run-line: the run's last line")
    parser.add_argument("--readme", default=str(README), help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.run_line:
        print(json.dumps(run_line(end=options.end)), flush=True)
        return
    text = Path(options.output).read_text() if options.output else sys.stdin.read()
    lines = read_lines(text)
    if options.output:
        lines = with_earlier_build(lines, Path(options.output))
    if not any("figure" in line for line in lines):
        raise SystemExit("No figures in that output.")
    path = Path(options.readme)
    path.write_text(rewrite(path.read_text(), table(lines)))


if __name__ == "__main__":
    main()
