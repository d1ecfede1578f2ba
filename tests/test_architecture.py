"""The package's layers hold: imports point down, and no module imports itself back.

The layers are import-linter's contract in pyproject.toml ([tool.importlinter]);
docs/architecture.md draws the same list. Both checks are shown to fail on a
package that breaks them, so a green run means something.
"""

from __future__ import annotations

import itertools
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path

import grimp
import pytest

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def _layers() -> list[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    (contract,) = config["tool"]["importlinter"]["contracts"]
    return list(contract["layers"])


def _lint_imports(cwd: Path, pythonpath: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(pythonpath), "NO_COLOR": "1"}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "pyproject.toml"],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_every_import_points_down_the_layers() -> None:
    result = _lint_imports(ROOT, ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 kept, 0 broken" in result.stdout


def test_the_layers_contract_catches_an_import_from_below(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "qiappraise", tmp_path / "qiappraise")
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    errors = tmp_path / "qiappraise" / "base" / "errors.py"
    errors.write_text(
        errors.read_text(encoding="utf-8") + "\n\ndef _up() -> None:\n    from ..cli import app\n",
        encoding="utf-8",
    )
    result = _lint_imports(tmp_path, tmp_path)
    assert result.returncode != 0, result.stdout
    assert "BROKEN" in result.stdout
    assert "qiappraise.base.errors -> qiappraise.cli.app" in result.stdout


def cycles(imports: Mapping[str, Iterable[str]]) -> list[list[str]]:
    """Every group of modules that import one another (Tarjan's strongly connected components)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for other in sorted(imports.get(module, ())):
            if other not in index:
                visit(other)
                low[module] = min(low[module], low[other])
            elif other in on_stack:
                low[module] = min(low[module], index[other])
        if low[module] == index[module]:
            group = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                group.append(top)
                if top == module:
                    break
            if len(group) > 1 or module in imports.get(module, ()):
                found.append(sorted(group))

    for module in sorted(imports):
        if module not in index:
            visit(module)
    return found


def _package_imports() -> dict[str, set[str]]:
    # Every import counts, including those inside functions and under
    # TYPE_CHECKING: a lazy import is still a dependency.
    graph = grimp.build_graph("qiappraise", cache_dir=None)
    return {m: set(graph.find_modules_directly_imported_by(m)) for m in graph.modules}


def test_no_module_imports_itself_back() -> None:
    imports = _package_imports()
    assert len(imports) > 80  # the whole package was read
    assert cycles(imports) == []


@pytest.mark.parametrize(
    ("imports", "expected"),
    [
        ({"a": {"b"}, "b": {"c"}, "c": set()}, []),
        ({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}, [["a", "b", "c"]]),
        ({"a": {"a"}}, [["a"]]),
        ({"a": {"b"}, "b": {"a"}, "c": {"d"}, "d": {"c"}}, [["a", "b"], ["c", "d"]]),
    ],
)
def test_the_cycle_finder_finds_cycles(
    imports: dict[str, set[str]], expected: list[list[str]]
) -> None:
    assert sorted(cycles(imports)) == expected


def test_every_part_is_a_layer_and_a_folder() -> None:
    folders = sorted(
        p.name for p in (ROOT / "qiappraise").iterdir() if p.is_dir() and p.name != "__pycache__"
    )
    missing = [f for f in folders if not (ROOT / "qiappraise" / f / "__init__.py").is_file()]
    assert missing == [], "a folder without __init__.py is not a part import-linter sees"
    named = sorted(part.strip() for layer in _layers() for part in layer.split("|"))
    assert folders == named
    loose = sorted(
        p.name
        for p in (ROOT / "qiappraise").glob("*.py")
        if p.name not in {"__init__.py", "__main__.py"}
    )
    assert loose == [], "a module outside the parts: put it in the package it belongs to"


def test_the_architecture_page_lists_the_layers_in_order() -> None:
    page = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    table = [
        line.split("|")[1].strip().strip("`")
        for line in page.splitlines()
        if line.startswith("| `qiappraise.")
    ]
    expected = [f"qiappraise.{part.strip()}" for layer in _layers() for part in layer.split("|")]
    assert table == expected


def test_the_architecture_path_names_real_functions() -> None:
    # The drawing of a proposal's path names functions as `part.module.function`.
    import importlib

    page = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    drawing = page.split("```text\n", 1)[1].split("```", 1)[0]
    parts = {part.strip() for layer in _layers() for part in layer.split("|")}
    found = re.findall(r"\b([a-z]+\.[a-z_]+(?:\.[a-z_]+)?)\b", drawing)
    names = [n for n in found if n.split(".")[0] in parts and not n.endswith(".yaml")]
    assert len(names) >= 10
    for name in names:
        module, _, attribute = name.rpartition(".")
        try:
            target = importlib.import_module(f"qiappraise.{name}")
        except ModuleNotFoundError:
            target = getattr(importlib.import_module(f"qiappraise.{module}"), attribute)
        assert target is not None, name


def _arrows(page: str) -> set[tuple[str, str]]:
    """The arrows of the Mermaid diagram: `a & b --> c` is a->c and b->c."""
    diagram = page.split("```mermaid\n", 1)[1].split("```", 1)[0]
    arrows = set()
    for line in diagram.splitlines():
        if "-->" not in line:
            continue
        groups = [[n.strip() for n in part.split("&")] for part in line.split("-->")]
        for upper, lower in itertools.pairwise(groups):
            arrows |= {(a, b) for a in upper for b in lower}
    return arrows


def test_the_diagram_draws_the_contract() -> None:
    layers = [[part.strip() for part in layer.split("|")] for layer in _layers()]
    expected = {(a, b) for upper, lower in itertools.pairwise(layers) for a in upper for b in lower}
    page = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    assert _arrows(page) == expected
    assert _arrows("```mermaid\na & b --> c --> d\n```") == {("a", "c"), ("b", "c"), ("c", "d")}
