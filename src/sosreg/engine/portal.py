"""The portal stage: what the collector refuses before it looks inside a file.

Socialstyrelsen's portal (``mahlin/InrappSos``, ``FilesHelper.UploadAndShowResults``;
domain.md §14) refuses a name that matches no expected file ("Felaktig period i
filnamnet"), a period whose reporting window is not open on the day of the upload
("Period i filnamnet inte inom godkänt intervall"), and does not save a file whose last
extension it does not take, or an empty one. These findings (category ``portal``,
SOS-030 … SOS-035) depend on the day; they run only when a day is given
(``validate(..., on=day)``) and are never part of the verdict on the contents
(:attr:`sosreg.Report.status`). The expected files and windows are the registers'
collection data (:mod:`sosreg.engine.collection`).
"""

from __future__ import annotations

import datetime as dt
from pathlib import PurePath

from sosreg.engine.collection import SUBREGISTERS, match_name, subregister_for_file
from sosreg.engine.context import Context
from sosreg.engine.findings import Finding

__all__ = ["portal_findings"]

NOT_SAVED_SV = "(inget meddelande: portalen sparar inte filen)"


def portal_findings(
    ctx: Context,
    name: str | None,
    size: int,
    register: str,
    file: str,
    on: dt.date,
    *,
    today: bool = False,
) -> list[Finding]:
    """The portal's findings for a file called ``name`` of ``size`` bytes, judged on
    ``on`` (``today``: ``on`` is today's date, not a day the caller chose)."""
    out = [
        ctx.finding(
            "SOS-034",
            on=on.isoformat(),
            today_sv=" (i dag; ange en annan dag med --on, i Python on=)" if today else "",
            today_en=" (today; give another day with --on, in Python on=)" if today else "",
        )
    ]
    subs = [s for s in SUBREGISTERS.values() if s.register == register]
    if not subs or not name:
        return out
    base = PurePath(name).name
    found = match_name(base, register)
    year = int(str(ctx.period)[:4]) if ctx.period is not None else None
    sub = found.subregister if found else subregister_for_file(register, file, year)
    ext = PurePath(base).suffix.lower()
    allowed = (
        sub.extensions
        if sub is not None
        else tuple(sorted({e for s in subs for e in s.extensions}))
    )
    if ext not in allowed:
        out.append(
            ctx.finding(
                "SOS-031",
                name=base,
                extension=ext or "(ingen ändelse)",
                allowed=", ".join(allowed),
                portal_says=NOT_SAVED_SV,
            )
        )
    if found is None:
        masks = [f.mask for f in (sub.files if sub is not None else ()) if f.kind == file] or [
            f.mask for s in subs for f in s.files
        ]
        out.append(
            ctx.finding(
                "SOS-030",
                name=base,
                masks=", ".join(masks),
                portal_says=f"Felaktig period i filnamnet, {base}",
            )
        )
    else:
        dates = found.subregister.dates(found.period)
        if dates is not None and not dates.is_open(on):
            early = on < dates.start
            out.append(
                ctx.finding(
                    "SOS-032",
                    name=base,
                    period=found.period,
                    start=dates.start.isoformat(),
                    end=dates.end.isoformat(),
                    on=on.isoformat(),
                    state_sv="inte öppnat än" if early else "stängt",
                    state_en="not open yet" if early else "closed",
                    portal_says=f"Period i filnamnet inte inom godkänt intervall. {base}",
                )
            )
    expected = found.file if found is not None else (sub.file(file) if sub is not None else None)
    if size == 0 and expected is not None and not expected.empty_allowed:
        out.append(
            ctx.finding(
                "SOS-033",
                name=base,
                kind=(found.subregister.name if found else sub.name if sub else file),
                portal_says=NOT_SAVED_SV,
            )
        )
    return out
