"""The report model: what a validation says, as data.

A :class:`Report` holds one file's status (godkänd / godkänd med varningar / inte
godkänd), the exact count of findings per rule, the findings kept as details (the first
``max_details`` of each rule; counts stay exact), the spec and sosreg version used, and
the input's size and SHA-256. A :class:`DeliveryReport` holds several files checked
together and the cross-file findings.

:meth:`Report.to_dict` is the JSON report, an interface others build on: it is
versioned (:data:`SCHEMA_VERSION`) and described by the JSON Schema shipped in
``sosreg/schemas/report.schema.json`` (see ``docs/report-format.md``). One file, a
delivery of several files and a run over many deliveries (``sosreg validate DIR
--format json``) have the same shape: a list of deliveries and a summary.

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
from sosreg.engine.errors import optional_import
from sosreg.engine.findings import Finding, Severity, Status, code_text, order_key
from sosreg.engine.rules import CATALOGUE
from sosreg.identity import mask_text

SCHEMA_VERSION: Final = "2.0"
"""Version of the JSON report's shape. Minor: fields added; major: fields changed or
removed. Recorded in the CHANGELOG. 2.0: one shape for any number of deliveries (a
``deliveries`` list and a ``summary``); every finding has ``file``."""

REPLACED: Final = "SOS-304"
"""The rule that marks a file of a delivery as replaced by a later one (a re-delivery):
such a file's report is kept but does not count towards the delivery's status."""

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
    collector: int | None = None
    """The collector's error number, where known (shown beside the code)."""

    def code_text(self, lang: str = "sv") -> str:
        """The code with the collector's number beside it (``EKB-012 (fel 12)``)."""
        return code_text(self.code, self.collector, lang)


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
        f.collector,
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
        item.get("collector"),
    )


def _is_portal(code: str) -> bool:
    rule = CATALOGUE.get(code)
    return rule is not None and rule.category.value == "portal"


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
            "collector": CATALOGUE[code].collector if code in CATALOGUE else None,
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
        """The verdict on the contents: every finding but the portal's (category
        ``portal``, which depends on the day; see :attr:`portal_status`)."""
        return Status.of(self.contents_severities().values())

    @property
    def portal_status(self) -> Status:
        """Whether the portal would take the file on the day judged by (godkänd: it
        would; inte godkänd: it refuses it), from the portal findings only."""
        return Status.of(sev for code, sev in self.severities().items() if _is_portal(code))

    def contents_severities(self) -> dict[str, Severity]:
        """:meth:`severities` without the portal's rules."""
        return {c: s for c, s in self.severities().items() if not _is_portal(c)}

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

    def contents_totals(self) -> dict[Severity, int]:
        """:meth:`totals` without the portal's rules: the counts beside the contents'
        status."""
        out = dict.fromkeys(sorted(Severity, reverse=True), 0)
        severities = self.contents_severities()
        for code, n in self.counts().items():
            if code in severities:
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

    @property
    def replaced(self) -> bool:
        """Whether a later file of the delivery replaces this one (SOS-304): it was
        checked on its own and does not count towards the delivery's status."""
        assert self.rule_counts is not None
        return REPLACED in self.rule_counts

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

    def delivery_dict(self, lang: str = "sv") -> dict[str, Any]:
        """The file as a delivery of one file: an item of the JSON report's
        ``deliveries``."""
        return delivery_dict(self.status, [self.file_dict(lang)], [], lang)

    def summary_dict(self) -> dict[str, Any]:
        """The JSON report's ``summary`` of this one file."""
        return summary_dict([self.status], files=1, lines=self.lines, totals=self.contents_totals())

    def to_dict(self, lang: str = "sv") -> dict[str, Any]:
        """The JSON report (schema :data:`SCHEMA_VERSION`): one delivery and its summary,
        the shape of any report."""
        return document([self.delivery_dict(lang)], self.summary_dict(), lang)

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
    pd = optional_import("pandas", "to_frame", "pandas")
    data = [{**r._asdict(), "severity": r.severity.code} for r in rows]
    frame = pd.DataFrame.from_records(data, columns=list(FindingRow._fields))
    frame["line"] = frame["line"].astype("Int64")
    for column in ("file", "code", "severity", "category", "field", "value", "title", "message"):
        frame[column] = frame[column].astype("string")
    return frame


def delivery_dict(
    status: Status, files: list[dict[str, Any]], cross: list[Finding], lang: str
) -> dict[str, Any]:
    """One delivery (one file, or several checked together) as an item of the JSON
    report's ``deliveries``: its status, its files and the checks across them."""
    cross_counts = _counts_of(cross)
    return {
        "status": status_dict(status),
        "files": files,
        "cross_file": {
            "counts": counts_list(cross_counts, _severities_of(cross), cross_counts, lang),
            "findings": [f.to_dict(lang) for f in cross],
        },
    }


def summary_dict(
    statuses: Iterable[Status],
    *,
    files: int,
    lines: int,
    totals: Mapping[Severity, int],
    not_checked: Iterable[Mapping[str, Any]] = (),
) -> dict[str, Any]:
    """The JSON report's ``summary``: the worst status of the deliveries checked
    (``None`` if none was), how many deliveries had each status, and the totals."""
    statuses = list(statuses)
    by_status = Counter(s.code for s in statuses)
    worst = max(statuses, key=lambda s: s.exit_code, default=None)
    return {
        "status": None if worst is None else status_dict(worst),
        "deliveries": len(statuses),
        "by_status": {s.code: by_status[s.code] for s in Status},
        "files": files,
        "lines": lines,
        "errors": totals.get(Severity.ERROR, 0),
        "warnings": totals.get(Severity.WARNING, 0),
        "infos": totals.get(Severity.INFO, 0),
        "not_checked": [dict(item) for item in not_checked],
    }


def document_head(lang: str) -> dict[str, Any]:
    """The JSON report's first keys (what a streaming writer writes before the
    deliveries)."""
    return {"schema_version": SCHEMA_VERSION, "sosreg_version": __version__, "lang": lang}


def document(
    deliveries: list[dict[str, Any]], summary: dict[str, Any], lang: str
) -> dict[str, Any]:
    """The JSON report: its version, the deliveries (:func:`delivery_dict`) and the
    summary (:func:`summary_dict`); the same shape for one file and for many
    deliveries."""
    return {**document_head(lang), "deliveries": deliveries, "summary": summary}


@attrs.frozen
class DeliveryReport(Rendered):
    """Several files checked together: a :class:`Report` per file and the cross-file
    findings."""

    reports: tuple[Report, ...]
    """A report per file, in the order given."""
    findings: tuple[Finding, ...]
    """Cross-file findings (each about one file names it: :attr:`Finding.file`)."""

    @property
    def counting(self) -> tuple[Report, ...]:
        """The reports of the files that count: all but those a later file replaces
        (:attr:`Report.replaced`, a re-delivery)."""
        return tuple(r for r in self.reports if not r.replaced)

    @property
    def status(self) -> Status:
        """The worst of the counting files' findings (:attr:`counting`) and the
        cross-file findings."""
        return Status.of(
            [
                *(f.severity for f in self.findings),
                *(s for r in self.counting for s in r.contents_severities().values()),
            ]
        )

    @property
    def portal_status(self) -> Status:
        """The worst portal verdict of the files (see :attr:`Report.portal_status`)."""
        return max(
            (r.portal_status for r in self.reports),
            key=lambda s: s.exit_code,
            default=Status.GODKAND,
        )

    def counts(self) -> dict[str, int]:
        """Cross-file findings per rule code."""
        return _counts_of(self.findings)

    def severities(self) -> dict[str, Severity]:
        """The severity of each cross-file rule code found."""
        return _severities_of(self.findings)

    def totals(self) -> dict[Severity, int]:
        """Exact number of findings per severity, the counting files' (:attr:`counting`)
        and the cross-file ones (as :meth:`Report.totals`)."""
        out = dict.fromkeys(sorted(Severity, reverse=True), 0)
        for f in self.findings:
            out[f.severity] += 1
        for r in self.counting:
            for severity, n in r.totals().items():
                out[severity] += n
        return out

    def contents_totals(self) -> dict[Severity, int]:
        """:meth:`totals` without the portal's rules (as :meth:`Report.contents_totals`)."""
        out = dict.fromkeys(sorted(Severity, reverse=True), 0)
        for f in self.findings:
            if not _is_portal(f.code):
                out[f.severity] += 1
        for r in self.counting:
            for severity, n in r.contents_totals().items():
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
            yield finding_row(f, f.file or "", lang)

    def delivery_dict(self, lang: str = "sv") -> dict[str, Any]:
        """The delivery as an item of the JSON report's ``deliveries``."""
        return delivery_dict(
            self.status, [r.file_dict(lang) for r in self.reports], list(self.findings), lang
        )

    def summary_dict(self) -> dict[str, Any]:
        """The JSON report's ``summary`` of this one delivery."""
        return summary_dict(
            [self.status],
            files=len(self.reports),
            lines=sum(r.lines for r in self.reports),
            totals=self.contents_totals(),
        )

    def to_dict(self, lang: str = "sv") -> dict[str, Any]:
        """The JSON report of the delivery (schema :data:`SCHEMA_VERSION`): the same
        shape as one file's."""
        return document([self.delivery_dict(lang)], self.summary_dict(), lang)
