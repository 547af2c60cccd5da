"""Headings and words the tabular reports (CSV, Excel, HTML) share, in Swedish and
English: one place, so that a column is called the same in every format.

Rule titles and messages are not here: they come from the rule catalogue
(:mod:`sosreg.engine.rules`), through :meth:`~sosreg.engine.report.Report.rows`.
"""

from __future__ import annotations

import re
from typing import Final

from sosreg.engine.register import REGISTRY
from sosreg.engine.report import Report
from sosreg.engine.rules import Rule

COLUMNS: Final = {
    "sv": {
        "file": "Fil",
        "line": "Rad",
        "code": "Kod",
        "collector": "Insamlingens felnr",
        "severity": "Allvarlighetsgrad",
        "category": "Kategori",
        "field": "Fält",
        "value": "Värde",
        "title": "Titel",
        "message": "Meddelande",
    },
    "en": {
        "file": "File",
        "line": "Line",
        "code": "Code",
        "collector": "Collector's error no.",
        "severity": "Severity",
        "category": "Category",
        "field": "Field",
        "value": "Value",
        "title": "Title",
        "message": "Message",
    },
}
"""Column headings of :class:`~sosreg.engine.report.FindingRow`'s fields."""

CATEGORIES: Final = {
    "sv": {
        "file": "fil",
        "line": "rad",
        "field": "fält",
        "record": "post",
        "cross-record": "mellan poster",
        "cross-file": "mellan filer",
        "previous-period": "föregående period",
        "portal": "portalen",
        "internal": "internt fel",
    },
    "en": {
        "file": "file",
        "line": "line",
        "field": "field",
        "record": "record",
        "cross-record": "across records",
        "cross-file": "across files",
        "previous-period": "previous period",
        "portal": "portal",
        "internal": "internal error",
    },
}
"""The stage a rule runs in (:class:`~sosreg.engine.findings.Category`), for people."""

PROVENANCE: Final = {
    "sv": {
        "provisional": "preliminär layout (ej bekräftad mot den officiella tekniska beskrivningen)",
        "official": "officiell layout",
        "user": "egen layout",
    },
    "en": {
        "provisional": "provisional layout (not confirmed against the official description)",
        "official": "official layout",
        "user": "user layout",
    },
}

SHEETS: Final = {
    "sv": {
        "start": "Start",
        "summary": "Summerad info",
        "details": "Detaljinfo",
        "comparisons": "Jämförelser",
        "codes": "Avvikelsekoder",
    },
    "en": {
        "start": "Start",
        "summary": "Summary",
        "details": "Details",
        "comparisons": "Comparisons",
        "codes": "Error codes",
    },
}
"""Sheet names of the Excel report (as Socialstyrelsen's feedback workbook has them)."""

WORDS: Final = {  # a count's word: {n|singular|plural} (sosreg.engine.rules.say)
    "sv": {
        "report": "Återkoppling",
        "delivery": "Leverans",
        "delivery_status": "Leveransens status",
        "status": "Status",
        "file": "Fil",
        "kind": "Filtyp",
        "register": "Register",
        "period": "Period",
        "year": "Statistikår",
        "kommun": "Kommun",
        "deadline": "Sista dag för inrapportering",
        "spec": "Specifikation",
        "provenance": "Specifikationens ursprung",
        "sosreg": "sosreg-version",
        "size": "Storlek (byte)",
        "input": "Indata",
        "bytes": "byte",
        "encoding": "Teckenkodning",
        "sha256": "SHA-256",
        "lines": "Rader",
        "records": "Poster",
        "errors": "Fel",
        "warnings": "Varningar",
        "infos": "Information",
        "total": "Avvikelser totalt",
        "count": "Antal",
        "shown": "Visade",
        "description": "Beskrivning",
        "source": "Källa",
        "summary": "Sammanfattning",
        "details": "Detaljer",
        "comparisons": "Jämförelser med föregående period",
        "cross": "Kontroller mellan filerna",
        "none": "Inga avvikelser.",
        "file_level": "fil",
        "more": "… och {n} till av {code} (antalen är exakta; --max-details all, i Python "
        "max_details=None, visar alla)",
        "capped": "Högst {n} {n|detalj|detaljer} per kod visas; antalen är exakta.",
        "n_errors": "{n} fel",
        "n_warnings": "{n} {n|varning|varningar}",
        "n_infos": "{n} information",
        "n_bytes": "{n} byte",
        "no_comparison": "Ingen jämförelse med föregående period gjordes (ange --previous, i "
        "Python previous=).",
        "no_changes": "Inga avvikelser jämfört med föregående period.",
        "compared_with": "Jämförd med",
        "of_file": "i filen",
        "unknown": "okänd",
        "masked": "Personnummer visas maskerade (ÅÅÅÅMMDD-****).",
        "rules_of": "Alla avvikelsekoder för {registers}",
    },
    "en": {
        "report": "Feedback",
        "delivery": "Delivery",
        "delivery_status": "Status of the delivery",
        "status": "Status",
        "file": "File",
        "kind": "File type",
        "register": "Register",
        "period": "Period",
        "year": "Statistical year",
        "kommun": "Municipality",
        "deadline": "Last day to report",
        "spec": "Spec",
        "provenance": "Spec provenance",
        "sosreg": "sosreg version",
        "size": "Size (bytes)",
        "input": "Input",
        "bytes": "bytes",
        "encoding": "Encoding",
        "sha256": "SHA-256",
        "lines": "Lines",
        "records": "Records",
        "errors": "Errors",
        "warnings": "Warnings",
        "infos": "Information",
        "total": "Findings in all",
        "count": "Count",
        "shown": "Shown",
        "description": "Description",
        "source": "Source",
        "summary": "Summary",
        "details": "Details",
        "comparisons": "Comparisons with the previous period",
        "cross": "Checks across files",
        "none": "No findings.",
        "file_level": "file",
        "more": "… and {n} more of {code} (counts are exact; --max-details all, in Python "
        "max_details=None, shows all)",
        "capped": "At most {n} {n|detail|details} per code {n|is|are} shown; the counts are exact.",
        "n_errors": "{n} {n|error|errors}",
        "n_warnings": "{n} {n|warning|warnings}",
        "n_infos": "{n} information",
        "n_bytes": "{n} {n|byte|bytes}",
        "no_comparison": "No comparison with the previous period was made (give --previous, in "
        "Python previous=).",
        "no_changes": "No findings compared with the previous period.",
        "compared_with": "Compared with",
        "of_file": "in the file",
        "unknown": "unknown",
        "masked": "Personnummer are shown masked (YYYYMMDD-****).",
        "rules_of": "Every error code of {registers}",
    },
}


def lang_of(lang: str) -> str:
    """``"en"`` or ``"sv"`` (anything else)."""
    return "en" if lang == "en" else "sv"


def kind(report: Report) -> str:
    """The file's kind as people call it: ``EKB-Månad``, ``SOL2``, ``BU-Barn``."""
    try:
        return REGISTRY.get(report.register).files.get(report.file, report.file)
    except KeyError:
        return f"{report.register.upper()} {report.file}"


def provenance(report: Report, lang: str) -> str:
    return PROVENANCE[lang_of(lang)].get(report.spec_provenance, report.spec_provenance)


_PLACEHOLDERS = re.compile(r"\{[^{}]*\}(?:\s*\{[^{}]*\})*")


def description(rule: Rule, lang: str) -> str:
    """The rule's message with its placeholders as ``…`` (a run of them as one): what
    the rule says, in general."""
    return _PLACEHOLDERS.sub("…", rule.template(lang))
