"""Shared test helpers: synthetic people and a compact way to validate lines."""

from __future__ import annotations

from typing import Any

import attrs

import sosreg
from sosreg.identity import luhn_digit


@attrs.frozen
class Case:
    """A rule case (see ``test_rules.py``): ``bad`` fires ``code`` on ``line`` (with
    ``kw``), ``good`` does not (with ``good_kw``, default ``kw``)."""

    code: str
    bad: Any
    good: Any
    line: int | None
    file: str = "manad"
    kw: dict[str, Any] = attrs.field(factory=dict)
    good_kw: dict[str, Any] | None = None


def pnr(date: str, serial: int = 123) -> str:
    """A valid personnummer born on ``date`` (ÅÅÅÅMMDD)."""
    body = date[2:] + f"{serial:03d}"
    return date[:2] + body + luhn_digit(body)


P0 = pnr("19850312", 234)
P1 = pnr("19870521", 118)
P2 = pnr("19920101", 457)
P3 = pnr("19780830", 862)
CHILD = pnr("20100405", 111)
UNBORN = pnr("20240105", 222)

# EKB-Månad 202301: a line with a medsökande and one without.
M_MED = f"0330;;202301;202301;{P0};{P1};2;8450;1200;111;051;2;0;12;"
M_SOLO = f"0330;;202301;202301;{P2};;0;5230;0;021;;0;;;"
# EKB-AO 202301
AO_SOLO = f"0330;;202301;202212;{P3};;1;;1"
AO_MED = f"0330;;202301;202301;{P0};{P1};1;8;1"


def annual(
    sok: str,
    med: str | None,
    months: dict[int, tuple[str, str, str, str, str]],
    avslut: tuple[str, str, str, str] = ("", "", "", ""),
) -> str:
    """An EKB-År line; ``months`` maps month -> (belopp, hinder_sok, hinder_med, insats_sok,
    insats_med); ``avslut``: (avslut_manad, avslutsorsak sökande, medsökande, hushållet)."""
    out = ["0330", "", "2023", sok, med or ""]
    for mm in range(1, 13):
        out += list(months.get(mm, ("", "", "", "", "")))
    out += list(avslut)
    return ";".join(out)


A_SOLO = annual(P2, None, {1: ("5230", "021", "", "0", ""), 2: ("5230", "021", "", "0", "")})
A_MED = annual(P0, P1, {m: ("8450", "111", "051", "2", "0") for m in range(1, 13)})

# SOL1, SOL2 (period 202301)
S1 = f"0330;;202301;{P0};2;1;777;0;0;0;0;9;8;0;0;0;0;0;0;0;0;0;8;88;0"
S1_B = f"0330;;202301;{P1};1;1;40;0;1;1;0;0;0;1;0;0;0;0;0;0;0;0;1;12;1"
S2 = f"0330;;202301;{P0};0;88;88;8;1;20221210;20230105;20230124;2;0;1;0;0;0;0;0;0;0;0;0;0;9;1;1;0;0;3;3"
S2_OPEN = (
    f"0330;;202301;{P1};0;88;88;1;1;20230102;20230110;;8;1;1;0;0;0;1;0;0;0;0;0;0;0;2;2;0;0;2;2"
)
# KHSL1, KHSL2 (period 202301); P0 and P1 are women (kön 2)
K1 = f"0330;;202301;{P0};2;1"
K1_B = f"0330;;202301;{P1};2;2"
K2 = f"0330;;{P0};2;;PD008;20230124;XS919;;;;"
K2_B = f"0330;;{P1};2;;QB010;20230103;XS919;XS921;;;"

DEFAULTS: dict[str, dict[str, Any]] = {  # registers in tests/cases_*.py add their files
    "manad": {"register": "ekb", "file": "manad", "year": 2023, "period": "202301"},
    "ao": {"register": "ekb", "file": "ao", "year": 2023, "period": "202301"},
    "ar": {"register": "ekb", "file": "ar", "year": 2023},
    "sol1": {"register": "sol", "file": "sol1", "year": 2023, "period": "202301"},
    "sol2": {"register": "sol", "file": "sol2", "year": 2023, "period": "202301"},
    "khsl1": {"register": "khsl", "file": "khsl1", "year": 2023, "period": "202301"},
    "khsl2": {"register": "khsl", "file": "khsl2", "year": 2023, "period": "202301"},
}


def run(lines: list[str] | bytes | str, file: str = "manad", **kw: Any) -> sosreg.Report:
    """Validate ``lines`` (joined with CRLF) as an EKB file of 2023."""
    if isinstance(lines, list):
        data: Any = ("\r\n".join(lines) + "\r\n").encode("utf-8")
    elif isinstance(lines, str):
        data = lines.encode("utf-8")
    else:
        data = lines
    args = dict(DEFAULTS[file])
    args.update(kw)
    return sosreg.validate(data, **args)
