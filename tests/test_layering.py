"""The package arrows point one way: assistant uses the rest; index and rules use knowledge; knowledge uses none."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
ALLOWED = {
    "knowledge": {"knowledge"},
    "index": {"index", "knowledge"},
    "rules": {"rules", "knowledge"},
    "assistant": {"assistant", "knowledge", "index", "rules"},
}


def _project_imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found & set(ALLOWED)


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_package_imports_only_what_it_may(package):
    wrong = {
        f"{path.relative_to(ROOT)} imports {sorted(_project_imports(path) - ALLOWED[package])}"
        for path in (ROOT / package).rglob("*.py")
        if _project_imports(path) - ALLOWED[package]
    }
    assert not wrong, sorted(wrong)
