"""The house's layers: nothing below the services imports them (or anything above them).

rules, policy, query, simulator, wire and db are what services are built from; an import from one of
them up into services, server, jobs, cli or sdk is a loop in the making. Every import statement is
checked, including those inside functions."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import zslite

ROOT = Path(zslite.__file__).parent
LOWER = ("rules", "policy", "query", "simulator", "wire", "db", "context.py", "systags.py", "errors.py",
         "clock.py", "ids.py", "security.py", "config.py")
UPPER = ("zslite.services", "zslite.server", "zslite.jobs", "zslite.cli", "zslite.sdk", "zslite.console")


def _modules():
    for entry in LOWER:
        path = ROOT / entry
        yield from (sorted(path.rglob("*.py")) if path.is_dir() else [path])


def _imports(path: Path):
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.lineno, node.module
            for alias in node.names:
                yield node.lineno, f"{node.module}.{alias.name}"


@pytest.mark.parametrize("path", list(_modules()), ids=lambda p: str(p.relative_to(ROOT)))
def test_lower_layers_never_import_upward(path):
    upward = [f"line {line}: {name}" for line, name in _imports(path)
              if any(name == up or name.startswith(up + ".") for up in UPPER)]
    assert not upward, f"{path.relative_to(ROOT)} imports from a layer above it: {upward}"


def test_the_check_sees_modules():
    assert len(list(_modules())) > 20
