"""The summary of a run over many deliveries: the text table with its totals row, and
the JSON report's ``summary``."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

from sosreg import batch
from sosreg.cli.core import (
    problem,
)
from sosreg.engine.findings import Severity, Status
from sosreg.engine.report import summary_dict as report_summary
from sosreg.engine.rules import say
from sosreg.identity import mask_text


def summary_dict(rows: Sequence[batch.Outcome]) -> dict[str, Any]:
    """The JSON report's ``summary`` of a run over many deliveries."""
    checked = [r for r in rows if r.status is not None]
    return report_summary(
        [r.status for r in checked if r.status is not None],
        files=sum(len(r.paths) for r in checked),
        lines=sum(r.lines for r in checked),
        totals={
            Severity.ERROR: sum(r.errors for r in checked),
            Severity.WARNING: sum(r.warnings for r in checked),
            Severity.INFO: sum(r.infos for r in checked),
        },
        not_checked=[
            {
                "files": [mask_text(os.path.basename(p)) for p in r.paths],
                "problem": mask_text(problem(r)),
            }
            for r in rows
            if r.status is None
        ],
    )


def summary_table(rows: list[batch.Outcome], lang: str) -> str:
    sv = lang != "en"
    head = ("Sammanställning" if sv else "Summary") + f" ({len(rows)})"
    cols = (
        "status",
        "fel" if sv else "errors",
        "varningar" if sv else "warnings",
        "fil" if sv else "file",
    )
    lines = [head, f"  {cols[0]:<24} {cols[1]:>7} {cols[2]:>10}  {cols[3]}"]
    for r in rows:
        status = (
            ("kunde inte kontrolleras" if sv else "could not be checked")
            if r.status is None
            else r.status.label(lang)
        )
        names = ", ".join(os.path.basename(p) for p in r.paths)
        if r.written is not None and r.problem is None:
            names += f" -> {r.written}"
        lines.append(f"  {status:<24} {r.errors:>7} {r.warnings:>10}  {mask_text(names)}")
    lines.append(_totals(rows, lang))
    return "\n".join(lines) + "\n"


def _totals(rows: list[batch.Outcome], lang: str) -> str:
    """The summary table's last row: errors and warnings in all, deliveries and files,
    how many deliveries had each status."""
    sv = lang != "en"
    checked = [r for r in rows if r.status is not None]
    by_status = {s: sum(r.status is s for r in checked) for s in Status}
    parts = [f"{n} {s.label(lang)}" for s, n in by_status.items() if n]
    if len(checked) < len(rows):
        parts.append(
            f"{len(rows) - len(checked)} "
            + ("kunde inte kontrolleras" if sv else "could not be checked")
        )
    what = say(
        "{d} {d|leverans|leveranser}, {f} {f|fil|filer}"
        if sv
        else "{d} {d|delivery|deliveries}, {f} {f|file|files}",
        d=len(rows),
        f=sum(len(r.paths) for r in rows),
    )
    label = "totalt" if sv else "total"
    errors = sum(r.errors for r in checked)
    warnings = sum(r.warnings for r in checked)
    return f"  {label:<24} {errors:>7} {warnings:>10}  {what}: {', '.join(parts)}"
