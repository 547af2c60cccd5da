"""Cross-file checks: a delivery of several files checked together.

:func:`validate_delivery` validates each file on its own (a :class:`~sosreg.Report`
each) and then runs the registers' cross-file rules over the records of all files.
Cross-file findings name the file they point into (parameter ``name``) and its line.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import attrs

from sosreg.engine.core import Context
from sosreg.engine.findings import Finding, Status
from sosreg.engine.pipeline import Parsed, parse
from sosreg.engine.source import Source

if TYPE_CHECKING:
    from sosreg.report import Report


@attrs.frozen
class ParsedFile:
    """One file of a delivery, with its records and their line numbers."""

    name: str
    register: str
    file: str
    period: Any
    year: int
    records: tuple[tuple[int, Any], ...]
    context: Context


@attrs.frozen
class DeliveryReport:
    reports: tuple[Any, ...]
    """A :class:`~sosreg.Report` per file, in the order given."""
    findings: tuple[Finding, ...]
    """Cross-file findings."""

    @property
    def status(self) -> Status:
        """The worst of every file's findings and the cross-file findings."""
        return Status.of(
            f.severity for f in (*self.findings, *(g for r in self.reports for g in r.findings))
        )

    def to_dict(self, lang: str = "sv") -> dict[str, Any]:
        return {
            "status": self.status.value,
            "status_en": self.status.label_en,
            "files": [r.to_dict(lang) for r in self.reports],
            "cross_file_findings": [f.to_dict(lang) for f in self.findings],
        }


def validate_delivery(
    sources: Sequence[Source] | Iterable[Source], **kwargs: Any
) -> DeliveryReport:
    """Validate several files together (e.g. a month's EKB-Månad and EKB-AO).

    ``kwargs`` go to :func:`sosreg.parse` for every file (``register``, ``year``,
    ``codelists``...); the file of each is read from its name.
    """
    reports = []
    files: list[ParsedFile] = []
    for src in sources:
        report, pf = read_file(src, **kwargs)
        reports.append(report)
        files.append(pf)
    findings: list[Finding] = []
    from sosreg import registers as _registers

    for reg_name in sorted({f.register for f in files}):
        reg = _registers.get(reg_name)
        mine = [f for f in files if f.register == reg_name]
        for rule in reg.cross_file_rules:
            try:
                findings.extend(rule.fn(mine))
            except Exception as exc:  # a rule that raises is one finding
                findings.append(mine[0].context.internal(rule.codes[0], exc))
    return DeliveryReport(tuple(reports), tuple(findings))


def read_file(source: Source, **kwargs: Any) -> tuple[Report, ParsedFile]:
    """Parse ``source`` completely: (its :class:`~sosreg.Report`, its records)."""
    from sosreg import report_of

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
    )
    return report_of(parsed), pf


def compare_previous(current: ParsedFile, previous: ParsedFile) -> list[Finding]:
    """Run the register's previous-period rules for ``current`` against ``previous``."""
    from sosreg import registers as _registers

    reg = _registers.get(current.register)
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
