"""Cross-file checks: a delivery of several files checked together.

:func:`validate_delivery` validates each file on its own (a :class:`~sosreg.Report`
each) and then runs the registers' cross-file rules over the records of all files.
Cross-file findings name the file they point into (parameter ``name``) and its line.

What the collector knows of a delivery by its files' names (:func:`mandatory_kinds`,
:func:`latest`) is in :mod:`sosreg.engine.expected`; reading a file with its records
(:func:`read_file`) in :mod:`sosreg.engine.readfile`; the comparisons with earlier
periods (:func:`earlier_files`, :func:`comparisons`, :func:`compare_previous`) in
:mod:`sosreg.engine.previous`. They are importable from here as before.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Final

import attrs

from sosreg.codelists import CodeList
from sosreg.engine.expected import Named, latest, mandatory_kinds, named, stamp
from sosreg.engine.findings import DEFAULT_MAX_DETAILS, Finding
from sosreg.engine.joins import ParsedFile, check_references, join
from sosreg.engine.pipeline import UsageError
from sosreg.engine.previous import (
    Earlier,
    change_finding,
    compare_previous,
    comparisons,
    earlier_files,
)
from sosreg.engine.readfile import needs_records, read_file
from sosreg.engine.register import REGISTRY, Register
from sosreg.engine.report import REPLACED, DeliveryReport, Report
from sosreg.engine.source import Source
from sosreg.engine.spec import FileSpec
from sosreg.engine.values import YearMonth

__all__ = [
    "DeliveryReport",
    "Earlier",
    "Named",
    "ParsedFile",
    "change_finding",
    "compare_previous",
    "comparisons",
    "earlier_files",
    "latest",
    "mandatory_kinds",
    "named",
    "needs_records",
    "read_file",
    "validate_delivery",
]

MISSING: Final = "SOS-305"


def validate_delivery(
    sources: Sequence[Source] | Iterable[Source],
    *,
    sinks: Iterable[Callable[[Finding], None] | None] | None = None,
    earlier: Iterable[str] = (),
    register: str | None = None,
    file: str | None = None,
    year: int | None = None,
    period: str | YearMonth | None = None,
    spec: FileSpec | None = None,
    codelists: Mapping[str, CodeList] | None = None,
    max_details: int | None = DEFAULT_MAX_DETAILS,
    engine: str = "auto",
    progress: Callable[[int], None] | None = None,
    on: dt.date | None = None,
    on_is_today: bool = False,
) -> DeliveryReport:
    """Validate several files together (e.g. a month's EKB-Månad and EKB-AO).

    ``register`` … ``on_is_today`` are :func:`sosreg.parse`'s (documented there), the
    same for every file; the file of each is read from its name. Besides
    each file's own findings, the delivery is checked as a whole:

    * a re-delivery: of several files for the same expected file (register, file,
      period, kommun), the latest by its name's timestamp counts (:func:`latest`); the
      earlier ones get SOS-304 (replaced), are checked on their own and take no part
      in the cross-file checks or the delivery's status; files that cannot be ordered
      are each SOS-301;
    * a mandatory file missing (SOS-305, :func:`mandatory_kinds`), naming the
      cross-file rules that could not run;
    * several registers (SOS-302) or kommuner (SOS-303) in one delivery;
    * the registers' cross-file rules, over the files that count.

    ``earlier``: paths of earlier deliveries (any periods; Filip-style names); each
    file that counts is compared (the Jämförelser) with the previous period's and the
    same period a year before, where :func:`earlier_files` finds them. ``sinks`` gives
    each file's ``sink`` in turn (see :func:`sosreg.parse`).
    """
    sources = list(sources)
    if not sources:
        raise UsageError("a delivery needs at least one file")
    reports: list[Report] = []
    files: list[ParsedFile] = []
    file_sinks: list[Callable[[Finding], None] | None] = []
    sink_iter = iter(sinks) if sinks is not None else None
    index = Earlier(str(e) for e in earlier)
    opts: dict[str, Any] = {
        "register": register,
        "file": file,
        "year": year,
        "period": period,
        "spec": spec,
        "codelists": codelists,
        "max_details": max_details,
        "engine": engine,
        "progress": progress,
        "on": on,
        "on_is_today": on_is_today,
    }
    for src in sources:
        sink = next(sink_iter, None) if sink_iter is not None else None
        compared = isinstance(src, str | os.PathLike) and bool(index.of(os.fspath(src)))
        report, pf = read_file(src, sink=sink, records=compared or needs_records, **opts)
        reports.append(report)
        files.append(pf)
        file_sinks.append(sink)

    def add(i: int, extra: list[Finding]) -> None:
        if not extra:
            return
        reports[i] = reports[i].with_findings(extra)
        sink = file_sinks[i]
        if sink is not None:
            for f in extra:
                sink(f)

    # A JSON or a workbook named like a register file gets its own finding only: it
    # neither replaces nor is replaced, and stays out of the delivery's checks.
    replaced = _replaced(files, sources)
    for i, by in replaced.items():
        add(i, [_replaced_finding(files[i], files[by], sources[i], sources[by])])
    counting = [i for i in range(len(files)) if i not in replaced and files[i].register_data]
    mine_files = [files[i] for i in counting]
    lists = codelists
    for i in counting:
        src = sources[i]
        if isinstance(src, str | os.PathLike):
            found = index.of(os.fspath(src))
            add(i, comparisons(files[i], found, codelists=lists, found=True))
    findings: list[Finding] = list(_delivery_checks(mine_files)) if mine_files else []
    findings.extend(_missing_files(mine_files))
    for reg_name in sorted({f.register for f in mine_files}):
        reg = REGISTRY.get(reg_name)
        mine = [f for f in mine_files if f.register == reg_name]
        ctx = mine[0].context
        try:
            findings.extend(check_references(mine))
        except Exception as exc:  # a reference that cannot be checked is one finding
            codes = [r.missing for f in mine for r in f.context.spec.references]
            findings.append(ctx.internal(codes[0] if codes else "SOS-900", exc))
        for jr in reg.joined_rules:
            try:
                for parent, children in join(jr.parent, jr.child, mine):
                    findings.extend(jr.fn(parent, children))
            except Exception as exc:  # a rule that raises is one finding
                findings.append(ctx.internal(jr.codes[0], exc))
        for rule in reg.cross_file_rules:
            try:
                findings.extend(rule.fn(mine))
            except Exception as exc:  # a rule that raises is one finding
                findings.append(ctx.internal(rule.codes[0], exc))
    return DeliveryReport(tuple(reports), tuple(_named(f) for f in findings))


def _named(f: Finding) -> Finding:
    """``f`` with :attr:`Finding.file` set from its ``name`` parameter when its rule
    did not set it (every cross-file finding about one file names that file)."""
    if f.file is not None:
        return f
    name = f.param_dict.get("name")
    return f if name is None else attrs.evolve(f, file=name)


def _key(f: ParsedFile) -> tuple[str, str, str, str | None]:
    """The expected file ``f`` is for: register, file, period, kommun."""
    return (f.register, f.file, str(f.period), f.kommun)


def _path_of(f: ParsedFile, src: Source) -> str:
    return os.fspath(src) if isinstance(src, str | os.PathLike) else f.name


def _replaced(files: list[ParsedFile], sources: list[Source]) -> dict[int, int]:
    """File index -> the index of the later file that replaces it (:func:`latest`)."""
    groups: dict[tuple[str, str, str, str | None], list[int]] = defaultdict(list)
    for i, f in enumerate(files):
        if f.register_data:
            groups[_key(f)].append(i)
    out: dict[int, int] = {}
    for members in groups.values():
        if len(members) < 2:
            continue
        names = [_path_of(files[i], sources[i]) for i in members]
        winner = latest(names)
        if winner is None:
            continue
        by = members[names.index(winner)]
        out.update((i, by) for i in members if i != by)
    return out


def _replaced_finding(f: ParsedFile, by: ParsedFile, src: Source, by_src: Source) -> Finding:
    return f.context.finding(
        REPLACED,
        name=f.name,
        by=by.name,
        stamp=stamp(_path_of(f, src)) or "-",
        by_stamp=stamp(_path_of(by, by_src)) or "-",
    )


def _missing_files(files: list[ParsedFile]) -> Iterable[Finding]:
    """SOS-305 for each mandatory file (:func:`mandatory_kinds`) that a register's
    files of one period and kommun lack, naming the cross-file rules that need it."""
    groups: dict[tuple[str, str, str | None], list[ParsedFile]] = defaultdict(list)
    for f in files:
        groups[(f.register, str(f.period), f.kommun)].append(f)
    for (register, period, kommun), members in groups.items():
        present = {f.file for f in members}
        wanted: list[str] = []
        for f in members:
            wanted.extend(k for k in mandatory_kinds(register, f.file) if k not in wanted)
        reg = REGISTRY.get(register)
        for kind in (k for k in wanted if k not in present):
            yield members[0].context.finding(
                MISSING,
                register=reg.name.upper(),
                period=period,
                kommun=kommun or "-",
                missing=reg.files.get(kind, kind),
                rules=", ".join(_rules_needing(reg, kind, members)) or "-",
            )


def _rules_needing(reg: Register, kind: str, present: list[ParsedFile]) -> list[str]:
    """The cross-file rules of ``reg`` that cannot run without file ``kind``: the
    references from or to it, the joined rules over it and the cross-file rules that
    need it."""
    codes: set[str] = set()
    specs = [f.context.spec for f in present]
    with contextlib.suppress(LookupError):  # no spec of the missing file for the year
        specs.append(REGISTRY.resolve_spec(reg.name, kind, present[0].year))
    for spec in specs:
        for ref in spec.references:
            if kind in (ref.to, spec.file):
                codes |= ref.codes()
    codes.update(c for jr in reg.joined_rules if kind in (jr.parent, jr.child) for c in jr.codes)
    codes.update(c for r in reg.cross_file_rules if kind in r.needs for c in r.codes)
    return sorted(codes)


def _delivery_checks(files: list[ParsedFile]) -> Iterable[Finding]:
    """The delivery as a whole: each file once; one register; one kommun."""
    first = files[0].context
    seen: dict[tuple[str, str, str, str | None], ParsedFile] = {}
    for f in files:
        key = (f.register, f.file, str(f.period), f.kommun)
        prior = seen.setdefault(key, f)
        if prior is not f:
            yield f.context.finding(
                "SOS-301",
                kind=REGISTRY.get(f.register).files.get(f.file, f.file),
                period=f.period,
                kommun=f.kommun or "-",
                name=f.name,
                other=prior.name,
                file=f.name,
            )
    registers = sorted({f.register for f in files})
    if len(registers) > 1:
        yield first.finding("SOS-302", registers=", ".join(r.upper() for r in registers))
    by_kommun: dict[str, list[str]] = defaultdict(list)
    for f in files:
        if f.kommun is not None:
            by_kommun[f.kommun].append(f.name)
    if len(by_kommun) > 1:
        yield first.finding("SOS-303", kommuner=", ".join(sorted(by_kommun)))
