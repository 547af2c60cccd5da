"""validate: one file, or one file against the same file of the previous period.

Above :mod:`sosreg.engine.pipeline` (parse) and :mod:`sosreg.engine.delivery` (several
files, the previous period); below the public API in :mod:`sosreg`.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import Any

from sosreg.engine.delivery import comparisons, earlier_files, read_file
from sosreg.engine.pipeline import parse
from sosreg.engine.report import Report
from sosreg.engine.source import Source

__all__ = ["validate"]


def validate(
    source: Source,
    *,
    previous: Source | None = None,
    earlier: Iterable[str] = (),
    **kwargs: Any,
) -> Report:
    """Check ``source`` and return a :class:`~sosreg.engine.report.Report`.

    Takes the arguments of :func:`parse`. With ``previous`` (the same file for the
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
    if not found:
        return parse(source, **kwargs).report()
    report, current = read_file(source, **kwargs)
    extra = comparisons(current, found, codelists=kwargs.get("codelists"), found=previous is None)
    sink = kwargs.get("sink")
    if sink is not None:
        for f in extra:
            sink(f)
    return report.with_findings(extra)
