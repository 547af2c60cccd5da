"""The report model: what a validation says, as data.

A :class:`Report` holds one file's status (godkänd / godkänd med varningar / inte
godkänd), the exact count of findings per rule, the findings kept as details (the first
``max_details`` of each rule; counts stay exact), the spec and sosreg version used, and
the input's size and SHA-256. A :class:`DeliveryReport` holds several files checked
together and the cross-file findings.

:meth:`Report.to_dict` is the JSON report, an interface others build on: it is
versioned (:data:`SCHEMA_VERSION`) and described by the JSON Schema shipped in
``sosreg/schemas/report.schema.json`` (see ``docs/report-format.md``). One file and
several files have the same top-level shape.

Rendering to text, CSV, Excel or HTML is not done here: renderers plug in with
:func:`register_renderer` (sosreg's own are in :mod:`sosreg.reports`), and
:meth:`Report.render` calls them, so every format is made from this one model. The
tabular formats read the same rows: :meth:`Report.rows` gives one :class:`FindingRow`
per finding (file, line, code, severity, field, masked value, title, message).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import IO, Any, Final, NamedTuple

import attrs

from sosreg._version import __version__
from sosreg.engine.findings import Finding, Severity, Status, order_key
from sosreg.engine.rules import CATALOGUE
from sosreg.identity import mask_text

SCHEMA_VERSION: Final = "1.0"
"""Version of the JSON report's shape. Minor: fields added; major: fields changed or
removed. Recorded in the CHANGELOG."""

Renderer = Callable[..., Any]
RENDERERS: dict[str, Renderer] = {}
"""Format name -> renderer ``(report, **options) -> str | bytes | None``."""


def register_renderer(name: str, fn: Renderer) -> None:
    """Make ``fn`` the renderer of format ``name`` for :meth:`Report.render`."""
    RENDERERS[name] = fn


def render(report: Report | DeliveryReport, fmt: str, **options: Any) -> Any:
    """``report`` rendered by the renderer registered for ``fmt``."""
    fn = RENDERERS.get(fmt)
    if fn is None:
        known = ", ".join(sorted(RENDERERS)) or "none (import sosreg)"
        raise ValueError(f"no renderer for format {fmt!r} (known: {known})")
    return fn(report, **options)


class FindingRow(NamedTuple):
    """One finding as a row of a table: what :meth:`Report.rows` gives and the CSV,
    Excel and HTML reports (and :meth:`Report.to_frame`) show. ``value`` is the
    finding's masked value; ``title`` and ``message`` are in the language asked for."""

    file: str
    """The file's name (cross-file findings: the file they point into, or ``""``)."""
    line: int | None
    """1-based physical line; ``None`` for a finding about the whole file."""
    code: str
    severity: Severity
    category: str
    """The stage that found it (:class:`~sosreg.engine.findings.Category` value)."""
    field: str | None
    value: str | None
    title: str
    message: str


def finding_row(f: Finding, file: str, lang: str = "sv") -> FindingRow:
    """``f`` as a :class:`FindingRow` of file ``file``."""
    return FindingRow(
        file,
        f.line,
        f.code,
        f.severity,
        f.category.value,
        f.field,
        f.value,
        f.title(lang),
        f.message(lang),
    )


def row_from_dict(item: Mapping[str, Any], file: str) -> FindingRow:
    """A :class:`FindingRow` from a finding as in the JSON report (:meth:`Finding.to_dict`;
    e.g. read back from a :class:`~sosreg.reports.json_report.FindingSpool`)."""
    return FindingRow(
        file,
        item["line"],
        item["code"],
        Severity[str(item["severity"]).upper()],
        item["category"],
        item["field"],
        item["value"],
        item["title"],
        item["message"],
    )


def _counts_of(findings: Iterable[Finding]) -> dict[str, int]:
    return dict(Counter(f.code for f in findings))


def _severities_of(findings: Iterable[Finding]) -> dict[str, Severity]:
    out: dict[str, Severity] = {}
    for f in findings:
        if f.code not in out or f.severity > out[f.code]:
            out[f.code] = f.severity
    return out


def status_dict(status: Status) -> dict[str, Any]:
    """A status as the JSON report writes it: code, labels and exit code."""
    return {
        "code": status.code,
        "label_sv": status.label("sv"),
        "label_en": status.label("en"),
        "exit_code": status.exit_code,
    }


def counts_list(
    counts: Mapping[str, int],
    severities: Mapping[str, Severity],
    shown: Mapping[str, int],
    lang: str,
) -> list[dict[str, Any]]:
    """Counts per rule, most serious first, as in the JSON report."""
    order = sorted(counts, key=lambda c: (-int(severities[c]), c))
    return [
        {
            "code": code,
            "severity": severities[code].code,
            "severity_label": severities[code].label(lang),
            "title": CATALOGUE[code].title(lang) if code in CATALOGUE else code,
            "count": counts[code],
            "shown": shown.get(code, 0),
        }
        for code in order
    ]


class Rendered:
    """The output formats of :class:`Report` and :class:`DeliveryReport`, each through
    the renderer registered for it (see :mod:`sosreg.reports`). A delivery's output has
    every file's part, then the cross-file findings."""

    __slots__ = ()

    def rows(self, lang: str = "sv") -> Iterator[FindingRow]:
        """One :class:`FindingRow` per finding kept, in report order."""
        raise NotImplementedError

    def render(self, fmt: str, **options: Any) -> Any:
        """The report rendered in format ``fmt`` by its registered renderer."""
        return render(self, fmt, **options)  # type: ignore[arg-type]

    def to_json(self, lang: str = "sv", indent: int | None = 2) -> str:
        """The JSON report (schema :data:`SCHEMA_VERSION`) as text."""
        out: str = self.render("json", lang=lang, indent=indent)
        return out

    def to_text(self, lang: str = "sv", max_details: int | None = None) -> str:
        """The feedback as text, ``max_details`` details per rule (``None``: all)."""
        out: str = self.render("text", lang=lang, max_details=max_details)
        return out

    def to_csv(self, out: IO[str] | None = None, lang: str = "sv") -> str | None:
        """The findings as CSV (``;``, a header row, masked values); written to ``out``
        (opened with ``newline=""``) or returned. See :mod:`sosreg.reports.csv_report`."""
        out_text: str | None = self.render("csv", out=out, lang=lang)
        return out_text

    def to_xlsx(self, out: Any = None, lang: str = "sv") -> bytes | None:
        """The feedback workbook (needs ``sosreg[excel]``; a delivery's files side by
        side on the first sheet): written to ``out`` (a path or a binary stream) or
        returned as bytes. See :mod:`sosreg.reports.xlsx_report`."""
        data: bytes | None = self.render("xlsx", out=out, lang=lang)
        return data

    def to_html(self, lang: str = "sv", max_details: int | None = 100) -> str:
        """One self-contained HTML page (no scripts, nothing fetched); ``max_details``
        per rule (``None``: all). See :mod:`sosreg.reports.html_report`."""
        out: str = self.render("html", lang=lang, max_details=max_details)
        return out

    def _repr_html_(self) -> str:
        """Jupyter: the HTML report as a fragment, at most 50 details per rule."""
        out: str = self.render("html", max_details=50, fragment=True)
        return out

    def to_frame(self, lang: str = "sv") -> Any:
        """The rows of :meth:`rows` as a ``pandas.DataFrame``, one per finding (the
        columns of :class:`FindingRow`; needs ``sosreg[pandas]``)."""
        return _frame(self.rows(lang))


def _masked_name(name: str | None) -> str | None:
    return None if name is None else mask_text(name)


@attrs.frozen
class Report(Rendered):
    """The report of one file. ``findings`` are the details kept (in report order:
    file-level first, then by line); :meth:`counts` are exact."""

    name: str | None = attrs.field(converter=_masked_name)
    """The file's name, identity numbers in it masked (``Ekb_19890307-****_202301.txt``):
    the one place every report, table and message gets a file's name from."""
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
    rule_counts: Mapping[str, int] | None = attrs.field(default=None, eq=False, repr=False)
    """Exact findings per rule code; ``None``: count :attr:`findings`."""
    rule_severities: Mapping[str, Severity] | None = attrs.field(default=None, eq=False, repr=False)
    max_details: int | None = None
    """The cap on details per rule that was used (``None``: every finding kept)."""
    kommun: str | None = None
    deadline: dt.date | None = None
    """The last day to report this file (``sosreg.deadline``), where known."""

    def __attrs_post_init__(self) -> None:
        if self.rule_counts is None:
            object.__setattr__(self, "rule_counts", _counts_of(self.findings))
        if self.rule_severities is None:
            object.__setattr__(self, "rule_severities", _severities_of(self.findings))

    # -- the model ---------------------------------------------------------------------

    @property
    def status(self) -> Status:
        return Status.of(self.severities().values())

    def severities(self) -> dict[str, Severity]:
        """The severity of each rule code found (specs can override the catalogue's)."""
        assert self.rule_severities is not None
        return dict(self.rule_severities)

    def counts(self) -> dict[str, int]:
        """Exact number of findings per rule code, most serious rules first."""
        assert self.rule_counts is not None
        sev = self.severities()
        return dict(sorted(self.rule_counts.items(), key=lambda kv: (-int(sev[kv[0]]), kv[0])))

    def shown(self) -> dict[str, int]:
        """Details kept per rule code."""
        return _counts_of(self.findings)

    def totals(self) -> dict[Severity, int]:
        """Exact number of findings per severity (every severity, most serious first)."""
        out = dict.fromkeys(sorted(Severity, reverse=True), 0)
        severities = self.severities()
        for code, n in self.counts().items():
            out[severities[code]] += n
        return out

    def omitted(self) -> dict[str, int]:
        """Per rule code, the findings counted but not kept as details."""
        shown = self.shown()
        return {c: n - shown.get(c, 0) for c, n in self.counts().items() if n > shown.get(c, 0)}

    @property
    def total(self) -> int:
        return sum(self.counts().values())

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.WARNING]

    def codes(self) -> set[str]:
        """The rule codes found."""
        return set(self.counts())

    def by_code(self, code: str) -> list[Finding]:
        """The findings kept of rule ``code``."""
        return [f for f in self.findings if f.code == code]

    def with_findings(self, extra: Iterable[Finding]) -> Report:
        """This report with ``extra`` findings added (e.g. previous-period ones)."""
        extra = list(extra)
        counts = Counter(self.counts())
        counts.update(f.code for f in extra)
        sev = self.severities()
        for code, s in _severities_of(extra).items():
            sev[code] = max(s, sev.get(code, s))
        findings = sorted((*self.findings, *extra), key=order_key)
        return attrs.evolve(
            self, findings=tuple(findings), rule_counts=dict(counts), rule_severities=sev
        )

    def header_dict(self, lang: str = "sv") -> dict[str, Any]:
        """Everything of the file's JSON object but its findings and counts."""
        return {
            "name": self.name,
            "register": self.register,
            "file": self.file,
            "year": self.year,
            "period": self.period,
            "kommun": self.kommun,
            "deadline": self.deadline.isoformat() if self.deadline else None,
            "spec": {"key": self.spec, "provenance": self.spec_provenance},
            "input": {
                "size": self.size,
                "sha256": self.sha256,
                "encoding": self.encoding,
                "lines": self.lines,
                "records": self.records,
            },
        }

    def file_dict(self, lang: str = "sv") -> dict[str, Any]:
        """The file's object in the JSON report's ``files`` array."""
        counts = self.counts()
        omitted = self.omitted()
        return {
            **self.header_dict(lang),
            "status": status_dict(self.status),
            "total": sum(counts.values()),
            "counts": counts_list(counts, self.severities(), self.shown(), lang),
            "max_details": self.max_details,
            "omitted": sum(omitted.values()),
            "findings": [f.to_dict(lang) for f in self.findings],
        }

    def to_dict(self, lang: str = "sv") -> dict[str, Any]:
        """The JSON report (schema :data:`SCHEMA_VERSION`), same shape as a delivery's."""
        return document(self.status, [self.file_dict(lang)], [], lang)

    # -- tables: one row per finding, read by CSV, Excel, HTML and DataFrames ----------

    @property
    def display_name(self) -> str:
        """The file's name as reports show it (its register and file if it has none)."""
        return self.name or f"{self.register}/{self.file}"

    def rows(self, lang: str = "sv") -> Iterator[FindingRow]:
        """One :class:`FindingRow` per finding kept (:attr:`findings`, report order)."""
        name = self.display_name
        for f in self.findings:
            yield finding_row(f, name, lang)


def _frame(rows: Iterable[FindingRow]) -> Any:
    try:
        import pandas as pd
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError("to_frame needs pandas: pip install 'sosreg[pandas]'") from exc
    data = [{**r._asdict(), "severity": r.severity.code} for r in rows]
    frame = pd.DataFrame.from_records(data, columns=list(FindingRow._fields))
    frame["line"] = frame["line"].astype("Int64")
    for column in ("file", "code", "severity", "category", "field", "value", "title", "message"):
        frame[column] = frame[column].astype("string")
    return frame


def document(
    status: Status, files: list[dict[str, Any]], cross: list[Finding], lang: str
) -> dict[str, Any]:
    """The top-level JSON object, for one file or a delivery."""
    cross_counts = _counts_of(cross)
    return {
        "schema_version": SCHEMA_VERSION,
        "sosreg_version": __version__,
        "lang": lang,
        "status": status_dict(status),
        "files": files,
        "cross_file": {
            "counts": counts_list(cross_counts, _severities_of(cross), cross_counts, lang),
            "findings": [f.to_dict(lang) for f in cross],
        },
    }


@attrs.frozen
class DeliveryReport(Rendered):
    """Several files checked together: a :class:`Report` per file and the cross-file
    findings."""

    reports: tuple[Report, ...]
    """A report per file, in the order given."""
    findings: tuple[Finding, ...]
    """Cross-file findings (each names its file in the parameter ``name``)."""

    @property
    def status(self) -> Status:
        """The worst of every file's findings and the cross-file findings."""
        return Status.of(
            [
                *(f.severity for f in self.findings),
                *(s for r in self.reports for s in r.severities().values()),
            ]
        )

    def counts(self) -> dict[str, int]:
        """Cross-file findings per rule code."""
        return _counts_of(self.findings)

    def severities(self) -> dict[str, Severity]:
        """The severity of each cross-file rule code found."""
        return _severities_of(self.findings)

    def totals(self) -> dict[Severity, int]:
        """Exact number of findings per severity, every file's and the cross-file ones
        (as :meth:`Report.totals`)."""
        out = dict.fromkeys(sorted(Severity, reverse=True), 0)
        for f in self.findings:
            out[f.severity] += 1
        for r in self.reports:
            for severity, n in r.totals().items():
                out[severity] += n
        return out

    def ordered_counts(self) -> dict[str, int]:
        """:meth:`counts`, most serious rules first (as :meth:`Report.counts`)."""
        sev = self.severities()
        return dict(sorted(self.counts().items(), key=lambda kv: (-int(sev[kv[0]]), kv[0])))

    def rows(self, lang: str = "sv") -> Iterator[FindingRow]:
        """Every file's :meth:`Report.rows`, in order, then the cross-file findings
        (each with the file it points into)."""
        for r in self.reports:
            yield from r.rows(lang)
        for f in self.findings:
            yield finding_row(f, f.param_dict.get("name", ""), lang)

    def to_dict(self, lang: str = "sv") -> dict[str, Any]:
        """The JSON report of the delivery (schema :data:`SCHEMA_VERSION`)."""
        return document(
            self.status, [r.file_dict(lang) for r in self.reports], list(self.findings), lang
        )
