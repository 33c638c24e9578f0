"""Open an HTML report in headless Chromium: take a screenshot and dump the DOM as parsed.

A helper for ``tests/test_render_html.py`` (not collected as a test itself). Debian's
``chromium`` package provides ``/usr/bin/chromium``; CI installs it with
``apt-get install -y chromium fonts-wqy-zenhei`` (the font, so Chinese does not render as
boxes). Set ``LOGSTAT_SCREENSHOT_DIR`` to keep the screenshots, e.g. as CI artefacts.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser")
TIMEOUT = 120
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def find_chromium() -> str | None:
    """The Chromium executable, or ``None`` when it is not installed."""
    for candidate in CANDIDATES:
        if Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    return shutil.which("chromium")


def _base_args(browser: str, profile: Path) -> list[str]:
    # No network, no background services, a throwaway profile; --no-sandbox because CI runs as root.
    return [
        browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--hide-scrollbars", f"--user-data-dir={profile}",
    ]


def _run(args: list[str]) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(args, capture_output=True, timeout=TIMEOUT, check=False)


def _tail(stderr: bytes) -> str:
    return stderr.decode(errors="replace")[-2000:]


def screenshot(browser: str, page: Path, work: Path, *, size: tuple[int, int] = (1200, 1600)) -> Path:
    """Screenshot ``page`` into ``work/<page stem>.png`` and return the PNG's path."""
    shot = work / f"{page.stem}.png"
    args = _base_args(browser, work / f"profile-shot-{page.stem}")
    args += [f"--screenshot={shot}", f"--window-size={size[0]},{size[1]}", page.resolve().as_uri()]
    result = _run(args)
    if not shot.is_file():
        msg = f"chromium wrote no screenshot (exit {result.returncode}): {_tail(result.stderr)}"
        raise AssertionError(msg)
    keep = os.environ.get("LOGSTAT_SCREENSHOT_DIR")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copy(shot, Path(keep) / shot.name)
    return shot


def dump_dom(browser: str, page: Path, work: Path) -> str:
    """The DOM of ``page`` after Chromium parsed it, serialized as HTML."""
    args = [*_base_args(browser, work / f"profile-dom-{page.stem}"), "--dump-dom", page.resolve().as_uri()]
    result = _run(args)
    if result.returncode != 0 or not result.stdout:
        msg = f"chromium --dump-dom failed (exit {result.returncode}): {_tail(result.stderr)}"
        raise AssertionError(msg)
    return result.stdout.decode("utf-8")


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.tags: set[str] = set()
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        if tag in ("head", "title"):
            self._skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("head", "title"):
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def page_text(dom: str) -> tuple[str, set[str]]:
    """The text a reader sees in ``dom`` (whitespace collapsed) and the element names in it."""
    parser = _Text()
    parser.feed(dom)
    parser.close()
    return " ".join(" ".join(parser.parts).split()), parser.tags
