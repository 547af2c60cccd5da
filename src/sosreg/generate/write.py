"""Making units, damaging the planned ones and writing them (the generator's loop)."""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from typing import BinaryIO, Final

from sosreg.engine.errors import UsageError
from sosreg.generate.inject import Injector
from sosreg.generate.lines import Line, Unit
from sosreg.generate.maker import InjectContext, Maker
from sosreg.generate.rand import Rand

__all__ = ["CHUNK_LINES", "WINDOW", "Sink", "run"]

CHUNK_LINES: Final = 8192
"""Lines written at a time."""

WINDOW: Final = 1024
"""Units kept before they are written: an injection that no unit after its planned one
lends itself to is tried on these (undamaged, never copied) units at the end."""


class Sink:
    """One output file, written in chunks of lines."""

    def __init__(self, fh: BinaryIO, bom: bool) -> None:
        self.fh = fh
        self.buf: list[str] = []
        self.count = 0
        if bom:
            fh.write(b"\xef\xbb\xbf")

    def add(self, text: str) -> int:
        self.buf.append(text)
        self.count += 1
        if len(self.buf) >= CHUNK_LINES:
            self.flush()
        return self.count

    def flush(self) -> None:
        if self.buf:
            self.buf.append("")
            self.fh.write("\r\n".join(self.buf).encode("utf-8", "surrogateescape"))
            self.buf = []


def run(
    maker: Maker,
    rng: Rand,
    n: int,
    sinks: Mapping[str, Sink],
    plan: Mapping[int, list[str]],
    offered: Mapping[str, list[Injector]],
    ctx: InjectContext,
) -> list[tuple[str, int, str, str]]:
    """Make ``n`` units, damage the planned ones, write them; returns the expected
    findings as (file, line, code, rule injected).

    An injection is tried on its planned unit and, where that unit does not lend
    itself, on the next ones; the last :data:`WINDOW` units are held back, so that
    what is still pending at the end can be tried on them."""
    found: list[tuple[str, int, str, str]] = []
    unit_of = maker.unit
    if not plan:  # the fast path: nothing to damage
        if len(sinks) == 1:
            ((only, sink),) = sinks.items()
            add = sink.add
            for _ in range(n):
                for f, text in unit_of(rng):
                    if f == only:
                        add(text)
        else:
            for _ in range(n):
                for f, text in unit_of(rng):
                    s = sinks.get(f)
                    if s is not None:
                        s.add(text)
        return found
    positions = {f: {x.name: i for i, x in enumerate(s.fields)} for f, s in maker.specs.items()}
    pending: list[str] = []
    history = ctx.history
    window: deque[tuple[int, Unit, list[Line] | None, str | None]] = deque()

    def damage(i: int, unit: Unit) -> tuple[list[Line], str] | None:
        ctx.now = i

        def fresh() -> list[Line]:
            lines = [Line(f, text, positions[f]) for f, text in unit]
            maker.before_damage(lines)
            return lines

        lines = fresh()
        for j, code in enumerate(pending):
            for inj in ctx.rng.shuffled(offered[code]):
                if inj.apply(lines, ctx) and any(x.expect and x.file in sinks for x in lines):
                    del pending[j]
                    return lines, code
                lines = fresh()
        return None

    def write(entry: tuple[int, Unit, list[Line] | None, str | None]) -> None:
        _, unit, lines, code = entry
        if lines is None or code is None:
            for f, text in unit:
                s = sinks.get(f)
                if s is not None:
                    s.add(text)
            return
        for line in lines:
            s = sinks.get(line.file)
            if s is not None:
                number = s.add(line.render())
                found.extend((line.file, number, expect, code) for expect in line.expect)

    for i in range(n):
        unit = unit_of(rng)
        pending.extend(plan.get(i, ()))
        got = damage(i, unit) if pending else None
        if got is None:
            for f, text in unit:
                if f in history:
                    history[f].append((i, text))
            window.append((i, unit, None, None))
        else:
            window.append((i, unit, *got))
        if len(window) > WINDOW:
            write(window.popleft())
    if pending:
        free = [k for k, (i, _, lines, _) in enumerate(window) if lines is None]
        for k in ctx.rng.shuffled(free):
            i, unit, _, _ = window[k]
            if i in ctx.protected:
                continue
            got = damage(i, unit)
            if got is not None:
                window[k] = (i, unit, *got)
            if not pending:
                break
    if pending:
        counts: dict[str, int] = {}
        for code in pending:
            counts[code] = counts.get(code, 0) + 1
        left = ", ".join(f"{c} ({k})" for c, k in counts.items())
        raise UsageError(
            f"inject: too few lines lend themselves to {left}; try a larger n or another seed"
        )
    while window:
        write(window.popleft())
    return found
