"""The injector framework: an :class:`Injector` damages a unit so that one rule fires;
:func:`on_line`, :func:`on_unit` and :func:`value_injector` make them."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import attrs

from sosreg.engine.conditions import Check, choose, values
from sosreg.generate.lines import Line
from sosreg.generate.maker import InjectContext

__all__ = ["Injector", "LineFn", "UnitFn", "breaks", "on_line", "on_unit", "value_injector"]

LineFn = Callable[[Line, InjectContext], "list[Line] | None"]
UnitFn = Callable[[list[Line], InjectContext], bool]


@attrs.frozen
class Injector:
    """How to make rule ``code`` fire: ``apply(unit, ctx)`` damages a unit (one line;
    a BU child's lines) in place, marks the lines where findings are expected, and
    returns ``False`` when the unit offers nothing to damage (the injection then moves
    on to the next unit)."""

    code: str
    apply: UnitFn
    how: str
    """The damage, in a few words (English)."""
    files: tuple[str, ...] | None = None
    """The files whose lines it damages (``None``: any)."""
    needs: tuple[str, ...] = ()
    """Files that must be written together with them (cross-file rules)."""
    alone_in_delivery: bool = True
    """False: in a delivery of several files, the damage also fires other files'
    rules, so it is offered only when one file is written."""
    bom: bool = False
    """The file must be written with a UTF-8 byte order mark."""
    companions: tuple[str, ...] = ()
    """Rules that always fire with this one (their findings are expected too)."""

    def offered(self, files: Sequence[str]) -> bool:
        if self.files is not None and not set(self.files) & set(files):
            return False
        if not set(self.needs) <= set(files):
            return False
        return self.alone_in_delivery or len(files) == 1


def on_line(
    code: str,
    fn: LineFn,
    how: str,
    *,
    files: tuple[str, ...] | None = None,
    **kw: Any,
) -> Injector:
    """An injector that damages one line of the unit: ``fn(line, ctx)`` returns the
    lines that replace it (itself, changed, and any lines inserted), or ``None`` when
    the line does not lend itself."""

    def apply(unit: list[Line], ctx: InjectContext) -> bool:
        candidates = [
            i
            for i, line in enumerate(unit)
            if (files is None or line.file in files) and line.file in ctx.files
        ]
        for i in ctx.rng.shuffled(candidates):
            if unit[i].text is not None:
                continue
            result = fn(unit[i], ctx)
            if result is not None:
                unit[i : i + 1] = result
                return True
        return False

    apply.__name__ = getattr(fn, "__name__", code)
    return Injector(code, apply, how, files=files, **kw)


def on_unit(code: str, fn: UnitFn, how: str, **kw: Any) -> Injector:
    """An injector that damages the unit as a whole (e.g. a BU child across files)."""
    return Injector(code, fn, how, **kw)


def value_injector(
    code: str,
    file: str,
    fields: Sequence[str],
    value: Callable[[Line, InjectContext], str | None],
    how: str,
) -> Injector:
    """An injector that writes ``value(line, ctx)`` into one of ``fields``: for a
    field's ``reject`` patterns, whose values only the register knows."""

    def damage(line: Line, ctx: InjectContext) -> list[Line] | None:
        for name in ctx.rng.shuffled(fields):
            if not line[name]:
                continue
            new = value(line, ctx)
            if new is not None:
                line[name] = new
                return line.expecting(code)
        return None

    return on_line(code, damage, how, files=(file,))


def breaks(check: Check, line: Line, ctx: InjectContext, *candidates: str) -> list[Line] | None:
    """The first of ``candidates`` that, as the value of ``check.field``, makes
    ``line`` fail the declared ``check`` (:mod:`sosreg.engine.conditions`, with the
    file's params and dates), written into the line, which then expects the check's
    code; ``None`` if none does."""
    env = ctx.maker.env(line.file)
    value = choose(check, line.__getitem__, check.field, candidates, valid=False, env=env)
    if value is None:
        return None
    line[check.field] = value
    return line.expecting(check.code)


def keeps(check: Check, line: Line, ctx: InjectContext, candidates: Sequence[str]) -> None:
    """``line`` made to pass the declared ``check`` again where it fails (after a damage
    to another of its fields): ``check.field`` set to one of ``candidates`` that passes
    (:func:`~sosreg.engine.conditions.values`), drawn from ``ctx.rng``."""
    if not check.holds(line.__getitem__):
        pool = values(check, line.__getitem__, check.field, candidates)
        line[check.field] = ctx.rng.choice(pool)
