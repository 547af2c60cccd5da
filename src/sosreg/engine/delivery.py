"""Cross-file checks: a delivery of several files checked together.

:func:`validate_delivery` validates each file on its own (a :class:`~sosreg.Report`
each) and then runs the registers' cross-file rules over the records of all files.
Cross-file findings name the file they point into (parameter ``name``) and its line.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import attrs

from sosreg.engine.core import Context
from sosreg.engine.findings import Category, Finding, Severity, Status
from sosreg.engine.pipeline import Parsed, parse
from sosreg.engine.source import Source


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
        worst = max(
            [f.severity for f in self.findings]
            + [
                Severity.ERROR
                if r.status is Status.INTE_GODKAND
                else Severity.WARNING
                if r.status is Status.GODKAND_MED_VARNINGAR
                else Severity.INFO
                for r in self.reports
            ],
            default=Severity.INFO,
        )
        return {
            Severity.ERROR: Status.INTE_GODKAND,
            Severity.WARNING: Status.GODKAND_MED_VARNINGAR,
            Severity.INFO: Status.GODKAND,
        }[worst]

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
    from sosreg import report_of

    reports = []
    files: list[ParsedFile] = []
    for src in sources:
        parsed: Parsed = parse(src, **kwargs)
        records: list[tuple[int, Any]] = []
        for row in parsed:
            if row.record is not None:
                records.append((row.line, row.record))
        reports.append(report_of(parsed))
        files.append(
            ParsedFile(
                name=parsed.name or f"#{len(files) + 1}",
                register=parsed.register.name,
                file=parsed.file,
                period=parsed.period,
                year=parsed.year,
                records=tuple(records),
                context=parsed.context,
            )
        )
    findings: list[Finding] = []
    from sosreg import registers as _registers

    for reg_name in sorted({f.register for f in files}):
        reg = _registers.get(reg_name)
        mine = [f for f in files if f.register == reg_name]
        for rule in reg.cross_file_rules:
            try:
                findings.extend(rule.fn(mine))
            except Exception as exc:  # a rule that raises is one finding
                ctx = mine[0].context
                findings.append(
                    ctx.finding(
                        "SOS-900",
                        rule=rule.codes[0],
                        error=type(exc).__name__,
                        category=Category.INTERNAL,
                    )
                )
    return DeliveryReport(tuple(reports), tuple(findings))
