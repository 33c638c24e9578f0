"""``logstat codes`` and ``logstat formats``: the registry and the built-in formats, without reading a log."""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from logstat.cli.errors import reporting_errors
from logstat.cli.options import DebugOpt, LangOpt, parse_lang
from logstat.cli.terminal import StdoutConsole, terminal_width
from logstat.errors import UsageError
from logstat.formats.builtins import BUILTIN_FORMATS
from logstat.registry import Lang, StatusCode, load_registry


def _select_codes(selectors: list[str]) -> list[StatusCode]:
    registry = load_registry()
    if not selectors:
        return list(registry.codes.values())
    chosen: dict[str, StatusCode] = {}
    for selector in selectors:
        key = selector.strip().lower()
        if key in registry.codes:
            chosen[key] = registry.codes[key]
            continue
        if len(key) in (1, 3) and key[0] in "12345" and key[1:] in ("", "xx"):
            chosen.update({c: e for c, e in registry.codes.items() if c[0] == key[0]})
            continue
        msg = f"no status code {selector!r} in the registry; try a code like 404 or a class like 4xx"
        raise UsageError(msg)
    return list(chosen.values())


def _code_dict(entry: StatusCode, lang: Lang) -> dict[str, object]:
    text = entry.text[lang]
    return {
        "status": int(entry.code),
        "reason": entry.reason_in(lang),
        "kind": entry.kind,
        "registration": entry.registration,
        "vendor": entry.vendor,
        "spec": entry.spec,
        "meaning": text.meaning,
        "causes": list(text.causes),
        "check": list(text.check),
    }


CODE_SECTIONS: dict[str, dict[Lang, str]] = {
    "causes": {"en": "Likely causes:", "zh": "可能原因："},
    "check": {"en": "What to check:", "zh": "检查什么："},
}
"""Headings of the lists ``logstat codes CODE`` prints."""


def codes(
    selectors: Annotated[
        list[str] | None, typer.Argument(help="Codes (404) or classes (4xx); default: all.", show_default=False)
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", metavar="", help="Print JSON instead of text.")] = False,
    lang: LangOpt = "en",
    debug: DebugOpt = False,
) -> None:
    """Explain status codes: meaning, likely causes, and what to check.

    \b
    Examples:
      logstat codes 499
      logstat codes 5xx --lang zh
      logstat codes --json
    """
    with reporting_errors(debug=debug):
        chosen = parse_lang(lang)
        entries = _select_codes(selectors or [])
        if as_json:
            data = [_code_dict(e, chosen) for e in entries]
            sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
            return
        console = StdoutConsole(highlight=False, markup=False, emoji=False, width=terminal_width())
        detailed = bool(selectors)
        for entry in entries:
            text = entry.text[chosen]
            head = Text(f"{entry.code} {entry.reason_in(chosen)}", style="bold")
            head.append(f"  [{entry.kind}, {entry.spec}]", style="dim")
            console.print(head)
            console.print(Text("  " + text.meaning))
            if detailed:
                for title, items in ((CODE_SECTIONS["causes"], text.causes), (CODE_SECTIONS["check"], text.check)):
                    console.print(Text(f"  {title[chosen]}", style="bold"))
                    for item in items:
                        console.print(Text(f"    - {item}"))
                console.print()


def formats(
    as_json: Annotated[bool, typer.Option("--json", metavar="", help="Print JSON instead of a table.")] = False,
) -> None:
    """List the built-in log formats, each with its definition and an example line.

    \b
    Any other format works too: pass the server's own string with --log-format, e.g.
      --log-format '$remote_addr - $remote_user [$time_local] "$request" $status'
      --log-format '%h %l %u %t "%r" %>s %b'

    Lines behind a syslog, Kubernetes (stdout F) or timestamp prefix are read
    too; the report names the prefix with the format, e.g. 'syslog + combined'.
    """
    with reporting_errors(debug=False):
        if as_json:
            data = [
                {"name": f.name, "description": f.description, "definition": f.definition,
                 "syntax": f.syntax, "fields": list(f.fields), "example": f.example}
                for f in BUILTIN_FORMATS.values()
            ]
            sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
            return
        console = StdoutConsole(highlight=False, markup=False, emoji=False, width=terminal_width())
        for fmt in BUILTIN_FORMATS.values():
            table = Table.grid(padding=(0, 2))
            table.add_column(style="bold", no_wrap=True)
            table.add_column(overflow="fold")
            table.add_row(Text(fmt.name), Text(fmt.description))
            table.add_row(Text("format"), Text(fmt.definition))
            table.add_row(Text("example"), Text(fmt.example))
            console.print(table)
            console.print()
