"""Cross-file checks: a delivery of several files checked together.

:func:`validate_delivery` validates each file on its own (a :class:`~sosreg.Report`
each) and then runs the registers' cross-file rules over the records of all files.
Cross-file findings name the file they point into (parameter ``name``) and its line.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import attrs

from sosreg.engine.findings import Finding
from sosreg.engine.joins import ParsedFile, check_references, join
from sosreg.engine.pipeline import Parsed, UsageError, parse
from sosreg.engine.register import REGISTRY
from sosreg.engine.report import DeliveryReport, Report
from sosreg.engine.source import Source

__all__ = ["DeliveryReport", "ParsedFile", "compare_previous", "read_file", "validate_delivery"]


def validate_delivery(
    sources: Sequence[Source] | Iterable[Source],
    *,
    sinks: Iterable[Callable[[Finding], None] | None] | None = None,
    **kwargs: Any,
) -> DeliveryReport:
    """Validate several files together (e.g. a month's EKB-Månad and EKB-AO).

    ``kwargs`` go to :func:`sosreg.parse` for every file (``register``, ``year``,
    ``codelists``, ``max_details``...); the file of each is read from its name. Besides
    each file's own findings, the delivery is checked as a whole: the same file twice
    (SOS-301), several registers (SOS-302) or kommuner (SOS-303) in one delivery, and
    the registers' cross-file rules. ``sinks`` gives each file's ``sink`` in turn (see
    :func:`sosreg.parse`).
    """
    sources = list(sources)
    if not sources:
        raise UsageError("a delivery needs at least one file")
    reports = []
    files: list[ParsedFile] = []
    sink_iter = iter(sinks) if sinks is not None else None
    for src in sources:
        sink = next(sink_iter, None) if sink_iter is not None else None
        report, pf = read_file(src, sink=sink, **kwargs)
        reports.append(report)
        if pf.register_data:  # a JSON or a workbook named like a file: its own finding only
            files.append(pf)
    findings: list[Finding] = list(_delivery_checks(files)) if files else []
    for reg_name in sorted({f.register for f in files}):
        reg = REGISTRY.get(reg_name)
        mine = [f for f in files if f.register == reg_name]
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


def read_file(source: Source, **kwargs: Any) -> tuple[Report, ParsedFile]:
    """Parse ``source`` completely: (its :class:`~sosreg.Report`, its records)."""
    parsed: Parsed = parse(source, **kwargs)
    records: list[tuple[int, Any]] = []
    for row in parsed:
        if row.record is not None:
            records.append((row.line, row.record))
    pf = ParsedFile(
        name=parsed.name or "-",
        register=parsed.register.name,
        file=parsed.file,
        period=parsed.period,
        year=parsed.year,
        records=tuple(records),
        context=parsed.context,
        kommun=parsed.kommun,
        register_data=parsed.text_input,
    )
    return parsed.report(), pf


def compare_previous(current: ParsedFile, previous: ParsedFile) -> list[Finding]:
    """Run the register's previous-period rules for ``current`` against ``previous``."""
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
    expected = current.period + -1  # the month before (YearMonth) or the year before (int)
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
