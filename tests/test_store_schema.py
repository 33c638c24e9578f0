"""The store's schema: documented tables that other tools read directly, a version, and migrations."""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

import pytest
from helpers import ROOT
from typer.testing import CliRunner, Result

from logstat.cli import app
from logstat.errors import ExitCode
from logstat.store.schema import CREATE, SCHEMA_VERSION

INCIDENTS = ROOT / "sample_logs" / "incidents.log"
V1 = ROOT / "tests" / "store" / "store-v1.sql"


def run(*args: str) -> Result:
    return CliRunner().invoke(app, ["summarize", *args])


def _v1_store(tmp_path: Path) -> Path:
    path = tmp_path / "old.db"
    with sqlite3.connect(path) as conn:
        conn.executescript(V1.read_text(encoding="utf-8"))
    return path


def _version(path: Path) -> int:
    with sqlite3.connect(path) as conn:
        return int(conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0])


def test_an_older_store_is_migrated_when_it_is_read(tmp_path: Path) -> None:
    store = _v1_store(tmp_path)
    assert _version(store) == 1
    result = run("--state", str(store), "-f", "json", "-o", str(tmp_path / "m.prom"), "-o", "-")
    assert result.exit_code == ExitCode.OK, result.stderr
    assert json.loads(result.stdout)["totals"]["parsed"] == 120
    assert _version(store) == SCHEMA_VERSION
    with sqlite3.connect(store) as conn:
        assert conn.execute("SELECT sum(count) FROM totals").fetchone()[0] == 120
        assert conn.execute("SELECT count FROM line_totals WHERE kind = 'parsed'").fetchone()[0] == 120
    assert "logstat_requests_total" in (tmp_path / "m.prom").read_text(encoding="utf-8")


def test_an_older_store_takes_new_lines_after_its_migration(tmp_path: Path) -> None:
    store = _v1_store(tmp_path)
    log = tmp_path / "access.log"
    log.write_text("".join(INCIDENTS.read_text(encoding="utf-8").splitlines(keepends=True)[120:]), encoding="utf-8")
    result = run(str(log), "--state", str(store), "-f", "json")
    assert result.exit_code == ExitCode.OK, result.stderr
    assert json.loads(result.stdout)["totals"]["parsed"] == 411 - 120
    whole = json.loads(run("--state", str(store), "-f", "json").stdout)
    direct = json.loads(run(str(INCIDENTS), "-f", "json").stdout)
    assert whole["totals"] == direct["totals"] and whole["by_code"] == direct["by_code"]


def test_a_store_of_a_newer_logstat_is_refused(tmp_path: Path) -> None:
    store = _v1_store(tmp_path)
    with sqlite3.connect(store) as conn:
        conn.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(SCHEMA_VERSION + 1),))
    result = run("--state", str(store))
    assert result.exit_code == ExitCode.ERROR
    assert f"written by a newer logstat (schema version {SCHEMA_VERSION + 1}" in result.stderr


def test_another_sqlite_database_is_not_taken_for_a_store(tmp_path: Path) -> None:
    other = tmp_path / "app.db"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE users (name TEXT)")
    result = run(str(INCIDENTS), "--state", str(other))
    assert result.exit_code == ExitCode.ERROR and "not a logstat store" in result.stderr
    with sqlite3.connect(other) as conn:
        tables = [row[0] for row in conn.execute("SELECT name FROM sqlite_master")]
    assert tables == ["users"]


def _documented_columns() -> dict[str, list[str]]:
    """The tables and columns docs/store.md lists (``### `table` `` headings and ``| `column` |`` rows)."""
    text = (ROOT / "docs" / "store.md").read_text(encoding="utf-8")
    found: dict[str, list[str]] = {}
    table = None
    for line in text.splitlines():
        heading = re.match(r"^### `(\w+)`", line)
        if heading:
            table = heading[1]
            found[table] = []
        elif table and (row := re.match(r"^\| `(\w+)` \|", line)):
            found[table].append(row[1])
    return found


def test_every_table_and_column_is_documented(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    with sqlite3.connect(path) as conn:
        for statement in CREATE:
            conn.execute(statement)
        actual = {
            name: [column[1] for column in conn.execute(f"PRAGMA table_info({name})")]
            for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        }
    assert _documented_columns() == actual


@pytest.fixture
def filled(tmp_path: Path) -> Path:
    store = tmp_path / "state.db"
    assert run(str(INCIDENTS), "--state", str(store), "-q").exit_code == ExitCode.OK
    return store


def test_the_documented_queries_run_in_sqlite(filled: Path) -> None:
    text = (ROOT / "docs" / "store.md").read_text(encoding="utf-8")
    queries = re.findall(r"```sql\n(.*?)```", text, flags=re.DOTALL)
    assert len(queries) >= 4
    with sqlite3.connect(filled) as conn:
        for query in queries:
            rows = conn.execute(query).fetchall()
            assert rows, query
