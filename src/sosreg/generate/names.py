"""Names of generated files: Filip-style names and their time stamps, derived from the
spec's deadline, never from today."""

from __future__ import annotations

import datetime as dt

from sosreg.engine.spec import FileSpec
from sosreg.engine.values import YearMonth
from sosreg.generate.hooks import generator_of
from sosreg.generate.identities import ymd

__all__ = ["file_name", "timestamp"]


def timestamp(spec: FileSpec, period: YearMonth | int) -> str:
    """``ÅÅÅÅMMDDTHHMM`` of a generated file: 09:00 the day before the file is due
    (derived from the spec's deadline, never from today)."""
    due = spec.deadline_for(period)
    if due is None:
        due = spec.reference_date_for(period) + dt.timedelta(days=15)
    sent = due - dt.timedelta(days=1)
    return f"{ymd(sent)}T0900"


def file_name(register: str, file: str, kommun: str, period: YearMonth | int, stamp: str) -> str:
    """The Filip-style name of a file: ``SOL1_0180_202303_20230414T0900.txt``."""
    prefix: str = generator_of(register).PREFIXES[file]
    return f"{prefix}_{kommun}_{period}_{stamp}.txt"
