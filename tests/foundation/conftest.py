import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def migrated_sqlite_file(tmp_path_factory) -> Path:
    """A SQLite file with every migration applied by `manage.py migrate` in a process of its own, made
    once per run: migrating takes seconds, and the tests that start the project in other processes
    each need a database of their own (`sqlite_database_of_its_own` copies this one)."""
    database = tmp_path_factory.mktemp("migrated") / "db.sqlite3"
    env = {
        key: value for key, value in os.environ.items() if key not in {"DATABASE_REPLICA_URL", "REDIS_URL"}
    }
    env.update(DJANGO_SETTINGS_MODULE="backend.settings", DATABASE_URL=f"sqlite:///{database}")
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=300,
    )
    return database


@pytest.fixture(scope="session")
def sqlite_database_of_its_own(migrated_sqlite_file) -> Callable[[Path], Path]:
    """`sqlite_database_of_its_own(folder)`: a migrated SQLite file in `folder`, a copy no other test
    shares, as `manage.py migrate` would have left it there."""

    def copy(folder: Path) -> Path:
        database = folder / "db.sqlite3"
        shutil.copyfile(migrated_sqlite_file, database)
        return database

    return copy
