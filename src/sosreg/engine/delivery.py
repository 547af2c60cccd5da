"""Cross-file checks: a delivery of several files checked together.

:func:`validate_delivery` validates each file on its own (a :class:`~sosreg.Report`
each) and then runs the registers' cross-file rules over the records of all files.
Cross-file findings name the file they point into (parameter ``name``) and its line.

What the collector knows about a delivery (domain.md §14) is asked of two small
functions here, the single hook that the collection data (expected files per
sub-register) will feed:

* :func:`mandatory_kinds`: which files a delivery holding a file must have (BU: its
  three; every other file is a sub-register of its own, so only itself: a missing
  EKB-AO or SOL2 is a matter of the period's status, not of the delivery);
* :func:`latest`: of several files for the same expected file (same kommun or unit,
  sub-register, period and kind), which one counts: the latest by the name's
  timestamp; the others are *replaced* (SOS-304), checked on their own and kept out of
  the delivery's cross-file checks and status.

:func:`earlier_files` finds, by name, the files to compare a file with (the
previous period and the same period a year before) among the files given.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import os
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Final

import attrs

from sosreg.codelists import CodeList
from sosreg.engine.filename import parse_filename
from sosreg.engine.findings import DEFAULT_MAX_DETAILS, Finding
from sosreg.engine.joins import ParsedFile, check_references, join
from sosreg.engine.pipeline import Parsed, UsageError, parse
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
    "compare_previous",
    "comparisons",
    "earlier_files",
    "latest",
    "mandatory_kinds",
    "named",
    "read_file",
    "validate_delivery",
]

MISSING: Final = "SOS-305"
COMPARED: Final = "SOS-306"


def mandatory_kinds(register: str, file: str) -> tuple[str, ...]:
    """The files (keys of the register's ``files``) that a delivery holding ``file``
    of ``register`` must have, ``file`` among them: the mandatory files of the
    sub-register expecting ``file``, from the register's collection data
    (``Register.collection``; BU: its three levels, domain.md §8, §14); any other file
    alone (EKB-Månad and EKB-AO, SOL1 and SOL2 are separate sub-registers: one without
    the other is a matter of the period's status, not of the delivery)."""
    try:
        reg = REGISTRY.get(register)
    except KeyError:
        return (file,)
    sub = reg.subregister(file)
    if sub is None:
        return (file,)
    together = tuple(f.kind for f in sub.files if f.mandatory and f.kind in reg.files)
    return together if file in together else (file,)


@attrs.frozen
class Named:
    """What a Filip-style file name says: the file (register and kind), the
    organisation (kommun or, reporting per unit, the unit: the name's own token), the
    period and the timestamp."""

    path: str
    register: str
    file: str
    org: str
    period: str
    timestamp: str | None

    @property
    def key(self) -> tuple[str, str, str, str]:
        """The expected file it is for: (register, file, organisation, period)."""
        return (self.register, self.file, self.org, self.period)


def named(path: str) -> Named | None:
    """:class:`Named` for a Filip-style name whose register and file are known, else
    ``None``."""
    name = parse_filename(os.path.basename(path), REGISTRY.prefixes())
    if not (name.filip and name.register and name.kommun and name.period):
        return None
    file = REGISTRY.get(name.register).file_from_tokens(list(name.tokens))
    if file is None:
        return None
    return Named(path, name.register, file, name.kommun, name.period, name.timestamp)


def _stamp(path: str) -> str | None:
    return parse_filename(os.path.basename(path), REGISTRY.prefixes()).timestamp


def latest(paths: Sequence[str]) -> str | None:
    """Of several files for the same expected file, the one that counts: the latest
    by the timestamp of its name (``ÅÅÅÅMMDDTHHMM``, domain.md §9, §14). ``None`` when
    they cannot be ordered: a name without a timestamp, or two with the latest one
    (then each is SOS-301). The hook the collection helper's choice of the counting
    delivery will replace."""
    if not paths:
        return None
    stamps = [_stamp(p) for p in paths]
    if any(s is None for s in stamps):
        return None
    top = max(s for s in stamps if s is not None)
    winners = [p for p, s in zip(paths, stamps, strict=True) if s == top]
    return winners[0] if len(winners) == 1 else None


def _period_before(period: str, months: int) -> str:
    """``period`` (``ÅÅÅÅMM`` or ``ÅÅÅÅ``) moved back ``months`` months (an annual
    period: the previous year, for 1 month as for 12)."""
    if len(period) == 4:  # annual: the previous period is the previous year
        return str(int(period) - max(1, months // 12))
    n = int(period[:4]) * 12 + int(period[4:]) - 1 - months
    return f"{n // 12:04d}{n % 12 + 1:02d}"


class Earlier:
    """The files of ``paths`` indexed by what their names say, to find the ones to
    compare a file with (:meth:`of`) without reading every name again."""

    def __init__(self, paths: Iterable[str]) -> None:
        self._by_key: dict[tuple[str, str, str, str], list[str]] = defaultdict(list)
        for p in paths:
            other = named(p)
            if other is not None:
                self._by_key[other.key].append(p)

    def of(self, path: str) -> list[tuple[str, str]]:
        """The files to compare ``path`` with: ``("previous", p)`` for the previous
        period (the month before, or the year before for an annual file) and ``("year",
        p)`` for the same month a year before, each the delivery that counts of the
        same organisation, register and file (:func:`latest`; when they cannot be
        ordered, the last name). Nothing for a name that is not Filip-style."""
        me = named(path)
        if me is None:
            return []
        out: list[tuple[str, str]] = []
        periods: set[str] = set()
        for which, months in (("previous", 1), ("year", 12)):
            period = _period_before(me.period, months)
            if period in periods:
                continue  # annual: the year before is the previous period
            periods.add(period)
            found = self._by_key.get((me.register, me.file, me.org, period))
            if found:
                out.append((which, latest(found) or sorted(found)[-1]))
        return out


def earlier_files(path: str, paths: Iterable[str]) -> list[tuple[str, str]]:
    """:meth:`Earlier.of` ``path`` among ``paths`` (for many files, make one
    :class:`Earlier` and ask it)."""
    return Earlier(paths).of(path)


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
        stamp=_stamp(_path_of(f, src)) or "-",
        by_stamp=_stamp(_path_of(by, by_src)) or "-",
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


def read_file(
    source: Source, *, records: bool | Callable[[Parsed], bool] = True, **kwargs: Any
) -> tuple[Report, ParsedFile]:
    """Parse ``source`` completely: (its :class:`~sosreg.Report`, its records).

    The report is made by the engine asked for (``engine``; ``auto`` by default). Only
    the row engine makes every record, so where ``records`` (or ``records(parsed)``)
    says they are needed, ``auto`` chooses the row engine (one pass does both), and a
    forced ``columnar`` reads the file a second time with the row engine for the
    records only. Where they are not needed, the records are left out (empty)."""
    again = _Again(source)
    if kwargs.get("engine") == "columnar" and not _whole(source):
        again, kwargs = _buffered(source, kwargs)  # read twice below
        source = again()
    parsed: Parsed = parse(source, **kwargs)
    need = records(parsed) if callable(records) else records
    found: list[tuple[int, Any]] = []
    if need and parsed.chosen_engine(records=True) == "row":
        found = [(row.line, row.record) for row in parsed if row.record is not None]
    elif need and parsed.text_input:
        parsed.report()  # the file's findings by the engine chosen
        rest = {k: v for k, v in kwargs.items() if k not in ("sink", "progress")}
        rows = parse(again(), **(rest | {"engine": "row", "max_details": 0}))
        found = [(row.line, row.record) for row in rows if row.record is not None]
    pf = ParsedFile(
        name=parsed.name or "-",
        register=parsed.register.name,
        file=parsed.file,
        period=parsed.period,
        year=parsed.year,
        records=tuple(found),
        context=parsed.context,
        kommun=parsed.kommun,
        register_data=parsed.text_input,
    )
    return parsed.report(), pf


def needs_records(parsed: Parsed) -> bool:
    """Whether a delivery's checks read the records of ``parsed``'s file: its register
    has cross-file or joined rules, or a spec of the register refers to or from it
    (``[[references]]``). SoL, KHSL and LSS files need none; EKB and BU files do."""
    reg = parsed.register
    if reg.cross_file_rules or reg.joined_rules or parsed.spec.references:
        return True
    return any(
        ref.to == parsed.file for spec in REGISTRY.all_specs(reg.name) for ref in spec.references
    )


def _whole(source: Source) -> bool:
    return isinstance(source, str | os.PathLike | bytes | bytearray | memoryview)


@attrs.frozen
class _Again:
    """The same input to read again: ``source`` itself (a path or bytes), or the text
    or bytes of a stream read once."""

    source: Source
    text: bool = False
    """``source`` is the text of a text stream (not a path)."""

    def __call__(self) -> Source:
        if isinstance(self.source, str) and self.text:
            return io.StringIO(self.source, newline="")
        return self.source


def _buffered(source: Source, kwargs: dict[str, Any]) -> tuple[_Again, dict[str, Any]]:
    """A stream read at once, to be read twice, and ``kwargs`` with the stream's name (as
    :class:`~sosreg.engine.source.Input` would name it)."""
    name = getattr(source, "name", None)
    if not isinstance(source, io.TextIOBase) and getattr(source, "seekable", bool)():
        source.seek(0)  # type: ignore[union-attr]  # as Input reads a binary file: all of it
    data = source.read()  # type: ignore[union-attr]
    if isinstance(data, str):
        again = _Again(data, text=True)
    else:
        again = _Again(bytes(data))
        name = name and os.path.basename(str(name))
    if name and not kwargs.get("name"):
        kwargs = kwargs | {"name": str(name)}
    return again, kwargs


def read_earlier(
    source: Source, current: ParsedFile, codelists: Mapping[str, CodeList] | None = None
) -> ParsedFile:
    """An earlier file to compare ``current`` with, read completely (its name says
    what it is when it can; else it is read as ``current``'s register and file)."""
    try:
        _, before = read_file(source, codelists=codelists, max_details=0)
    except UsageError:
        _, before = read_file(
            source,
            register=current.register,
            file=current.file,
            codelists=codelists,
            max_details=0,
        )
    return before


WHICH: Final = {
    "previous": ("föregående period", "the previous period"),
    "year": ("samma period föregående år", "the same period the year before"),
}
"""The comparisons :func:`comparisons` makes, as SOS-306 names them."""


def comparisons(
    current: ParsedFile,
    earlier: Sequence[tuple[str, Source]],
    codelists: Mapping[str, CodeList] | None = None,
    *,
    found: bool = False,
) -> list[Finding]:
    """The Jämförelser of ``current`` with each earlier file of ``earlier``
    (``("previous", source)``: the previous period; ``("year", source)``: the same
    period a year before): SOS-306 naming the file compared with, then the findings of
    :func:`compare_previous`. ``found``: the files were found, not named, so one that
    cannot be read at all is left out (its own report says why) instead of stopping
    the check of ``current``."""
    findings: list[Finding] = []
    for which, source in earlier:
        try:
            before = read_earlier(source, current, codelists)
        except UsageError:
            if not found:
                raise
            continue
        sv, en = WHICH[which]
        findings.append(
            current.context.finding(
                COMPARED,
                previous=before.name,
                previous_period=before.period,
                which_sv=sv,
                which_en=en,
            )
        )
        findings.extend(compare_previous(current, before, months=1 if which == "previous" else 12))
    return findings


def compare_previous(
    current: ParsedFile, previous: ParsedFile, *, months: int = 1
) -> list[Finding]:
    """Run the register's previous-period rules for ``current`` against ``previous``,
    the file ``months`` months before (1: the previous period; 12: the same month a
    year before)."""
    reg = REGISTRY.get(current.register)
    findings: list[Finding] = []
    if previous.register != current.register or previous.file != current.file:
        return [
            current.context.finding(
                "SOS-015",
                name=previous.name,
                expected=f"{current.register}/{current.file}",
                got=f"{previous.register}/{previous.file}",
            )
        ]
    if None not in (previous.kommun, current.kommun) and previous.kommun != current.kommun:
        return [
            current.context.finding(
                "SOS-017", name=previous.name, got=previous.kommun, expected=current.kommun
            )
        ]
    if isinstance(current.period, int):
        expected = current.period - max(1, months // 12)  # annual: the year before
    else:
        expected = current.period + -months  # the month(s) before (YearMonth)
    if previous.period != expected:
        findings.append(
            current.context.finding(
                "SOS-016", name=previous.name, got=previous.period, expected=expected
            )
        )
    for rule in reg.previous_rules:
        if rule.files is not None and current.file not in rule.files:
            continue
        try:
            findings.extend(rule.fn(current, previous))
        except Exception as exc:  # a rule that raises is one finding
            findings.append(current.context.internal(rule.codes[0], exc))
    return findings


def change_finding(
    code: str,
    current: ParsedFile,
    previous: ParsedFile,
    now: float,
    before: float,
    limit_pct: float,
) -> Iterable[Finding]:
    """A finding of ``code`` when ``now`` differs from ``before`` by more than
    ``limit_pct`` percent (the collector's comparison with earlier deliveries)."""
    if before <= 0:
        return
    change = (now - before) * 100.0 / before
    if abs(change) > limit_pct:
        yield current.context.finding(
            code,
            now=f"{now:.0f}",
            before=f"{before:.0f}",
            change=f"{change:+.0f}",
            limit=f"{limit_pct:g}",
            previous_period=previous.period,
            period=current.period,
        )
