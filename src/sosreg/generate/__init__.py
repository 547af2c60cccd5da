"""Generate valid register files, and damage them on purpose.

:func:`generate` writes a file (a BU delivery: three files) that :func:`sosreg.validate`
finds *godkänd* with no warnings, with a Filip-style name, for any register, file,
statistikår, period and kommun. With ``inject``, chosen lines are damaged so that
exactly the named rules fire, and the findings a validator should report are written
beside the file as JSON (``<name>.expected.json``): a test bed for a vendor's export or
validator.

>>> import sosreg
>>> out = sosreg.generate("sol", "sol1", 2023, 5, seed=7, out=None)
>>> out.files[0].name
'SOL1_0180_202301_20230214T0900.txt'
>>> sosreg.validate(out.files[0].data, name=out.files[0].name).status.value
'godkänd'
>>> bad = sosreg.generate("sol", "sol1", 2023, 5, seed=7, inject="SOS-104:2", out=None)
>>> [(e.code, e.line) for e in bad.files[0].expected]
[('SOS-104', 1), ('SOS-104', 3)]

Everything is deterministic for a seed, on every platform: all randomness comes from
one :class:`random.Random` per stream, and only through its ``random()`` method (whose
sequence Python promises to keep), never from ``hash()``-ordered sets or dicts.

How it is put together:

* each register names its generator module on its ``Register`` (``generator=``; the
  built-in ones are ``sosreg/registers/<name>/generate.py``): a :class:`Maker` that
  makes valid records, one *unit* at a time (one line; for BU a child with its insatser
  and placeringar, across the three files) and the register's own injectors
  (``INJECTORS``; :mod:`sosreg.generate.hooks`); :func:`records` gives any file's lines
  as a plain iterator;
* the package is split by job: :mod:`~sosreg.generate.rand` (randomness),
  :mod:`~sosreg.generate.identities`, :mod:`~sosreg.generate.lines` and
  :mod:`~sosreg.generate.maker` (the line model and the makers' base),
  :mod:`~sosreg.generate.inject` (the injector framework), :mod:`~sosreg.generate.damage`
  (the damage every register gets: the line stage, SOS-101…112 and SOS-214, and every
  field check, SOS-2xx and the register codes fields give them: each field's type gives
  its damages, :func:`damaged`), :mod:`~sosreg.generate.offered` (what can be
  injected; :data:`NOT_INJECTABLE` says why not, from the engine and each register),
  :mod:`~sosreg.generate.names`, :mod:`~sosreg.generate.write` (the loop) and
  :mod:`~sosreg.generate.result`; this module holds the public API.
"""

from __future__ import annotations

import io
import os
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import BinaryIO

from sosreg.codelists import CodeList
from sosreg.engine.findings import Severity
from sosreg.engine.pipeline import UsageError, coerce_period
from sosreg.engine.register import REGISTRY
from sosreg.engine.rules import CATALOGUE
from sosreg.engine.spec import FileSpec
from sosreg.engine.values import YearMonth
from sosreg.generate.damage import LINE_INJECTORS, damaged, field_targets, how
from sosreg.generate.hooks import RegisterGenerator, generator_of
from sosreg.generate.identities import (
    MAIN_SERIALS,
    People,
    add_years,
    born_for_age,
    day_text,
    sex_of,
    ymd,
)
from sosreg.generate.inject import (
    Injector,
    LineFn,
    UnitFn,
    breaks,
    keeps,
    on_line,
    on_unit,
    value_injector,
)
from sosreg.generate.lines import Line, Unit
from sosreg.generate.maker import (
    DEFAULT_KOMMUN,
    GROUP,
    HISTORY,
    TABLE_ROWS,
    InjectContext,
    Maker,
    records,
    records_of,
)
from sosreg.generate.names import file_name, timestamp
from sosreg.generate.offered import (
    ENGINE_NOT_INJECTABLE,
    NOT_INJECTABLE,
    injectable,
    injectors,
    what,
    why_not,
)
from sosreg.generate.rand import Rand, weighted
from sosreg.generate.result import Expected, Generated, GeneratedFile
from sosreg.generate.write import CHUNK_LINES, WINDOW, Sink, run

__all__ = [
    "CHUNK_LINES",
    "DEFAULT_KOMMUN",
    "ENGINE_NOT_INJECTABLE",
    "GROUP",
    "HISTORY",
    "LINE_INJECTORS",
    "MAIN_SERIALS",
    "NOT_INJECTABLE",
    "TABLE_ROWS",
    "WINDOW",
    "Expected",
    "Generated",
    "GeneratedFile",
    "InjectContext",
    "Injector",
    "Line",
    "LineFn",
    "Maker",
    "People",
    "Rand",
    "RegisterGenerator",
    "Unit",
    "UnitFn",
    "add_years",
    "born_for_age",
    "breaks",
    "damaged",
    "day_text",
    "field_targets",
    "file_name",
    "files_for",
    "generate",
    "how",
    "injectable",
    "injectors",
    "keeps",
    "on_line",
    "on_unit",
    "parse_inject",
    "records",
    "records_of",
    "sex_of",
    "timestamp",
    "value_injector",
    "weighted",
    "ymd",
]


def parse_inject(inject: str | Mapping[str, int] | Iterable[str] | None) -> dict[str, int]:
    """``"EKB-013,SOS-104:5"`` (or a mapping, or a list of such items) -> rule code ->
    number of lines (default 1)."""
    if inject is None:
        return {}
    if isinstance(inject, Mapping):
        items = [(str(k), int(v)) for k, v in inject.items()]
    else:
        parts = inject.split(",") if isinstance(inject, str) else list(inject)
        items = []
        for part in (p.strip() for p in parts):
            if not part:
                continue
            code, _, times = part.partition(":")
            try:
                items.append((code.strip().upper(), int(times) if times else 1))
            except ValueError:
                raise UsageError(f"inject: {part!r} is not CODE or CODE:N") from None
    out: dict[str, int] = {}
    for code, count in items:
        if count < 1:
            raise UsageError(f"inject: {code}:{count}: the number of lines must be 1 or more")
        out[code] = out.get(code, 0) + count
    return out


def _check_kommun(kommun: str | None, maker_codes: Callable[[str], tuple[str, ...]]) -> str:
    if kommun is None:
        return DEFAULT_KOMMUN
    if not (len(kommun) == 4 and kommun.isascii() and kommun.isdigit()):
        raise UsageError(f"kommun must be a kommunkod of 4 digits, not {kommun!r}")
    if kommun not in maker_codes("kommun"):
        raise UsageError(f"kommun {kommun} is not in the code list kommun for the year")
    return kommun


def _period_for(spec: FileSpec, year: int, period: object) -> YearMonth | int:
    per = coerce_period(period)
    if per is None:
        return YearMonth(year, 1) if spec.period == "month" else year
    if spec.period == "month" and not isinstance(per, YearMonth):
        raise UsageError(f"{spec.title} has a monthly period: give ÅÅÅÅMM, not {period!r}")
    if spec.period == "year" and isinstance(per, YearMonth):
        raise UsageError(f"{spec.title} has a yearly period: give ÅÅÅÅ, not {period!r}")
    if (per.year if isinstance(per, YearMonth) else per) != year:
        raise UsageError(f"period {per} is not in statistikår {year}")
    return per


def generate(
    register: str,
    file: str | None,
    year: int,
    n: int,
    *,
    seed: int = 0,
    kommun: str | None = None,
    period: str | YearMonth | int | None = None,
    inject: str | Mapping[str, int] | Iterable[str] | None = None,
    out: str | os.PathLike[str] | None = ".",
    codelists: Mapping[str, CodeList] | None = None,
) -> Generated:
    """Write a valid file of ``register``/``file`` for statistikår ``year`` with ``n``
    records (BU: ``n`` children; their insatser and placeringar follow).

    ``file`` may be ``None`` for a register with one file (LSS) and for BU, where it
    means the delivery of all three files. ``period`` is ``ÅÅÅÅMM`` (monthly files,
    default January) or ``ÅÅÅÅ``; ``kommun`` defaults to :data:`DEFAULT_KOMMUN`.
    ``seed`` makes the output: the same arguments give the same bytes.

    ``inject`` (``"EKB-013,SOS-104:5"``, or a mapping code -> lines) damages lines so
    that exactly those rules fire, each on that many lines (default 1); the findings a
    validator should give are :attr:`GeneratedFile.expected`. ``codelists`` replaces
    built-in code lists by name (e.g. an imported KVÅ list) for drawing codes and for
    injecting; validate with the same lists.

    With ``out`` (a directory, created if needed) each file is written there with its
    Filip-style name, beside it ``<name>.expected.json``; with ``out=None`` nothing is
    written and each :class:`GeneratedFile` holds its bytes. Raises
    :class:`~sosreg.UsageError` for arguments that cannot be met.
    """
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise UsageError(f"n must be a whole number of 1 or more, not {n!r}")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        # (random.Random takes a negative seed as its absolute value: refuse it)
        raise UsageError(f"seed must be a whole number of 0 or more, not {seed!r}")
    if isinstance(year, bool) or not isinstance(year, int):
        raise UsageError(f"year must be an int (e.g. 2023), not {year!r}")
    try:
        reg = REGISTRY.get(register)
    except KeyError as exc:
        raise UsageError(str(exc.args[0])) from exc
    module = generator_of(reg.name)
    files = files_for(reg.name, file)
    try:
        specs = {f: REGISTRY.resolve_spec(reg.name, f, year) for f in module.unit_files(files)}
    except LookupError as exc:
        raise UsageError(str(exc.args[0] if exc.args else exc)) from exc
    first = specs[files[0]]
    per = _period_for(first, year, period)
    probe = module.Maker(specs, year, per, DEFAULT_KOMMUN, codelists)
    kommun = _check_kommun(kommun, probe.codes)
    wanted = parse_inject(inject)
    offered = injectors(reg.name, files, year, codelists) if wanted else {}
    for code in wanted:
        if code not in CATALOGUE:
            raise UsageError(f"inject: unknown rule {code}")
        if code not in offered:
            raise UsageError(
                f"inject: {code} cannot be injected into {what(reg.name, files)}"
                f" ({why_not(code, reg.name, files, year)})"
            )
    total = sum(wanted.values())
    if total > n:
        raise UsageError(f"inject: {total} injections need at least as many records (n={n})")

    maker: Maker = module.Maker(specs, year, per, kommun, codelists)
    rng = Rand(seed)
    ictx = InjectContext(
        Rand(f"sosreg.generate:{seed}:inject"),
        maker,
        files,
        {f: deque(maxlen=WINDOW) for f in files},
    )
    plan: dict[int, list[str]] = {}
    if wanted:
        order = ictx.rng.shuffled([c for c, k in wanted.items() for _ in range(k)])
        for index, code in zip(ictx.rng.sample(n, total), order, strict=True):
            plan.setdefault(index, []).append(code)
    stamp = timestamp(first, per)
    names = {f: file_name(reg.name, f, kommun, per, stamp) for f in files}
    bom = any(i.bom for code in wanted for i in offered[code])

    target: Path | None = None
    if out is not None:
        target = Path(out)
        target.mkdir(parents=True, exist_ok=True)
    handles: dict[str, BinaryIO] = {}
    try:
        for f in files:
            handles[f] = (
                open(target / names[f], "wb") if target is not None else io.BytesIO()  # noqa: SIM115
            )
        sinks = {f: Sink(handles[f], bom) for f in files}
        found = run(maker, rng, n, sinks, plan, offered, ictx)
        for s in sinks.values():
            s.flush()
        data = {f: h.getvalue() if isinstance(h, io.BytesIO) else None for f, h in handles.items()}
    finally:
        for h in handles.values():
            if not isinstance(h, io.BytesIO):
                h.close()

    result = []
    for f in files:
        spec = specs[f]
        expected = tuple(
            sorted(
                (
                    Expected(names[f], line, code, _severity(spec, code), injected)
                    for file_key, line, code, injected in found
                    if file_key == f
                ),
                key=lambda e: (e.line, e.code),
            )
        )
        gf = GeneratedFile(
            name=names[f],
            register=reg.name,
            file=f,
            year=year,
            period=str(per),
            kommun=kommun,
            lines=sinks[f].count,
            expected=expected,
            path=target / names[f] if target is not None else None,
            data=data[f],
            seed=seed,
            n=n,
            inject=wanted,
        )
        if target is not None:
            (target / f"{names[f]}.expected.json").write_text(gf.expected_json(), "utf-8")
        result.append(gf)
    return Generated(tuple(result))


def files_for(register: str, file: str | None) -> tuple[str, ...]:
    """The files :func:`generate` writes for ``file`` of ``register``: that file, the
    files it names separated by commas where the register makes them together
    (``manad,ao``: a month's EKB delivery; ``barn,insats,placering``), or with
    ``None`` the register's default (LSS: its one file; BU: the delivery of all
    three). Raises :class:`~sosreg.UsageError` for an unknown register or file, and
    for ``None`` where the register has no default (EKB, SoL, KHSL: give the file)."""
    try:
        reg = REGISTRY.get(register)
    except KeyError as exc:
        raise UsageError(str(exc.args[0])) from exc
    if file is None:
        default = getattr(generator_of(reg.name), "DEFAULT_FILES", None)
        if default is None:
            raise UsageError(f"give the file of register {reg.name}: {', '.join(reg.files)}")
        return tuple(default)
    keys = [k.strip().lower() for k in file.split(",") if k.strip()]
    for key in keys:
        if key not in reg.files:
            raise UsageError(
                f"unknown file {key!r} of register {reg.name} (files: {', '.join(reg.files)})"
            )
    together = getattr(generator_of(reg.name), "FILE_SETS", ())
    chosen = tuple(k for k in reg.files if k in keys)  # the register's order
    if not chosen:
        raise UsageError(f"give the file of register {reg.name}: {', '.join(reg.files)}")
    if len(chosen) > 1 and chosen not in {tuple(s) for s in together}:
        sets = ", ".join(",".join(s) for s in together if len(s) > 1) or "none"
        raise UsageError(
            f"the files {','.join(chosen)} of register {reg.name} are not made together"
            f" (together: {sets})"
        )
    return chosen


def _severity(spec: FileSpec, code: str) -> Severity:
    return spec.severity.get(code) or CATALOGUE[code].severity
