"""Do the peers' schemas check what sosreg checks? A differential test on mutated values.

    python benchmarks/check_equivalence.py              # SOL1 and EKB-Månad, 5,000 lines
    python benchmarks/check_equivalence.py --only ekb --lines 20000 --seed 7

Takes valid generated lines (``make_data.py``), replaces the values of about half of them
with values drawn from the spec (codes of every list the spec uses, numbers at and past
their bounds, special codes, leading zeros, thousands separators, decimals, periods,
personnummer with wrong check digits, impossible dates, samordningsnummer, TF00 and
T-numbers, 10 digits, a hyphen, empty values, a leading space) and copies a person of an
earlier line into ~2 % of lines. Then compares, line by line, what sosreg flags (any
error or warning) with what each peer flags (``peers.py``: frictionless, pandera with
pandas, pandera with polars).

Structural damage (field count, quotes, trailing semicolons) is left out: pandas and
polars stop reading at the first such line (see ``bench.py``'s sanity table).

Prints, per file and peer, the lines flagged by sosreg and not by the peer (a check the
peer lacks) and the other way round (a check stricter than sosreg's), with examples.
Exit status 1 if a peer flags a line sosreg finds clean (other than the first line of a
duplicate, which pandera's polars backend reports too).
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import make_data  # noqa: E402
import peers  # noqa: E402

import sosreg  # noqa: E402
from sosreg import Severity, codelists  # noqa: E402
from sosreg.identity import luhn_digit  # noqa: E402


def value_pool(spec: sosreg.FileSpec) -> dict[str, list[str]]:
    """Candidate values per field type, from the spec and its code lists."""
    codes: set[str] = set()
    numbers = {"", "x", "-1", "007", "00", "1 000", "12,5", "12.5", "+3", "35000", "70000"}
    for f in spec.fields:
        if f.codelist:
            codes.update(c.code for c in codelists.get(f.codelist))  # every year's codes
        if f.special:
            numbers.update(c.code for c in codelists.get(f.special))
        for bound in (f.min, f.max):
            if bound is not None:
                numbers.update({str(bound - 1), str(bound), str(bound + 1)})
    codes.update({"", "x", "7", "07", "000", "0000", "999"})
    period = make_data.PERIOD
    return {
        "code": sorted(codes) + [" " + c for c in ("1", "0180")],
        "number": sorted(numbers),
        "yearmonth": [period, "202302", "202212", "202313", "2023-01", "20231", ""],
        "text": ["", "abcd", "abcde", "1"],
    }


def identity_value(rng: random.Random) -> str:
    day = rng.choice(
        (
            *("19450101", "19450229", "19440229", "19451301", "19450161", "19450191"),
            *("19450100", "19000100", "20220101", "19450132", "19450001", "20230101"),
            *("19450231", "20100315", "20050131", "20050201", "20230201", "20230191"),
        )
    )
    body = day + f"{rng.randrange(1000):03d}"
    check = luhn_digit(body[2:])
    if rng.random() < 0.3:
        check = str((int(check) + 1) % 10)
    return rng.choice(
        [body + check] * 4
        + [body[2:] + check, body[:8] + "-" + body[8:] + check, "1,9121E+11"]
        + ["19450101TF00", "1945TF00", "194501TF00", "19451301TF00", "19450101T123"]
        + ["2010TF00", "202302TF00", "20230201T123", "20050131TF00"]
    )


def mutate(lines: list[str], spec: sosreg.FileSpec, rng: random.Random) -> list[str]:
    pool = value_pool(spec)
    kinds = {
        "code": "code",
        "integer": "number",
        "amount": "number",
        "year": "number",
        "yearmonth": "yearmonth",
        "date": "yearmonth",
        "text": "text",
    }
    ids = [i for i, f in enumerate(spec.fields) if f.type == "identity"]
    out: list[str] = []
    for line in lines:
        fields = line.split(";")
        if rng.random() < 0.5:
            for _ in range(1 if rng.random() < 0.7 else 2):
                j = rng.randrange(len(fields))
                f = spec.fields[j]
                fields[j] = (
                    identity_value(rng) if f.type == "identity" else rng.choice(pool[kinds[f.type]])
                )
        if out and rng.random() < 0.02:  # a person of an earlier line, in either role
            prev = rng.choice(out).split(";")
            src, dst = rng.choice(ids), rng.choice(ids)
            if prev[src] and (dst == ids[0] or fields[dst]):
                fields[dst] = prev[src]
        out.append(";".join(fields))
    return out


def compare(kind: str, n: int, seed: int, tmp: Path) -> bool:
    spec = make_data.spec_of(kind)
    rng = random.Random(seed)
    lines = mutate(list(make_data.valid_lines(n, kind=kind)), spec, rng)
    directory = tmp / kind
    directory.mkdir()
    path = directory / make_data.filip_name(kind)
    path.write_text("\r\n".join(lines) + "\r\n", "utf-8")
    report = sosreg.validate(path, max_details=None)
    codes: dict[int, set[str]] = {}
    for f in report.findings:
        if f.line is not None and f.severity in (Severity.ERROR, Severity.WARNING):
            codes.setdefault(f.line, set()).add(f.code)
    errors = {
        f.line for f in report.findings if f.line is not None and f.severity is Severity.ERROR
    }
    flagged = set(codes)
    plan = peers.plan(kind, spec, make_data.YEAR, make_data.PERIOD, make_data.KOMMUN)
    print(f"\n### {make_data.TITLES[kind]}")
    print(
        f"\n{n:,} lines, {len(flagged):,} flagged by sosreg "
        f"({len(errors):,} with an error, {len(flagged - errors):,} with warnings only)\n"
    )
    # The first line of a value that repeats in a unique field: sosreg flags the later
    # lines only; a peer that flags every occurrence reports differently, not more.
    firsts: set[int] = set()
    positions = [i for i, f in enumerate(spec.fields) if f.name in plan.uniques]
    for i in positions:
        seen: dict[str, int] = {}
        for ln, line in enumerate(lines, 1):
            v = line.split(";")[i]
            if v and v in seen:
                firsts.add(seen[v])
            seen.setdefault(v, ln)
    print(
        "| peer | lines flagged | sosreg flags, peer not | peer flags, sosreg not "
        "| of these: first line of a duplicate |"
    )
    print("|---|---:|---:|---:|---:|")
    ok = True
    examples = []
    for name, (prepare, run) in peers.PEERS.items():
        got = set(run(path, plan, prepare(plan), None)["flagged_lines"])
        missed, extra = flagged - got, got - flagged
        first_dups = extra & firsts
        extra -= first_dups
        ok = ok and not extra
        print(
            f"| {name} | {len(got):,} | {len(missed):,} | {len(extra) + len(first_dups):,} "
            f"| {len(first_dups):,} |"
        )
        missed_codes: dict[str, int] = {}
        for ln in missed:
            for c in codes[ln]:
                missed_codes[c] = missed_codes.get(c, 0) + 1
        if missed_codes:
            detail = ", ".join(f"{c} {k}" for c, k in sorted(missed_codes.items()))
            examples.append(f"- {name} misses lines with: {detail}")
        for ln in sorted(extra)[:5]:
            examples.append(f"- {name} flags line {ln}, sosreg does not: `{lines[ln - 1]}`")
        if len(extra) > 5:
            examples.append(f"- {name}: … and {len(extra) - 5} more such lines")
    if examples:
        print()
        print("\n".join(examples))
    return ok


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lines", type=int, default=5_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--only", choices=("sol1", "ekb"))
    args = ap.parse_args(argv)
    ok = True
    with tempfile.TemporaryDirectory(prefix="sosreg-equiv-") as tmp:
        for kind in [args.only] if args.only else ["sol1", "ekb"]:
            ok = compare(kind, args.lines, args.seed, Path(tmp)) and ok
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
