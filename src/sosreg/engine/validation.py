"""validate: one file, or one file against the same file of the previous period.

Above :mod:`sosreg.engine.pipeline` (parse), :mod:`sosreg.engine.readfile` (a file with
its records) and :mod:`sosreg.engine.previous` (the previous period); below the public
API in :mod:`sosreg`.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from sosreg.codelists import CodeList
from sosreg.engine.findings import DEFAULT_MAX_DETAILS, Finding
from sosreg.engine.pipeline import parse
from sosreg.engine.previous import comparisons, earlier_files
from sosreg.engine.readfile import read_file
from sosreg.engine.report import Report
from sosreg.engine.source import Source
from sosreg.engine.spec import FileSpec
from sosreg.engine.values import YearMonth

__all__ = ["validate"]


def validate(
    source: Source,
    *,
    previous: Source | None = None,
    earlier: Iterable[str] = (),
    register: str | None = None,
    file: str | None = None,
    year: int | None = None,
    period: str | YearMonth | None = None,
    spec: FileSpec | None = None,
    codelists: Mapping[str, CodeList] | None = None,
    name: str | None = None,
    max_details: int | None = DEFAULT_MAX_DETAILS,
    sink: Callable[[Finding], None] | None = None,
    engine: str = "auto",
    progress: Callable[[int], None] | None = None,
    on: dt.date | None = None,
    on_is_today: bool = False,
) -> Report:
    """Check ``source`` and return a :class:`~sosreg.engine.report.Report`.

    ``register`` … ``on_is_today`` are :func:`~sosreg.parse`'s (documented there).
    With ``previous`` (the same file for the
    previous period), the register's previous-period rules compare the two, as the
    collector compares a delivery with earlier ones; without it, ``earlier`` (paths
    of earlier deliveries with Filip-style names) gives the previous period's file and
    the same period's a year before, where it has them
    (:func:`~sosreg.engine.delivery.earlier_files`). SOS-306 names each file compared
    with. Raises :class:`~sosreg.engine.pipeline.UsageError` only
    when the input cannot be checked at all; everything wrong *in* the input is a
    finding.
    """
    found: list[tuple[str, Source]] = []
    if previous is not None:
        found = [("previous", previous)]
    elif isinstance(source, str | os.PathLike):
        paths = [str(p) for p in earlier]
        found = list(earlier_files(os.fspath(source), paths)) if paths else []
    opts: dict[str, Any] = {
        "register": register,
        "file": file,
        "year": year,
        "period": period,
        "spec": spec,
        "codelists": codelists,
        "name": name,
        "max_details": max_details,
        "sink": sink,
        "engine": engine,
        "progress": progress,
        "on": on,
        "on_is_today": on_is_today,
    }
    if not found:
        return parse(source, **opts).report()
    report, current = read_file(source, **opts)
    extra = comparisons(current, found, codelists=codelists, found=previous is None)
    if sink is not None:
        for f in extra:
            sink(f)
    return report.with_findings(extra)
