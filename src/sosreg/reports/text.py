"""The feedback as plain text, in Swedish or English, shaped like Socialstyrelsen's
feedback file: the file and spec, the status, counts per rule (exact), and details with
line numbers (at most ``max_details`` per rule; the rest are counted, not shown)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from typing import Final

from sosreg.engine.findings import Finding, Status, code_text
from sosreg.engine.report import DeliveryReport, Report
from sosreg.engine.rules import CATALOGUE, say

DEFAULT_MAX_DETAILS: Final = 100
"""Details shown per rule in text (and CSV) output unless told otherwise."""

_T: Final = {
    "sv": {
        "head": "Återkoppling",
        "file": "Fil",
        "spec": "Specifikation",
        "status": "Status",
        "summary": "Sammanfattning",
        "details": "Detaljer",
        "line": "rad",
        "none": "Inga avvikelser.",
        "more": "… och {n} till av {code} (antalen ovan är exakta; --max-details all, i Python "
        "max_details=None, visar alla)",
        "input": "Indata",
        "input_facts": "{size} byte, {encoding}, {lines} {lines|rad|rader}, "
        "{records} {records|post|poster}",
        "file_level": "fil",
        "deadline": "Sista dag för inrapportering",
        "cross": "Kontroller mellan filerna",
        "delivery": "Leveransens status",
        "kommun": "kommun",
        "unknown": "okänd",
    },
    "en": {
        "head": "Feedback",
        "file": "File",
        "spec": "Spec",
        "status": "Status",
        "summary": "Summary",
        "details": "Details",
        "line": "line",
        "none": "No findings.",
        "more": "… and {n} more of {code} (counts above are exact; --max-details all, in Python "
        "max_details=None, shows all)",
        "input": "Input",
        "input_facts": "{size} {size|byte|bytes}, {encoding}, {lines} {lines|line|lines}, "
        "{records} {records|record|records}",
        "file_level": "file",
        "deadline": "Last day to report",
        "cross": "Checks across files",
        "delivery": "Status of the delivery",
        "kommun": "municipality",
        "unknown": "unknown",
    },
}

_PROVENANCE: Final = {
    "sv": {
        "provisional": "preliminär layout",
        "official": "officiell layout",
        "user": "egen layout",
    },
    "en": {
        "provisional": "provisional layout",
        "official": "official layout",
        "user": "user layout",
    },
}


def _lang(lang: str) -> str:
    return "en" if lang == "en" else "sv"


def render(
    report: Report | DeliveryReport,
    *,
    lang: str = "sv",
    max_details: int | None = DEFAULT_MAX_DETAILS,
) -> str:
    """The report as text. ``max_details``: details per rule (``None``: all)."""
    if isinstance(report, DeliveryReport):
        return "\n".join(_delivery_lines(report, lang, max_details)) + "\n"
    return "\n".join(_report_lines(report, lang, max_details)) + "\n"


def _portal_line(r: Report, lang: str) -> str | None:
    """What the portal would do with the file, when the portal stage ran (SOS-034 names
    the day); ``None`` otherwise."""
    day = next((f.param_dict.get("on") for f in r.findings if f.code == "SOS-034"), None)
    if day is None:
        return None
    refused = r.portal_status is Status.INTE_GODKAND
    if lang == "en":
        verdict = "refuses the file" if refused else "takes the file"
        return f"Portal (as of {day}): {verdict} (not part of the status above)"
    verdict = "tar inte emot filen" if refused else "tar emot filen"
    return f"Portalen (per {day}): {verdict} (ingår inte i statusen ovan)"


def _status_text(status: Status, lang: str) -> str:
    return status.label(lang).upper()


def _report_lines(r: Report, lang: str, max_details: int | None) -> Iterator[str]:
    lang = _lang(lang)
    t = _T[lang]
    yield f"{t['head']}: {r.name or '-'}"
    kommun = f", {t['kommun']} {r.kommun}" if r.kommun else ""
    yield f"{t['file']}: {r.register.upper()} {r.file}, {r.period} ({r.year}){kommun}"
    if r.deadline is not None:
        yield f"{t['deadline']}: {r.deadline.isoformat()}"
    prov = _PROVENANCE[lang].get(r.spec_provenance, r.spec_provenance)
    yield f"{t['spec']}: {r.spec} [{prov}], sosreg {r.sosreg_version}"
    yield (
        f"{t['input']}: "
        + say(t["input_facts"], size=r.size, encoding=r.encoding, lines=r.lines, records=r.records)
        + f", sha256 {r.sha256[:16]}…"
    )
    yield ""
    yield f"{t['status']}: {_status_text(r.status, lang)}"
    portal = _portal_line(r, lang)
    if portal:
        yield portal
    yield ""
    yield f"{t['summary']}:"
    counts = r.counts()
    if not counts:
        yield f"  {t['none']}"
    severities = r.severities()
    shown_codes = {code: _rule_code(code, lang) for code in counts}
    width = max((len(c) for c in shown_codes.values()), default=8)
    for code, n in counts.items():
        rule = CATALOGUE.get(code)
        title = rule.title(lang) if rule else code
        yield f"  {shown_codes[code]:<{width}} {severities[code].label(lang):<11} {n:>6}  {title}"
    if r.findings:
        yield ""
        yield f"{t['details']}:"
        yield from _details(r.findings, lang, max_details, r.counts())


def _rule_code(code: str, lang: str) -> str:
    """A rule's code with the collector's number beside it, where known."""
    rule = CATALOGUE.get(code)
    return code_text(code, rule.collector if rule else None, lang)


def _details(
    findings: Iterable[Finding], lang: str, max_details: int | None, counts: dict[str, int]
) -> Iterator[str]:
    t = _T[lang]
    findings = list(findings)
    width = max((len(f.code_text(lang)) for f in findings), default=8)
    shown: Counter[str] = Counter()
    for f in findings:
        if max_details is not None and shown[f.code] >= max_details:
            continue
        shown[f.code] += 1
        where = f"{t['line']} {f.line}" if f.line else t["file_level"]
        if f.file is not None:  # a cross-file finding: the file it points into
            where = f"{f.file}, {where}"
        code = f.code_text(lang)
        yield f"  {where:>10}  {code:<{width}} {f.severity.label(lang):<11} {f.message(lang)}"
    for code, n in counts.items():
        if n > shown[code]:
            yield "  " + t["more"].format(n=n - shown[code], code=code)


def _delivery_lines(d: DeliveryReport, lang: str, max_details: int | None) -> Iterator[str]:
    lang = _lang(lang)
    t = _T[lang]
    for r in d.reports:
        yield from _report_lines(r, lang, max_details)
        yield ""
    yield f"{t['cross']}: {len(d.findings)}"
    yield from _details(d.findings, lang, max_details, d.counts())
    yield f"{t['delivery']}: {_status_text(d.status, lang)}"
