"""The code blocks of README.md and docs/**/*.md, and how tests/test_doc_blocks.py runs them.

The rules, as docs/testing.md states them for readers and writers of the docs:

- Every fenced block has a language. ``python`` and ``sh`` are code and run; ``text``,
  ``json`` and ``toml`` are data (output, layouts, examples of files): ``toml`` blocks
  must parse, the others are not run. Any other language (or none) fails the test.
- The blocks of a page run in order, in one session, as a reader would: the ``python``
  blocks share one namespace (``__name__ == "__main__"``), and each ``sh`` block runs in
  ``bash`` in the same working directory. That directory is a temporary copy of the
  repository (its ``examples``, ``src``, ``fuzz`` and ``scripts``), at its root, or in
  its ``examples/`` folder when the page says ``<!-- run in: examples -->``, or in an
  empty folder beside it (``<!-- run in: empty -->``). ``HOME`` is
  a temporary folder too, so ``~/…`` in a block never touches the real one. ``sosreg``,
  ``python`` and ``python3`` are the interpreter running the tests, with the copy's
  ``src`` first on ``PYTHONPATH``.
- In an ``sh`` block each command (lines joined at a trailing ``\\``) must exit 0, or
  the code its trailing comment names: ``sosreg validate bad.txt   # exits 2``.
- The one narrow exception: installation. A command ``pip install …``, and the leading
  ``python3 -m venv DIR && . DIR/bin/activate && pip install …`` of a chain, are not
  run (the tests run in the environment they make); the rest of the chain is.
- A block that must not run says so where a reader sees it, on the line before its
  fence: ``<!-- not run: the reason -->``. The test counts these and compares them with
  its list, so a block is never skipped silently.
- A block marked ``<!-- run as a script -->`` is written to a file and run with
  ``python FILE`` (as a reader runs a script with a ``__main__`` guard), after the page's
  other blocks before it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).parent.parent

CODE = {"python", "sh"}
DATA = {"text", "json", "toml"}

_FENCE = re.compile(r"^```([^\n`]*)\n(.*?)^```[ \t]*$", re.S | re.M)
_MARK = re.compile(r"^\s*<!--\s*(not run|run as a script)\s*(?::\s*(.*?))?\s*-->\s*$")
_RUN_IN = re.compile(r"^<!--\s*run in:\s*(\S+)\s*-->\s*$", re.M)
_INSTALL = re.compile(r"^(python3? -m venv \S+|\. \S+/bin/activate|pip install\b.*)$")
_EXITS = re.compile(r"#.*\bexits (\d+)\b")


@dataclass(frozen=True)
class Block:
    page: str
    line: int
    lang: str
    body: str
    mark: str | None = None
    """``"not run"``, ``"run as a script"`` or None."""
    reason: str = ""

    @property
    def where(self) -> str:
        return f"{self.page}:{self.line}"


def pages() -> list[Path]:
    return [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]


def blocks(path: Path) -> list[Block]:
    text = path.read_text("utf-8")
    out = []
    for m in _FENCE.finditer(text):
        before = [ln for ln in text[: m.start()].splitlines() if ln.strip()]
        mark = _MARK.search(before[-1]) if before else None
        out.append(
            Block(
                page=str(path.relative_to(ROOT)),
                line=text[: m.start()].count("\n") + 1,
                lang=m.group(1).strip(),
                body=m.group(2),
                mark=mark.group(1) if mark else None,
                reason=(mark.group(2) or "") if mark else "",
            )
        )
    return out


def run_in(path: Path) -> str:
    """The folder of the repository copy a page's blocks run in (``.`` for its root)."""
    m = _RUN_IN.search(path.read_text("utf-8"))
    return m.group(1) if m else "."


@dataclass(frozen=True)
class Command:
    text: str
    exits: int
    installs: tuple[str, ...]
    """The installation steps left out (see the module's docstring)."""


def commands(body: str) -> list[Command]:
    """The commands of an ``sh`` block: lines joined at a trailing backslash; blank and
    comment lines dropped; installation steps split off."""
    out: list[Command] = []
    pending = ""
    for raw in body.splitlines():
        if raw.rstrip().endswith("\\"):
            pending += raw.rstrip()[:-1] + " "
            continue
        line = (pending + raw).strip()
        pending = ""
        if not line or line.startswith("#"):
            continue
        m = _EXITS.search(line)
        parts = line.split(" && ")
        installs: list[str] = []
        while parts and _INSTALL.match(parts[0].strip()):
            installs.append(parts.pop(0).strip())
        out.append(Command(" && ".join(parts), int(m.group(1)) if m else 0, tuple(installs)))
    assert not pending, "a block ends in a backslash"
    return out
