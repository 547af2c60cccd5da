"""The status table: which files name an expected file, what each kommun owes, which
delivery counts and its status (the counting files validated together), and each
period's state as the collector computes it, made an error where an owed sub-register
is missing after its deadline."""

from __future__ import annotations

import datetime as dt
import os
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final

from sosreg.engine.collection import (
    Declaration,
    DeclarationRefused,
    Delivery,
    DeliveryStatus,
    PeriodState,
    SubRegister,
    check_declaration,
    counting,
    match_name,
)
from sosreg.engine.collection import period_status as _period_status
from sosreg.engine.delivery import validate_delivery
from sosreg.engine.findings import Status
from sosreg.engine.pipeline import UsageError
from sosreg.engine.validation import validate
from sosreg.identity import mask_text
from sosreg.status.collector import subregisters
from sosreg.status.inputs import Obligation
from sosreg.status.report import FileSeen, PeriodRow, StatusReport, SubRow, unit_label

_DELIVERY_STATUS: Final = {
    Status.GODKAND: DeliveryStatus.GODKAND,
    Status.GODKAND_MED_VARNINGAR: DeliveryStatus.GODKAND_MED_VARNINGAR,
    Status.INTE_GODKAND: DeliveryStatus.INTE_GODKAND,
}


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
                        f"{row.subregister}{unit_label(row)} saknas (sista dag {row.deadline})",
                        f"{row.subregister}{unit_label(row)} missing (due {row.deadline})",
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


def _file_order(f: FileSeen) -> tuple[Any, ...]:
    return (f.kind, f.timestamp or dt.datetime.min, f.name)


def _sub_order(r: SubRow) -> tuple[str, str]:
    return (r.subregister, r.unit or "")
