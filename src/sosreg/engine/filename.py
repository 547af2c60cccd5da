"""Filip-style file names: ``Ekb_0330_201707_20170815T1011.txt``.

The collector splits a name on ``_``: token 0 names the file (``Ekb``, ``SOL1``,
``KHSL2``, ``LSS``, ``BU``), a register may have a token of its own next (``AO`` for
EKB-AO, the level for BU), then come the organisation's kommunkod (4 digits), the period
(``ÅÅÅÅMM`` or ``ÅÅÅÅ``) and a timestamp ``ÅÅÅÅMMDDTHHMM`` (domain.md §9).

A name is *Filip-style* when it has that shape up to the period; only then are its
kommun and period used. Any other name is not an error: its tokens may still say which
register and file it is (``sol1_100000.txt``), and everything else comes from the
arguments and the lines. Only the ASCII digits ``0-9`` count as digits.
"""

from __future__ import annotations

import re
from pathlib import PurePath

import attrs

from sosreg.engine.values import is_digits

__all__ = ["FileName", "is_digits", "parse_filename"]


@attrs.frozen
class FileName:
    name: str
    tokens: tuple[str, ...]
    register: str | None = None
    """The register whose prefix is token 0 (or any token, for a name that is not
    Filip-style)."""
    kommun: str | None = None
    """The kommunkod of a Filip-style name."""
    period: str | None = None
    """``ÅÅÅÅMM`` or ``ÅÅÅÅ`` as written in a Filip-style name (a valid month or year)."""
    filip: bool = False
    """The name has the collector's shape up to the period."""
    problems: tuple[tuple[str, str], ...] = ()
    """(Swedish, English) descriptions of what is wrong with the name."""
    timestamp: str | None = None
    """``ÅÅÅÅMMDDTHHMM`` of a Filip-style name: when the file was made, which orders a
    re-delivery after the delivery it replaces (the token after the period; a
    descriptive tail after it, ``…T1000_med-fel``, is allowed)."""


def _valid_period(token: str) -> bool:
    if len(token) == 4:
        return 1900 <= int(token) <= 2099
    return len(token) == 6 and 1900 <= int(token[:4]) <= 2099 and 1 <= int(token[4:]) <= 12


_TIMESTAMP = re.compile(r"(\d{4})(\d{2})(\d{2})[Tt](\d{2})(\d{2})")


def _valid_timestamp(token: str) -> bool:
    """``ÅÅÅÅMMDDTHHMM`` with a month, day, hour and minute in range (ASCII digits)."""
    m = _TIMESTAMP.fullmatch(token)
    if m is None or not token.isascii():
        return False
    _, month, day, hour, minute = (int(g) for g in m.groups())
    return 1 <= month <= 12 and 1 <= day <= 31 and hour <= 23 and minute <= 59


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
    register = prefixes.get(tokens[0].lower()) if tokens else None
    kommun = period = stamp = None
    filip = False
    if register is not None:
        i = 1
        while i < len(tokens) and not is_digits(tokens[i]):
            i += 1  # a register's own token (AO, the BU level)
        if (
            i + 1 < len(tokens)
            and len(tokens[i]) == 4
            and is_digits(tokens[i])
            and len(tokens[i + 1]) in (4, 6)
            and is_digits(tokens[i + 1])
        ):
            filip = True
            kommun = tokens[i]
            if i + 2 < len(tokens) and _valid_timestamp(tokens[i + 2]):
                stamp = tokens[i + 2].upper()
            if _valid_period(tokens[i + 1]):
                period = tokens[i + 1]
            else:
                problems.append(
                    (
                        f"anger perioden {tokens[i + 1]}, som inte är en giltig period"
                        " (ÅÅÅÅMM eller ÅÅÅÅ)",
                        f"gives the period {tokens[i + 1]}, which is not a valid period"
                        " (YYYYMM or YYYY)",
                    )
                )
    else:  # not Filip-style: a register prefix anywhere is still a hint
        register = next((prefixes[t.lower()] for t in tokens if t.lower() in prefixes), None)
    return FileName(base, tokens, register, kommun, period, filip, tuple(problems), stamp)
