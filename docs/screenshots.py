"""Make the README's two screenshots of the report on ``sample_logs/incidents.log``.

Usage, from anywhere (needs the package installed and, for the HTML one, Chromium)::

    python docs/screenshots.py

* ``docs/images/terminal.svg``: the terminal report, as ``logstat summarize
  sample_logs/incidents.log`` prints it on a 100-column colour terminal, drawn by the
  project's own table renderer (``logstat.render.table.build_tables``) into a recording rich
  console and saved as SVG.
* ``docs/images/report.png``: the HTML report of the same log, with the chart per minute
  (``logstat summarize sample_logs/incidents.log --by minute -o report.html``), opened in
  headless Chromium with ``tests/browser_check.py``'s ``screenshot()``.

Run it again after a change to what the report shows, and commit the images.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import tempfile
from pathlib import Path

from rich.console import Console
from rich.segment import Segment, Segments
from rich.terminal_theme import MONOKAI
from rich.text import Text

from logstat.render import RenderOptions
from logstat.render.html import render_html
from logstat.render.table import build_tables
from logstat.report import Report, build_report
from logstat.sources import open_inputs

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = "sample_logs/incidents.log"
"""Relative to the repository root, so the report shows the name a user types."""
IMAGES = ROOT / "docs" / "images"
WIDTH = 100
"""Columns of the terminal screenshot."""
TERMINAL_LINES = 75
"""Lines of the terminal screenshot: the first screen of the report (facts, findings, classes, the first codes)."""
PAGE_SIZE = (1200, 2300)
"""Browser window of the HTML screenshot: the top of the page, down to the chart and the code table."""

sys.path.insert(0, str(ROOT / "tests"))
from browser_check import find_chromium, screenshot  # noqa: E402


def _report(spool: Path) -> Report:
    return build_report(open_inputs([SAMPLE], spool_dir=spool), spool_dir=spool)


def _text(line: list[Segment]) -> str:
    return "".join(segment.text for segment in line)


def terminal_svg(report: Report, target: Path, *, lines: int = TERMINAL_LINES) -> None:
    """Save the colour terminal report of ``report`` as an SVG at ``target``: about its first
    ``lines`` lines (cut where a row ends) and a line that says how many more there are;
    all of it with 0."""
    console = Console(
        record=True,
        width=WIDTH,
        file=io.StringIO(),  # recorded, not shown
        force_terminal=True,
        color_system="truecolor",
        legacy_windows=False,
        highlight=False,
        markup=False,
        emoji=False,
        _environ={},
    )
    # The same sequence as logstat.render.table.render_table: each part, then a blank line.
    rendered: list[list[Segment]] = []
    for part in build_tables(report, RenderOptions(color=True, width=WIDTH)).renderables:
        rendered += [*console.render_lines(part, console.options, pad=False), []]
    while rendered and not rendered[-1]:
        rendered.pop()
    keep = min(lines, len(rendered)) if lines else len(rendered)
    while 0 < keep < len(rendered) and _text(rendered[keep]).startswith(" "):
        keep -= 1  # end at a row's last line, not inside a wrapped row
    shown = rendered[:keep]
    console.print(Segments([segment for line in shown for segment in (*line, Segment.line())]), end="")
    if len(shown) < len(rendered):
        console.print(Text(f"… {len(rendered) - len(shown)} more lines", style="dim"))
    console.save_svg(str(target), title=f"logstat summarize {SAMPLE}", theme=MONOKAI)


def report_png(report: Report, target: Path, work: Path) -> None:
    """Write the HTML report of ``report`` (chart per minute) and screenshot it into ``target``."""
    browser = find_chromium()
    if browser is None:
        msg = "Chromium is not installed (looked for /usr/bin/chromium and chromium on PATH)"
        raise SystemExit(msg)
    page = work / "report.html"
    page.write_text(render_html(report, RenderOptions(by="minute")), encoding="utf-8")
    shot = screenshot(browser, page, work, size=PAGE_SIZE)
    target.write_bytes(shot.read_bytes())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=IMAGES, help=f"directory for the images (default {IMAGES})")
    parser.add_argument(
        "--terminal-lines", type=int, default=TERMINAL_LINES, metavar="N",
        help=f"lines of the terminal report in the SVG; 0 for all of it (default {TERMINAL_LINES})",
    )
    args = parser.parse_args(argv)
    out: Path = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    os.chdir(ROOT)
    with tempfile.TemporaryDirectory(prefix="logstat-shots-") as tmp:
        work = Path(tmp)
        report = _report(work)
        terminal_svg(report, out / "terminal.svg", lines=args.terminal_lines)
        report_png(report, out / "report.png", work)
    for name in ("terminal.svg", "report.png"):
        print(f"wrote {out / name} ({(out / name).stat().st_size:,} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
