"""Imports go one way: each module imports only what the README's layout table allows it, and
only modules that stand above it there."""

from __future__ import annotations

import ast
import re

from conftest import ROOT

ROW = re.compile(r"^\| `feeds/(?P<module>\w+)\.py` \|.*\|\s*(?P<allowed>[^|]*?)\s*\|$")


def layout_table() -> dict[str, set[str]]:
    section = (ROOT / "README.md").read_text(encoding="utf-8").split("## Layout of the code", 1)[1]
    rows = [ROW.match(line) for line in section.splitlines()]
    return {row["module"]: set(re.findall(r"`(\w+)`", row["allowed"])) for row in rows if row}


def imports_of(module: str) -> set[str]:
    tree = ast.parse((ROOT / "feeds" / f"{module}.py").read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "feeds":
            found |= {alias.name for alias in node.names if alias.name != "__version__"}
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("feeds."):
            found.add(node.module.split(".")[1])
        elif isinstance(node, ast.Import):
            found |= {alias.name.split(".")[1] for alias in node.names if alias.name.startswith("feeds.")}
    return found


def test_every_module_is_in_the_table() -> None:
    modules = {path.stem for path in (ROOT / "feeds").glob("*.py")} - {"__init__", "__main__"}
    assert set(layout_table()) == modules


def test_no_module_imports_against_the_direction_of_the_table() -> None:
    table = layout_table()
    order = list(table)
    for module, allowed in table.items():
        assert imports_of(module) <= allowed, (module, imports_of(module) - allowed)
        assert all(order.index(other) < order.index(module) for other in allowed), (module, allowed)


def test_every_module_has_its_test_file() -> None:
    modules = {path.stem for path in (ROOT / "feeds").glob("*.py")} - {"__init__", "__main__"}
    assert {module for module in modules if not (ROOT / "tests" / f"test_{module}.py").exists()} == set()
