"""A deterministic generator of SOL1 files for the analysts' tests and scripts: a year
of monthly files from several municipalities, Filip-style names, every file godkänd.

Seeded with :class:`random.Random` (no hypothesis ``example()``): the same arguments
always give the same bytes, so counts can be checked against :class:`Year.expected`.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from pathlib import Path

import attrs

from sosreg.identity import luhn_digit

KOMMUNER = ("0180", "1480", "1280")
"""Stockholm, Göteborg, Malmö."""


def personnummer(rng: random.Random) -> str:
    """A valid personnummer of someone born 1920–1960 (or, one in ten, a
    samordningsnummer: day + 60)."""
    year = rng.randint(1920, 1960)
    month = rng.randint(1, 12)
    day = rng.randint(1, 28)
    if rng.random() < 0.1:
        day += 60
    body = f"{year % 100:02d}{month:02d}{day:02d}{rng.randint(0, 999):03d}"
    return f"{year // 100}{body}{luhn_digit(body)}"


def sol1_line(rng: random.Random, kommun: str, period: str, person: str) -> str:
    """One valid SOL1 line (25 fields): flags and their quantities agree (SOL-024/025)."""
    flag = lambda: rng.choice("0001189")  # noqa: E731 - mostly 0, some 1
    hemtjanst = rng.choice("0111")
    if hemtjanst == "1":
        timmar = "777" if rng.random() < 0.05 else str(rng.randint(0, 744))
    else:
        timmar = rng.choice(("888", "0"))
    korttid = rng.choice("0001")
    dygn = str(rng.randint(0, 31)) if korttid == "1" else rng.choice(("88", "0"))
    boende = rng.choice("1122289")
    fields = [
        kommun,
        "",  # stadsdel
        period,
        person,
        boende,
        hemtjanst,
        timmar,
        flag(),  # forenklat_beslut
        *(flag() for _ in range(14)),  # service … annan_insats
        korttid,
        dygn,
        flag(),  # samboende
    ]
    assert len(fields) == 25
    return ";".join(fields)


@attrs.frozen
class Year:
    """What :func:`write_year` wrote."""

    paths: tuple[Path, ...]
    expected: Counter[tuple[str, str, int, str]]
    """Lines per (register, file, year, period)."""
    persons: Counter[str]
    """Distinct persons per period (all municipalities together)."""
    persons_by_kommun: Counter[tuple[str, str]]
    """Distinct persons per (kommun, period)."""


def filip_name(kommun: str, period: str) -> str:
    """``SOL1_<kommun>_<ÅÅÅÅMM>_<ÅÅÅÅMMDD>T0900.txt``, delivered on the 10th of the month
    after."""
    year, month = int(period[:4]), int(period[4:])
    year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return f"SOL1_{kommun}_{period}_{year:04d}{month:02d}10T0900.txt"


def write_year(
    folder: Path,
    year: int = 2023,
    kommuner: tuple[str, ...] = KOMMUNER,
    lines: int = 200,
    seed: int = 2023,
    growth: float = 0.25,
) -> Year:
    """Twelve monthly SOL1 files per kommun in ``folder``. About ``lines`` lines a
    month for the first kommun, ``growth`` more for each next one (a slow rise over the
    year and a summer dip, so a plot shows something); each kommun follows a pool of
    people, so many recur month after month."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    paths: list[Path] = []
    expected: Counter[tuple[str, str, int, str]] = Counter()
    persons: dict[str, set[str]] = {}
    by_kommun: Counter[tuple[str, str]] = Counter()
    for k_index, kommun in enumerate(kommuner):
        size = int(lines * (1 + growth * k_index))
        pool = list(dict.fromkeys(personnummer(rng) for _ in range(size * 2)))
        for month in range(1, 13):
            period = f"{year:04d}{month:02d}"
            wave = 1 + 0.02 * month - 0.12 * math.exp(-((month - 7.5) ** 2) / 2)
            n = min(len(pool), int(size * wave))
            people = rng.sample(pool, n)
            text = "\r\n".join(sol1_line(rng, kommun, period, p) for p in people) + "\r\n"
            path = folder / filip_name(kommun, period)
            path.write_bytes(text.encode("ascii"))
            paths.append(path)
            expected["sol", "sol1", year, period] += n
            persons.setdefault(period, set()).update(people)
            by_kommun[kommun, period] = n
    return Year(
        tuple(paths),
        expected,
        Counter({p: len(s) for p, s in persons.items()}),
        by_kommun,
    )
