"""What can be injected: the injectors offered for a register's files, and for every
rule that cannot be injected, why (:data:`NOT_INJECTABLE`)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Final

import attrs

from sosreg.codelists import CodeList
from sosreg.engine.register import REGISTRY
from sosreg.engine.rules import CATALOGUE
from sosreg.engine.spec import CHECKS, FieldSpec, FileSpec
from sosreg.engine.types.code import listed
from sosreg.engine.values import YearMonth
from sosreg.generate.damage import LINE_INJECTORS, around, damaged, field_injector, field_targets
from sosreg.generate.hooks import RegisterGenerator, generator_of
from sosreg.generate.inject import Injector
from sosreg.generate.lines import Line
from sosreg.generate.maker import DEFAULT_KOMMUN, InjectContext
from sosreg.generate.rand import Rand

__all__ = [
    "ENGINE_NOT_INJECTABLE",
    "NOT_INJECTABLE",
    "injectable",
    "injectors",
    "what",
    "why_not",
]


def injectors(
    register: str,
    files: Sequence[str],
    year: int,
    lists: Mapping[str, CodeList] | None = None,
) -> dict[str, list[Injector]]:
    """The injectors offered when ``files`` of ``register`` are written for ``year``:
    rule code -> injectors (several where the rule can be damaged in several files)."""
    specs = {f: REGISTRY.resolve_spec(register, f, year) for f in files}
    module = generator_of(register)
    probe = _probe_context(module, register, files, year, lists)
    out: dict[str, list[Injector]] = {}
    for inj in LINE_INJECTORS:
        if inj.code == "SOS-214" and not any(s.kommun_field for s in specs.values()):
            continue
        if inj.code == "SOS-112" and not any(
            f.type == "text" for s in specs.values() for f in s.fields
        ):
            continue
        out.setdefault(inj.code, []).append(inj)
    for file, spec in specs.items():
        codes = {f.rule_for(c) for f in spec.fields for c in CHECKS}
        for code in sorted(codes):
            targets = [t for t in field_targets(spec, code) if _possible(t, probe, spec)]
            if targets:
                out.setdefault(code, []).append(field_injector(file, code, targets))
    for inj in getattr(module, "INJECTORS", ()):
        if inj.offered(files):
            out.setdefault(inj.code, []).append(inj)
    return {
        code: [i for i in found if i.offered(files)]
        for code, found in sorted(out.items())
        if any(i.offered(files) for i in found)
    }


def _probe_context(
    module: RegisterGenerator,
    register: str,
    files: Sequence[str],
    year: int,
    lists: Mapping[str, CodeList] | None,
) -> InjectContext:
    specs = {f: REGISTRY.resolve_spec(register, f, year) for f in module.unit_files(files)}
    period: YearMonth | int = (
        YearMonth(year, 1) if next(iter(specs.values())).period == "month" else year
    )
    maker = module.Maker(specs, year, period, DEFAULT_KOMMUN, lists)
    return InjectContext(Rand(0), maker, tuple(files), {})


def _possible(target: tuple[FieldSpec, str], ctx: InjectContext, spec: FileSpec) -> bool:
    """Whether the code list lets ``check`` fire on the field at all (an expired code
    needs a list with one); for a personnummer in a number field, whether the register
    lets the field be damaged at all (an EKB-År amount that is not read makes its
    month's codes EKB-040)."""
    f, check = target
    if check == "number.identity":
        names = spec.field_names()
        blank = Line(spec.file, ";" * (len(names) - 1), {n: i for i, n in enumerate(names)})
        return ctx.maker.field_ok(check, f.name, blank, ctx)
    if check in ("code.expired", "code.not_yet", "code.flagged", "code.lost_zero"):
        line = Line("", "", {})
        probe = attrs.evolve(ctx, used=set())
        sample = ctx.maker.codes(f.codelist or "")
        value = sample[0] if sample else "x"
        return damaged(check, f, value, line, probe) is not None
    if check in ("code.unknown",):
        return listed(f, around(Line("", "", {}), ctx)) is not None
    return True


ENGINE_NOT_INJECTABLE: Final[Mapping[str, str]] = {
    "SOS-001": "file level: the file is empty",
    "SOS-002": "file level: the file is not text (a workbook, a PDF, binary)",
    "SOS-003": "information about the whole file (its encoding), always given",
    "SOS-004": "file level: the file's encoding (UTF-16)",
    "SOS-005": "file level: a mix of line endings has no line of its own",
    "SOS-006": "file level: the file name",
    "SOS-007": "file level: the file name against the content",
    "SOS-216": "file level: a personnummer in the file name",
    "SOS-008": "file level: a file without data lines",
    "SOS-009": "file level: no period to be found anywhere",
    "SOS-010": "file level: the period against the statistikår",
    "SOS-011": "file level: the file's encoding (neither UTF-8 nor Windows-1252)",
    "SOS-012": "file level: the file's encoding (lines in UTF-8 and in Windows-1252)",
    "SOS-013": "information about the run (a code list not available)",
    "SOS-014": "information about the run (the spec checked against), always given",
    "SOS-015": "previous period: needs the earlier file",
    "SOS-016": "previous period: needs the earlier file",
    "SOS-017": "previous period: needs the earlier file",
    "SOS-018": "file level: the file is a JSON, XML, HTML or RTF document, not register data",
    "SOS-020": "file level: the file name against the register and file given",
    "SOS-206": "no built-in code list has a code that expired in a field without a rule "
    "code of its own (hinderkod's expired codes are EKB-011 and EKB-070)",
    "SOS-212": "every built-in spec gives its period field a rule code of its own "
    "(EKB-001, SOL-001, KHSL-001, LSS-001, BU-001)",
    "SOS-213": "the only field with a padding check gives it a rule code of its own (KHSL-013)",
    "SOS-030": "portal: the file name, judged only with a day (validate on=...)",
    "SOS-031": "portal: the file name's extension, judged only with a day",
    "SOS-032": "portal: the reporting window on a given day, not the file",
    "SOS-033": "portal: an empty file, judged only with a day",
    "SOS-034": "portal: information about the day judged by",
    "SOS-035": "portal: a declaration of 'inget att rapportera', not a file (sosreg status)",
    "SOS-301": "delivery level: the same file twice",
    "SOS-302": "delivery level: files of several registers",
    "SOS-303": "delivery level: files of several kommuner",
    "SOS-304": "delivery level: a file replaced by a later one (a re-delivery)",
    "SOS-305": "delivery level: a mandatory file missing",
    "SOS-306": "previous period: names the earlier file compared with",
    "SOS-900": "internal: a rule that raises is a bug, not something a file can do",
}
"""The engine's rules (SOS-xxx) that :func:`~sosreg.generate.generate` cannot inject, and
why; each register gives the reasons for its own rules (``Register.not_injectable``)."""


class _Reasons(Mapping[str, str]):
    """Rule code -> why the generator cannot inject it: the engine's reasons, then
    those of the rule's register (asked of its :class:`~sosreg.engine.register.Register`;
    iterating imports every known register)."""

    def __getitem__(self, code: str) -> str:
        found = ENGINE_NOT_INJECTABLE.get(code)
        if found is not None:
            return found
        rule = CATALOGUE.get(code) if isinstance(code, str) else None
        if rule is not None and rule.register is not None:
            try:
                reg = REGISTRY.get(rule.register)
            except KeyError:
                raise KeyError(code) from None
            if code in reg.not_injectable:
                return reg.not_injectable[code]
        raise KeyError(code)

    def _all(self) -> dict[str, str]:
        out = dict(ENGINE_NOT_INJECTABLE)
        for reg in REGISTRY.all():
            out.update(reg.not_injectable)
        return out

    def __iter__(self) -> Iterator[str]:
        return iter(self._all())

    def __len__(self) -> int:
        return len(self._all())

    def __repr__(self) -> str:
        return f"NOT_INJECTABLE({self._all()!r})"


NOT_INJECTABLE: Final[Mapping[str, str]] = _Reasons()
"""Rules that :func:`~sosreg.generate.generate` cannot inject, and why (the engine's
and every register's)."""


def injectable(register: str | None = None) -> dict[str, bool]:
    """Rule code -> whether :func:`generate` can inject it into some file of its
    register (with the built-in code lists), for every rule of ``register`` (and the
    engine's), or of every register."""
    names = [register] if register is not None else REGISTRY.names()
    found: set[str] = set()
    for name in names:
        if REGISTRY.get(name).generator is None:
            continue
        for files in generator_of(name).FILE_SETS:
            found |= set(injectors(name, files, _latest_year(name, files)))
    rules = CATALOGUE.for_register(register) if register is not None else list(CATALOGUE)
    return {r.code: r.code in found for r in rules}


def _latest_year(register: str, files: Sequence[str]) -> int:
    """The first statistikår of the latest spec of every file in ``files``."""
    specs = REGISTRY.all_specs(register)
    return max(max(s.years_from for s in specs if s.file == f) for f in files)


def what(register: str, files: Sequence[str]) -> str:
    """``register/file+file``: the files written, for messages."""
    return f"{register}/{'+'.join(files)}"


def why_not(code: str, register: str, files: Sequence[str], year: int) -> str:
    """Why ``code`` cannot be injected into ``files`` of ``register``, in words."""
    if code in NOT_INJECTABLE:
        return NOT_INJECTABLE[code]
    rule = CATALOGUE[code]
    if rule.register not in (None, register):
        return f"a rule of register {rule.register}"
    module = generator_of(register)
    for other in module.FILE_SETS:
        if tuple(other) != tuple(files) and code in injectors(register, other, year):
            return f"it can be injected into {what(register, other)}"
    return "not in this file"
