"""Filip-style file names: ``Ekb_0330_201707_20170815T1011.txt``.

``register_kommun_period_timestamp``; the avslutsorsak file carries an extra ``AO``
token. We read the tokens leniently (any order after the register) and report what
looks wrong (e.g. ``.txt.csv``).
"""

from __future__ import annotations

import re
from pathlib import PurePath

import attrs

_TIMESTAMP = re.compile(r"^\d{8}T\d{4,6}$")


@attrs.frozen
class FileName:
    name: str
    tokens: tuple[str, ...]
    register: str | None = None
    kommun: str | None = None
    period: str | None = None
    """``ÅÅÅÅMM`` or ``ÅÅÅÅ`` as written in the name."""
    problems: tuple[tuple[str, str], ...] = ()
    """(Swedish, English) descriptions of what is wrong with the name."""


def parse_filename(name: str, prefixes: dict[str, str]) -> FileName:
    """Read a file name. ``prefixes`` maps lower-case register prefixes to register names."""
    base = PurePath(name).name
    suffixes = [s.lower() for s in PurePath(base).suffixes]
    stem = base
    problems: list[tuple[str, str]] = []
    if len(suffixes) >= 2 and suffixes[-2] == ".txt" and suffixes[-1] in (".csv", ".xlsx"):
        problems.append(
            (
                f"har dubbla ändelser ({''.join(suffixes[-2:])}); filen ska sparas som .txt",
                f"has a double extension ({''.join(suffixes[-2:])}); save the file as .txt",
            )
        )
    elif suffixes and suffixes[-1] in (".xlsx", ".xls"):
        problems.append(
            (
                "är en Excel-fil; filen ska vara text (.txt)",
                "is an Excel file; it must be text (.txt)",
            )
        )
    for suffix in reversed(suffixes):
        if re.fullmatch(r"\.[A-Za-z]{2,4}", suffix):
            stem = stem[: -len(suffix)]
        else:
            break
    tokens = tuple(t for t in re.split(r"[_\-\s]+", stem) if t)
    register = None
    kommun = None
    period = None
    for t in tokens:
        low = t.lower()
        if register is None and low in prefixes:
            register = prefixes[low]
            continue
        if _TIMESTAMP.match(t):
            continue
        if t.isdigit():
            if len(t) == 4 and kommun is None:
                kommun = t
            elif (len(t) == 6 and period is None) or (len(t) == 4 and period is None):
                period = t
    return FileName(base, tokens, register, kommun, period, tuple(problems))
