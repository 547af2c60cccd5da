"""Generate a large, valid EKB-Månad file (ekb, file ``manad``, period 202301) for benchmarks.

Deterministic: a seeded :mod:`random` (no hypothesis), so the same arguments give the same
bytes, and the first N lines of a longer file are the lines of a shorter one.

    python benchmarks/make_data.py /tmp/ekb.txt                    # 200 000 valid lines
    python benchmarks/make_data.py /tmp/ekb_bad.txt --damaged      # ~1 % of lines damaged
    python benchmarks/make_data.py /tmp/ekb_2k.txt --lines 2000

Lines have the 15 fields of ``sosreg spec --register ekb --file manad --year 2023`` and the
shape of ``examples/Ekb_0330_202301_20230214T0930.txt`` (UTF-8/ASCII, CRLF):

    kommun;stadsdel;period;avseendemanad;sokande;medsokande;antal_barn;
    belopp_forsorjningsstod;belopp_ovrigt;hinder_sokande;hinder_medsokande;
    insats_sokande;insats_medsokande;insatsdagar_sokande;insatsdagar_medsokande

With ``--damaged`` the same lines are written, but about 1 % of them are broken the way
hand-edited files break: a trailing semicolon (SOS-109), the whole line in quotes (SOS-104)
or a space before a value (SOS-110).
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
from collections.abc import Iterator
from pathlib import Path

from sosreg import codelists
from sosreg.identity import luhn_digit

PERIOD = "202301"
YEAR = 2023
KOMMUN = "0180"  # Stockholm
SEED = 20230214
DEFAULT_LINES = 200_000
MEDSOKANDE_SHARE = 0.30
DAMAGED_SHARE = 0.01
DAMAGE_KINDS = ("trailing_semicolon", "quoted_line", "space_before_value")

_BORN_FIRST = dt.date(1940, 1, 1).toordinal()
_BORN_LAST = dt.date(2000, 12, 31).toordinal()


def hinder_codes(year: int = YEAR) -> list[str]:
    """Försörjningshinder valid in statistikår ``year``."""
    return [c.code for c in codelists.get("ekb_hinderkod").as_of(year)]


def insats_codes(year: int = YEAR) -> list[str]:
    """Kommunala arbetsmarknadsinsatser valid in statistikår ``year`` (``"0"`` = none)."""
    return [c.code for c in codelists.get("ekb_arbetsmarknadsinsats").as_of(year)]


def _check_kommun(code: str) -> None:
    kommuner = codelists.get("kommun")
    if code not in kommuner or not kommuner.is_valid(code, YEAR):
        raise SystemExit(f"kommun {code!r} is not in sosreg's kommun list for {YEAR}")
    for entry in kommuner:
        if entry.code == code and entry.warning:
            raise SystemExit(f"kommun {code!r} gives a warning: {entry.warning}")


class People:
    """Unique personnummer (ÅÅÅÅMMDDNNNC, Luhn over ÅÅMMDDNNN), born 1940–2000."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[str] = set()

    def new(self) -> str:
        rng = self.rng
        while True:
            born = dt.date.fromordinal(rng.randint(_BORN_FIRST, _BORN_LAST))
            serial = rng.randint(0, 999)
            body = f"{born:%Y%m%d}{serial:03d}"
            pnr = body + luhn_digit(body[2:])
            if pnr not in self.used:
                self.used.add(pnr)
                return pnr


def _days(rng: random.Random, insats: str) -> str:
    """Insatsdagar consistent with the insats (EKB-027): "0" -> 0 or empty, else 1..31."""
    if rng.random() < 0.25:
        return ""
    return "0" if insats == "0" else str(rng.randint(1, 31))


def _insats(rng: random.Random, codes: list[str]) -> str:
    # Most households have no measure in a given month.
    return "0" if rng.random() < 0.6 else rng.choice(codes[1:])


def valid_lines(n: int, *, seed: int = SEED, kommun: str = KOMMUN) -> Iterator[str]:
    """``n`` valid EKB-Månad lines (without line endings)."""
    _check_kommun(kommun)
    rng = random.Random(seed)
    people = People(rng)
    hinder = hinder_codes()
    insats = insats_codes()
    if insats[0] != "0":
        raise SystemExit(f"expected insats code '0' first, got {insats}")
    for _ in range(n):
        sokande = people.new()
        has_med = rng.random() < MEDSOKANDE_SHARE
        medsokande = people.new() if has_med else ""
        antal_barn = rng.choices((0, 1, 2, 3, 4, 5), weights=(50, 20, 15, 8, 4, 3))[0]
        fs = rng.randint(0, 25_000)
        ovrigt = rng.choice((0, 0, 0, rng.randint(1, 5_000)))
        if fs == 0 and ovrigt == 0:
            fs = rng.randint(500, 25_000)  # EKB-028: something must have been paid
        ins_s = _insats(rng, insats)
        fields = [
            kommun,
            "",  # stadsdel
            PERIOD,
            PERIOD,  # avseendemånad = the file's period
            sokande,
            medsokande,
            str(antal_barn),
            str(fs),
            str(ovrigt),
            rng.choice(hinder),
            rng.choice(hinder) if has_med else "",
            ins_s,
            "",
            _days(rng, ins_s),
            "",
        ]
        if has_med:
            ins_m = _insats(rng, insats)
            fields[12] = ins_m
            fields[14] = _days(rng, ins_m)
        yield ";".join(fields)


def damage(line: str, rng: random.Random) -> tuple[str, str]:
    """Break ``line`` one of the ways in :data:`DAMAGE_KINDS`; return (line, kind)."""
    kind = rng.choice(DAMAGE_KINDS)
    if kind == "trailing_semicolon":
        return line + ";", kind
    if kind == "quoted_line":
        return f'"{line}"', kind
    fields = line.split(";")
    i = rng.choice([i for i, v in enumerate(fields) if v])
    fields[i] = " " + fields[i]
    return ";".join(fields), kind


def write(
    path: Path, n: int, *, damaged: bool = False, seed: int = SEED, kommun: str = KOMMUN
) -> dict[str, int]:
    """Write ``n`` lines to ``path`` (CRLF, UTF-8). Returns counts of damage kinds."""
    counts = dict.fromkeys(DAMAGE_KINDS, 0)
    bad_rng = random.Random(seed + 1)  # separate stream: clean lines are the same either way
    with open(path, "w", encoding="utf-8", newline="") as fh:
        out = fh.write
        for line in valid_lines(n, seed=seed, kommun=kommun):
            if damaged and bad_rng.random() < DAMAGED_SHARE:
                line, kind = damage(line, bad_rng)
                counts[kind] += 1
            out(line)
            out("\r\n")
    return counts


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("path", type=Path, help="file to write")
    ap.add_argument("--lines", "-n", type=int, default=DEFAULT_LINES, help="number of lines")
    ap.add_argument("--damaged", action="store_true", help="damage ~1%% of the lines")
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument("--kommun", default=KOMMUN, help="kommunkod on every line")
    args = ap.parse_args(argv)
    if args.lines < 1:
        ap.error("--lines must be at least 1")
    counts = write(args.path, args.lines, damaged=args.damaged, seed=args.seed, kommun=args.kommun)
    size = args.path.stat().st_size
    what = "damaged" if args.damaged else "valid"
    print(f"wrote {args.lines} {what} lines ({size:,} bytes) to {args.path}", file=sys.stderr)
    if args.damaged:
        detail = ", ".join(f"{k} {v}" for k, v in counts.items())
        print(f"damaged lines: {sum(counts.values())} ({detail})", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
