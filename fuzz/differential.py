"""A structured differential: the row and the columnar engine on generated files that are
damaged the way files are damaged by hand, for as long as you let it run.

Each round picks a register, file and statistikår, generates valid lines
(:func:`sosreg.generate.records`), then damages them: field values moved between lines
and fields, digits changed, identity numbers planted in other forms (other dashes,
spaces and digits), spaces around values, lines dropped, doubled, cut, quoted, given
trailing semicolons or a field too many, or broken in two, and the whole written with random
line endings (per line), BOMs and encodings. It validates the bytes with both engines,
with the year, period and name arguments varied, and fails on the first difference in
status, counts, findings, messages or :attr:`sosreg.Parsed.format`; and each engine's
report at a small ``max_details`` (0–2) without a sink against the same with one (the
findings past the limit are counted, not made, only without a sink), and the two
engines' at that limit against each other (the details kept are the first in line
order). Lines whose fields' findings are only counted are counted in columns however
few a check holds (``fieldcount.AT_LEAST`` is 1 here)::

    python fuzz/differential.py --seconds 600 --seed 1

A difference is written to ``differential-<seed>-<round>.bin`` with its arguments
beside it (``.json``): replay it with ``--replay FILE``. Needs polars (``sosreg[fast]``).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path
from typing import Any

import sosreg
from sosreg.engine.register import REGISTRY
from sosreg.engine.values import YearMonth
from sosreg.generate import records
from sosreg.registers import all_registers

YEARS = (2017, 2018, 2022, 2023, 2024)
FORMS = ("\u2011", "\xa0", "\u2013", "\u2212", " ", "-", "")
DIGITS = (0x30, 0x966, 0x660, 0xFF10)  # ASCII, Devanagari, Arabic-Indic, fullwidth


def _summary(report: sosreg.Report) -> tuple[Any, ...]:
    return (
        report.status,
        report.counts(),
        report.findings,
        tuple(f.message("sv") for f in report.findings),
        tuple(f.message("en") for f in report.findings),
        report.lines,
        report.records,
        report.period,
        report.kommun,
        report.encoding,
    )


def _identity(rng: random.Random) -> str:
    """A personnummer-shaped value in one of the written forms a person reads as one."""
    year = rng.randint(1920, 2020)
    text = f"{year}{rng.randint(1, 12):02d}{rng.randint(1, 28) + rng.choice((0, 60)):02d}"
    text += rng.choice(FORMS) + f"{rng.randint(0, 9999):04d}"
    base = rng.choice(DIGITS)
    return "".join(chr(base + int(c)) if c.isdigit() else c for c in text)


def _damage(rng: random.Random, lines: list[str]) -> list[str]:
    rows = [line.split(";") for line in lines]
    for _ in range(rng.randint(0, 6)):
        if not rows:
            break
        row = rng.choice(rows)
        if not row:
            row.append("")
        i = rng.randrange(len(row))
        how = rng.randrange(10)
        if how == 0 and len(rows) > 1:  # a value from another line's field
            other = rng.choice(rows)
            row[i] = rng.choice(other or [""])
        elif how == 1:  # a digit changed
            digits = [k for k, c in enumerate(row[i]) if c.isdigit()]
            if digits:
                k = rng.choice(digits)
                row[i] = row[i][:k] + str(rng.randrange(10)) + row[i][k + 1 :]
        elif how == 2:
            row[i] = _identity(rng)
        elif how == 3:
            row[i] = ""
        elif how == 4:
            row[i] = rng.choice((" ", '"', "0", "\ufeff", "å", "Ã¥")) + row[i]
        elif how == 5 and len(row) > 1:  # two fields swapped
            j = rng.randrange(len(row))
            row[i], row[j] = row[j], row[i]
        elif how == 6:
            rows.append(list(row))  # a line doubled
        elif how == 7 and len(rows) > 1:
            rows.remove(row)
        elif how == 8:
            row[i] = rng.choice((" ", "  ", "")) + row[i] + rng.choice((" ", ""))  # spaces
        else:
            del row[i:]  # a line cut
    lines = [";".join(r) for r in rows]
    # damage to whole lines (the line stage, which the columnar engine runs in columns)
    for _ in range(rng.randint(0, 4)):
        if not lines:
            break
        k = rng.randrange(len(lines))
        how = rng.randrange(4)
        if how == 0:  # the line in quotes, maybe with spaces outside them
            lines[k] = rng.choice(("", " ")) + f'"{lines[k]}"' + rng.choice(("", "  "))
        elif how == 1:  # semicolons after the last field
            lines[k] += ";" * rng.randint(1, 3)
        elif how == 2:  # a field too many
            lines[k] += ";" + rng.choice(("x", "1", " "))
        else:  # the line broken in two at a separator (SOS-108 twice, SOS-111)
            parts = lines[k].split(";")
            j = rng.randrange(len(parts))
            lines[k : k + 1] = [";".join(parts[: j + 1]), ";".join(parts[j:])]
    return lines


def _bytes(rng: random.Random, lines: list[str]) -> bytes:
    endings = rng.choice((["\r\n"], ["\n"], ["\r"], ["\r\n", "\n", "\r"]))
    text = "".join(line + rng.choice(endings) for line in lines)
    if lines and rng.random() < 0.3:
        text = text.rstrip("\r\n")
    encoding = rng.choice(("utf-8", "utf-8", "cp1252"))
    data = text.encode(encoding, "replace")
    prefix = rng.choice((b"", b"", b"\xef\xbb\xbf", b"\xef\xbb\xbf\xef\xbb\xbf"))
    return prefix + data


def _round(rng: random.Random) -> tuple[bytes, dict[str, Any]]:
    reg = rng.choice(all_registers())
    file = rng.choice(sorted(reg.files))
    year = rng.choice(YEARS)
    try:
        spec = REGISTRY.resolve_spec(reg.name, file, year)
    except Exception:
        return b"", {}
    period: YearMonth | int
    period = year if spec.period == "year" else YearMonth(year, rng.randint(1, 12))
    try:
        lines = list(records(spec, year, period, rng, rng.randint(1, 12), "0330"))
    except Exception:
        lines = []
    data = _bytes(rng, _damage(rng, lines))
    args: dict[str, Any] = {"register": reg.name, "file": file}
    if rng.random() < 0.5:
        args["year"] = year + rng.choice((0, 0, 0, 1, -1))
    if rng.random() < 0.3:
        args["name"] = rng.choice(
            (f"{reg.name}_0330_{period}_20240101T0900.txt", "x.txt", "Ekb_0330_202301.txt")
        )
    return data, args


def differs(data: bytes, args: dict[str, Any]) -> str | None:
    """Why the engines disagree on ``data`` (``None``: they agree)."""
    try:
        row_parse = sosreg.parse(data, max_details=None, engine="row", **args)
    except sosreg.UsageError as exc:  # the arguments cannot be checked: the same for both
        try:
            sosreg.parse(data, max_details=None, engine="columnar", **args)
        except sosreg.UsageError as col_exc:
            return None if str(col_exc) == str(exc) else f"{exc} != {col_exc}"
        return f"row: {exc}; columnar: no error"
    col_parse = sosreg.parse(data, max_details=None, engine="columnar", **args)
    row, col = row_parse.report(), col_parse.report()
    if _summary(col) != _summary(row):
        return f"row {row.counts()} != columnar {col.counts()}"
    if col_parse.format != row_parse.format:
        return f"format {row_parse.format} != {col_parse.format}"
    # a report at a small limit of details is the same without a sink (findings past
    # the limit counted, not made: FindingLog.counted) and with one (every one made)
    # and the same in both engines: the details kept are the first in line order, so
    # the engines must take the lines in that order (sorted reports hide any other)
    limit = len(data) % 3
    capped_by: dict[str, Any] = {}
    for engine in ("row", "columnar"):
        capped = capped_by[engine] = sosreg.validate(data, max_details=limit, engine=engine, **args)
        sunk = sosreg.validate(data, max_details=limit, engine=engine, sink=lambda _: None, **args)
        if _summary(capped) != _summary(sunk):
            return f"{engine}, max_details={limit}: {capped.counts()} != {sunk.counts()} (sink)"
    if _summary(capped_by["row"]) != _summary(capped_by["columnar"]):
        return f"max_details={limit}: the engines keep other details"
    return None


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--replay", type=Path)
    ap.add_argument(
        "--small-blocks", action="store_true", help="read in blocks of a few bytes (as the tests)"
    )
    a = ap.parse_args(argv)
    if a.replay:
        args = json.loads(a.replay.with_suffix(".json").read_text("utf-8"))
        print(differs(a.replay.read_bytes(), args) or "the engines agree")
        return 0
    from sosreg.engine import fieldcount

    fieldcount.AT_LEAST = 1  # small files: count in columns however few lines a check holds
    if a.small_blocks:
        from sosreg.engine import pipeline, source

        source.BLOCKS = source.BlockSizes(read=7, text=3, rows=150, batch=2)
        pipeline.HEAD_LINES = 2
    rng = random.Random(a.seed)
    end = time.monotonic() + a.seconds
    n = 0
    while time.monotonic() < end:
        data, args = _round(rng)
        if not args:
            continue
        n += 1
        why = differs(data, args)
        if why is not None:
            out = Path(f"differential-{a.seed}-{n}.bin")
            out.write_bytes(data)
            out.with_suffix(".json").write_text(json.dumps(args), "utf-8")
            print(f"difference after {n} files: {why} ({out})", file=sys.stderr)
            return 1
    print(f"{n} files, the engines agree")
    return 0


if __name__ == "__main__":
    sys.exit(main())
