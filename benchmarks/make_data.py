"""Generate large, valid SOL1 and EKB-Månad files (period 202301) for the benchmarks.

Deterministic: a seeded :mod:`random` (no hypothesis), so the same arguments give the same
bytes, and the first N lines of a longer file are the lines of a shorter one.

    python benchmarks/make_data.py /tmp/ekb.txt                        # 200 000 EKB lines
    python benchmarks/make_data.py /tmp/d --file sol1 --lines 1000000  # /tmp/d/SOL1_0180_...
    python benchmarks/make_data.py /tmp/bad --file sol1 --damaged 10   # 10 % damaged lines
    python benchmarks/make_data.py /tmp/ekb_bad.txt --damaged          # 1 % damaged lines

If PATH is an existing directory the file gets its Filip name there
(``SOL1_0180_202301_20230214T0930.txt``, ``Ekb_0180_202301_20230214T0930.txt``), so
``sosreg validate`` finds register, file, kommun and period from the name.

Every value is drawn from the spec (``sosreg.get_spec``) and the year's code lists:

* ``sol1`` (``sosreg spec --register sol --file sol1 --year 2023``): code fields from their
  code list (uniformly), integers in their range or one of the field's special codes,
  one line per person (SOL-030), and each flag with a quantity consistent with it
  (SOL-024/025, taken from ``sosreg.registers.sol.rules.FLAGGED_QUANTITIES``): flag 1 ⇒ a
  number of days/hours (or 777 dygnet runt, 99/999 uppgift saknas), flag 0/8 ⇒ "ej
  aktuellt" (88/888) or 0, flag 9 ⇒ "ej aktuellt".
* ``ekb`` (``--register ekb --file manad``): kommun, empty stadsdel, period and
  avseendemånad 202301, a unique sökande per line, a medsökande on ~30 % of lines (its
  hinder and insats only then), hinderkod from the 2023 list, insats 0–8 with consistent
  insatsdagar, at least one amount above 0.

Persons: unique 12-digit ids with a Luhn check digit; about 1 % are samordningsnummer
(day + 60). SOL1 persons are mostly born 1920–1958, EKB persons 1940–2000 (all adults).
Where the field accepts them (EKB's sökande and medsökande), about 1 % are temporary
ids: ``ÅÅÅÅMMDDTnnn`` (unique) and ``ÅÅÅÅ[MM[DD]]TF00``. UTF-8 (ASCII only), CRLF.

Coverage: the first lines of a file hold every code of each code list a code field
draws from (each list cycled; not kommun, which is the file's) and every kind of id
each identity field accepts, so that no engine meets a code or an id kind for the first
time in the middle of a timed run. :func:`coverage` checks a file for that.

With ``--damaged [PCT]`` (default 1) the same lines are written but about PCT % of them
are broken the way hand-edited files break, one of :data:`DAMAGE_KINDS`: a trailing
semicolon (SOS-109), the whole line in quotes (SOS-104), a space before a value
(SOS-110), a code that is not in the field's list (SOS-205; a wrong hinderkod in EKB), a
wrong check digit in the person's id (SOS-210; a temporary id's T made an X), the line cut
after a field (SOS-108).
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import sosreg
from sosreg import codelists
from sosreg.engine.spec import FieldSpec, FileSpec
from sosreg.registers.sol.rules import FLAGGED_QUANTITIES

PERIOD = "202301"
YEAR = 2023
KOMMUN = "0180"  # Stockholm
STAMP = "20230214T0930"
SEED = 20230214
DEFAULT_LINES = 200_000
MEDSOKANDE_SHARE = 0.30
SNR_SHARE = 0.01
TEMP_SHARE = 0.01
"""The share of temporary ids (half ``T3``, half ``TF00``) where a field accepts them."""
DAMAGED_PCT = 1.0
DAMAGE_KINDS = (
    "trailing_semicolon",
    "quoted_line",
    "space_before_value",
    "wrong_code",
    "bad_check_digit",
    "cut_line",
)

KINDS = {
    # kind: (register, file, Filip prefix)
    "sol1": ("sol", "sol1", "SOL1"),
    "ekb": ("ekb", "manad", "Ekb"),
}
TITLES = {"sol1": "SOL1", "ekb": "EKB-Månad"}


def spec_of(kind: str) -> FileSpec:
    register, file, _ = KINDS[kind]
    return sosreg.get_spec(register, file, YEAR)


def filip_name(kind: str, kommun: str = KOMMUN, period: str = PERIOD, stamp: str = STAMP) -> str:
    """The Filip-style name sosreg reads register, file, kommun and period from."""
    return f"{KINDS[kind][2]}_{kommun}_{period}_{stamp}.txt"


def valid_codes(name: str, year: int = YEAR) -> list[str]:
    """Codes of list ``name`` valid in ``year`` without a note (a note is a warning)."""
    return [c.code for c in codelists.get(name).as_of(year) if c.warning is None]


def hinder_codes(year: int = YEAR) -> list[str]:
    """Försörjningshinder valid in statistikår ``year``."""
    return [c.code for c in codelists.get("ekb_hinderkod").as_of(year)]


def insats_codes(year: int = YEAR) -> list[str]:
    """Kommunala arbetsmarknadsinsatser valid in statistikår ``year`` (``"0"`` = none)."""
    return [c.code for c in codelists.get("ekb_arbetsmarknadsinsats").as_of(year)]


def check_kommun(code: str) -> None:
    kommuner = codelists.get("kommun")
    if code not in kommuner or not kommuner.is_valid(code, YEAR):
        raise SystemExit(f"kommun {code!r} is not in sosreg's kommun list for {YEAR}")
    for entry in kommuner:
        if entry.code == code and entry.warning:
            raise SystemExit(f"kommun {code!r} gives a warning: {entry.warning}")


def kommuner(n: int) -> list[str]:
    """The first ``n`` kommunkoder of the year's list that give no warning."""
    codes = valid_codes("kommun")
    if n > len(codes):
        raise SystemExit(f"only {len(codes)} kommuner in the {YEAR} list")
    return codes[:n]


# --- persons --------------------------------------------------------------------------

_DOUBLED = (0, 2, 4, 6, 8, 1, 3, 5, 7, 9)


def _luhn_part(digits: str, double_first: bool) -> int:
    """Luhn sum of ``digits`` with weights 2,1,2,... (or 1,2,1,...) from the left."""
    total = 0
    for i, ch in enumerate(digits):
        d = int(ch)
        total += _DOUBLED[d] if (i % 2 == 0) == double_first else d
    return total


class People:
    """Unique 12-digit ids ``ÅÅÅÅMMDDNNNC`` (Luhn over ``ÅÅMMDDNNN``), born in
    ``[first, last]``; a share ``snr`` of them samordningsnummer (day + 60).

    Fast: the date strings and their Luhn sums are computed once, so an id costs two
    ``randrange`` calls, a set lookup and a string join."""

    def __init__(
        self,
        rng: random.Random,
        ranges: tuple[tuple[dt.date, dt.date, float], ...],
        snr: float = SNR_SHARE,
    ) -> None:
        self.rng = rng
        self.snr = snr
        self.used: set[str] = set()
        self.ranges = []  # (cumulative weight, pnr dates, snr dates)
        total = 0.0
        for first, last, weight in ranges:
            total += weight
            pnr, snr_ = [], []
            for o in range(first.toordinal(), last.toordinal() + 1):
                d = dt.date.fromordinal(o)
                ymd = f"{d.year:04d}{d.month:02d}{d.day:02d}"
                pnr.append((ymd, _luhn_part(ymd[2:], True)))
                ymd_s = f"{d.year:04d}{d.month:02d}{d.day + 60:02d}"
                snr_.append((ymd_s, _luhn_part(ymd_s[2:], True)))
            self.ranges.append((total, pnr, snr_))
        self.total = total
        self.serials = [(f"{s:03d}", _luhn_part(f"{s:03d}", True)) for s in range(1000)]

    def new(self, kind: str | None = None) -> str:
        """A new id: a personnummer or (share ``snr``) a samordningsnummer; ``kind``
        (``"pnr"``, ``"snr"``) forces one."""
        rng = self.rng
        r = rng.random() * self.total
        pnr, snr = self.ranges[-1][1:]
        for cum, pnr_dates, snr_dates in self.ranges:
            if r < cum:
                pnr, snr = pnr_dates, snr_dates
                break
        is_snr = rng.random() < self.snr if kind is None else kind == "snr"
        dates = snr if is_snr else pnr
        while True:
            ymd, s1 = dates[rng.randrange(len(dates))]
            serial, s2 = self.serials[rng.randrange(1000)]
            value = f"{ymd}{serial}{(10 - (s1 + s2) % 10) % 10}"
            if value not in self.used:
                self.used.add(value)
                return value

    def temporary(self, kind: str, form: int | None = None) -> str:
        """A temporary id: ``"t3"`` (``ÅÅÅÅMMDDTnnn``, new) or ``"tf"``
        (``ÅÅÅÅTF00``, ``ÅÅÅÅMMTF00`` or ``ÅÅÅÅMMDDTF00``; ``form`` 0, 1, 2 picks one),
        born in the people's range."""
        rng = self.rng
        pnr = self.ranges[-1][1]
        while True:
            ymd = pnr[rng.randrange(len(pnr))][0]
            if kind == "tf":
                size = (4, 6, 8)[rng.randrange(3) if form is None else form]
                return f"{ymd[:size]}TF00"
            value = f"{ymd}T{rng.randrange(1000):03d}"
            if value not in self.used:
                self.used.add(value)
                return value

    def any(self, accept: tuple[str, ...], kind: str | None = None) -> str:
        """A new id of a kind ``accept`` holds: mostly :meth:`new`, a share
        :data:`TEMP_SHARE` temporary where accepted; ``kind`` forces one (``"tf0"``,
        ``"tf1"``, ``"tf2"``: the TF00 forms)."""
        if kind is None:
            temps = [k for k in ("t3", "tf") if k in accept]
            if temps and self.rng.random() < TEMP_SHARE:
                kind = self.rng.choice(temps)
        if kind is None or kind in ("pnr", "snr"):
            return self.new(kind)
        if kind.startswith("tf"):
            return self.temporary("tf", int(kind[2:]) if kind[2:] else None)
        return self.temporary(kind)


def id_kinds(accept: tuple[str, ...]) -> list[str]:
    """The kinds :meth:`People.any` is forced through on a file's first lines: every
    kind ``accept`` holds, TF00 in each of its three forms."""
    out = []
    for kind in accept:
        out += ["tf0", "tf1", "tf2"] if kind == "tf" else [kind]
    return out


# --- SOL1: values from the spec -------------------------------------------------------

Gen = Callable[[], str]


def _field_gen(f: FieldSpec, rng: random.Random, people: People, kommun: str) -> Gen:
    """A generator of valid text for field ``f`` (on its own, without record rules)."""
    if f.type == "code":
        if f.codelist == "kommun":
            return lambda: kommun
        if f.codelist is None:
            raise SystemExit(f"field {f.name}: a code without a code list")
        codes = tuple(valid_codes(f.codelist))
        return lambda: rng.choice(codes)
    if f.type in ("integer", "amount"):
        lo = f.min if f.min is not None else 0
        hi = f.max if f.max is not None else (25_000 if f.type == "amount" else 999)
        specials = tuple(valid_codes(f.special)) if f.special else ()

        def number() -> str:
            if specials and rng.random() < 0.05:
                return rng.choice(specials)
            return str(rng.randint(lo, hi))

        return number
    if f.type == "yearmonth":
        return lambda: PERIOD
    if f.type == "year":
        return lambda: PERIOD[:4]
    if f.type == "date":
        first = dt.date(YEAR, int(PERIOD[4:]), 1).toordinal()
        return lambda: dt.date.fromordinal(first + rng.randrange(28)).strftime("%Y%m%d")
    if f.type == "identity":
        if not f.mandatory:
            return lambda: ""
        return people.new
    if f.type == "text":
        return (lambda: "") if not f.mandatory else (lambda: "x" * min(f.length or 4, 4))
    raise SystemExit(f"field {f.name}: type {f.type} not generated")


def sol1_lines(n: int, *, seed: int = SEED, kommun: str = KOMMUN) -> Iterator[str]:
    """``n`` valid SOL1 lines (without line endings)."""
    check_kommun(kommun)
    spec = spec_of("sol1")
    rng = random.Random(seed)
    people = People(
        rng,
        (
            (dt.date(1920, 1, 1), dt.date(1958, 12, 31), 0.85),  # 65 and older
            (dt.date(1960, 1, 1), dt.date(2004, 12, 31), 0.15),  # funktionsnedsättning
        ),
    )
    fields = spec.fields
    pos = {f.name: i for i, f in enumerate(fields)}
    # Code fields that draw from the same list are drawn in one rng.choices call.
    groups: dict[tuple[str, ...], list[int]] = {}
    gens: list[tuple[int, Gen]] = []
    for i, f in enumerate(fields):
        if f.type == "code" and f.codelist not in (None, "kommun"):
            groups.setdefault(tuple(valid_codes(f.codelist)), []).append(i)
        else:
            gens.append((i, _field_gen(f, rng, people, kommun)))
    group_list = [(codes, idx, len(idx)) for codes, idx in groups.items()]
    # Flag and quantity (SOL-024/025), from the rule's own table.
    pairs = []
    for _code, flag, qty, not_applicable, _ in FLAGGED_QUANTITIES:
        q = spec.field(qty)
        specials = valid_codes(q.special) if q.special else []
        other = tuple(s for s in specials if s != str(not_applicable))
        lo, hi = q.min or 0, q.max if q.max is not None else 999
        pairs.append((pos[flag], pos[qty], str(not_applicable), other, lo, hi))
    choices, random_ = rng.choices, rng.random
    row = [""] * len(fields)
    # coverage: the first lines cycle through every code of each list and id kind
    ident = next(i for i, f in enumerate(fields) if f.type == "identity")
    kinds = id_kinds(tuple(k for k in ("pnr", "snr") if k in _accept(fields[ident])))
    cover = max([len(codes) for codes, _, _ in group_list] + [len(kinds)])
    for line in range(n):
        for i, gen in gens:
            row[i] = gen()
        if line < len(kinds):
            row[ident] = people.new(kinds[line])
        for codes, idx, k in group_list:
            if line < cover:
                for j, i in enumerate(idx):
                    row[i] = codes[(line + j) % len(codes)]
                continue
            for i, v in zip(idx, choices(codes, k=k), strict=True):
                row[i] = v
        for fi, qi, na, other, lo, hi in pairs:
            flag = row[fi]
            if flag == "1":
                r = random_()
                row[qi] = rng.choice(other) if other and r < 0.05 else str(rng.randint(lo, hi))
            elif flag in ("0", "8"):
                row[qi] = na if random_() < 0.9 else "0"
            else:  # 9, uppgift saknas: not checked by the rule
                row[qi] = na
        yield ";".join(row)


# --- EKB-Månad ------------------------------------------------------------------------

EKB_FIELDS = (
    "kommun",
    "stadsdel",
    "period",
    "avseendemanad",
    "sokande",
    "medsokande",
    "antal_barn",
    "belopp_forsorjningsstod",
    "belopp_ovrigt",
    "hinder_sokande",
    "hinder_medsokande",
    "insats_sokande",
    "insats_medsokande",
    "insatsdagar_sokande",
    "insatsdagar_medsokande",
)


def _days(rng: random.Random, insats: str) -> str:
    """Insatsdagar consistent with the insats (EKB-027): "0" -> 0 or empty, else 1..31."""
    if rng.random() < 0.25:
        return ""
    return "0" if insats == "0" else str(rng.randint(1, 31))


def _insats(rng: random.Random, codes: list[str]) -> str:
    # Most households have no measure in a given month.
    return "0" if rng.random() < 0.6 else rng.choice(codes[1:])


def ekb_lines(n: int, *, seed: int = SEED, kommun: str = KOMMUN) -> Iterator[str]:
    """``n`` valid EKB-Månad lines (without line endings)."""
    check_kommun(kommun)
    names = tuple(spec_of("ekb").field_names())
    if names != EKB_FIELDS:
        raise SystemExit(f"the EKB-Månad spec has changed: {names}; update make_data.py")
    rng = random.Random(seed)
    people = People(rng, ((dt.date(1940, 1, 1), dt.date(2000, 12, 31), 1.0),))
    hinder = hinder_codes()
    insats = insats_codes()
    if insats[0] != "0":
        raise SystemExit(f"expected insats code '0' first, got {insats}")
    spec = spec_of("ekb")
    accept_s = _accept(spec.field("sokande"))
    accept_m = _accept(spec.field("medsokande"))
    kinds_s, kinds_m = id_kinds(accept_s), id_kinds(accept_m)
    # coverage: the first lines cycle through every code and id kind, with a medsökande
    cover = max(len(hinder), len(insats), len(kinds_s), len(kinds_m))
    for line in range(n):
        first = line < cover
        sokande = people.any(accept_s, kinds_s[line] if line < len(kinds_s) else None)
        has_med = first or rng.random() < MEDSOKANDE_SHARE
        med_kind = kinds_m[-1 - line] if line < len(kinds_m) else None
        medsokande = people.any(accept_m, med_kind) if has_med else ""
        antal_barn = rng.choices((0, 1, 2, 3, 4, 5), weights=(50, 20, 15, 8, 4, 3))[0]
        fs = rng.randint(0, 25_000)
        ovrigt = rng.choice((0, 0, 0, rng.randint(1, 5_000)))
        if fs == 0 and ovrigt == 0:
            fs = rng.randint(500, 25_000)  # EKB-028: something must have been paid
        ins_s = insats[line % len(insats)] if first else _insats(rng, insats)
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
            hinder[line % len(hinder)] if first else rng.choice(hinder),
            hinder[-1 - line % len(hinder)] if first else rng.choice(hinder) if has_med else "",
            ins_s,
            "",
            _days(rng, ins_s),
            "",
        ]
        if has_med:
            ins_m = insats[-1 - line % len(insats)] if first else _insats(rng, insats)
            fields[12] = ins_m
            fields[14] = _days(rng, ins_m)
        yield ";".join(fields)


def _accept(f: FieldSpec) -> tuple[str, ...]:
    """The kinds of id field ``f`` accepts."""
    from sosreg.engine.types.identity import accepted

    return accepted(f)


def coverage(path: Path, kind: str) -> dict[str, list[str]]:
    """What a generated file of ``kind`` lacks of the coverage its first lines promise:
    per field, the codes of its list (kommun aside) and the kinds of id it accepts that
    occur on no line. Empty: everything occurs."""
    from sosreg import identity

    spec = spec_of(kind)
    fields = spec.fields
    wanted: dict[int, set[str]] = {}
    for i, f in enumerate(fields):
        if f.type == "code" and f.codelist not in (None, "kommun"):
            listed = codelists.get(f.codelist).as_of(YEAR)
            wanted[i] = {c.code for c in listed if c.warning is None}
        elif f.type == "identity":
            wanted[i] = set(_accept(f))
    seen: dict[int, set[str]] = {i: set() for i in wanted}
    with open(path, encoding="utf-8", newline="") as fh:
        for text in fh:
            values = text.rstrip("\r\n").split(";")
            if len(values) != len(fields):
                continue
            for i in wanted:
                v = values[i]
                if fields[i].type == "identity":
                    parsed = identity.parse(v) if v else None
                    if isinstance(parsed, identity.Identity):
                        seen[i].add(parsed.kind)
                else:
                    seen[i].add(v)
    return {fields[i].name: sorted(wanted[i] - seen[i]) for i in wanted if wanted[i] - seen[i]}


def valid_lines(
    n: int, *, kind: str = "ekb", seed: int = SEED, kommun: str = KOMMUN
) -> Iterator[str]:
    """``n`` valid lines of ``kind`` (``"sol1"`` or ``"ekb"``), without line endings."""
    if kind == "sol1":
        return sol1_lines(n, seed=seed, kommun=kommun)
    if kind == "ekb":
        return ekb_lines(n, seed=seed, kommun=kommun)
    raise ValueError(f"unknown kind {kind!r}: one of {sorted(KINDS)}")


# --- damage ---------------------------------------------------------------------------


class Damager:
    """Breaks lines of one kind of file in the ways of :data:`DAMAGE_KINDS`."""

    def __init__(
        self, kind: str, rng: random.Random, kinds: tuple[str, ...] = DAMAGE_KINDS
    ) -> None:
        spec = spec_of(kind)
        self.rng = rng
        self.kinds = kinds
        self.identity = next(i for i, f in enumerate(spec.fields) if f.type == "identity")
        # Mandatory code fields with a list (not kommun), each with a code not in it.
        self.codes: list[tuple[int, str]] = []
        for i, f in enumerate(spec.fields):
            if f.type == "code" and f.mandatory and f.codelist not in (None, "kommun"):
                if kind == "ekb" and f.name != "hinder_sokande":
                    continue  # the EKB damage is "a wrong hinderkod"
                self.codes.append((i, _not_in_list(f.codelist)))

    def damage(self, line: str) -> tuple[str, str]:
        """``line`` broken one way; returns (line, kind)."""
        rng = self.rng
        kind = rng.choice(self.kinds)
        if kind == "trailing_semicolon":
            return line + ";", kind
        if kind == "quoted_line":
            return f'"{line}"', kind
        fields = line.split(";")
        if kind == "space_before_value":
            i = rng.choice([i for i, v in enumerate(fields) if v])
            fields[i] = " " + fields[i]
        elif kind == "wrong_code":
            i, bad = rng.choice(self.codes)
            fields[i] = bad
        elif kind == "bad_check_digit":
            pnr = fields[self.identity]
            if pnr.isdigit():
                fields[self.identity] = pnr[:-1] + str((int(pnr[-1]) + rng.randint(1, 9)) % 10)
            else:  # a temporary id: its letter T made an X (no kind of id reads that)
                fields[self.identity] = pnr.replace("T", "X", 1)
        else:  # cut_line: keep 2 .. n-1 fields
            fields = fields[: rng.randint(2, len(fields) - 1)]
        return ";".join(fields), kind


def _not_in_list(name: str) -> str:
    """A code of the list's shape (its width, digits) that is not in the list."""
    codes = set(valid_codes(name))
    width = max(len(c) for c in codes)
    for i in range(10**width - 1, -1, -1):
        candidate = f"{i:0{width}d}"
        if candidate not in codes:
            return candidate
    raise SystemExit(f"code list {name} is full")


def write(
    path: Path,
    n: int,
    *,
    kind: str = "ekb",
    damaged: float | bool = 0.0,
    seed: int = SEED,
    kommun: str = KOMMUN,
    damage_kinds: tuple[str, ...] = DAMAGE_KINDS,
) -> dict[str, int]:
    """Write ``n`` lines to ``path`` (CRLF, UTF-8). ``damaged``: percent of lines to
    break (``True`` = :data:`DAMAGED_PCT`), each one of ``damage_kinds``. Returns counts
    of damage kinds."""
    pct = DAMAGED_PCT if damaged is True else float(damaged)
    share = pct / 100
    counts = dict.fromkeys(DAMAGE_KINDS, 0)
    bad_rng = random.Random(seed + 1)  # separate stream: clean lines are the same either way
    damager = Damager(kind, bad_rng, damage_kinds) if share > 0 else None
    buf: list[str] = []
    with open(path, "w", encoding="utf-8", newline="") as fh:
        for line in valid_lines(n, kind=kind, seed=seed, kommun=kommun):
            if damager is not None and bad_rng.random() < share:
                line, how = damager.damage(line)
                counts[how] += 1
            buf.append(line)
            if len(buf) >= 10_000:
                buf.append("")
                fh.write("\r\n".join(buf))
                buf.clear()
        if buf:
            buf.append("")
            fh.write("\r\n".join(buf))
    return counts


def write_filip(
    directory: Path,
    kind: str,
    n: int,
    *,
    damaged: float = 0.0,
    seed: int = SEED,
    kommun: str = KOMMUN,
    damage_kinds: tuple[str, ...] = DAMAGE_KINDS,
) -> tuple[Path, dict[str, int]]:
    """Write the file under its Filip name in ``directory``; (path, damage counts)."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / filip_name(kind, kommun)
    counts = write(
        path, n, kind=kind, damaged=damaged, seed=seed, kommun=kommun, damage_kinds=damage_kinds
    )
    return path, counts


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("path", type=Path, help="file to write, or a directory (Filip name)")
    ap.add_argument("--file", choices=sorted(KINDS), default="ekb", help="which file (ekb)")
    ap.add_argument("--lines", "-n", type=int, default=DEFAULT_LINES, help="number of lines")
    ap.add_argument(
        "--damaged",
        type=float,
        nargs="?",
        const=DAMAGED_PCT,
        default=0.0,
        metavar="PCT",
        help="damage about PCT %% of the lines (1 without a number)",
    )
    ap.add_argument(
        "--damage-kinds",
        nargs="+",
        choices=DAMAGE_KINDS,
        default=list(DAMAGE_KINDS),
        help="which ways to damage a line (all)",
    )
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument("--kommun", default=KOMMUN, help="kommunkod on every line")
    args = ap.parse_args(argv)
    if args.lines < 1:
        ap.error("--lines must be at least 1")
    if not 0 <= args.damaged <= 100:
        ap.error("--damaged must be a percentage 0..100")
    path: Path = args.path
    if path.is_dir():
        path = path / filip_name(args.file, args.kommun)
    counts = write(
        path,
        args.lines,
        kind=args.file,
        damaged=args.damaged,
        seed=args.seed,
        kommun=args.kommun,
        damage_kinds=tuple(args.damage_kinds),
    )
    size = path.stat().st_size
    print(f"wrote {args.lines} {args.file} lines ({size:,} bytes) to {path}", file=sys.stderr)
    if args.damaged:
        detail = ", ".join(f"{k} {v}" for k, v in counts.items())
        print(f"damaged lines: {sum(counts.values())} ({detail})", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
