"""The house keeps its shape: the core imports no infrastructure, nothing points back out.

Every import of every module is read with :mod:`ast` (those inside functions too), so a lazy
import breaks these tests as surely as one at the top of a file.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LAYERS = ("bot", "storage", "adapters")
"""The three rings, innermost first: a module may import its own ring and the ones inside."""

INFRASTRUCTURE = (
    "aiohttp",
    "alembic",
    "apscheduler",
    "discord",
    "fcntl",
    "psycopg",
    "slack_bolt",
    "slack_sdk",
    "sqlalchemy",
)
"""What the core never imports: platforms, the database, the scheduler, the network, files
locks. Each belongs to ``storage/`` or ``adapters/``."""


def modules(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


def imported(path: Path) -> set[str]:
    """Every module ``path`` imports, dotted, wherever in the file the import stands."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return names


def top(name: str) -> str:
    return name.split(".")[0]


def test_the_reading_of_imports_sees_a_lazy_one(tmp_path: Path) -> None:
    module = tmp_path / "lazy.py"
    module.write_text("def f():\n    from storage.database import create_engine\n")
    assert imported(module) == {"storage.database"}


@pytest.mark.parametrize("package", LAYERS)
def test_a_ring_imports_only_itself_and_the_rings_inside_it(package: str) -> None:
    outside = set(LAYERS[LAYERS.index(package) + 1 :])
    wrong = {
        f"{path.relative_to(ROOT)} imports {name}"
        for path in modules(package)
        for name in imported(path)
        if top(name) in outside
    }
    assert not wrong, f"{package}/ reaches outwards: {sorted(wrong)}"


def test_the_core_imports_no_platform_database_scheduler_or_network_library() -> None:
    wrong = {
        f"{path.relative_to(ROOT)} imports {name}"
        for path in modules("bot")
        for name in imported(path)
        if top(name) in INFRASTRUCTURE
    }
    assert not wrong, f"bot/ is not infrastructure-neutral: {sorted(wrong)}"


def test_no_two_modules_of_the_core_or_storage_import_each_other_in_a_loop() -> None:
    """Imports made when a module loads, ``if TYPE_CHECKING:`` ones included: a loop of
    type hints is still two modules that cannot be read one without the other. (A
    function-level import is left out: it is not one that breaks loading.)"""
    graph: dict[str, set[str]] = {}
    for package in ("bot", "storage"):
        for path in modules(package):
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            name = name.removesuffix(".__init__")
            graph[name] = {n for n in _top_level_imports(path) if top(n) in ("bot", "storage")}
    loops = [loop for loop in _cycles(graph) if len(loop) > 1]
    assert not loops, f"import loops: {loops}"


def test_the_reading_of_loading_imports_sees_type_checking_ones_and_not_lazy_ones(
    tmp_path: Path,
) -> None:
    module = tmp_path / "hints.py"
    module.write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from bot.verdicts import verdict\n"
        "def f():\n    from storage.database import create_engine\n"
    )
    assert _top_level_imports(module) == {
        "typing",
        "typing.TYPE_CHECKING",
        "bot.verdicts",
        "bot.verdicts.verdict",
    }


def _top_level_imports(path: Path) -> set[str]:
    """What loading ``path`` imports (or names under ``TYPE_CHECKING``), dotted: every import
    outside a function's body."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    names: set[str] = set()
    for node in _outside_functions(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)  # and each name, in case it is a module (from bot import x)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def _outside_functions(node: ast.AST) -> list[ast.AST]:
    """``node`` and everything under it that does not belong to a function's body."""
    found = [node]
    for child in ast.iter_child_nodes(node):
        if not isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            found += _outside_functions(child)
    return found


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of ``graph`` (Tarjan), each a list of modules."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, ()):
            if target not in graph:
                continue  # a name, not a module
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def _imports_with_names(path: Path) -> set[str]:
    """Every module ``path`` imports, and every ``module.name`` it imports from one."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def test_the_reading_of_imports_sees_a_conftest_imported_by_name(tmp_path: Path) -> None:
    module = tmp_path / "sneaky.py"
    module.write_text("from tests.bot import conftest\n")
    assert "tests.bot.conftest" in _imports_with_names(module)


def test_no_test_or_benchmark_imports_a_conftest() -> None:
    """Shared helpers live in ``tests/support``; a conftest holds fixtures, found by pytest."""
    found = [
        f"{path.relative_to(ROOT)} imports {name}"
        for path in modules("tests") + modules("bench")
        for name in sorted(_imports_with_names(path))
        if name.split(".")[-1] == "conftest" or ".conftest." in name
    ]
    assert found == []


def test_a_conftest_defines_fixtures_not_harnesses() -> None:
    """One conversation harness (``tests.support.conversation``): no conftest grows its own."""
    found = [
        f"{path.relative_to(ROOT)} defines class {node.name}"
        for path in sorted((ROOT / "tests").rglob("conftest.py"))
        for node in ast.parse(path.read_text(encoding="utf-8")).body
        if isinstance(node, ast.ClassDef)
    ]
    assert found == []


def test_benchmarks_use_the_tests_public_support_only() -> None:
    """``bench/`` may build on ``tests.support`` and ``tests.fakes``, nothing private to a test."""
    public = ("tests.support", "tests.fakes")
    found = [
        f"{path.relative_to(ROOT)} imports {name}"
        for path in modules("bench")
        for name in sorted(imported(path))
        if top(name) == "tests" and not name.startswith(public)
    ]
    assert found == []
