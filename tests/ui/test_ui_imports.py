"""The TUI's import graph stays untied: no cycles among `synctui.ui` modules, and imports
inside functions only where loading later is the point (each counted, with its reason).

The graph is read from the source with `ast` (nothing is imported): an edge for every
module-level import (those under `if TYPE_CHECKING:` included) and, separately, for every
import inside a function. Screens reach the app through the Protocols of `synctui.ui.host`,
never by importing `synctui.ui.app`, so neither graph may hold a cycle.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import synctui

SRC = Path(synctui.__file__).parent
UI = "synctui.ui"

# Imports inside functions allowed per module, at most, and why. The numbers may only go
# down: when you remove one, lower its number; a new one needs a reason as good as these.
LAZY_BUDGET: dict[str, tuple[int, str]] = {
    "synctui.ui.launch": (
        12,
        "the entry point: settings, the session and Textual load only after the terminal "
        "checks pass and TEXTUAL_FPS is set for SSH (Textual reads it when imported)",
    ),
    "synctui.ui.app": (
        10,
        "screens opened on demand (feed and its store, attention, journal, call log, "
        "accounts, account form, help, detail, welcome): not loaded before first paint",
    ),
    "synctui.ui.app_themes": (2, "the theme palette (textual.command) loads when asked for"),
    "synctui.ui.editing.actions": (
        3,
        "the editor, batch and create screens load when a key opens them, not at first paint",
    ),
    "synctui.ui.editing.editor_screen": (
        4,
        "each vendor's form loads when a sync of that vendor is edited (the form registry)",
    ),
    "synctui.ui.screens.welcome_screen": (1, "the sandbox loads only when the demo starts"),
    "synctui.ui.editing.json_editor": (1, "tree-sitter is optional: probed when an editor opens"),
    "synctui.ui.screenshots": (
        24,
        "a development tool, not part of the app: each capture imports what it shows",
    ),
}


@dataclass
class Graph:
    modules: set[str] = field(default_factory=set)
    top: dict[str, set[str]] = field(default_factory=dict)  # module-level imports
    inner: dict[str, set[str]] = field(default_factory=dict)  # imports inside functions
    lazy: dict[str, list[str]] = field(default_factory=dict)  # every import in a function


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _targets(module: str, is_package: bool, node: ast.Import | ast.ImportFrom) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    base = node.module or ""
    if node.level:
        parts = module.split(".")
        if not is_package:
            parts = parts[:-1]
        parts = parts[: len(parts) - (node.level - 1)]
        base = ".".join([*parts, *([node.module] if node.module else [])])
    # `from pkg import name` may name a submodule: an edge to it when it is one.
    return [base, *(f"{base}.{alias.name}" for alias in node.names)]


def _imports(tree: ast.AST) -> Iterator[tuple[bool, ast.Import | ast.ImportFrom]]:
    """(inside a function?, node) for every import statement."""

    def walk(
        node: ast.AST, in_function: bool
    ) -> Iterator[tuple[bool, ast.Import | ast.ImportFrom]]:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.Import | ast.ImportFrom):
                yield in_function, child
            else:
                inner = in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
                yield from walk(child, inner)

    yield from walk(tree, False)


def ui_graph(root: Path = SRC / "ui") -> Graph:
    graph = Graph()
    sources = {_module_name(path): path for path in root.rglob("*.py")}
    graph.modules = set(sources)
    for module, path in sources.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        top, inner, lazy = set(), set(), []
        for in_function, node in _imports(tree):
            found = {t for t in _targets(module, path.name == "__init__.py", node)}
            found &= graph.modules
            found.discard(module)
            if in_function:
                inner |= found
                lazy.append(ast.unparse(node))
            else:
                top |= found
        graph.top[module], graph.inner[module], graph.lazy[module] = top, inner, lazy
    return graph


def find_cycle(edges: dict[str, set[str]]) -> list[str] | None:
    """One cycle of the graph as a path (first node repeated at the end), or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        path.pop()
        state[node] = 2
        return None

    for start in sorted(edges):
        if start not in state:
            found = visit(start)
            if found:
                return found
    return None


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None


def test_the_graph_sees_the_ui_and_its_imports() -> None:
    graph = ui_graph()
    assert f"{UI}.app" in graph.modules and f"{UI}.screens.main_screen" in graph.modules
    assert f"{UI}.screens.main_screen" in graph.top[f"{UI}.app"]
    assert f"{UI}.editing.actions" in graph.top[f"{UI}.screens.main_screen"]


def test_no_import_cycles_among_ui_modules() -> None:
    cycle = find_cycle(ui_graph().top)
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_imports_inside_functions_only_point_down() -> None:
    """A lazy import may load later, never close a loop: module-level and in-function
    imports together still form no cycle."""
    graph = ui_graph()
    both = {m: graph.top[m] | graph.inner[m] for m in graph.modules}
    cycle = find_cycle(both)
    assert cycle is None, "import cycle through a lazy import: " + " -> ".join(cycle or [])


def test_imports_inside_functions_stay_within_their_budget() -> None:
    graph = ui_graph()
    over = {
        module: imports
        for module, imports in graph.lazy.items()
        if len(imports) > LAZY_BUDGET.get(module, (0, ""))[0]
    }
    assert not over, f"imports inside functions beyond LAZY_BUDGET: {over}"
    total = sum(len(imports) for imports in graph.lazy.values())
    assert total <= sum(limit for limit, _ in LAZY_BUDGET.values())
