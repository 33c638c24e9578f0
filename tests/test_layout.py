"""The package's layout: imports point one way along the data flow, and modules stay small.

The flow is sources → formats → parse → tally → report → render → cli (docs/design.md);
no module may import one from a later stage, and there is no import cycle between modules.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "logstat"

STAGES = (
    ("logstat.errors", "logstat.text", "logstat.registry", "logstat.timewindow", "logstat.periods"),
    ("logstat.sources",),
    ("logstat.formats",),
    ("logstat.parse",),
    ("logstat.tally",),
    ("logstat.store",),
    ("logstat.report",),
    ("logstat.render",),
    ("logstat.live", "logstat.cluster", "logstat.export"),
    ("logstat.cli",),
    ("logstat.launch", "logstat.__main__"),
)
"""Stages of the flow, earliest first; modules of a stage may import each other."""

MOST_LINES = 420
"""About 400 lines: a module that grows past this has more than one job."""


def _name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _stage(module: str) -> int:
    for index, names in enumerate(STAGES):
        if any(module == n or module.startswith(n + ".") for n in names):
            return index
    raise AssertionError(f"{module} belongs to no stage; add it to STAGES")  # noqa: EM102


def _imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("logstat"):
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name.startswith("logstat")}
    return found - {"logstat"}


MODULES = {_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}
GRAPH = {name: _imports(path) - {name} for name, path in MODULES.items()}


@pytest.mark.parametrize("module", sorted(GRAPH))
def test_imports_point_one_way(module: str) -> None:
    upward = sorted(d for d in GRAPH[module] if d in MODULES and _stage(d) > _stage(module))
    assert not upward, f"{module} imports a later stage: {upward}"


def test_no_import_cycle() -> None:
    done: set[str] = set()

    def visit(module: str, path: list[str]) -> None:
        if module in path:
            cycle = [*path[path.index(module) :], module]
            raise AssertionError("import cycle: " + " -> ".join(cycle))
        if module in done or module not in GRAPH:
            return
        for dependency in sorted(GRAPH[module]):
            visit(dependency, [*path, module])
        done.add(module)

    for module in sorted(GRAPH):
        visit(module, [])


@pytest.mark.parametrize("module", sorted(MODULES))
def test_modules_stay_small(module: str) -> None:
    lines = len(MODULES[module].read_text(encoding="utf-8").splitlines())
    assert lines <= MOST_LINES, f"{module} has {lines} lines; split it by job"


def test_the_check_sees_an_upward_import() -> None:
    assert _stage("logstat.render.table") > _stage("logstat.report.model") > _stage("logstat.tally.model")
