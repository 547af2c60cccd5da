"""``sosreg status``: what each kommun has delivered, what counts, what is missing.

For each kommun, period and sub-register: whether it is owed, the files delivered and
when, which delivery counts (the latest, :func:`sosreg.engine.collection.counting`), its
status (the counting files validated together, as ``sosreg validate`` does), the
deadline, on time or late, the reminders sent by the day judged on, and what is missing;
and the period's combined status as the collector computes it
(:func:`sosreg.period_status`; domain.md §14). All dates come from the registers'
collection data; the day is ``on`` (default today), never hidden: the document says it.

What a kommun owes comes from an obligations file (:func:`read_obligations`) or, without
one, from the folder: a sub-register delivered for any period of a year is owed for every
period of that year whose deadline has passed on ``on``, and so is its pair partner.
"Inget att rapportera" comes from a declarations file (:func:`read_declarations`).
See docs/collection.md.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Final

import attrs

from sosreg.engine.collection import (
    SUBREGISTERS,
    Declaration,
    DeclarationRefused,
    Delivery,
    DeliveryStatus,
    PeriodState,
    PeriodStatus,
    SubRegister,
    check_declaration,
    counting,
    match_name,
)
from sosreg.engine.collection import period_status as _period_status
from sosreg.engine.delivery import validate_delivery
from sosreg.engine.findings import Status
from sosreg.engine.pipeline import UsageError
from sosreg.engine.register import REGISTRY
from sosreg.engine.validation import validate
from sosreg.identity import mask_text

__all__ = [
    "SCHEMA_VERSION",
    "Declaration",
    "Delivery",
    "DeliveryStatus",
    "FileSeen",
    "Obligation",
    "PeriodRow",
    "PeriodState",
    "PeriodStatus",
    "StatusReport",
    "SubRow",
    "collect",
    "counting",
    "declare",
    "period_status",
    "read_declarations",
    "read_obligations",
    "status",
    "subregisters",
]

SCHEMA_VERSION: Final = "1.0"
"""Version of the JSON document (``schemas/status.schema.json``)."""

_DELIVERY_STATUS: Final = {
    Status.GODKAND: DeliveryStatus.GODKAND,
    Status.GODKAND_MED_VARNINGAR: DeliveryStatus.GODKAND_MED_VARNINGAR,
    Status.INTE_GODKAND: DeliveryStatus.INTE_GODKAND,
}


def subregisters() -> dict[str, SubRegister]:
    """Every sub-register of every known register, by short name."""
    REGISTRY.all()
    return dict(SUBREGISTERS)


def period_status(
    kommun: str,
    period: str,
    deliveries: Iterable[Delivery],
    declarations: Iterable[Declaration] = (),
    *,
    units: Mapping[str, Iterable[str]] | None = None,
) -> PeriodStatus:
    """The combined status of ``kommun``'s ``period`` from its deliveries and
    declarations, as the collector computes it (the built-in registers' collection
    data; see :func:`sosreg.engine.collection.period_status`). Pure: plain records in,
    a :class:`PeriodStatus` out.

    >>> import datetime as dt, sosreg
    >>> t = dt.datetime(2023, 2, 14, 9, 30)
    >>> ok = sosreg.DeliveryStatus.GODKAND
    >>> sosreg.period_status("0330", "202301", [
    ...     sosreg.Delivery("0330", "SOL1", "202301", t, ok)]).status.value
    'error'
    >>> sosreg.period_status("0330", "202301", [
    ...     sosreg.Delivery("0330", "SOL1", "202301", t, ok)],
    ...     [sosreg.Declaration("0330", "SOL2", "202301", dt.date(2023, 2, 14))]).status.value
    'warning'
    """
    return _period_status(
        kommun, period, deliveries, declarations, units=units, subregisters=subregisters()
    )


def declare(declaration: Declaration) -> Delivery:
    """The delivery an "inget att rapportera" declaration makes; raises
    :class:`~sosreg.engine.collection.DeclarationRefused` (its ``finding`` is SOS-035)
    where the sub-register does not take one in the portal."""
    return check_declaration(declaration, subregisters())


# --- inputs ---------------------------------------------------------------------------


@attrs.frozen
class Obligation:
    """A kommun's (or unit's) obligation to report a sub-register (``AdmUppgiftsskyldighet``)."""

    kommun: str
    subregister: str
    first: dt.date
    last: dt.date | None = None
    unit: str | None = None
    """The unit (stadsdel) that reports on its own, where the kommun reports per unit."""
    per_unit: bool = False

    def covers(self, period: str) -> bool:
        start = _period_start(period)
        return self.first <= _period_end(period) and (self.last is None or start <= self.last)


def _period_start(period: str) -> dt.date:
    return dt.date(int(period[:4]), int(period[4:6]) if len(period) == 6 else 1, 1)


def _period_end(period: str) -> dt.date:
    if len(period) == 4:
        return dt.date(int(period), 12, 31)
    y, m = int(period[:4]), int(period[4:])
    return dt.date(y + (m == 12), m % 12 + 1, 1) - dt.timedelta(days=1)


def _rows(path: str) -> list[dict[str, str]]:
    try:
        text = Path(path).read_text("utf-8-sig")
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from exc
    sample = text.split("\n", 1)[0]
    delimiter = ";" if sample.count(";") >= sample.count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    return [
        {(k or "").strip().lower(): (v or "").strip() for k, v in row.items()}
        for row in reader
        if any((v or "").strip() for v in row.values())
    ]


def _day(text: str, what: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"{what}: not a day ÅÅÅÅ-MM-DD: {text!r}") from None


def read_declarations(path: str) -> list[Declaration]:
    """A declarations file: CSV (``;`` or ``,``) with a header row
    ``kommun;delregister;period;dag`` and an optional ``enhet`` column, one "inget att
    rapportera" per row (``0330;EKB-AO;202303;2023-04-10``)."""
    out = []
    for i, row in enumerate(_rows(path), start=2):
        where = f"{path} line {i}"
        try:
            out.append(
                Declaration(
                    kommun=row["kommun"],
                    subregister=row["delregister"],
                    period=row["period"],
                    day=_day(row["dag"], where),
                    unit=row.get("enhet") or None,
                )
            )
        except KeyError as exc:
            raise UsageError(f"{where}: no column {exc.args[0]!r}") from None
    return out


def read_obligations(path: str) -> list[Obligation]:
    """An obligations file: CSV with a header row
    ``kommun;enhet;delregister;from;to;per_enhet`` (``enhet``, ``to`` and ``per_enhet``
    may be empty; ``per_enhet`` is ``ja``/``true``/``1`` for a kommun whose units report
    on their own, one row per unit)."""
    out = []
    for i, row in enumerate(_rows(path), start=2):
        where = f"{path} line {i}"
        try:
            out.append(
                Obligation(
                    kommun=row["kommun"],
                    subregister=row["delregister"],
                    first=_day(row["from"], where),
                    last=_day(row["to"], where) if row.get("to") else None,
                    unit=row.get("enhet") or None,
                    per_unit=row.get("per_enhet", "").lower() in ("ja", "true", "1", "yes"),
                )
            )
        except KeyError as exc:
            raise UsageError(f"{where}: no column {exc.args[0]!r}") from None
    return out


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


def collect(
    paths: Iterable[str], units: Mapping[str, str] | None = None
) -> tuple[list[FileSeen], list[str]]:
    """The files among ``paths`` that name an expected file, and the names that do not.
    ``units`` maps a unit's code to its kommun (per-unit reporting)."""
    subregisters()
    seen: list[FileSeen] = []
    other: list[str] = []
    for p in paths:
        name = os.path.basename(p)
        m = match_name(name)
        if m is None:
            other.append(mask_text(name))  # a name is echoed: never a full personnummer
            continue
        unit = None
        kommun = m.code
        if units and m.code in units:
            unit, kommun = m.code, units[m.code]
        seen.append(
            FileSeen(
                p,
                mask_text(name),
                m.code,
                kommun,
                unit,
                m.subregister.name,
                m.file.kind,
                m.period,
                m.timestamp,
            )
        )
    return seen, other


def _judge(files: Sequence[FileSeen]) -> tuple[DeliveryStatus, list[str]]:
    """Validate the counting files of one delivery together; the delivery's status and
    the codes of its errors."""
    paths = [f.path for f in files]
    try:
        if len(paths) == 1:
            report = validate(paths[0], max_details=20)
            status, counts = report.status, report.counts()
            sev = report.contents_severities()
        else:
            dreport = validate_delivery(paths, max_details=20)
            status = dreport.status
            counts, sev = {}, {}
            for r in dreport.reports:
                counts.update(r.counts())
                sev.update(r.contents_severities())
            counts.update(dreport.counts())
            sev.update(dreport.severities())
    except UsageError as exc:
        return DeliveryStatus.INTE_GODKAND, [str(exc)]
    worst = [c for c in counts if sev.get(c) is not None and int(sev[c]) == 2]
    return _DELIVERY_STATUS[status], worst


def status(
    paths: Iterable[str],
    *,
    on: dt.date | None = None,
    year: int | None = None,
    kommun: str | None = None,
    declarations: Iterable[Declaration] = (),
    obligations: Iterable[Obligation] | None = None,
) -> StatusReport:
    """The status table of the files ``paths`` (see the module's docs) as of the day
    ``on`` (default today; the report says which): files whose name's timestamp is
    later, and later declarations, are left out. ``year`` keeps the periods of one
    statistikår; ``kommun`` one kommun."""
    on_given = on is not None
    day = on if on is not None else dt.date.today()
    subs = subregisters()
    obl = list(obligations) if obligations is not None else None
    units = {o.unit: o.kommun for o in obl or () if o.unit}
    files, other = collect(paths, units)
    if year is not None:
        files = [f for f in files if int(f.period[:4]) == year]
    if kommun is not None:
        files = [f for f in files if f.kommun == kommun]
    # as of the day: a file stamped later, or a later declaration, was not there yet
    files = [f for f in files if f.timestamp is None or f.timestamp.date() <= day]
    decls = [
        d
        for d in declarations
        if (kommun is None or d.kommun == kommun)
        and (year is None or int(d.period[:4]) == year)
        and d.day <= day
    ]
    refused: list[tuple[Declaration, str, str]] = []
    accepted: list[Declaration] = []
    for d in decls:
        try:
            check_declaration(d, subs)
            accepted.append(d)
        except DeclarationRefused as exc:
            refused.append((d, exc.message_sv, exc.message_en))

    # what is owed: (kommun, unit, subregister, period) -> why
    owed: dict[tuple[str, str | None, str, str], str] = {}
    years = {int(f.period[:4]) for f in files} | {int(d.period[:4]) for d in accepted}
    if year is not None:
        years = {year}
    if obl is not None:
        for o in obl:
            if kommun is not None and o.kommun != kommun:
                continue
            sub = subs.get(o.subregister)
            if sub is None:
                raise UsageError(f"obligations: unknown sub-register {o.subregister!r}")
            for y in sorted(years or {day.year}):
                for p in sub.periods(y):
                    dates = sub.dates(p)
                    if dates is not None and o.covers(p) and dates.start <= day:
                        owed[(o.kommun, o.unit if o.per_unit else None, sub.name, p)] = "obligation"
    else:
        delivered_years: set[tuple[str, str | None, str, int]] = set()
        for f in files:
            delivered_years.add((f.kommun, f.unit, f.subregister, int(f.period[:4])))
        for d in accepted:
            delivered_years.add((d.kommun, d.unit, d.subregister, int(d.period[:4])))
        for k, unit, name, y in sorted(
            delivered_years, key=lambda t: (t[0], t[1] or "", t[2], t[3])
        ):
            sub = subs[name]
            partner = subs.get(sub.pair) if sub.pair else None
            for s in [sub] if partner is None else [sub, partner]:
                for p in s.periods(y):
                    dates = s.dates(p)
                    if dates is not None and dates.deadline < day:
                        owed.setdefault((k, unit, s.name, p), "inferred")

    by_key: dict[tuple[str, str | None, str, str], list[FileSeen]] = defaultdict(list)
    for f in files:
        by_key[(f.kommun, f.unit, f.subregister, f.period)].append(f)
    decl_by_key = {(d.kommun, d.unit, d.subregister, d.period): d for d in accepted}
    keys = set(by_key) | set(owed) | set(decl_by_key)

    rows: dict[tuple[str, str | None, str, str], SubRow] = {}
    records: list[Delivery] = []
    for key in sorted(keys, key=lambda k: (k[0], k[3], k[2], k[1] or "")):
        k, unit, name, period = key
        sub = subs[name]
        dates = sub.dates(period)
        if dates is None:
            continue
        row = SubRow(name, owed.get(key), dates.deadline, dates.start, dates.end, unit=unit)
        mine = by_key.get(key, [])
        per_file = [
            Delivery(k, name, period, f.timestamp, DeliveryStatus.LEVERERAD, unit, f.kind, f.path)
            for f in mine
        ]
        counted_names = {d.name for d in counting(per_file)}
        row.files = [(f, f.path in counted_names) for f in sorted(mine, key=_file_order)]
        counted = [f for f, c in row.files if c]
        decl = decl_by_key.get(key)
        latest = max((f.timestamp for f in counted if f.timestamp), default=None)
        if counted and (decl is None or latest is None or latest.date() >= decl.day):
            st, problems = _judge(counted)
            kinds = {f.kind for f in counted}
            lacking = [f.mask for f in sub.files if f.mandatory and f.kind not in kinds]
            if lacking:
                st = DeliveryStatus.INTE_GODKAND
                row.missing = lacking
            row.status, row.problems, row.delivered = st, problems, latest
            records.append(Delivery(k, name, period, latest, st, unit))
        elif decl is not None:
            row.status, row.declared = DeliveryStatus.INGET_ATT_RAPPORTERA, decl.day
        elif row.owed is not None:
            row.missing = [name]
        got = row.delivered.date() if row.delivered else row.declared
        row.reminders = [r for r in dates.reminders if r <= day and (got is None or got > r)]
        rows[key] = row

    # periods: (kommun, register, period)
    groups: dict[tuple[str, str, str], list[SubRow]] = defaultdict(list)
    for (k, _unit, name, period), row in rows.items():
        groups[(k, subs[name].register, period)].append(row)
    periods: list[PeriodRow] = []
    for (k, reg, period), subrows in sorted(groups.items()):
        units_here: dict[str, set[str]] = defaultdict(set)
        for o in obl or ():
            sub = subs[o.subregister]
            if (
                o.per_unit
                and o.unit
                and o.kommun == k
                and sub.register == reg
                and _in_period(sub, period)
                and o.covers(period)
            ):
                units_here[o.subregister].add(o.unit)
        combined = _period_status(
            k,
            period,
            [r for r in records if subs[r.subregister].register == reg],
            [d for d in accepted if subs[d.subregister].register == reg and d.kommun == k],
            units=units_here,
            subregisters=subs,
        )
        state = combined.status
        reasons = list(combined.reasons)
        for row in subrows:
            if row.timing(day) == "missing":
                state = PeriodState.ERROR
                reasons.append(
                    (
                        f"{row.subregister}{_unit_label(row)} saknas (sista dag {row.deadline})",
                        f"{row.subregister}{_unit_label(row)} missing (due {row.deadline})",
                    )
                )
            elif row.missing and row.status is not None:
                reasons.append(
                    (
                        f"{row.subregister}: saknar {', '.join(row.missing)}",
                        f"{row.subregister}: lacks {', '.join(row.missing)}",
                    )
                )
        owed_missing = any(r.owed is not None and r.status is None for r in subrows)
        complete = state in (PeriodState.OK, PeriodState.WARNING) and not owed_missing
        periods.append(
            PeriodRow(
                k, reg, period, sorted(subrows, key=_sub_order), combined, state, reasons, complete
            )
        )
    return StatusReport(
        day,
        on_given,
        tuple(periods),
        tuple(sorted(other)),
        tuple(refused),
        "file" if obl is not None else "inferred",
    )


def _in_period(sub: SubRegister, period: str) -> bool:
    return (len(period) == 6) == (sub.frequency == "month")


def _unit_label(row: SubRow) -> str:
    return f" ({row.unit})" if row.unit else ""


def _file_order(f: FileSeen) -> tuple[Any, ...]:
    return (f.kind, f.timestamp or dt.datetime.min, f.name)


def _sub_order(r: SubRow) -> tuple[str, str]:
    return (r.subregister, r.unit or "")


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
                names = tuple(sorted(r.subregister + _unit_label(r) for r in missing_only))
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
