"""The feedback as one self-contained HTML page: no scripts, nothing fetched from the
network, readable in any browser and printable.

A status banner coloured by status, the file's facts (kind, period, kommun, deadline,
spec and its provenance, input), the exact counts per rule, and the details grouped
per rule (line, field, masked value, message), at most ``max_details`` per rule; a
delivery gets its status on top, a section per file and one for the checks across
files. Every value is escaped with :func:`html.escape`; values are masked (no full
personnummer). :meth:`Report._repr_html_ <sosreg.engine.report.Report._repr_html_>`
(Jupyter) is this page as a fragment, 50 details per rule.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Iterator
from typing import Final

from sosreg._version import __version__
from sosreg.engine.findings import Severity, Status, code_text
from sosreg.engine.report import DeliveryReport, FindingRow, Report
from sosreg.engine.rules import CATALOGUE, say
from sosreg.reports import labels
from sosreg.reports.labels import COLUMNS, WORDS, lang_of

DEFAULT_MAX_DETAILS: Final = 100
"""Details shown per rule unless told otherwise (counts are always exact)."""

STATUS_CLASS: Final = {
    Status.GODKAND: "ok",
    Status.GODKAND_MED_VARNINGAR: "warn",
    Status.INTE_GODKAND: "fail",
}

CSS: Final = """
.sosreg{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;
 color:#1b1b1b;line-height:1.4;max-width:1200px}
.sosreg h1{font-size:1.5em;margin:.4em 0}
.sosreg h2{font-size:1.3em;margin:1.2em 0 .4em;border-bottom:2px solid #d0d7de}
.sosreg h3{font-size:1.1em;margin:1em 0 .4em}
.sosreg .banner{padding:.7em 1em;border-radius:6px;font-size:1.25em;font-weight:700;
 margin:.6em 0;border:1px solid transparent}
.sosreg .banner .sub{font-size:.75em;font-weight:400;margin-left:.8em}
.sosreg .banner.ok{background:#1e7b34;color:#fff}
.sosreg .banner.warn{background:#f5c542;color:#3d2c00;border-color:#c99a06}
.sosreg .banner.fail{background:#b3261e;color:#fff}
.sosreg table{border-collapse:collapse;margin:.3em 0 .8em;font-size:.92em}
.sosreg th,.sosreg td{border:1px solid #d0d7de;padding:.3em .55em;text-align:left;
 vertical-align:top}
.sosreg thead th{background:#eef2f7}
.sosreg table.facts th{background:#f6f8fa;font-weight:600;white-space:nowrap}
.sosreg td.num{text-align:right;font-variant-numeric:tabular-nums}
.sosreg td.code,.sosreg td.value,.sosreg td.field{font-family:ui-monospace,Consolas,monospace}
.sosreg td.code{white-space:nowrap}
.sosreg table.details{width:100%;table-layout:fixed}
.sosreg table.details td{overflow-wrap:anywhere}
.sosreg table.details col.line{width:4.5em}
.sosreg table.details col.file{width:22%}
.sosreg table.details col.field{width:16em}
.sosreg table.details col.value{width:11em}
.sosreg .sev{display:inline-block;padding:0 .45em;border-radius:4px;font-size:.9em;
 white-space:nowrap}
.sosreg .sev.error{background:#fde2e1;color:#8a1c14;font-weight:600}
.sosreg .sev.warning{background:#fff3cd;color:#6b4e00}
.sosreg .sev.info{background:#e2ecf7;color:#1f4e79}
.sosreg details{margin:.5em 0 .9em}
.sosreg summary{cursor:pointer;font-weight:600}
.sosreg summary code{font-size:1em;font-family:ui-monospace,Consolas,monospace}
.sosreg .more,.sosreg .note{color:#555;font-style:italic;margin:.2em 0 .8em}
.sosreg footer{color:#555;font-size:.85em;margin-top:2em;border-top:1px solid #d0d7de;
 padding-top:.5em}
"""


def _e(value: object) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def render(
    report: Report | DeliveryReport,
    *,
    lang: str = "sv",
    max_details: int | None = DEFAULT_MAX_DETAILS,
    fragment: bool = False,
    previous: str | None = None,
) -> str:
    """The HTML report: a whole page, or (``fragment``) a ``<div>`` with its own style
    for embedding (Jupyter). ``max_details``: details per rule (``None``: all kept);
    ``previous`` names the file compared with (``--previous``), if any."""
    lang = lang_of(lang)
    body = "\n".join(_body(report, lang, max_details, previous))
    div = f'<div class="sosreg" lang="{lang}">\n<style>{CSS}</style>\n{body}\n</div>'
    if fragment:
        return div
    t = WORDS[lang]
    name = (
        report.display_name
        if isinstance(report, Report)
        else ", ".join(r.display_name for r in report.reports)
    )
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_e(t['report'])}: {_e(name)}</title>\n</head>\n<body>\n{div}\n</body>\n"
        "</html>\n"
    )


def _body(
    report: Report | DeliveryReport, lang: str, max_details: int | None, previous: str | None
) -> Iterator[str]:
    t = WORDS[lang]
    if isinstance(report, Report):
        yield f"<h1>{_e(t['report'])}: {_e(report.display_name)}</h1>"
        yield from _file(report, lang, max_details, None, "rule-", previous)
    else:
        names = ", ".join(r.display_name for r in report.reports)
        yield f"<h1>{_e(t['report'])}: {_e(t['delivery'])}</h1>"
        yield f"<p>{_e(names)}</p>"
        yield _banner(report.status, t["delivery_status"], lang, None)
        for i, r in enumerate(report.reports, 1):
            yield from _file(r, lang, max_details, r.display_name, f"file{i}-", None)
        yield f"<h2>{_e(t['cross'])}</h2>"
        yield from _cross(report, lang, max_details)
    yield (f"<footer>sosreg {_e(__version__)}. {_e(t['masked'])}</footer>")


def _banner(status: Status, label: str, lang: str, counts: dict[Severity, int] | None) -> str:
    sub = ""
    if counts is not None:
        t = WORDS[lang]
        parts = [
            say(t["n_errors"], n=counts[Severity.ERROR]),
            say(t["n_warnings"], n=counts[Severity.WARNING]),
            say(t["n_infos"], n=counts[Severity.INFO]),
        ]
        sub = f'<span class="sub">{_e(", ".join(parts))}</span>'
    return (
        f'<div class="banner {STATUS_CLASS[status]}" role="status">{_e(label)}: '
        f"{_e(status.label(lang).upper())}{sub}</div>"
    )


def _sev(severity: Severity, lang: str) -> str:
    return f'<span class="sev {severity.code}">{_e(severity.label(lang))}</span>'


def _file(
    r: Report,
    lang: str,
    max_details: int | None,
    heading: str | None,
    prefix: str,
    previous: str | None,
) -> Iterator[str]:
    t = WORDS[lang]
    if heading is not None:
        yield f"<h2>{_e(t['file'])}: {_e(heading)}</h2>"
    yield _banner(r.status, t["status"], lang, r.totals())
    facts: list[tuple[str, str]] = [
        (t["file"], r.display_name),
        (t["kind"], f"{labels.kind(r)} ({r.register.upper()})"),
        (t["period"], f"{r.period} ({t['year'].lower()} {r.year})"),
        (t["kommun"], r.kommun or t["unknown"]),
        (t["deadline"], r.deadline.isoformat() if r.deadline else t["unknown"]),
        (t["spec"], f"{r.spec}: {labels.provenance(r, lang)}"),
        (
            t["lines"] + " / " + t["records"].lower(),
            f"{r.lines} / {r.records}",
        ),
        (t["input"], f"{say(t['n_bytes'], n=r.size)}, {r.encoding}, SHA-256 {r.sha256}"),
    ]
    if previous is not None:
        facts.append((t["compared_with"], previous))
    yield '<table class="facts"><tbody>'
    for key, value in facts:
        yield f"<tr><th>{_e(key)}</th><td>{_e(value)}</td></tr>"
    yield "</tbody></table>"
    yield f"<h3>{_e(t['summary'])}</h3>"
    counts = r.counts()
    omitted = r.omitted()
    yield from _summary(counts, r.severities(), r.shown(), lang, bool(omitted), prefix)
    if omitted and r.max_details is not None:
        yield f'<p class="note">{_e(say(t["capped"], n=r.max_details))}</p>'
    if counts:
        yield f"<h3>{_e(t['details'])}</h3>"
        yield from _details(r.rows(lang), counts, lang, max_details, False, prefix)


def _summary(
    counts: dict[str, int],
    severities: dict[str, Severity],
    shown: dict[str, int],
    lang: str,
    capped: bool,
    prefix: str,
) -> Iterator[str]:
    t = WORDS[lang]
    cols = COLUMNS[lang]
    if not counts:
        yield f"<p>{_e(t['none'])}</p>"
        return
    heads = [cols["code"], cols["severity"], cols["title"], t["count"]]
    if capped:
        heads.append(t["shown"])
    yield '<table class="summary"><thead><tr>'
    yield "".join(f"<th>{_e(h)}</th>" for h in heads)
    yield "</tr></thead><tbody>"
    for code, n in counts.items():
        rule = CATALOGUE.get(code)
        title = rule.title(lang) if rule else code
        cells = [
            f'<td class="code"><a href="#{_e(_anchor(prefix, code))}">'
            f"{_e(code_text(code, rule.collector if rule else None, lang))}</a></td>",
            f"<td>{_sev(severities[code], lang)}</td>",
            f"<td>{_e(title)}</td>",
            f'<td class="num">{n}</td>',
        ]
        if capped:
            cells.append(f'<td class="num">{shown.get(code, 0)}</td>')
        yield "<tr>" + "".join(cells) + "</tr>"
    yield "</tbody></table>"


def _anchor(prefix: str, code: str) -> str:
    """The id of a rule's details (``prefix``: which file of a delivery)."""
    return prefix + "".join(ch if ch.isalnum() or ch == "-" else "_" for ch in code)


def _details(
    rows: Iterable[FindingRow],
    counts: dict[str, int],
    lang: str,
    max_details: int | None,
    with_file: bool,
    prefix: str,
) -> Iterator[str]:
    """The details grouped per rule, rules in the order of ``counts``."""
    t = WORDS[lang]
    cols = COLUMNS[lang]
    groups: dict[str, list[FindingRow]] = {}
    for row in rows:
        group = groups.setdefault(row.code, [])
        if max_details is None or len(group) < max_details:
            group.append(row)
    for code, n in counts.items():
        group = groups.get(code, [])
        title = group[0].title if group else code
        rule = CATALOGUE.get(code)
        collector = rule.collector if rule else None
        yield f'<details open id="{_e(_anchor(prefix, code))}">'
        yield (
            f"<summary><code>{_e(code_text(code, collector, lang))}</code> {_e(title)} "
            f'<span class="count">({n})</span></summary>'
        )
        if group:
            heads = [cols["line"], cols["field"], cols["value"], cols["message"]]
            if with_file:
                heads.insert(0, cols["file"])
            keys = ["line", "field", "value", "message"]
            if with_file:
                keys.insert(0, "file")
            yield '<table class="details"><colgroup>'
            yield "".join(f'<col class="{k}">' for k in keys)
            yield "</colgroup><thead><tr>"
            yield "".join(f"<th>{_e(h)}</th>" for h in heads)
            yield "</tr></thead><tbody>"
            for row in group:
                where = t["file_level"] if row.line is None else str(row.line)
                cells = [
                    f'<td class="num">{_e(where)}</td>',
                    f'<td class="field">{_e(row.field)}</td>',
                    f'<td class="value">{_e(row.value)}</td>',
                    f"<td>{_e(_with_collector(row, collector, lang))}</td>",
                ]
                if with_file:
                    cells.insert(0, f"<td>{_e(row.file)}</td>")
                yield "<tr>" + "".join(cells) + "</tr>"
            yield "</tbody></table>"
        if n > len(group):
            yield f'<p class="more">{_e(t["more"].format(n=n - len(group), code=code))}</p>'
        yield "</details>"


def _with_collector(row: FindingRow, collector: int | None, lang: str) -> str:
    """A row's message, led by the collector's number where the row has one its
    rule has not (a field's number, e.g. no. 69 on a medsökande's hinderkod)."""
    if row.collector is None or row.collector == collector:
        return row.message
    return f"{row.code_text(lang)}: {row.message}"


def _cross(d: DeliveryReport, lang: str, max_details: int | None) -> Iterator[str]:
    order = d.ordered_counts()
    yield from _summary(order, d.severities(), order, lang, False, "cross-")
    if order:
        cross_rows = DeliveryReport((), d.findings).rows(lang)
        yield from _details(cross_rows, order, lang, max_details, True, "cross-")
