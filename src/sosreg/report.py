"""Reports that read like Socialstyrelsen's feedback file.

A :class:`Report` has the status (godkänd / godkänd med varningar / inte godkänd), the
counts per rule, every finding with its line number, the spec and sosreg version used,
and the input's size and SHA-256. It renders as text (Swedish or English) or JSON.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from typing import Any

import attrs

from sosreg._version import __version__
from sosreg.engine.findings import Finding, Severity, Status
from sosreg.engine.rules import CATALOGUE


@attrs.frozen
class Report:
    name: str | None
    register: str
    file: str
    year: int
    period: str
    spec: str
    spec_provenance: str
    encoding: str
    size: int
    sha256: str
    lines: int
    records: int
    findings: tuple[Finding, ...]
    sosreg_version: str = __version__

    @property
    def status(self) -> Status:
        return Status.of(f.severity for f in self.findings)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.WARNING]

    def severities(self) -> dict[str, Severity]:
        """The severity of each rule code found (specs can override the catalogue's)."""
        return {f.code: f.severity for f in self.findings}

    def counts(self) -> dict[str, int]:
        """Number of findings per rule code, most serious rules first."""
        c = Counter(f.code for f in self.findings)
        sev = self.severities()
        return dict(sorted(c.items(), key=lambda kv: (-int(sev[kv[0]]), kv[0])))

    def codes(self) -> set[str]:
        return {f.code for f in self.findings}

    def by_code(self, code: str) -> list[Finding]:
        return [f for f in self.findings if f.code == code]

    def to_dict(self, lang: str = "sv") -> dict[str, Any]:
        status = self.status
        severities = self.severities()
        return {
            "status": status.value,
            "status_en": status.label_en,
            "name": self.name,
            "register": self.register,
            "file": self.file,
            "year": self.year,
            "period": self.period,
            "spec": self.spec,
            "spec_provenance": self.spec_provenance,
            "sosreg_version": self.sosreg_version,
            "input": {
                "size": self.size,
                "sha256": self.sha256,
                "encoding": self.encoding,
                "lines": self.lines,
                "records": self.records,
            },
            "counts": [
                {
                    "code": code,
                    "severity": severities[code].name.lower(),
                    "title": CATALOGUE[code].title(lang) if code in CATALOGUE else code,
                    "count": n,
                }
                for code, n in self.counts().items()
            ],
            "findings": [f.to_dict(lang) for f in self.findings],
        }

    def to_json(self, lang: str = "sv", indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(lang), ensure_ascii=False, indent=indent)

    def to_text(self, lang: str = "sv", max_details: int | None = None) -> str:
        return "\n".join(_text_lines(self, lang, max_details)) + "\n"


_T = {
    "sv": {
        "head": "Återkoppling",
        "file": "Fil",
        "spec": "Specifikation",
        "status": "Status",
        "summary": "Sammanfattning",
        "details": "Detaljer",
        "line": "rad",
        "none": "Inga avvikelser.",
        "more": "… och {n} avvikelser till (se --format json)",
        "input": "Indata",
        "lines": "rader",
        "records": "poster",
        "bytes": "byte",
        "code": "Kod",
        "sev": "Typ",
        "count": "Antal",
        "desc": "Beskrivning",
        "file_level": "fil",
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
        "more": "… and {n} more findings (see --format json)",
        "input": "Input",
        "lines": "lines",
        "records": "records",
        "bytes": "bytes",
        "code": "Code",
        "sev": "Type",
        "count": "Count",
        "desc": "Description",
        "file_level": "file",
    },
}


def _text_lines(r: Report, lang: str, max_details: int | None) -> Iterable[str]:
    t = _T["en" if lang == "en" else "sv"]
    status = r.status.value if lang != "en" else f"{r.status.value} ({r.status.label_en})"
    yield f"{t['head']}: {r.name or '-'}"
    yield f"{t['file']}: {r.register.upper()} {r.file}, {r.period} ({r.year})"
    yield f"{t['spec']}: {r.spec} [{r.spec_provenance}], sosreg {r.sosreg_version}"
    yield (
        f"{t['input']}: {r.size} {t['bytes']}, {r.encoding}, {r.lines} {t['lines']}, "
        f"{r.records} {t['records']}, sha256 {r.sha256[:16]}…"
    )
    yield ""
    yield f"{t['status']}: {status.upper()}"
    yield ""
    yield f"{t['summary']}:"
    counts = r.counts()
    if not counts:
        yield f"  {t['none']}"
    severities = r.severities()
    for code, n in counts.items():
        rule = CATALOGUE.get(code)
        sev = severities[code]
        sev_label = sev.label_sv if lang != "en" else sev.label_en
        title = rule.title(lang) if rule else code
        yield f"  {code:<8} {sev_label:<11} {n:>6}  {title}"
    shown = [f for f in r.findings]
    if shown:
        yield ""
        yield f"{t['details']}:"
        limit = len(shown) if max_details is None else max_details
        for f in shown[:limit]:
            where = f"{t['line']} {f.line}" if f.line else t["file_level"]
            sev_label = f.severity.label_sv if lang != "en" else f.severity.label_en
            yield f"  {where:>10}  {f.code:<8} {sev_label:<11} {f.message(lang)}"
        if len(shown) > limit:
            yield "  " + t["more"].format(n=len(shown) - limit)
