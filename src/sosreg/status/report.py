"""The status report: its rows (files, sub-registers, periods) and its forms: the
JSON document (``schemas/status.schema.json``), text, CSV, one HTML page, a workbook."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections import defaultdict
from collections.abc import Sequence
from typing import Any, Final

import attrs

from sosreg.engine.collection import (
    Declaration,
    DeliveryStatus,
    PeriodState,
    PeriodStatus,
)
from sosreg.engine.pipeline import UsageError

SCHEMA_VERSION: Final = "1.0"
"""Version of the JSON document (``schemas/status.schema.json``)."""


# --- the table -------------------------------------------------------------------------


@attrs.frozen
class FileSeen:
    """One file in the folder that names an expected file."""

    path: str
    name: str
    code: str
    """The kommun's or unit's code in the name (group 1)."""
    kommun: str
    unit: str | None
    subregister: str
    kind: str
    period: str
    timestamp: dt.datetime | None


@attrs.define
class SubRow:
    """One kommun's sub-register for one period."""

    subregister: str
    owed: str | None
    """Why it is owed: ``obligation``, ``inferred`` (the folder), or ``None`` (not owed;
    shown because something was delivered)."""
    deadline: dt.date
    start: dt.date
    end: dt.date
    files: list[tuple[FileSeen, bool]] = attrs.field(factory=list)
    """Every file delivered, with whether it counts."""
    unit: str | None = None
    status: DeliveryStatus | None = None
    """The counting delivery's status (``None``: nothing delivered or declared)."""
    delivered: dt.datetime | None = None
    """When the counting delivery was made (the latest file's timestamp)."""
    declared: dt.date | None = None
    missing: list[str] = attrs.field(factory=list)
    """What is missing: mandatory files of the delivery, or the whole sub-register."""
    reminders: list[dt.date] = attrs.field(factory=list)
    """Reminders sent by the day judged on while nothing counting was there."""
    problems: list[str] = attrs.field(factory=list)
    """Why the counting delivery is not godkänd (rule codes), briefly."""

    def timing(self, on: dt.date) -> str:
        """``on_time``, ``late``, ``missing`` (deadline passed, nothing there),
        ``pending`` (not yet due) or ``not_owed``."""
        when = self.delivered.date() if self.delivered else self.declared
        if when is not None:
            return "on_time" if when <= self.deadline else "late"
        if self.owed is None:
            return "not_owed"
        return "missing" if on > self.deadline else "pending"


@attrs.define
class PeriodRow:
    """One kommun's period of one register, with its sub-registers."""

    kommun: str
    register: str
    period: str
    subs: list[SubRow]
    combined: PeriodStatus
    state: PeriodState
    """The collector's combined status, made an error also where an owed sub-register
    is missing after its deadline."""
    reasons: list[tuple[str, str]]
    complete: bool
    """Everything owed is there and the combined status is ok or warning."""


@attrs.frozen
class StatusReport:
    """The result of :func:`status`."""

    on: dt.date
    on_given: bool
    periods: tuple[PeriodRow, ...]
    unrecognized: tuple[str, ...] = ()
    """Files whose names match no expected file (the portal refuses them)."""
    refused: tuple[tuple[Declaration, str, str], ...] = ()
    """Declarations the sub-register does not take, with the reason (sv, en)."""
    obligations: str = "inferred"

    @property
    def state(self) -> PeriodState:
        worst = max((p.state for p in self.periods), key=lambda s: s.exit_code, default=None)
        if self.refused:
            return PeriodState.ERROR
        return worst if worst is not None else PeriodState.NONE

    @property
    def exit_code(self) -> int:
        return self.state.exit_code

    def to_dict(self) -> dict[str, Any]:
        return _to_dict(self)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2)

    def to_text(self, lang: str = "sv") -> str:
        return _text(self, lang)

    def to_csv(self, lang: str = "sv") -> str:
        return _csv(self, lang)


def unit_label(row: SubRow) -> str:
    return f" ({row.unit})" if row.unit else ""


# --- output ---------------------------------------------------------------------------

_STATE_SV: Final = {
    "ok": "ok",
    "warning": "klar med varning",
    "error": "fel",
    "": "inget levererat",
}
_TIMING_SV: Final = {
    "on_time": "i tid",
    "late": "sent",
    "missing": "saknas",
    "pending": "inte ännu",
    "not_owed": "inte skyldig",
}


def _sub_dict(r: SubRow, on: dt.date) -> dict[str, Any]:
    return {
        "subregister": r.subregister,
        "unit": r.unit,
        "owed": r.owed,
        "start": r.start.isoformat(),
        "deadline": r.deadline.isoformat(),
        "end": r.end.isoformat(),
        "files": [
            {
                "name": f.name,
                "kind": f.kind,
                "timestamp": f.timestamp.isoformat(timespec="minutes") if f.timestamp else None,
                "counts": c,
            }
            for f, c in r.files
        ],
        "delivered": r.delivered.isoformat(timespec="minutes") if r.delivered else None,
        "declared": r.declared.isoformat() if r.declared else None,
        "status": r.status.value if r.status else None,
        "status_code": r.status.code if r.status else None,
        "errors": r.problems,
        "timing": r.timing(on),
        "reminders": [d.isoformat() for d in r.reminders],
        "missing": r.missing,
        "days_left": (r.deadline - on).days,
    }


def _to_dict(rep: StatusReport) -> dict[str, Any]:
    return {
        "schema_version": SCHEMA_VERSION,
        "kind": "status",
        "on": rep.on.isoformat(),
        "on_given": rep.on_given,
        "obligations": rep.obligations,
        "status": rep.state.value,
        "exit_code": rep.exit_code,
        "periods": [
            {
                "kommun": p.kommun,
                "register": p.register,
                "period": p.period,
                "status": p.state.value,
                "collector_status": p.combined.status.value,
                "complete": p.complete,
                "reasons_sv": [sv for sv, _ in p.reasons],
                "reasons_en": [en for _, en in p.reasons],
                "subregisters": [_sub_dict(r, rep.on) for r in p.subs],
            }
            for p in rep.periods
        ],
        "unrecognized": list(rep.unrecognized),
        "declarations_refused": [
            {
                "code": "SOS-035",
                "kommun": d.kommun,
                "subregister": d.subregister,
                "period": d.period,
                "day": d.day.isoformat(),
                "message_sv": sv,
                "message_en": en,
            }
            for d, sv, en in rep.refused
        ],
    }


_CSV_COLUMNS: Final = (
    "kommun",
    "register",
    "period",
    "period_status",
    "complete",
    "subregister",
    "unit",
    "owed",
    "files",
    "counting",
    "delivered",
    "status",
    "deadline",
    "timing",
    "reminders",
    "missing",
)


def _csv(rep: StatusReport, lang: str) -> str:
    out = io.StringIO()
    w = csv.writer(out, delimiter=";", lineterminator="\n")
    w.writerow(_CSV_COLUMNS)
    for p in rep.periods:
        for r in p.subs:
            counted = [f.name for f, c in r.files if c]
            w.writerow(
                [
                    p.kommun,
                    p.register,
                    p.period,
                    p.state.value,
                    "ja" if p.complete else "nej",
                    r.subregister,
                    r.unit or "",
                    r.owed or "",
                    " ".join(f.name for f, _ in r.files),
                    " ".join(counted),
                    r.delivered.isoformat(timespec="minutes")
                    if r.delivered
                    else (r.declared.isoformat() if r.declared else ""),
                    r.status.value if r.status else "",
                    r.deadline.isoformat(),
                    r.timing(rep.on),
                    " ".join(d.isoformat() for d in r.reminders),
                    " ".join(r.missing),
                ]
            )
    return out.getvalue()


_MONTHS_SV: Final = (
    "januari",
    "februari",
    "mars",
    "april",
    "maj",
    "juni",
    "juli",
    "augusti",
    "september",
    "oktober",
    "november",
    "december",
)
_MONTHS_EN: Final = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def _period_label(period: str, lang: str) -> str:
    if len(period) == 4:
        return period
    names = _MONTHS_EN if lang == "en" else _MONTHS_SV
    return f"{names[int(period[4:]) - 1]} {period[:4]}"


def _ranges(periods: Sequence[str], lang: str) -> str:
    """``202303, 202304, 202305, 2023`` as ``mars–maj 2023, 2023``: runs of months."""
    months = sorted(p for p in periods if len(p) == 6)
    out: list[str] = []
    run: list[str] = []

    def flush() -> None:
        if not run:
            return
        if len(run) == 1:
            out.append(_period_label(run[0], lang))
        else:
            first = _period_label(run[0], lang).split()[0]
            out.append(f"{first}–{_period_label(run[-1], lang)}")
        run.clear()

    for p in months:
        if run:
            y, m = int(run[-1][:4]), int(run[-1][4:])
            nxt = f"{y + (m == 12)}{m % 12 + 1:02d}"
            if p != nxt or p[:4] != run[0][:4]:
                flush()
        run.append(p)
    flush()
    out.extend(sorted(p for p in periods if len(p) == 4))
    return ", ".join(out)


def _text(rep: StatusReport, lang: str) -> str:
    en = lang == "en"
    lines: list[str] = []
    judged = rep.on.isoformat() + ("" if rep.on_given else (" (today)" if en else " (i dag)"))
    lines.append(
        (f"Status of the deliveries as of {judged}" if en else f"Leveransernas status per {judged}")
        + (
            ""
            if rep.obligations == "file"
            else (" — owed: inferred from the folder" if en else " — skyldighet: härledd ur mappen")
        )
    )
    by_kommun: dict[str, list[PeriodRow]] = defaultdict(list)
    for p in rep.periods:
        by_kommun[p.kommun].append(p)
    for k, rows in sorted(by_kommun.items()):
        lines.append("")
        lines.append(f"{'Municipality' if en else 'Kommun'} {k}")
        done: dict[str, list[str]] = defaultdict(list)
        for p in rows:
            if p.complete and p.state is PeriodState.OK:
                done[p.register.upper()].append(p.period)
        for reg, periods in done.items():
            lines.append(f"  {'done for' if en else 'klar för'} {reg}: {_ranges(periods, lang)}")
        gaps: dict[tuple[str, tuple[str, ...]], list[str]] = defaultdict(list)
        for p in rows:
            if p.complete and p.state is PeriodState.OK:
                continue
            missing_only = [r for r in p.subs if r.timing(rep.on) == "missing"]
            if (
                p.state is PeriodState.ERROR
                and missing_only
                and all(r.timing(rep.on) in ("missing", "pending") for r in p.subs)
            ):
                names = tuple(sorted(r.subregister + unit_label(r) for r in missing_only))
                gaps[(p.register.upper(), names)].append(p.period)
                continue
            label = f"{p.register.upper()} {_period_label(p.period, lang)}"
            pending = [r for r in p.subs if r.timing(rep.on) == "pending"]
            if p.state is PeriodState.NONE and pending and not p.reasons:
                for r in pending:
                    days = (r.deadline - rep.on).days
                    lines.append(
                        f"  {r.subregister} {_period_label(p.period, lang)}: "
                        + (
                            f"due in {days} days ({r.deadline})"
                            if en
                            else f"ska in om {days} dagar ({r.deadline})"
                        )
                    )
                continue
            state = (
                ("done with warnings" if p.state is PeriodState.WARNING else p.state.value)
                if en
                else _STATE_SV[p.state.value]
            )
            why = "; ".join(en_ if en else sv for sv, en_ in p.reasons)
            lines.append(f"  {label}: {state}" + (f" – {why}" if why else ""))
            for r in p.subs:
                if r.reminders and r.status is None:
                    lines.append(
                        f"    {r.subregister}: "
                        + ("reminders sent " if en else "påminnelser skickade ")
                        + ", ".join(d.isoformat() for d in r.reminders)
                    )
                if r.timing(rep.on) == "late":
                    lines.append(
                        f"    {r.subregister}: "
                        + (
                            f"late (due {r.deadline})"
                            if en
                            else f"sent inkommen (sista dag {r.deadline})"
                        )
                    )
        for (reg, names), periods in gaps.items():
            what = ", ".join(names)
            when = _ranges(periods, lang)
            lines.append(
                f"  {reg}: {what} " + (f"missing for {when}" if en else f"saknas för {when}")
            )
    for name in rep.unrecognized:
        lines.append(
            f"{name}: "
            + (
                "matches no expected file (the portal refuses it)"
                if en
                else "matchar ingen förväntad fil (portalen tar inte emot den)"
            )
        )
    for _, sv, en_ in rep.refused:
        lines.append(en_ if en else sv)
    lines.append("")
    state = rep.state.value if en else _STATE_SV[rep.state.value]
    lines.append(f"{'Overall' if en else 'Sammantaget'}: {state}")
    return "\n".join(lines) + "\n"


def _table(rep: StatusReport) -> tuple[list[str], list[list[str]]]:
    rows = list(csv.reader(io.StringIO(_csv(rep, "sv")), delimiter=";"))
    return rows[0], rows[1:]


def to_html(rep: StatusReport, lang: str = "sv") -> str:
    """One self-contained page: the summary and the table (one row per sub-register)."""
    import html

    head, rows = _table(rep)
    colour = {"ok": "#d7f0d7", "warning": "#fff2c2", "error": "#f8d0d0", "": "#eeeeee"}
    out = [
        "<!DOCTYPE html>",
        f'<html lang="{lang}"><head><meta charset="utf-8">',
        "<title>sosreg status</title>",
        "<style>body{font-family:sans-serif}table{border-collapse:collapse}"
        "td,th{border:1px solid #999;padding:2px 6px;font-size:90%}</style></head><body>",
        f"<pre>{html.escape(rep.to_text(lang))}</pre>",
        "<table><thead><tr>"
        + "".join(f"<th>{html.escape(h)}</th>" for h in head)
        + "</tr></thead><tbody>",
    ]
    for r in rows:
        bg = colour.get(r[3], "#ffffff")
        out.append(
            f'<tr style="background:{bg}">'
            + "".join(f"<td>{html.escape(c)}</td>" for c in r)
            + "</tr>"
        )
    out.append("</tbody></table></body></html>")
    return "\n".join(out) + "\n"


def write_xlsx(rep: StatusReport, path: str, lang: str = "sv") -> None:
    """The table as a workbook (``sosreg[excel]``): one sheet, one row per sub-register."""
    try:
        import xlsxwriter
    except ImportError as exc:
        raise UsageError("the xlsx status needs xlsxwriter: pip install 'sosreg[excel]'") from exc
    head, rows = _table(rep)
    wb = xlsxwriter.Workbook(path)
    try:
        ws = wb.add_worksheet("Status")
        bold = wb.add_format({"bold": True})
        fills = {
            k: wb.add_format({"bg_color": c})
            for k, c in {"ok": "#d7f0d7", "warning": "#fff2c2", "error": "#f8d0d0"}.items()
        }
        ws.write_row(0, 0, [f"sosreg status per {rep.on.isoformat()}"], bold)
        ws.write_row(1, 0, head, bold)
        for i, r in enumerate(rows, start=2):
            ws.write_row(i, 0, r, fills.get(r[3]))
        ws.autofilter(1, 0, 1 + len(rows), len(head) - 1)
        ws.freeze_panes(2, 0)
    finally:
        wb.close()
