"""Commands that read no log start without importing polars (it takes most of the start-up time)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

PROBE = """
import sys
from typer.testing import CliRunner
from logstat.cli import app
result = CliRunner().invoke(app, sys.argv[1:])
assert result.exit_code == 0, result.output
print("polars" in sys.modules)
"""


COMMANDS = [["--version"], ["--help"], ["codes", "404"], ["codes", "--json"], ["formats"], ["summarize", "--help"]]


def _probe(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True, check=False)


@pytest.mark.parametrize("args", COMMANDS)
def test_no_polars_for_commands_that_read_no_log(args: list[str]) -> None:
    result = _probe(*args)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def test_the_probe_sees_polars_when_a_log_is_read(tmp_path: Path) -> None:
    log = tmp_path / "a.log"
    log.write_text('1.2.3.4 - - [10/Oct/2026:13:55:36 +0000] "GET / HTTP/1.1" 200 5 "-" "ua"\n', encoding="utf-8")
    result = _probe("summarize", str(log))
    assert result.stdout.strip().splitlines()[-1] == "True"
