"""Every third-party module the package imports is a declared dependency.

A module imported by the code but installed on the developer's machine by hand works there
and fails on a user's fresh machine; this test makes that a failure here instead.
"""

from __future__ import annotations

import ast
import importlib
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "logstat"
MODULES = sorted(PACKAGE.rglob("*.py"))
IMPORTABLE = [p for p in MODULES if p.name != "__main__.py"]  # importing __main__ runs the command line

OPTIONAL: dict[str, str] = {"dask": "cluster", "distributed": "cluster"}
"""Top-level imports that belong to an optional extra, and the extra that declares them."""


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imported_top_levels(path: Path) -> set[str]:
    """Top-level names of every absolute import in ``path``, also inside functions."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def _requirement_name(requirement: str) -> str:
    return re.split(r"[\s\[<>=!~;]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def _declared() -> tuple[set[str], dict[str, set[str]]]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    runtime = {_requirement_name(r) for r in project["dependencies"]}
    extras = {name: {_requirement_name(r) for r in reqs} for name, reqs in project["optional-dependencies"].items()}
    return runtime, extras


@pytest.mark.parametrize("path", IMPORTABLE, ids=[_module_name(p) for p in IMPORTABLE])
def test_every_module_imports(path: Path) -> None:
    importlib.import_module(_module_name(path))


def test_every_third_party_import_is_declared() -> None:
    runtime, extras = _declared()
    distributions = packages_distributions()
    undeclared = []
    for path in MODULES:
        for top in sorted(_imported_top_levels(path)):
            if top in sys.stdlib_module_names or top in ("logstat", "__future__"):
                continue
            names = {d.lower().replace("_", "-") for d in distributions.get(top, [top])}
            declared = extras.get(OPTIONAL[top], set()) if top in OPTIONAL else runtime
            if not names & declared:
                undeclared.append(f"{path.relative_to(ROOT)} imports {top} ({', '.join(sorted(names))})")
    assert not undeclared, "undeclared imports: " + "; ".join(undeclared)


def test_the_check_sees_an_undeclared_import(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("def f():\n    import zstandard\n    from polars import col\n", encoding="utf-8")
    assert _imported_top_levels(module) == {"zstandard", "polars"}
