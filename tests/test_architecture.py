"""The shape of the code, checked from source alone (no imports, no models): fast enough for every run.

* Dependencies between top-level packages go one way: `cli → ui → rag ← ingest`, `evals → rag` (and
  ingest); nobody imports bench/, and there is no cycle. Every import counts, including the ones inside
  functions and `if TYPE_CHECKING:` blocks, and `importlib.import_module("...")` with a literal name.
* Size limits: no product module over 450 lines, no product function over 80 lines, no bench/ or tests/
  function over 150 lines. Offenders are named in the failure message.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Which top-level packages each one may import. bench/ may import anything, and nothing imports it.
ALLOWED: dict[str, frozenset[str]] = {
    "rag": frozenset(),
    "ingest": frozenset({"rag"}),
    "ui": frozenset({"rag", "ingest"}),
    "evals": frozenset({"rag", "ingest"}),
    "cli": frozenset({"ui", "rag", "ingest", "evals"}),
}
CHECKED = tuple(ALLOWED)  # the packages whose imports are walked
TOP_LEVEL = frozenset({*CHECKED, "bench"})

PRODUCT = ("ingest", "rag", "ui", "cli")
MAX_MODULE_LINES = 450
MAX_FUNCTION_LINES = 80
MAX_HELPER_LINES = 150  # bench/ and tests/


@dataclass(frozen=True)
class Edge:
    src: str  # top-level package of the importing file
    dst: str  # top-level package imported
    where: str  # path:line
    module: str  # the dotted module named by the import

    def __str__(self) -> str:
        return f"{self.where}: {self.src} → {self.dst} ({self.module})"


# -- the import walk -----------------------------------------------------------------------------------------
def module_of(path: Path, root: Path) -> list[str]:
    parts = list(path.relative_to(root).with_suffix("").parts)
    return parts[:-1] if parts[-1] == "__init__" else parts


def imported_modules(path: Path, root: Path) -> Iterator[tuple[int, str]]:
    """(line, dotted module) for every import anywhere in the file, relative ones resolved."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    here = module_of(path, root)
    package = here if path.name == "__init__.py" else here[:-1]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                if node.level > len(package):
                    raise AssertionError(f"{path}:{node.lineno}: relative import beyond the top level")
                base = package[: len(package) - node.level + 1]
                yield node.lineno, ".".join([*base, *([node.module] if node.module else [])])
            elif node.module:
                yield node.lineno, node.module
        elif isinstance(node, ast.Call) and _is_dynamic_import(node.func) and node.args:
            first = node.args[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                yield node.lineno, first.value


def _is_dynamic_import(func: ast.expr) -> bool:
    name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
    return name in {"import_module", "__import__"}


def collect_edges(root: Path, packages: Iterable[str] = CHECKED) -> list[Edge]:
    """Every import from one top-level package into another, over all .py files of `packages`."""
    edges = []
    for pkg in packages:
        for path in sorted((root / pkg).rglob("*.py")):
            for line, module in imported_modules(path, root):
                dst = module.split(".")[0]
                if dst in TOP_LEVEL and dst != pkg:
                    edges.append(Edge(pkg, dst, f"{path.relative_to(root)}:{line}", module))
    return edges


# -- the checks (pure functions of an edge list, so that they can be tested on made-up graphs) ---------------
def forbidden_edges(edges: Iterable[Edge], allowed: Mapping[str, frozenset[str]] = ALLOWED) -> list[Edge]:
    return [e for e in edges if e.src in allowed and e.dst not in allowed[e.src]]


def package_cycles(edges: Iterable[Edge]) -> list[list[str]]:
    """Strongly connected components of more than one package (Tarjan), each sorted; [] when acyclic."""
    graph: dict[str, set[str]] = {}
    for e in edges:
        if e.src != e.dst:
            graph.setdefault(e.src, set()).add(e.dst)
            graph.setdefault(e.dst, set())
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                components.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(components)


def describe_cycles(edges: list[Edge]) -> str:
    lines = []
    for component in package_cycles(edges):
        lines.append(" ↔ ".join(component) + ":")
        lines += [f"  {e}" for e in edges if e.src in component and e.dst in component]
    return "\n".join(lines)


# -- today's tree --------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def edges() -> list[Edge]:
    return collect_edges(ROOT)


def test_the_walk_sees_the_tree(edges: list[Edge]) -> None:
    """Guards against a vacuous pass (a wrong root, an empty walk): known edges are found."""
    pairs = {(e.src, e.dst) for e in edges}
    assert {("ui", "rag"), ("ingest", "rag"), ("cli", "ui"), ("evals", "rag")} <= pairs, sorted(pairs)


def test_no_forbidden_dependency(edges: list[Edge]) -> None:
    bad = forbidden_edges(edges)
    rules = "; ".join(f"{k} → {{{', '.join(sorted(v))}}}" for k, v in ALLOWED.items())
    assert not bad, f"imports against the dependency picture ({rules}):\n" + "\n".join(map(str, bad))


def test_no_cycle_between_top_level_packages(edges: list[Edge]) -> None:
    assert not package_cycles(edges), "cycles between top-level packages:\n" + describe_cycles(edges)


def test_the_allowed_picture_itself_is_acyclic() -> None:
    allowed = [Edge(src, dst, "ALLOWED", dst) for src, dsts in ALLOWED.items() for dst in dsts]
    assert package_cycles(allowed) == []


# -- the checker fails when it should ------------------------------------------------------------------------
def synthetic(*pairs: str) -> list[Edge]:
    return [Edge(*p.split("->"), where=f"fake.py:{i}", module=p.split("->")[1]) for i, p in enumerate(pairs)]


def test_checker_reports_a_forbidden_edge() -> None:
    graph = synthetic("ui->rag", "rag->ui", "ingest->rag", "ui->evals", "evals->rag", "cli->bench")
    assert [(e.src, e.dst) for e in forbidden_edges(graph)] == [
        ("rag", "ui"),
        ("ui", "evals"),
        ("cli", "bench"),
    ]
    assert (
        forbidden_edges(synthetic("cli->ui", "ui->rag", "ui->ingest", "ingest->rag", "evals->ingest")) == []
    )


def test_checker_reports_a_cycle() -> None:
    assert package_cycles(synthetic("cli->ui", "ui->rag", "ingest->rag", "evals->rag")) == []
    assert package_cycles(synthetic("ui->rag", "rag->ui")) == [["rag", "ui"]]
    # A longer loop, beside an unrelated acyclic part: only the loop is reported.
    long_loop = synthetic("cli->ui", "ui->ingest", "ingest->rag", "rag->ui", "evals->rag")
    assert package_cycles(long_loop) == [["ingest", "rag", "ui"]]
    assert "rag → ui" in describe_cycles(long_loop)


def test_walk_finds_imports_hidden_in_functions_and_type_checking(tmp_path: Path) -> None:
    (tmp_path / "rag" / "sub").mkdir(parents=True)
    (tmp_path / "ui").mkdir()
    (tmp_path / "rag" / "__init__.py").write_text("")
    (tmp_path / "rag" / "sub" / "__init__.py").write_text("from .. import sub\n")
    (tmp_path / "rag" / "sub" / "mod.py").write_text(
        "from typing import TYPE_CHECKING\n"
        "from . import sibling\n"
        "if TYPE_CHECKING:\n"
        "    from ui.app import App\n"
        "def f():\n"
        "    import evals.runner\n"
        "    import importlib\n"
        "    return importlib.import_module('bench.run')\n"
    )
    (tmp_path / "ui" / "app.py").write_text("import rag.chain\n")
    found = collect_edges(tmp_path, ["rag", "ui"])
    assert [str(e) for e in found] == [
        "rag/sub/mod.py:4: rag → ui (ui.app)",
        "rag/sub/mod.py:6: rag → evals (evals.runner)",
        "rag/sub/mod.py:8: rag → bench (bench.run)",
        "ui/app.py:1: ui → rag (rag.chain)",
    ]
    assert [(e.src, e.dst) for e in forbidden_edges(found)] == [
        ("rag", "ui"),
        ("rag", "evals"),
        ("rag", "bench"),
    ]
    assert package_cycles(found) == [["rag", "ui"]]


# -- sizes ---------------------------------------------------------------------------------------------------
def python_files(*packages: str) -> list[Path]:
    return [p for pkg in packages for p in sorted((ROOT / pkg).rglob("*.py"))]


def functions(tree: ast.AST, prefix: str = "") -> Iterator[tuple[str, int, int]]:
    """(qualified name, first line, length in lines) of every function and method, nested ones too."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            name = f"{prefix}{node.name}"
            yield name, node.lineno, (node.end_lineno or node.lineno) - node.lineno + 1
            yield from functions(node, f"{name}.")
        elif isinstance(node, ast.ClassDef):
            yield from functions(node, f"{prefix}{node.name}.")
        else:
            yield from functions(node, prefix)


def long_functions(paths: Iterable[Path], limit: int) -> list[str]:
    out = []
    for path in paths:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for name, line, length in functions(tree):
            if length > limit:
                out.append(f"{path.relative_to(ROOT)}:{line} {name} ({length} lines)")
    return out


def test_functions_finds_nested_and_methods() -> None:
    tree = ast.parse(
        "class A:\n    def m(self):\n        def inner():\n            pass\n\n\nasync def g():\n    pass\n"
    )
    assert list(functions(tree)) == [("A.m", 2, 3), ("A.m.inner", 3, 2), ("g", 7, 2)]


def test_product_modules_are_at_most_450_lines() -> None:
    big = [
        f"{p.relative_to(ROOT)} ({n} lines)"
        for p in python_files(*PRODUCT)
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    ]
    assert not big, f"modules over {MAX_MODULE_LINES} lines:\n" + "\n".join(big)


def test_product_functions_are_at_most_80_lines() -> None:
    long = long_functions(python_files(*PRODUCT), MAX_FUNCTION_LINES)
    assert not long, f"functions over {MAX_FUNCTION_LINES} lines:\n" + "\n".join(long)


def test_bench_and_test_functions_are_at_most_150_lines() -> None:
    long = long_functions(python_files("bench", "tests"), MAX_HELPER_LINES)
    assert not long, f"bench/tests functions over {MAX_HELPER_LINES} lines:\n" + "\n".join(long)
