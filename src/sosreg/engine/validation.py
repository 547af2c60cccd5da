"""validate: one file, or one file against the same file of the previous period.

Above :mod:`sosreg.engine.pipeline` (parse) and :mod:`sosreg.engine.delivery` (several
files, the previous period); below the public API in :mod:`sosreg`.
"""

from __future__ import annotations

from typing import Any

from sosreg.engine.delivery import compare_previous, read_file
from sosreg.engine.pipeline import UsageError, parse
from sosreg.engine.report import Report
from sosreg.engine.source import Source

__all__ = ["validate"]


def validate(
    source: Source,
    *,
    previous: Source | None = None,
    **kwargs: Any,
) -> Report:
    """Check ``source`` and return a :class:`~sosreg.engine.report.Report`.

    Takes the arguments of :func:`parse`. With ``previous`` (the same file for the
    previous period), the register's previous-period rules compare the two, as the
    collector compares a delivery with earlier ones. Raises :class:`UsageError` only
    when the input cannot be checked at all; everything wrong *in* the input is a
    finding.
    """
    if previous is None:
        return parse(source, **kwargs).report()
    report, current = read_file(source, **kwargs)
    lists = kwargs.get("codelists")
    try:  # the earlier file says what it is, if its name can
        _, before = read_file(previous, codelists=lists, max_details=0)
    except UsageError:
        _, before = read_file(
            previous,
            register=current.register,
            file=current.file,
            codelists=lists,
            max_details=0,
        )
    extra = compare_previous(current, before)
    sink = kwargs.get("sink")
    if sink is not None:
        for f in extra:
            sink(f)
    return report.with_findings(extra)
