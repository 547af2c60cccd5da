"""sosreg: Socialstyrelsen's social-services registers as data.

>>> import sosreg
>>> report = sosreg.validate("Ekb_0330_201707_20170815T1011.txt")  # doctest: +SKIP
>>> report.status  # doctest: +SKIP
<Status.GODKAND: 'godkänd'>
"""

from __future__ import annotations

from typing import Any

import attrs

from sosreg import frames
from sosreg._version import __version__
from sosreg.engine.delivery import DeliveryReport, validate_delivery
from sosreg.engine.findings import Category, Finding, Severity, Status
from sosreg.engine.pipeline import Parsed, Row, UsageError, load, parse, serialize, write
from sosreg.engine.records import converter, from_dict, record_class, to_dict
from sosreg.engine.source import Source, TextFormat
from sosreg.engine.spec import FieldSpec, FileSpec, load_spec
from sosreg.engine.values import Special, YearMonth
from sosreg.registers import resolve_spec as get_spec
from sosreg.report import Report

__all__ = [
    "Category",
    "DeliveryReport",
    "FieldSpec",
    "FileSpec",
    "Finding",
    "Parsed",
    "Report",
    "Row",
    "Severity",
    "Source",
    "Special",
    "Status",
    "TextFormat",
    "UsageError",
    "YearMonth",
    "__version__",
    "clear_caches",
    "converter",
    "frames",
    "from_dict",
    "get_spec",
    "load",
    "load_spec",
    "parse",
    "record_class",
    "serialize",
    "to_dict",
    "validate",
    "validate_delivery",
    "write",
]


def validate(source: Source, *, previous: Source | None = None, **kwargs: Any) -> Report:
    """Check ``source`` and return a :class:`Report`.

    Takes the arguments of :func:`parse` (``register``, ``file``, ``year``, ``period``,
    ``spec``, ``codelists``, ``name``). With ``previous`` (the same file for the
    previous period), the register's previous-period rules compare the two, as the
    collector compares a delivery with earlier ones. Raises :class:`UsageError` only
    when the input cannot be checked at all (unknown register, no spec for the year,
    unreadable path); everything wrong *in* the input is a finding.
    """
    if previous is None:
        parsed = parse(source, **kwargs)
        for _ in parsed:
            pass
        return report_of(parsed)
    from sosreg.engine.delivery import compare_previous, read_file

    report, current = read_file(source, **kwargs)
    lists = kwargs.get("codelists")
    try:  # the earlier file says what it is, if its name can
        _, before = read_file(previous, codelists=lists)
    except UsageError:
        _, before = read_file(
            previous, register=current.register, file=current.file, codelists=lists
        )
    extra = compare_previous(current, before)
    findings = sorted((*report.findings, *extra), key=lambda f: f.line or 0)
    return attrs.evolve(report, findings=tuple(findings))


def clear_caches() -> None:
    """Empty the parse caches (identities, dates, year-months). Results never depend on
    them; benchmarks call this to measure a cold start."""
    from sosreg import identity
    from sosreg.engine import values

    identity._parse_cached.cache_clear()
    values.parse_date.cache_clear()
    values.parse_yearmonth.cache_clear()


def report_of(parsed: Parsed) -> Report:
    """The report of a :class:`Parsed` that has been iterated."""
    findings = sorted(parsed.findings, key=lambda f: f.line or 0)
    sn = parsed.input.sniff
    return Report(
        name=parsed.name,
        register=parsed.register.name,
        file=parsed.file,
        year=parsed.year,
        period=str(parsed.period),
        spec=parsed.spec.key,
        spec_provenance=parsed.spec.provenance,
        encoding=sn.encoding + ("+bom" if sn.bom else ""),
        size=sn.size,
        sha256=sn.sha256,
        lines=parsed.lines_read,
        records=parsed.records_count,
        findings=tuple(findings),
    )
