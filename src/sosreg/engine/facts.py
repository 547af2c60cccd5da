"""The facts of a file, decided: register, file, period, statistikår, kommun, spec and
code lists, each with where it came from, and the findings deciding them gives.

:func:`decide` is a pure function: it reads no input (the caller gives it the file's
name and the text of its first :data:`HEAD_LINES` lines), asks only the register
registry (which may load a register's data on first use), and returns a frozen
:class:`FileFacts`. :class:`~sosreg.engine.pipeline.Parsed` calls it; a test can call it
with a name and a few lines.

How each fact is decided, in this order (the first that gives one wins):

* **register and file**: the arguments (or the ``spec`` given); the file name's tokens
  (``Ekb_AO_…``, ``SOL1_…``; any name, Filip-style or not); a register with one file.
* **period**: the ``period`` argument; a Filip-style file name (its period token); the
  value most of the head lines agree on; for a file without a period field, the month
  most of its dates fall in. A ``year`` argument narrows every step to that statistikår.
* **kommun**: a Filip-style file name; otherwise the value most lines agree on.
* **spec**: the argument, else the register's spec for (file, statistikår).

:class:`~sosreg.engine.errors.UsageError` is raised where the file cannot be checked at
all (an unknown register or file, no spec for the year).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any, Final, Literal

import attrs

from sosreg.codelists import CodeList
from sosreg.engine.context import Context
from sosreg.engine.errors import UsageError
from sosreg.engine.filename import FileName, parse_filename
from sosreg.engine.findings import Finding
from sosreg.engine.register import REGISTRY, Register, Registry
from sosreg.engine.spec import FileSpec, SpecNotFound
from sosreg.engine.values import YearMonth, parse_year, parse_yearmonth
from sosreg.identity import mask_text

HEAD_LINES: Final = 1000
"""How many lines at the top are read (and kept) to decide the period and kommun."""

YEARS: Final = (1990, 2099)
"""Statistikår sosreg accepts as arguments (inclusive); the specs narrow it further."""

Source = Literal["argument", "spec", "name", "lines", "only", "default", "assumed"]
"""Where a fact came from: an argument, the ``spec`` argument, the file name, the
lines, the register's only file, the register's data (the spec for the year, the
built-in code lists), or assumed (no source gave one)."""

SOURCE_LABELS: Final = {
    "argument": ("som angavs", "as given"),
    "name": ("enligt filnamnet", "from the file name"),
    "lines": ("som flertalet rader har", "that most lines have"),
    "assumed": ("antagen", "assumed"),
}
"""How a finding names the source of the period or the kommun (sv, en)."""

_PROVENANCE_SV: Final = {
    "provisional": "preliminär layout, ej bekräftad mot den officiella tekniska beskrivningen",
    "official": "officiell layout",
    "user": "layout från användaren",
}
_PROVENANCE_EN: Final = {
    "provisional": "provisional layout, not confirmed against the official technical description",
    "official": "official layout",
    "user": "user-supplied layout",
}


# -- arguments -------------------------------------------------------------------------


def check_year(year: object) -> int | None:
    """A ``year`` argument checked: an int in :data:`YEARS`, or ``None``."""
    if year is None:
        return None
    if isinstance(year, bool) or not isinstance(year, int):
        raise UsageError(f"year must be an int (e.g. 2023), not {type(year).__name__} {year!r}")
    if not YEARS[0] <= year <= YEARS[1]:
        raise UsageError(f"year {year} is out of range ({YEARS[0]}–{YEARS[1]})")
    return year


def coerce_period(period: object) -> YearMonth | int | None:
    """A period argument: ``"ÅÅÅÅMM"``, ``"ÅÅÅÅ"``, a :class:`YearMonth`, or a year as
    an int (``2023``; a month as an int, ``202301``, is refused: write ``"202301"``)."""
    if period is None:
        return None
    if isinstance(period, YearMonth):
        value: YearMonth | int = period
    elif isinstance(period, int) and not isinstance(period, bool) and period < 10_000:
        value = period
    elif isinstance(period, str):
        text = period.strip()
        found = parse_yearmonth(text) if len(text) == 6 else parse_year(text)
        if found is None:
            raise UsageError(f"period {period!r} is neither ÅÅÅÅMM nor ÅÅÅÅ")
        value = found
    else:
        raise UsageError(
            f"period must be a str 'ÅÅÅÅMM' or 'ÅÅÅÅ', a YearMonth or a year, not "
            f"{type(period).__name__} {period!r} (write period='{period}')"
        )
    year = value.year if isinstance(value, YearMonth) else value
    if not YEARS[0] <= year <= YEARS[1]:
        raise UsageError(f"period {period!r} is out of range ({YEARS[0]}–{YEARS[1]})")
    return value


def check_str(name: str, value: object) -> str | None:
    """A str argument (``register``, ``file``, ``name``) checked."""
    if value is None or isinstance(value, str):
        return value
    raise UsageError(f"{name} must be a str, not {type(value).__name__} {value!r}")


def check_codelists(codelists: object) -> dict[str, CodeList]:
    """A ``codelists`` argument checked: a mapping of list name to :class:`CodeList`."""
    if codelists is None:
        return {}
    if not isinstance(codelists, Mapping):
        raise UsageError(
            "codelists must be a mapping of list name to CodeList (e.g. "
            f"{{'kva': sosreg.codelists.load_file(path)}}), not {type(codelists).__name__}"
        )
    for key, value in codelists.items():
        if not isinstance(value, CodeList):
            raise UsageError(
                f"codelists[{key!r}] must be a CodeList (sosreg.codelists.load_file(path)), "
                f"not {type(value).__name__}"
            )
    return dict(codelists)


def check_spec(spec: object) -> FileSpec | None:
    """A ``spec`` argument checked: a :class:`FileSpec` or ``None``."""
    if spec is not None and not isinstance(spec, FileSpec):
        raise UsageError(
            f"spec must be a FileSpec (sosreg.load_spec(path) or sosreg.get_spec(register, "
            f"file, year)), not {type(spec).__name__} {spec!r}"
        )
    return spec


def majority(counter: Counter[Any]) -> Any:
    """The most common value; a tie goes to the value seen first."""
    return counter.most_common(1)[0][0] if counter else None


# -- the facts -------------------------------------------------------------------------


@attrs.frozen
class Input:
    """What :func:`decide` needs to know of the input besides its lines: its size and
    whether it is text (register data) at all. Both only choose which findings are
    made (an empty or binary file gets no SOS-009 or SOS-014)."""

    size: int = 1
    text: bool = True


@attrs.frozen
class FileFacts:
    """The facts of one file and where each came from (:data:`Source`)."""

    register: Register
    register_source: Source
    file: str
    file_source: Source
    fname: FileName | None
    """The file name, parsed (``None`` without a name)."""
    period: YearMonth | int
    period_source: Source
    period_from_lines: YearMonth | int | None
    """The period most head lines give (within the ``year`` given, if one was)."""
    name_period: YearMonth | int | None
    """The period a Filip-style name gives, where it is of the file's kind."""
    assumed: bool
    """No source gave the period (or only its year, for a monthly file)."""
    year: int
    year_source: Source
    """``argument``, or where the period came from."""
    kommun: str | None
    kommun_source: Source
    spec: FileSpec
    spec_source: Source
    codelists: Mapping[str, CodeList | None]
    codelists_source: Source
    """``argument`` when code lists were given (they add to or replace the built-in
    ones by name), else ``default``."""
    findings: tuple[Finding, ...]
    """The findings deciding made, in report order: SOS-006, SOS-020, SOS-216, SOS-007,
    SOS-009, SOS-010, SOS-014."""

    @property
    def year_given(self) -> bool:
        return self.year_source == "argument"

    def context(self) -> Context:
        """A new :class:`Context` for the file (rules' view of the facts)."""
        return Context(self.spec, self.year, self.period, dict(self.codelists))


def scan_head(spec: FileSpec, lines: Sequence[str]) -> tuple[Counter[Any], Counter[str]]:
    """The periods and the kommuner ``lines`` (the head's texts) give, counted, as
    ``spec`` lays the fields out."""
    periods: Counter[Any] = Counter()
    kommuner: Counter[str] = Counter()
    field = spec.period_field or spec.period_hint_field
    p_idx = spec.field(field).position - 1 if field is not None else None
    k_idx = spec.field(spec.kommun_field).position - 1 if spec.kommun_field else None
    whole = spec.period_field is not None
    monthly = spec.period == "month"
    for text in lines:
        values = text.strip().strip('"').split(";")
        if p_idx is not None and p_idx < len(values):
            value = values[p_idx].strip()
            if not whole:
                value = value[:6] if len(value) == 8 else ""  # a date's month
            found = parse_yearmonth(value) if monthly else parse_year(value)
            if (
                found is not None
                and YEARS[0] <= (found.year if isinstance(found, YearMonth) else found) <= YEARS[1]
            ):
                periods[found] += 1
        if k_idx is not None and k_idx < len(values):
            value = values[k_idx].strip()
            if len(value) == 4 and value.isascii() and value.isdigit():
                kommuner[value] += 1
    return periods, kommuner


def decide_register(
    name: str | None,
    *,
    register: str | None = None,
    file: str | None = None,
    spec: FileSpec | None = None,
    registry: Registry = REGISTRY,
) -> tuple[Register, Source, str, Source, FileName | None]:
    """The register and file, each with its source, and the file name parsed."""
    fname = parse_filename(name, registry.prefixes()) if name else None
    register_source: Source = "argument"
    file_source: Source = "argument"
    if spec is not None:
        register, file = spec.register, spec.file
        register_source = file_source = "spec"
    if register is None and fname is not None:
        register, register_source = fname.register, "name"
    if register is None:
        raise UsageError(
            "the register is not given and cannot be read from the file name "
            f"(give register=, one of: {', '.join(registry.names())})",
            parameters=("register",),
        )
    try:
        reg: Register = registry.get(register)
    except KeyError as exc:
        raise UsageError(str(exc.args[0])) from exc
    if file is None and fname is not None:
        file = reg.file_from_tokens(list(fname.tokens))
        file_source = "name"
    if file is None and len(reg.files) == 1:
        file, file_source = next(iter(reg.files)), "only"
    if file is None:
        raise UsageError(
            f"the file of register {reg.name} is not given and cannot be read "
            f"from the file name (give file=, one of: {', '.join(reg.files)})",
            parameters=("file",),
        )
    file = file.lower()
    if file not in reg.files:
        raise UsageError(
            f"unknown file {file!r} of register {reg.name} (files: {', '.join(reg.files)})"
        )
    return reg, register_source, file, file_source, fname


def layout(
    reg: Register, file: str, year: int | None, spec: FileSpec | None, registry: Registry = REGISTRY
) -> FileSpec:
    """The spec whose layout the head lines are read by (before the year is known):
    the ``spec`` given, else the newest of the file's specs (covering ``year``, if one
    does)."""
    if spec is not None:
        return spec
    candidates = [s for s in registry.all_specs(reg.name) if s.file == file]
    if year is not None:
        candidates = [s for s in candidates if s.covers(year)] or candidates
    if not candidates:
        raise UsageError(f"no spec for {reg.name}/{file}")
    return candidates[-1]


def decide(
    name: str | None,
    head: Sequence[str],
    *,
    register: str | None = None,
    file: str | None = None,
    year: int | None = None,
    period: YearMonth | int | None = None,
    spec: FileSpec | None = None,
    codelists: Mapping[str, CodeList] | None = None,
    input: Input = Input(),
    portal: bool = False,
    registry: Registry = REGISTRY,
) -> FileFacts:
    """The facts of the file named ``name`` whose first lines are ``head`` (their
    texts, at most :data:`HEAD_LINES`), from the arguments as checked (see
    :func:`coerce_period`, :func:`check_year`). ``input`` says whether the file is
    empty or not text (no SOS-009/SOS-014 then); ``portal``, that the portal stage
    runs (it, not SOS-006, reports a doubled extension).

    >>> facts = decide("Ekb_0180_202301_20230215T1000.txt", [])
    >>> (facts.register.name, facts.file, str(facts.period), facts.kommun)
    ('ekb', 'manad', '202301', '0180')
    >>> facts.period_source, facts.kommun_source, facts.spec_source
    ('name', 'name', 'default')
    """
    reg, register_source, file, file_source, fname = decide_register(
        name, register=register, file=file, spec=spec, registry=registry
    )
    lay = layout(reg, file, year, spec, registry)
    periods, kommuner = scan_head(lay, head)
    per = period

    name_period = None
    if fname is not None and fname.filip and fname.period is not None:
        name_period = coerce_period(fname.period)
    if lay.period == "year" and isinstance(name_period, YearMonth):
        name_period = None  # an annual file named with a month: not its period
    if lay.period == "month" and isinstance(name_period, int):
        name_period = None

    def year_of(p: YearMonth | int) -> int:
        return p.year if isinstance(p, YearMonth) else p

    # With a year given, a name or lines of that year come first; then, for an annual
    # file, the year itself (it is the period). For a monthly file, failing both, the
    # name's or the lines' month of another year is still the file's period (SOS-010
    # says it is outside the year), not an assumed month that blames every line.
    in_year = periods
    if year is not None:
        in_year = Counter({p: n for p, n in periods.items() if year_of(p) == year})
    from_lines = majority(in_year)
    source: Source = "argument"
    if per is None and name_period is not None and (year is None or year_of(name_period) == year):
        per, source = name_period, "name"
    if per is None and from_lines is not None:
        per, source = from_lines, "lines"
    if per is None and year is not None and lay.period == "year":
        per, source = year, "argument"
    if per is None and name_period is not None:
        per, source = name_period, "name"
    if per is None and (from_lines := majority(periods)) is not None:
        per, source = from_lines, "lines"
    assumed = per is None or (isinstance(per, int) and lay.period == "month")
    if per is None:
        per = year if year is not None else lay.years_from
    if isinstance(per, int) and lay.period == "month":
        per = YearMonth(per, 1)
    if assumed:
        source = "assumed"
    the_year = year if year is not None else year_of(per)

    kommun: str | None = None
    kommun_source: Source = "lines"
    if fname is not None and fname.filip and fname.kommun is not None:
        kommun, kommun_source = fname.kommun, "name"
    elif kommuner:
        kommun = majority(kommuner)

    spec_source: Source = "argument"
    if spec is None:
        try:
            spec = registry.resolve_spec(reg.name, file, the_year)
        except SpecNotFound as exc:
            raise UsageError(str(exc)) from exc
        spec_source = "default"
    lists: dict[str, CodeList | None] = dict(codelists or {})
    facts = FileFacts(
        register=reg,
        register_source=register_source,
        file=file,
        file_source=file_source,
        fname=fname,
        period=per,
        period_source=source,
        period_from_lines=from_lines,
        name_period=name_period,
        assumed=assumed,
        year=the_year,
        year_source="argument" if year is not None else source,
        kommun=kommun,
        kommun_source=kommun_source,
        spec=spec,
        spec_source=spec_source,
        codelists=lists,
        codelists_source="argument" if codelists else "default",
        findings=(),
    )
    found = tuple(_findings(facts, name, input, portal, registry))
    return attrs.evolve(facts, findings=found)


# -- the findings of deciding ----------------------------------------------------------


def _findings(
    facts: FileFacts, name: str | None, input: Input, portal: bool, registry: Registry
) -> list[Finding]:
    ctx = facts.context()
    out: list[Finding] = []
    add = out.append
    fname = facts.fname
    period, year = facts.period, facts.year
    if fname is not None:
        for sv, en in fname.problems:
            if portal and sv.startswith("har dubbla ändelser"):
                continue  # the portal stage's SOS-031 says it, with the collector's behaviour
            add(ctx.finding("SOS-006", name=fname.name, problem_sv=sv, problem_en=en))
        named = named_otherwise(facts, registry)
        if named is not None:
            add(
                ctx.finding(
                    "SOS-020",
                    name=fname.name,
                    named_sv=named[0],
                    named_en=named[1],
                    checked_sv=facts.register.files.get(facts.file, facts.file),
                    checked_en=f"{facts.register.name}/{facts.file}",
                )
            )
        if name and mask_text(name) != name:
            add(ctx.finding("SOS-216", name=name))  # shown masked, as every name
        name_period = facts.name_period
        if name_period is not None and not facts.assumed:
            lines = facts.period_from_lines
            if name_period != period:
                other: tuple[str, str] | None = (
                    f"filen gäller {period}",
                    f"the file is for {period}",
                )
            elif lines is not None and lines != name_period:
                other = (f"flertalet rader anger {lines}", f"most lines give {lines}")
            else:
                other = None
            if other is not None:
                add(
                    ctx.finding(
                        "SOS-007",
                        name_period=fname.period,
                        period=period,
                        other_sv=other[0],
                        other_en=other[1],
                    )
                )
    if facts.assumed and input.size and input.text:
        if facts.year_given:
            add(
                ctx.finding(
                    "SOS-009",
                    year=year,
                    assumed_sv=f"statistikår {year} (angivet), månad {period}",
                    assumed_en=f"statistical year {year} (as given), month {period}",
                )
            )
        else:
            add(
                ctx.finding(
                    "SOS-009",
                    year=year,
                    assumed_sv=f"statistikår {year} antogs",
                    assumed_en=f"statistical year {year} was assumed",
                )
            )
    of_year = period.year if isinstance(period, YearMonth) else period
    if of_year != year:
        add(ctx.finding("SOS-010", period=period, year=year))
    if input.size:
        spec = facts.spec
        add(
            ctx.finding(
                "SOS-014",
                spec=spec.key,
                year=year,
                period=period,
                provenance_sv=_PROVENANCE_SV.get(spec.provenance, spec.provenance),
                provenance_en=_PROVENANCE_EN.get(spec.provenance, spec.provenance),
            )
        )
    return out


def named_otherwise(facts: FileFacts, registry: Registry = REGISTRY) -> tuple[str, str] | None:
    """What the file name says the file is, in Swedish and English (``SOL1`` and
    ``sol/sol1``, ``EKB-AO`` and ``ekb/ao``; a register alone where its tokens name
    none of its files), where that is not the register and file it is checked as
    (given as arguments or a spec); else ``None``."""
    fname = facts.fname
    if fname is None or fname.register is None:
        return None
    try:
        reg = registry.get(fname.register)
    except KeyError:
        return None
    named = reg.file_from_tokens(list(fname.tokens))
    if named is None:
        label = (reg.name.upper(), reg.name)
    else:
        label = (reg.files.get(named, named), f"{reg.name}/{named}")
    if reg.name != facts.register.name:
        return label
    return label if named is not None and named != facts.file else None
