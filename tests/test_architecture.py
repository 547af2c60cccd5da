"""Layers point one way: registers plug into the engine, the engine imports nothing
above it, and no module imports one that imports it back (every import counted, at
module level or in a function, under TYPE_CHECKING or not)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

SRC = Path(__file__).parent.parent / "src"

BELOW_ENGINE = {"sosreg._version", "sosreg.identity", "sosreg.codelists", "sosreg.xlsx"}
"""What the engine may import besides itself: the identity and code-list modules."""


def _modules() -> dict[str, Path]:
    out = {}
    for p in SRC.rglob("*.py"):
        parts = list(p.relative_to(SRC).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = p
    return out


MODULES = _modules()


def _targets(module: str, node: ast.Import | ast.ImportFrom) -> list[str]:
    if isinstance(node, ast.Import):
        names = [a.name for a in node.names]
    else:
        base = node.module or ""
        if node.level:
            pkg = module.split(".")
            if MODULES[module].name != "__init__.py":
                pkg = pkg[:-1]
            pkg = pkg[: len(pkg) - node.level + 1]
            base = ".".join([*pkg, *([base] if base else [])])
        names = [f"{base}.{a.name}" if f"{base}.{a.name}" in MODULES else base for a in node.names]
    out = []
    for name in names:
        while name and name not in MODULES:
            name = name.rpartition(".")[0]
        if name.startswith("sosreg") and name != module:
            out.append(name)
    return out


def graph() -> dict[str, set[str]]:
    g: dict[str, set[str]] = {}
    for module, path in MODULES.items():
        edges: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                edges.update(_targets(module, node))
        g[module] = edges
    return g


def _cycles(g: dict[str, set[str]]) -> list[list[str]]:
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in g[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in g:
        if v not in index:
            visit(v)
    return out


def test_no_module_imports_one_that_imports_it_back() -> None:
    assert _cycles(graph()) == []


def test_the_engine_imports_nothing_above_it() -> None:
    g = graph()
    wrong = {
        m: sorted(t for t in targets if not t.startswith("sosreg.engine") and t not in BELOW_ENGINE)
        for m, targets in g.items()
        if m.startswith("sosreg.engine")
    }
    assert {m: t for m, t in wrong.items() if t} == {}


def test_the_checker_finds_a_cycle_and_an_upward_import() -> None:
    fake = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}
    assert _cycles(fake) == [["a", "b", "c"]]
    g = graph()
    assert "sosreg.engine.register" in g["sosreg.plugins"]  # plugins -> engine, one way


def test_importing_the_engine_loads_no_register() -> None:
    code = (
        "import sys, sosreg.engine.pipeline; "
        "print([m for m in sys.modules if m.startswith('sosreg.registers')])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_registers_load_on_first_use() -> None:
    code = (
        "import sys, sosreg; sosreg.validate(b'x', register='sol', file='sol1', year=2023); "
        "print(sorted(m for m in sys.modules if m.startswith('sosreg.registers.')"
        " and m.count('.') == 2))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = out.stdout.strip()
    assert "sosreg.registers.sol" in loaded and "sosreg.registers.ekb" not in loaded


# -- rooms with one job each ---------------------------------------------------------------

DOCS = SRC.parent / "docs" / "architecture.md"


def test_every_module_over_600_lines_says_its_one_job() -> None:
    """A module may grow past about 600 lines only while it has one job, which the
    "Rooms" table of docs/architecture.md then states (issue 21: no big room with
    several jobs)."""
    text = DOCS.read_text("utf-8")
    rooms = text[text.index("## Rooms: one job per module") :]
    rooms = rooms[: rooms.index("\n## ", 1)]
    big = {
        str(path.relative_to(SRC / "sosreg")): n
        for path in (SRC / "sosreg").rglob("*.py")
        if (n := len(path.read_text("utf-8").splitlines())) > 600
    }
    unnamed = {p: n for p, n in big.items() if f"`{p}` (" not in rooms}
    assert unnamed == {}, "say each module's one job in docs/architecture.md, or split it"


def test_every_command_is_one_module_and_one_row() -> None:
    from sosreg import cli
    from sosreg.cli import app

    shared = {"__init__", "__main__", "app", "core", "progress", "summary"}
    modules = sorted(p.stem for p in (SRC / "sosreg" / "cli").glob("*.py") if p.stem not in shared)
    rows = [c.run.__module__.rpartition(".")[2] for c in cli.COMMANDS]
    assert sorted(rows) == modules
    assert app.COMMANDS is cli.COMMANDS
