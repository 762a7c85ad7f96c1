"""README's performance table is written from one `bench/run` output; the 10M build, timed only in a
run that builds it, comes from the latest earlier run that did, saying which."""

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType
from unittest import mock

import pytest

READMER = Path(__file__).resolve().parents[2] / "bench" / "readme.py"


@pytest.fixture
def readme_writer() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_readme", READMER)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _figure(name: str, measured: float) -> dict[str, object]:
    return {
        "figure": name,
        "measured": measured,
        "unit": "ms",
        "baseline": 10.0,
        "baseline_what": "the baseline",
        "ratio": measured / 10,
        "target": "≤ 2× baseline",
        "met": measured <= 20,
    }


def _run(directory: Path, name: str, date: str, *figures: dict[str, object]) -> Path:
    path = directory / f"{name}.jsonl"
    start = {"run": "start", "date": date, "machine": "x86_64, 2 CPUs", "load_average": [0.1, 0.1, 0.1]}
    path.write_text("\n".join(json.dumps(line) for line in (start, *figures)) + "\n")
    return path


def _table(readme_writer: ModuleType, run: Path, readme: Path) -> str:
    readme.write_text(f"# Soirée\n\n{readme_writer.START}\nthe old table\n{readme_writer.END}\n")
    with mock.patch.object(sys, "argv", ["readme.py", str(run), "--readme", str(readme)]):
        readme_writer.main()
    return readme.read_text()


def test_a_run_without_the_build_takes_it_from_the_latest_earlier_run_that_timed_it(readme_writer, tmp_path):
    # given a run that timed the build, a later one that did not, and a run after them that did
    results = tmp_path / "results"
    results.mkdir()
    build = "programme of 10,000,000 orders built (bench/build.py) in a database of its own"
    _run(results, "20261201T080000Z", "2026-12-01 08:00 UTC", _figure(build, 29.0), _figure("report", 7.0))
    run = _run(results, "20261202T080000Z", "2026-12-02 08:00 UTC", _figure("report", 6.5))
    _run(results, "20261203T080000Z", "2026-12-03 08:00 UTC", _figure(build, 41.0))

    # when README's table is written from the run without it
    table = _table(readme_writer, run, tmp_path / "README.md")

    # then the run's own figure is there, and the build of the run before it, saying so
    assert "Run of 2026-12-02 08:00 UTC" in table
    assert "| report | 6.50 ms |" in table
    assert f"| {build}, measured in the run of 2026-12-01 08:00 UTC | 29.00 ms |" in table
    assert "41.00" not in table and "7.00" not in table


def test_a_run_that_timed_the_build_keeps_its_own(readme_writer, tmp_path):
    build = "programme of 10,000,000 orders built (bench/build.py) in a database of its own"
    _run(tmp_path, "20261201T080000Z", "2026-12-01 08:00 UTC", _figure(build, 29.0))
    run = _run(tmp_path, "20261202T080000Z", "2026-12-02 08:00 UTC", _figure(build, 28.0))

    table = _table(readme_writer, run, tmp_path / "README.md")

    assert f"| {build} | 28.00 ms |" in table and "measured in the run of" not in table


def test_without_an_earlier_build_the_table_has_no_build_row(readme_writer, tmp_path):
    _run(tmp_path, "20261201T080000Z", "2026-12-01 08:00 UTC", _figure("report", 7.0))
    run = _run(tmp_path, "20261202T080000Z", "2026-12-02 08:00 UTC", _figure("report", 6.5))

    table = _table(readme_writer, run, tmp_path / "README.md")

    assert "| report | 6.50 ms |" in table and "programme of" not in table and "7.00" not in table


def test_an_earlier_build_on_another_machine_says_which(readme_writer, tmp_path):
    build = "programme of 10,000,000 orders built (bench/build.py) in a database of its own"
    earlier = _run(tmp_path, "20261201T080000Z", "2026-12-01 08:00 UTC", _figure(build, 29.0))
    earlier.write_text(earlier.read_text().replace("x86_64, 2 CPUs", "aarch64, 4 CPUs"))
    run = _run(tmp_path, "20261202T080000Z", "2026-12-02 08:00 UTC", _figure("report", 6.5))

    table = _table(readme_writer, run, tmp_path / "README.md")

    assert f"| {build}, measured in the run of 2026-12-01 08:00 UTC on aarch64, 4 CPUs | 29.00 ms |" in table
