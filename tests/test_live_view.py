"""The live view's pure parts: the screen of a known window, the --plain line, the options."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from helpers import LINE, T0
from rich.console import Console

from logstat.cli.top import parse_window
from logstat.errors import UsageError
from logstat.formats import BUILTIN_FORMATS
from logstat.live.session import WINDOWS, window_choices
from logstat.live.view import Screen, change, plain_line, render, top_error
from logstat.live.window import View
from logstat.report import build
from logstat.sources import Input
from logstat.tally.count import count_input

NOW = datetime(2026, 10, 10, 12, 0, 1, tzinfo=UTC)


def _screen(tmp_path: Path, statuses: list[int], **fields: object) -> Screen:
    when = T0.strftime("%d/%b/%Y:%H:%M:%S +0000")
    path = tmp_path / "a.log"
    path.write_text("".join(LINE.format(when=when, status=s) + "\n" for s in statuses), encoding="utf-8")
    tally = count_input(Input("a.log", path), BUILTIN_FORMATS["combined"])
    points = ((0, 5, 0, 3, 2, 0), *((0,) * 6 for _ in range(9)))  # 10 requests in 10 s
    view = View(tally, 10, points, (1,) * 10)
    values = {
        "now": NOW, "lang": "en", "window_name": "5m", "interval": 1.0, "view": view,
        "report": build(tally, now=NOW), "last": (0, 1, 0, 0, 1, 0),
    } | fields
    return Screen(**values)  # type: ignore[arg-type]


def _text(screen: Screen) -> str:
    console = Console(width=screen.width, height=screen.height, record=True, color_system=None, file=io.StringIO())
    console.print(render(screen))
    return console.export_text()


def _code_rows(text: str) -> list[str]:
    return [line for line in text.splitlines() if re.match(r"[0-9]{3} +[0-9]", line)]


def test_the_screen_shows_rates_codes_changes_and_meanings(tmp_path: Path) -> None:
    screen = _screen(tmp_path, [200] * 5 + [404] * 3 + [502] * 2, previous={"200": 1.0, "404": 0.3})
    text = _text(screen)
    assert "window 5m (10 s)" in text
    rates = {line.split()[0]: line.split()[1:3] for line in text.splitlines()[2:6]}
    assert rates["all"] == ["2.0", "1.0"]  # now (2 requests in the last second), over the window (10 in 10 s)
    assert rates["4xx"] == ["0.00", "0.30"]
    rows = {line.split()[0]: line.split() for line in _code_rows(text)}
    assert rows["200"][1:5] == ["5", "50.0%", "0.50", "-50%"]
    assert rows["404"][1:5] == ["3", "30.0%", "0.30", "+0%"]
    assert rows["502"][1:5] == ["2", "20.0%", "0.20", "new"]
    assert "Not Found: The server has no current repres…" in text  # one line, cut to the width
    assert all(len(line) <= 80 for line in text.splitlines())


def test_sorting_by_change_puts_new_codes_first(tmp_path: Path) -> None:
    text = _text(_screen(tmp_path, [200] * 5 + [502] * 2, previous={"200": 0.1}, sort="change"))
    codes = [line.split()[0] for line in _code_rows(text)]
    assert codes == ["502", "200"] and "sorted by change" in text


def test_the_screen_fits_a_small_terminal(tmp_path: Path) -> None:
    statuses = [200, 201, 204, 301, 302, 304, 400, 401, 403, 404, 405, 408, 429, 499, 500, 502, 503, 504]
    text = _text(_screen(tmp_path, statuses, width=60, height=20))
    lines = text.rstrip("\n").splitlines()
    assert len(lines) <= 20 and all(len(line) <= 60 for line in lines)
    assert lines[-1].startswith("q quit")


def test_keys_list_names_the_windows(tmp_path: Path) -> None:
    windows = tuple(name for name, _ in window_choices("10m", 600.0))
    text = _text(_screen(tmp_path, [200], show_keys=True, windows=windows))
    assert "1-6" in text and "window 1m, 5m, 10m, 15m, 1h, since start" in text


def test_plain_line() -> None:
    assert plain_line(NOW, (0, 700, 50, 60, 2, 0), 3, ("404", 41)) == (
        "2026-10-10T12:00:01Z requests=812 1xx=0 2xx=700 3xx=50 4xx=60 5xx=2 other=0 unparsed=3 top_error=404:41"
    )
    assert plain_line(NOW, (0,) * 6, 0, None).endswith("top_error=-")
    assert top_error([("200", 9), ("304", 5), ("503", 2), ("404", 1)]) == ("503", 2)


@pytest.mark.parametrize(
    ("now", "before", "shown"),
    [(2.0, 1.0, "+100%"), (0.5, 1.0, "-50%"), (1.0, 0.0, "new"), (0.0, 0.0, "-"), (1.0, None, "-")],
)
def test_change(now: float, before: float | None, shown: str) -> None:
    assert change(now, before) == shown


def test_window_options() -> None:
    assert parse_window("5m") == ("5m", 300.0)
    assert parse_window("90s") == ("90s", 90.0)
    assert parse_window("all") == ("since start", None)
    for bad in ("5", "0m", "5x", "-1m"):
        with pytest.raises(UsageError, match="--window"):
            parse_window(bad)
    assert window_choices("5m", 300.0) == WINDOWS
    assert [name for name, _ in window_choices("2h", 7200.0)] == ["1m", "5m", "15m", "1h", "2h", "since start"]
