"""The layer contract: which modules may import which (run by `make lint`, so by CI too).

Read from the source with `ast`, so a lazy import inside a function counts as much as one at
the top; an import under `if TYPE_CHECKING:` counts for the layer rules but not for cycles.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src"
PKG = "pearldeck"

SHELLS = ("pearldeck.cli", "pearldeck.tui")
STORE = "pearldeck.store"
# The pure core: values and rules, no files, no UI, no CLI library.
CORE = (
    "pearldeck.model",
    "pearldeck.drafts",
    "pearldeck.pathways",
    "pearldeck.settings",
    "pearldeck.errors",
    "pearldeck.schema",
    "pearldeck.optimize",
    "pearldeck.problems",
    "pearldeck.records",
    "pearldeck.status",
    "pearldeck.today",
    "pearldeck.readiness",
    "pearldeck.studyday",
    "pearldeck.scheduler",
    "pearldeck.stats",
    "pearldeck.analytics",
    "pearldeck.report",
    "pearldeck.dedupe",
    "pearldeck.markdown_import",
    "pearldeck.anki_",  # the Anki mappings, both ways
)
FORBIDDEN_IN_CORE = (STORE, *SHELLS, "textual", "click")
# Third-party packages that only one module may import.
OWNERS = {
    "genanki": ("pearldeck.anki_export",),
    "fsrs": ("pearldeck.scheduler",),
    "fsrs_rs_python": ("pearldeck.optimize",),
}

# Known exceptions, each with why. The test fails when one is no longer needed, so this
# list only shrinks.
ALLOWED: dict[tuple[str, str], str] = {
    # the sealed fast path of `pearls due` answers from the seal before anything else loads
    ("pearldeck.cli.quick", "pearldeck.store.queue"): "sealed `pearls due`",
    ("pearldeck.cli.quick", "pearldeck.store.seal"): "sealed `pearls due`",
    # the due table's renderer, shared with the sealed path, which must load nothing more
    ("pearldeck.cli.review_cmds", "pearldeck.store.queue"): "render_due",
}


def _modules() -> dict[str, Path]:
    out = {}
    for path in sorted((SRC / PKG).rglob("*.py")):
        parts = list(path.relative_to(SRC).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


MODULES = _modules()


def _type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _walk(node: ast.AST, typing_only: bool) -> Iterator[tuple[ast.AST, bool]]:
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.If) and _type_checking(child):
            for sub in child.body:
                yield sub, True
                yield from _walk(sub, True)
            for sub in child.orelse:
                yield sub, typing_only
                yield from _walk(sub, typing_only)
        else:
            yield child, typing_only
            yield from _walk(child, typing_only)


def imports(module: str) -> dict[str, bool]:
    """What `module` imports: name -> imported only for type checking."""
    path = MODULES[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    out: dict[str, bool] = {}

    def add(name: str, typing_only: bool) -> None:
        out[name] = out.get(name, True) and typing_only

    for node, typing_only in _walk(ast.parse(path.read_text()), False):
        if isinstance(node, ast.Import):
            for alias in node.names:
                add(alias.name, typing_only)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join([*base, *([node.module] if node.module else [])])
            else:
                target = node.module or ""
            for alias in node.names:
                sub = f"{target}.{alias.name}"
                add(sub if sub in MODULES else target, typing_only)
    return out


GRAPH = {m: imports(m) for m in MODULES}


def _under(name: str, prefixes: tuple[str, ...] | str) -> bool:
    if isinstance(prefixes, str):
        prefixes = (prefixes,)
    return any(name == p or name.startswith(p if p.endswith("_") else p + ".") for p in prefixes)


def _breaks() -> dict[tuple[str, str], str]:
    """Every import that breaks a rule, with the rule."""
    out = {}
    for mod, names in GRAPH.items():
        for name in names:
            if _under(mod, SHELLS) and _under(name, STORE):
                out[mod, name] = "a shell imports store/"
            if _under(mod, "pearldeck.tui") and _under(name, "pearldeck.cli"):
                out[mod, name] = "the TUI imports the CLI"
            if _under(mod, CORE) and _under(name, FORBIDDEN_IN_CORE):
                out[mod, name] = "the core imports store/, a shell or a UI library"
            for package, owners in OWNERS.items():
                # only a runtime import loads the package; an annotation may name its types
                runtime = not names[name]
                if runtime and _under(name, package) and not _under(mod, owners):
                    out[mod, name] = f"only {', '.join(owners)} may import {package}"
    return out


def _cycles() -> list[list[str]]:
    """Strongly connected groups of modules (Tarjan), runtime imports only."""
    edges = {
        m: sorted(n for n, typing_only in names.items() if n in MODULES and not typing_only)
        for m, names in GRAPH.items()
    }
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in edges[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                out.append(sorted(group))

    for m in sorted(edges):
        if m not in index:
            visit(m)
    return out


def test_the_graph_is_read() -> None:
    """The reader sees real imports (a broken reader would pass every rule below)."""
    assert "pearldeck.model" in GRAPH["pearldeck.collection"]
    assert "pearldeck.store.seal" in GRAPH["pearldeck.cli.quick"]
    assert any(_under(n, "textual") for n in GRAPH["pearldeck.tui.app"])


def test_layers_hold() -> None:
    """Shells stay off store/, the TUI off the CLI, the core off store/ and the UIs."""
    broken = {k: why for k, why in _breaks().items() if k not in ALLOWED}
    assert broken == {}


def test_every_exception_is_still_needed() -> None:
    """An exception that no longer matches an import is taken off the list."""
    stale = set(ALLOWED) - set(_breaks())
    assert stale == set()


def test_no_import_cycles() -> None:
    assert _cycles() == []


def test_every_test_file_is_type_checked() -> None:
    """`make typecheck` lists the test files mypy checks: a new one must be added there."""
    root = SRC.parent
    makefile = (root / "Makefile").read_text(encoding="utf-8")
    listed = makefile.split("TYPED_TESTS :=", 1)[1].split("\n\n", 1)[0]
    files = sorted(str(p.relative_to(root)) for p in (root / "tests").rglob("*.py"))
    missing = [f for f in files if f not in listed and "/corpus/" not in f]
    assert not missing, f"add to TYPED_TESTS in the Makefile: {missing}"
