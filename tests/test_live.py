"""``logstat top`` in a real pseudo-terminal: what is on the screen (drawn by a VT100 emulator)
while lines are appended, the file rotated and truncated, keys pressed and the terminal resized;
and ``--plain`` in a pipe."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pexpect
import pyte
import pytest
from helpers import LINE, T0

ROWS, COLS = 50, 120
CODE_ROW = re.compile(r"^(\S+)\s+([0-9,]+)\s+(?:<?[0-9.]+%)\s")


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES", "LOGSTAT_LANG", "NO_COLOR")}
    return env | {"TERM": "xterm-256color", "POLARS_MAX_THREADS": "2"}


class Terminal:
    """``logstat top`` in a pseudo-terminal, its output drawn on an emulated screen."""

    def __init__(self, args: list[str], *, shell: str | None = None, rows: int = ROWS, cols: int = COLS) -> None:
        self.screen = pyte.Screen(cols, rows)
        self.stream = pyte.ByteStream(self.screen)
        self.raw = b""
        command = [sys.executable, "-m", "logstat", "top", *args]
        if shell is None:
            self.child = pexpect.spawn(command[0], command[1:], dimensions=(rows, cols), env=_env())
        else:
            self.child = pexpect.spawn("/bin/sh", ["-c", shell], dimensions=(rows, cols), env=_env())

    def pump(self, seconds: float = 0.2) -> None:
        """Feed what the program wrote in the next ``seconds`` to the screen."""
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            try:
                data = self.child.read_nonblocking(65536, timeout=max(0.01, end - time.monotonic()))
            except pexpect.TIMEOUT:
                continue
            except pexpect.EOF:
                return
            self.raw += data
            self.stream.feed(data)

    def text(self) -> str:
        """The screen as text, one line per row."""
        return "\n".join(line.rstrip() for line in self.screen.display)

    def wait_for(self, check: Callable[[str], bool], what: str, timeout: float = 90.0) -> str:
        """Pump until ``check(screen text)`` holds; fail with the screen when it does not in time."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            self.pump()
            if check(self.text()):
                return self.text()
        pytest.fail(f"the screen never showed {what}:\n{self.text()}")

    def codes(self) -> dict[str, int]:
        """The code table on the screen: code -> count."""
        rows = (CODE_ROW.match(line) for line in self.text().splitlines())
        return {m.group(1): int(m.group(2).replace(",", "")) for m in rows if m}

    def wait_for_codes(self, expected: dict[str, int]) -> None:
        """Wait until the code table shows exactly ``expected``."""
        self.wait_for(lambda _: self.codes() == expected, f"the counts {expected}")

    def exit_status(self, timeout: float = 30.0) -> int | None:
        """Wait for the program to end; its exit status."""
        end = time.monotonic() + timeout
        while self.child.isalive() and time.monotonic() < end:
            self.pump(0.05)
        self.child.close()
        return self.child.exitstatus

    def stop(self) -> None:
        """End the program if a failed test left it running."""
        if self.child.isalive():
            self.child.terminate(force=True)


_sequence = iter(range(1, 10**9))


def numbered_lines(*statuses: int | str) -> str:
    """Log lines with these statuses, each with its own time and path (no two lines alike)."""
    out = []
    for status in statuses:
        n = next(_sequence)
        when = (T0 + timedelta(seconds=n)).strftime("%d/%b/%Y:%H:%M:%S +0000")
        out.append(LINE.format(when=when, status=status).replace("GET /x ", f"GET /page/{n} ") + "\n")
    return "".join(out)


def append(path: Path, text: str) -> None:
    with path.open("a", encoding="utf-8") as out:
        out.write(text)


@pytest.fixture
def log(tmp_path: Path) -> Path:
    path = tmp_path / "access.log"
    path.write_text(numbered_lines(200, 200, 500, 404, 200))  # there before the start: not counted
    return path


@pytest.fixture
def terminals() -> list[Terminal]:
    started: list[Terminal] = []
    yield started
    for terminal in started:
        terminal.stop()


def _start(terminals: list[Terminal], args: list[str], **kwargs: object) -> Terminal:
    terminal = Terminal(args, **kwargs)  # type: ignore[arg-type]
    terminals.append(terminal)
    terminal.wait_for(lambda text: "logstat top ·" in text, "the live view")
    return terminal


def test_counts_on_screen_through_appends_rotation_and_copytruncate(log: Path, terminals: list[Terminal]) -> None:
    term = _start(terminals, [str(log), "--window", "all", "--interval", "0.5"])
    assert "access.log (combined, detected)" in term.text()
    append(log, numbered_lines(*[200] * 6, 404, 404, 404))
    term.wait_for_codes({"200": 6, "404": 3})

    rotated = log.with_name("access.log.1")
    log.rename(rotated)  # logrotate's default: rename, then create
    append(rotated, numbered_lines(502, 502))  # the server writes to the old file until it reopens
    log.write_text(numbered_lines(200, 200, 200, 200, "000"))
    term.wait_for_codes({"200": 10, "404": 3, "502": 2, "000": 1})
    assert re.search(r"access\.log (rotated|created) at", term.text())

    shutil.copyfile(log, log.with_name("access.log.2"))  # copytruncate: copy, then truncate in place
    with log.open("r+") as handle:
        handle.truncate(0)
    append(log, numbered_lines(503, 301, 301))
    term.wait_for_codes({"200": 10, "404": 3, "502": 2, "000": 1, "503": 1, "301": 2})
    assert "access.log truncated at" in term.text()
    assert "Lines in the window: 19 parsed, 0 unparsed, 0 blank" in term.text()

    sent = time.monotonic()
    term.child.send("q")
    assert term.exit_status(timeout=10) == 0
    assert time.monotonic() - sent < 1.0


def test_keys_pause_sort_window_reset_and_help(log: Path, terminals: list[Terminal]) -> None:
    term = _start(terminals, [str(log), "--interval", "0.5"])
    assert "window 5m" in term.text()
    append(log, numbered_lines(200, 404, 404))
    term.wait_for_codes({"200": 1, "404": 2})

    term.child.send("p")
    term.wait_for(lambda text: "PAUSED" in text, "the pause mark")
    append(log, numbered_lines(418))
    term.pump(2.0)
    assert term.codes() == {"200": 1, "404": 2}  # the display holds; reading goes on
    term.child.send("p")
    term.wait_for_codes({"200": 1, "404": 2, "418": 1})
    assert "PAUSED" not in term.text()

    order = [code for code in term.codes()]
    assert order[0] == "404"
    term.child.send("s")
    term.wait_for(lambda text: "sorted by code" in text, "the code sort")
    assert list(term.codes()) == ["200", "404", "418"]

    term.child.send("w")
    term.wait_for(lambda text: "window 15m" in text, "the 15-minute window")
    term.child.send("5")
    term.wait_for(lambda text: "window since start" in text, "the since-start window")
    term.child.send("?")
    term.wait_for(lambda text: "show or hide these keys" in text, "the list of keys")
    term.child.send("?")
    term.child.send("z")
    term.wait_for(lambda text: "No requests in the window yet." in text, "the counts reset")
    append(log, numbered_lines(201))
    term.wait_for_codes({"201": 1})
    term.child.send("q")
    assert term.exit_status() == 0


def test_ctrl_c_exits_130_and_restores_the_terminal(log: Path, terminals: list[Terminal], tmp_path: Path) -> None:
    before, after, status = tmp_path / "before", tmp_path / "after", tmp_path / "status"
    command = " ".join(
        [
            "trap true INT;",  # the shell outlives the Ctrl-C, to read the terminal's state after it
            f"stty -g > '{before}';",
            f"'{sys.executable}' -m logstat top '{log}' --interval 0.5;",
            f"echo $? > '{status}'; stty -g > '{after}'; sleep 5",
        ]
    )
    term = _start(terminals, [], shell=command)
    term.child.sendintr()
    deadline = time.monotonic() + 30
    while not after.exists() and time.monotonic() < deadline:
        term.pump(0.1)
    assert status.read_text().strip() == "130"
    assert after.read_text() == before.read_text()  # cbreak mode and no-echo undone
    assert term.raw.rfind(b"\x1b[?1049l") > term.raw.rfind(b"\x1b[?1049h") >= 0  # alternate screen left
    assert term.raw.rfind(b"\x1b[?25h") > term.raw.rfind(b"\x1b[?25l")  # cursor shown again


def test_standard_input_is_followed_while_keys_come_from_the_terminal(
    tmp_path: Path, terminals: list[Terminal]
) -> None:
    source = tmp_path / "stream.log"
    source.write_text("")
    term = _start(terminals, [], shell=f"tail -n +1 -f '{source}' | '{sys.executable}' -m logstat top - --window all")
    append(source, numbered_lines(200, 200, 503))
    term.wait_for_codes({"200": 2, "503": 1})
    assert "<stdin> (combined, detected)" in term.text()
    term.child.send("q")
    assert term.exit_status() == 0


def test_log_data_stays_inert_on_screen(log: Path, terminals: list[Terminal]) -> None:
    term = _start(terminals, [str(log), "--interval", "0.5"])
    hostile = numbered_lines(404).replace("/page/", "/[bold]x[/]\\x1b[2J/")
    append(log, hostile.replace("\\x1b", "\x1b"))
    term.wait_for_codes({"404": 1})
    assert "top path /[bold]x[/]\\x1b[2J/" in term.text()


def test_chinese_labels(log: Path, terminals: list[Terminal]) -> None:
    term = _start(terminals, [str(log), "--lang", "zh", "--interval", "0.5"])
    append(log, numbered_lines(404))
    term.wait_for(lambda text: "每秒请求" in text and "未找到" in text, "the Chinese labels")


def test_a_resize_lays_the_view_out_again(log: Path, terminals: list[Terminal]) -> None:
    term = _start(terminals, [str(log), "--interval", "0.5"])
    append(log, numbered_lines(*[200] * 3, 502))
    term.wait_for_codes({"200": 3, "502": 1})
    term.screen.resize(24, 70)
    term.child.setwinsize(24, 70)
    text = term.wait_for(lambda text: "q quit" in text and "Bad Gateway" in text, "the view at 70 columns")
    assert all(len(line) <= 70 for line in text.splitlines())
    assert term.codes() == {"200": 3, "502": 1}


def _run(args: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "logstat", "top", *args]
    return subprocess.run(command, capture_output=True, text=True, env=_env(), timeout=120, check=False, **kwargs)  # type: ignore[call-overload]


PLAIN = re.compile(
    r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ requests=(\d+) 1xx=(\d+) 2xx=(\d+) 3xx=(\d+) 4xx=(\d+) 5xx=(\d+) "
    r"other=(\d+) unparsed=(\d+) top_error=(\S+)$"
)


def test_plain_prints_one_line_per_interval_and_ends_with_its_input() -> None:
    text = numbered_lines(200, 200, 301, 404, 404, 404, 502) + "junk\n"
    result = _run(["-", "--plain", "--interval", "0.2"], input=text)
    assert result.returncode == 0, result.stderr
    rows = [PLAIN.match(line) for line in result.stdout.splitlines()]
    assert rows and all(rows), result.stdout
    total = [sum(int(m.group(i)) for m in rows if m) for i in range(1, 9)]
    assert total == [7, 0, 2, 1, 3, 1, 0, 1]
    assert any(m.group(9) == "404:3" for m in rows if m)


def test_plain_follows_a_file(log: Path) -> None:
    child = subprocess.Popen(
        [sys.executable, "-m", "logstat", "top", str(log), "--plain", "--interval", "0.3"],
        stdout=subprocess.PIPE, text=True, env=_env(),
    )
    try:
        assert child.stdout is not None
        first = child.stdout.readline()  # one line per interval, from the first one on
        assert PLAIN.match(first.strip()) and " requests=0 " in first
        append(log, numbered_lines(200, 504))
        seen = 0
        deadline = time.monotonic() + 60
        while seen < 2 and time.monotonic() < deadline:
            match = PLAIN.match(child.stdout.readline().strip())
            assert match
            seen += int(match.group(1))
        assert seen == 2
    finally:
        child.kill()
        child.wait()
        if child.stdout is not None:
            child.stdout.close()


def test_without_a_terminal_it_suggests_plain(log: Path) -> None:
    result = _run([str(log)])
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "--plain" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--window", "5x"], "--window must be"),
        (["--interval", "0"], "--interval"),
        (["missing.log", "--plain"], "no such file"),
    ],
)
def test_bad_usage_is_one_line(log: Path, args: list[str], message: str) -> None:
    result = _run([str(log), *args] if args[0].startswith("-") else args)
    assert result.returncode in (1, 2)
    assert message in result.stderr
