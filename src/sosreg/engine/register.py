"""Registers plug into the engine through a :class:`Register`.

A register package (``sosreg/registers/<name>/``) holds its specs (``specs/*.toml``), its
rule metadata (``rules.toml``) and its rule implementations, registered with the
decorators of :class:`Register`:

``@REGISTER.record("EKB-020", files=("manad",))``
    a function ``(record, line, ctx) -> Iterable[Finding]`` run on every record;
``@REGISTER.cross("EKB-030", files=("manad",))``
    a class with ``feed(record, line, ctx)`` and ``finish(ctx)``, both yielding findings,
    that sees all records of a file (cross-record stage);
``@REGISTER.cross_file("EKB-060")``
    a function ``(files: list[ParsedFile]) -> Iterable[Finding]`` for a delivery of
    several files;
``@REGISTER.previous("EKB-080", files=("ar",))``
    a function ``(current: ParsedFile, previous: ParsedFile) -> Iterable[Finding]``
    comparing a file with the same file of the previous period.

The engine knows nothing register-specific; it only calls what is registered here.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from importlib import resources
from typing import Any, Protocol

import attrs

from sosreg.engine.core import Context
from sosreg.engine.findings import Finding
from sosreg.engine.rules import CATALOGUE, register_rules

RecordFn = Callable[[Any, int, Context], Iterable[Finding]]


class CrossRule(Protocol):
    def feed(self, record: Any, line: int, ctx: Context) -> Iterable[Finding]: ...
    def finish(self, ctx: Context) -> Iterable[Finding]: ...


@attrs.define
class RecordRule:
    codes: tuple[str, ...]
    files: tuple[str, ...] | None
    fn: RecordFn

    @property
    def name(self) -> str:
        return getattr(self.fn, "__name__", self.codes[0])


@attrs.define
class CrossRuleFactory:
    codes: tuple[str, ...]
    files: tuple[str, ...] | None
    factory: Callable[[], CrossRule]


@attrs.define
class CrossFileRule:
    codes: tuple[str, ...]
    fn: Callable[..., Iterable[Finding]]


@attrs.define
class PreviousRule:
    codes: tuple[str, ...]
    files: tuple[str, ...] | None
    fn: Callable[..., Iterable[Finding]]


def _codes(code: str | tuple[str, ...]) -> tuple[str, ...]:
    codes = (code,) if isinstance(code, str) else tuple(code)
    for c in codes:
        if c not in CATALOGUE:
            raise KeyError(f"rule {c} has no metadata in a rules.toml")
    return codes


@attrs.define
class Register:
    """One register: its name, files and rules."""

    name: str
    title: str
    package: str
    files: dict[str, str]
    """file key -> title, e.g. ``{"manad": "EKB-Månad"}``."""
    filename_prefixes: tuple[str, ...] = ()
    title_en: str = ""
    record_rules: list[RecordRule] = attrs.field(factory=list)
    cross_rules: list[CrossRuleFactory] = attrs.field(factory=list)
    cross_file_rules: list[CrossFileRule] = attrs.field(factory=list)
    previous_rules: list[PreviousRule] = attrs.field(factory=list)
    infer_file: Callable[[list[str]], str | None] | None = None
    """Given the tokens of a file name, which file of the register it is (default: a
    token that is a file key, e.g. ``SOL1``)."""

    def __attrs_post_init__(self) -> None:
        toml = resources.files(self.package).joinpath("rules.toml")
        if toml.is_file():
            register_rules(self.name, toml.read_text("utf-8"))

    def record(
        self, code: str | tuple[str, ...], *, files: tuple[str, ...] | None = None
    ) -> Callable[[RecordFn], RecordFn]:
        codes = _codes(code)

        def deco(fn: RecordFn) -> RecordFn:
            self.record_rules.append(RecordRule(codes, files, fn))
            return fn

        return deco

    def cross(
        self, code: str | tuple[str, ...], *, files: tuple[str, ...] | None = None
    ) -> Callable[[type], type]:
        codes = _codes(code)

        def deco(cls: type) -> type:
            self.cross_rules.append(CrossRuleFactory(codes, files, cls))
            return cls

        return deco

    def cross_file(
        self, code: str | tuple[str, ...]
    ) -> Callable[[Callable[..., Iterable[Finding]]], Callable[..., Iterable[Finding]]]:
        codes = _codes(code)

        def deco(fn: Callable[..., Iterable[Finding]]) -> Callable[..., Iterable[Finding]]:
            self.cross_file_rules.append(CrossFileRule(codes, fn))
            return fn

        return deco

    def previous(
        self, code: str | tuple[str, ...], *, files: tuple[str, ...] | None = None
    ) -> Callable[[Callable[..., Iterable[Finding]]], Callable[..., Iterable[Finding]]]:
        """A previous-period rule: ``fn(current, previous)`` over two
        :class:`~sosreg.engine.delivery.ParsedFile` of the same file, one period apart."""
        codes = _codes(code)

        def deco(fn: Callable[..., Iterable[Finding]]) -> Callable[..., Iterable[Finding]]:
            self.previous_rules.append(PreviousRule(codes, files, fn))
            return fn

        return deco

    def file_from_tokens(self, tokens: list[str]) -> str | None:
        if self.infer_file is not None:
            return self.infer_file(tokens)
        return next((t.lower() for t in tokens if t.lower() in self.files), None)

    def unique(
        self,
        code: str,
        *,
        key: Callable[[Any], Hashable | None],
        field: str,
        files: tuple[str, ...] | None = None,
        params: Callable[[Any], dict[str, object]] | None = None,
    ) -> None:
        """A cross-record rule: ``code`` for every record whose ``key`` (``None`` = no
        key) was already seen, naming the first line (``first``) and ``field``."""

        class Unique:
            def __init__(self) -> None:
                self.seen: dict[Hashable, int] = {}

            def feed(self, rec: Any, line: int, ctx: Context) -> Iterable[Finding]:
                k = key(rec)
                if k is None:
                    return ()
                first = self.seen.setdefault(k, line)
                if first == line:
                    return ()
                extra: dict[str, Any] = params(rec) if params is not None else {}
                value = getattr(rec, field)
                return (
                    ctx.finding(
                        code,
                        line=line,
                        field=field,
                        value=None if value is None else str(value),
                        first=first,
                        **extra,
                    ),
                )

            def finish(self, ctx: Context) -> Iterable[Finding]:
                return ()

        Unique.__name__ = f"Unique_{code.replace('-', '_')}"
        self.cross_rules.append(CrossRuleFactory(_codes(code), files, Unique))

    def rules_for(self, file: str) -> tuple[list[RecordRule], list[CrossRuleFactory]]:
        return (
            [r for r in self.record_rules if r.files is None or file in r.files],
            [r for r in self.cross_rules if r.files is None or file in r.files],
        )

    def implemented_codes(self) -> set[str]:
        out: set[str] = set()
        for r in self.record_rules:
            out.update(r.codes)
        for c in self.cross_rules:
            out.update(c.codes)
        for x in self.cross_file_rules:
            out.update(x.codes)
        for p in self.previous_rules:
            out.update(p.codes)
        return out
