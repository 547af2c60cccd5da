"""The rules of the BU register. Metadata (severity, messages, sources) is in
``rules.toml``; thresholds and code mappings are ``params`` of the specs.

The child's age comes from the birth date in its id (personnummer, samordningsnummer or
the temporary ``ÅÅÅÅMMDDT123``), so the age rules run on the insats and placering files
alone; the rules that need two files run on a delivery (references in the specs, joined
rules and one cross-file rule here).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from sosreg import identity
from sosreg.engine import conditions as cond
from sosreg.engine.context import Context
from sosreg.engine.findings import Finding
from sosreg.engine.joins import Linked, ParsedFile
from sosreg.engine.register import CrossKey
from sosreg.engine.values import to_text
from sosreg.registers.bu.records import Barn, Insats, Placering
from sosreg.registers.bu.register import REGISTER

SEX = {"1": "M", "2": "K"}
SEX_LABEL_SV = {"M": "man (1)", "K": "kvinna (2)"}
SEX_LABEL_EN = {"M": "male (1)", "K": "female (2)"}


def _who(value: str | None) -> identity.Identity | None:
    """The valid identity ``value`` is, else ``None`` (the field stage reported it)."""
    if value is None:
        return None
    who = identity.parse(value)
    return who if isinstance(who, identity.Identity) else None


def _d(value: dt.date | None) -> str:
    return to_text(value)


def _open_end(value: dt.date | None) -> dict[str, Any]:
    """An end date as ``end_sv``/``end_en`` parameters ("pågår" when there is none)."""
    if value is None:
        return {"end_sv": "pågår", "end_en": "ongoing"}
    return {"end_sv": _d(value), "end_en": _d(value)}


def _year_bounds(ctx: Context) -> tuple[dt.date, dt.date]:
    return dt.date(ctx.year, 1, 1), dt.date(ctx.year, 12, 31)


# --- masks for the columnar engine ----------------------------------------------------
# Each is true wherever its rule *might* fire, on the raw text of valid fields (dates
# ÅÅÅÅMMDD compare as text or as numbers; a valid id with a ``T`` is a temporary id).

_T3_SHAPE = f"^(?:{identity.T3_PATTERN})$"


def _day(d: dt.date) -> int:
    """A date as the number ÅÅÅÅMMDD."""
    return d.year * 10000 + d.month * 100 + d.day


def _sex_mask(c: Any) -> Any:
    """BU-020: a temporary id without kön; BU-021: a kön of :data:`SEX` that the
    personnummer's second-to-last digit contradicts (odd: man)."""
    pl = c.pl
    child, kon = c["id"], c["kon"]
    temporary = child.str.contains("T", literal=True)
    odd = child.str.slice(10, 1).is_in(list("13579"))
    wrong = pl.lit(False)
    for code, sex in SEX.items():
        wrong = wrong | ((kon == code) & (~odd if sex == "M" else odd))
    return (temporary & (kon == "")) | (~temporary & wrong)


def _sexes_keys(c: Any) -> tuple[Any, ...]:
    """BU-053's key: a temporary id with a kön (its lines matter when the id has two)."""
    child = c["id"]
    return (c.pl.when(child.str.contains(_T3_SHAPE) & (c["kon"] != "")).then(child),)


def _births_keys(c: Any) -> tuple[Any, ...]:
    """BU-054's key: the three digits of a temporary id (its lines matter when the
    number has two birth dates)."""
    child = c["id"]
    return (c.pl.when(child.str.contains(_T3_SHAPE)).then(child.str.slice(9, 3)),)


TEMPORARY_IDS_KEYS = (
    CrossKey(_sexes_keys, lambda c: (c["kon"],)),
    CrossKey(_births_keys, lambda c: (c["id"].str.slice(0, 8),)),
)
"""The lines BU-053 and BU-054 may be about: every line of a temporary id given two
kön, and of three digits given two birth dates (feeding only these gives the same
findings: the others' ids and digits are only ever seen with one kön and one birth
date)."""


def _insats_year_mask(c: Any) -> Any:
    start, end = c["startdatum"], c["slutdatum"]
    first, last = (to_text(d) for d in _year_bounds(c.ctx))
    return (start > last) | ((end != "") & (end < first))


def _insats_age_mask(c: Any) -> Any:
    """BU-034: the earliest birth date after the start; BU-033: the youngest age over
    ``max_age`` on the day the rule takes (the start, or 1 January of an insats that
    started before the year and did not end before it)."""
    pl = c.pl
    jan1 = _day(_year_bounds(c.ctx)[0])
    start, end = c.int("startdatum"), c.int("slutdatum")
    on = (
        pl.when(end.is_null() | (end >= jan1))
        .then(pl.max_horizontal(start, pl.lit(jan1)))
        .otherwise(start)
    )
    earliest, _ = c.birth_range("id")
    return (earliest > start) | c.youngest_over("id", int(c.params["max_age"]), on)


def _lvu_mask(c: Any) -> Any:
    """BU-037: a ground with a lagrum not in ``lvu_grund_for_lagrum``; BU-035, BU-036:
    with one in it, a missing (where not optional) or other ground."""
    allowed = {str(k): [str(g) for g in v] for k, v in c.params["lvu_grund_for_lagrum"].items()}
    optional = {str(k) for k in c.params.get("lvu_grund_optional", ())}
    lagrum, grund = c["lagrum"], c["lvu_grund"]
    given = grund != ""
    out = given & ~lagrum.is_in(list(allowed))
    for k, grounds in allowed.items():
        wrong = given & ~grund.is_in(grounds)
        if k not in optional:
            wrong = wrong | ~given
        out = out | ((lagrum == k) & wrong)
    return out


def _stodboende_mask(c: Any) -> Any:
    """Stödboende with an age at the start outside the params' window."""
    p = c.params
    start = c.int("startdatum")
    lo, hi = int(p["stodboende_min_age"]), int(p["stodboende_max_age"])
    outside = c.oldest_under("id", lo, start) | c.youngest_over("id", hi, start)
    return (c["placeringsform"] == str(p["stodboende_kod"])) & outside


# --- the child ---------------------------------------------------------------------------


@REGISTER.record(("BU-020", "BU-021"), files=("barn",), mask=_sex_mask)
def sex(rec: Barn, line: int, ctx: Context) -> Iterator[Finding]:
    who = _who(rec.id)
    if who is None:
        return
    if who.kind == "t3":
        if rec.kon is None:
            yield ctx.finding("BU-020", line=line, field="kon", value=rec.id)
        return
    if rec.kon in SEX and who.sex is not None and who.sex != SEX[rec.kon]:
        yield ctx.finding(
            "BU-021",
            line=line,
            field="kon",
            value=rec.kon,
            expected_sv=SEX_LABEL_SV[who.sex],
            expected_en=SEX_LABEL_EN[who.sex],
        )


REGISTER.unique("BU-050", files=("barn",), field="id", fields=("id",))


@REGISTER.cross(("BU-053", "BU-054"), files=("barn",), keys=TEMPORARY_IDS_KEYS)
class TemporaryIds:
    """Temporary ids are unique within the kommun: one id is one child (one sex), and we
    read the three digits after ``T`` as the unique part (one birth date per number)."""

    def __init__(self) -> None:
        self.sexes: dict[str, tuple[int, str]] = {}
        self.numbers: dict[str, tuple[int, str]] = {}
        self.reported: set[tuple[str, str]] = set()

    def feed(self, rec: Barn, line: int, ctx: Context) -> Iterator[Finding]:
        value = rec.id
        who = _who(value)
        if value is None or who is None or who.kind != "t3":
            return
        if rec.kon is not None:
            first = self.sexes.setdefault(value, (line, rec.kon))
            if first[1] != rec.kon:
                yield ctx.finding(
                    "BU-053",
                    line=line,
                    field="kon",
                    value=value,
                    kon=rec.kon,
                    other_kon=first[1],
                    first=first[0],
                )
        born, number = value[:8], value[-3:]
        first_line, first_born = self.numbers.setdefault(number, (line, born))
        if first_born != born and (number, born) not in self.reported:
            self.reported.add((number, born))
            yield ctx.finding(
                "BU-054",
                line=line,
                field="id",
                value=value,
                number=number,
                first=first_line,
                other=first_born,
            )

    def finish(self, ctx: Context) -> Iterator[Finding]:
        return iter(())


# --- the insats --------------------------------------------------------------------------


_DECIDED, _START = cond.field("beslutsdatum"), cond.field("startdatum")
_END = cond.field("slutdatum")
INSATS_ORDER = (
    cond.Check("BU-030", "beslutsdatum", ~(_DECIDED > _START), args={"start": "startdatum"}),
    cond.Check("BU-031", "slutdatum", ~(_END < _START), args={"start": "startdatum"}),
)
"""BU-030 and BU-031, declared once: decided by the start, ended after it started."""
REGISTER.simple(*INSATS_ORDER, files=("insats",), name="insats_order")


@REGISTER.record("BU-032", files=("insats",), mask=_insats_year_mask)
def insats_in_year(rec: Insats, line: int, ctx: Context) -> Iterator[Finding]:
    start, end = rec.startdatum, rec.slutdatum
    first, last = _year_bounds(ctx)
    if start is None:
        return
    if start > last or (end is not None and end < first):
        field = "startdatum" if start > last else "slutdatum"
        yield ctx.finding(
            "BU-032",
            line=line,
            field=field,
            value=_d(getattr(rec, field)),
            start=_d(start),
            year=ctx.year,
            **_open_end(end),
        )


@REGISTER.record(("BU-033", "BU-034"), files=("insats",), mask=_insats_age_mask)
def insats_age(rec: Insats, line: int, ctx: Context) -> Iterator[Finding]:
    """Ages 0–``max_age``: the child is born by the start, and younger than
    ``max_age + 1`` on the first day of the insats within the statistikår."""
    who, start, end = _who(rec.id), rec.startdatum, rec.slutdatum
    if who is None or start is None:
        return
    if who.earliest_birth() > start:
        yield ctx.finding("BU-034", line=line, field="id", value=rec.id, start=_d(start))
        return
    max_age = int(ctx.params["max_age"])
    jan1, _ = _year_bounds(ctx)
    on = max(start, jan1) if end is None or end >= jan1 else start
    youngest, _oldest = who.age_range(on)
    if youngest > max_age:
        yield ctx.finding(
            "BU-033",
            line=line,
            field="id",
            value=rec.id,
            age=youngest,
            date=_d(on),
            max_age=max_age,
        )


def _paragraph(ctx: Context, lagrum: str) -> dict[str, Any]:
    cl = ctx.codelist("bu_lagrum")
    entry = cl.lookup(lagrum, ctx.year)[1] if cl is not None else None
    sv = entry.label if entry is not None else lagrum
    en = (entry.label_en or entry.label) if entry is not None else lagrum
    return {"paragraph_sv": sv, "paragraph_en": en}


@REGISTER.record(("BU-035", "BU-036", "BU-037"), files=("insats",), mask=_lvu_mask)
def lvu_grounds(rec: Insats, line: int, ctx: Context) -> Iterator[Finding]:
    """The ground for care (SPEC) fits the lagrum: ``params.lvu_grund_for_lagrum`` says
    which grounds each LVU paragraph allows; a lagrum not in it (SoL) allows none."""
    lagrum, grund = rec.lagrum, rec.lvu_grund
    lagrum_list, grund_list = ctx.codelist("bu_lagrum"), ctx.codelist("bu_lvu_grund")
    if lagrum is None or (lagrum_list is not None and not lagrum_list.is_valid(lagrum, ctx.year)):
        return  # the field stage reported it
    if grund is not None and grund_list is not None and not grund_list.is_valid(grund, ctx.year):
        return  # BU-010
    allowed: dict[str, list[str]] = {
        str(k): [str(g) for g in v] for k, v in ctx.params["lvu_grund_for_lagrum"].items()
    }
    optional = {str(c) for c in ctx.params.get("lvu_grund_optional", ())}
    if lagrum not in allowed:
        if grund is not None:
            yield ctx.finding("BU-037", line=line, field="lvu_grund", value=grund)
        return
    expected: dict[str, Any] = {
        "expected_sv": " eller ".join(allowed[lagrum]),
        "expected_en": " or ".join(allowed[lagrum]),
    }
    if grund is None:
        if lagrum not in optional:
            yield ctx.finding(
                "BU-035", line=line, field="lvu_grund", **_paragraph(ctx, lagrum), **expected
            )
    elif grund not in allowed[lagrum]:
        yield ctx.finding(
            "BU-036",
            line=line,
            field="lvu_grund",
            value=grund,
            **_paragraph(ctx, lagrum),
            **expected,
        )


def _reason_problem(rec: Insats) -> dict[str, str]:
    """BU-038's wording (the condition is :data:`REASON_AND_END`)."""
    end, reason = rec.slutdatum, rec.avslutsorsak
    if end is not None:
        return {
            "problem_sv": f"Insatsen avslutades {_d(end)} men orsak till avslut saknas.",
            "problem_en": f"The measure ended on {_d(end)} but the reason for ending is missing.",
        }
    return {
        "problem_sv": f"Orsak till avslut är {reason} men insatsen har inget slutdatum.",
        "problem_en": f"The reason for ending is {reason} but the measure has no end date.",
    }


REASON_AND_END = cond.Check(
    "BU-038",
    "avslutsorsak",
    cond.field("slutdatum").given().iff(cond.field("avslutsorsak").given()),
    extra=_reason_problem,
)
"""BU-038, declared once: a reason for ending exactly when the insats has ended."""
REGISTER.simple(REASON_AND_END, files=("insats",), name="reason_and_end")


REGISTER.unique(
    "BU-051",
    files=("insats",),
    field="insatsnr",
    fields=("id", "insatsnr"),
    params=lambda rec: {"child": identity.mask(rec.id)},
)


# --- the placering -----------------------------------------------------------------------


PLACERING_DATES = (
    cond.Check("BU-040", "slutdatum", ~(_END < _START), args={"start": "startdatum"}),
    cond.Check("BU-042", "startdatum", ~(_START > cond.YEAR_END), args={"year": cond.YEAR}),
)
"""BU-040 and BU-042, declared once: a placering ends after it starts, and starts by
the end of the statistikår."""
REGISTER.simple(*PLACERING_DATES, files=("placering",), name="placering_dates")


@REGISTER.record("BU-041", files=("placering",), mask=_stodboende_mask)
def stodboende_age(rec: Placering, line: int, ctx: Context) -> Iterator[Finding]:
    """Stödboende only for ages ``stodboende_min_age``–``stodboende_max_age`` at the
    start of the placering (the age from the id's birth date)."""
    if rec.placeringsform != str(ctx.params["stodboende_kod"]):
        return
    who, start = _who(rec.id), rec.startdatum
    if who is None or start is None:
        return
    lo, hi = int(ctx.params["stodboende_min_age"]), int(ctx.params["stodboende_max_age"])
    youngest, oldest = who.age_range(start)
    age = oldest if oldest < lo else youngest if youngest > hi else None
    if age is not None:
        yield ctx.finding(
            "BU-041",
            line=line,
            field="id",
            value=rec.id,
            age=age,
            start=_d(start),
            min_age=lo,
            max_age=hi,
        )


REGISTER.unique(
    "BU-052",
    files=("placering",),
    field="placeringsnr",
    fields=("id", "insatsnr", "placeringsnr"),
    params=lambda rec: {"child": identity.mask(rec.id), "insatsnr": rec.insatsnr},
)


# --- a delivery: placeringar within their insats -----------------------------------------


@REGISTER.joined("BU-064", parent="insats", child="placering")
def placeringar_inside_insats(
    insats: Linked[Insats], placeringar: list[Linked[Placering]]
) -> Iterator[Finding]:
    """Every placering lies within its insats: it starts on or after the insats' start
    and, where the insats has ended, it has ended by then too."""
    i_start, i_end = insats.record.startdatum, insats.record.slutdatum
    if i_start is None:
        return
    for p in placeringar:
        start, end = p.record.startdatum, p.record.slutdatum
        if start is None:
            continue
        if start < i_start:
            field = "startdatum"
        elif i_end is not None and (end is None or end > i_end):
            field = "slutdatum"
        else:
            continue
        ends = _open_end(end)
        insats_ends = _open_end(i_end)
        yield p.finding(
            "BU-064",
            field=field,
            start=_d(start),
            end_sv=ends["end_sv"],
            end_en=ends["end_en"],
            insats_start=_d(i_start),
            insats_end_sv=insats_ends["end_sv"],
            insats_end_en=insats_ends["end_en"],
            insats_line=insats.line,
            insats_name=insats.file.name,
        )


@REGISTER.joined("BU-065", parent="insats", child="placering")
def placeringar_do_not_overlap(
    insats: Linked[Insats], placeringar: list[Linked[Placering]]
) -> Iterator[Finding]:
    """A child is in one placement at a time: two placeringar of an insats overlap when
    each starts before the other ends (a move on the day the previous one ends is not an
    overlap; a placering without an end lasts to the end of the year and beyond). The
    later one (by start, then line) is blamed, once."""
    dated = sorted(
        ((start, p) for p in placeringar if (start := p.record.startdatum) is not None),
        key=lambda sp: (sp[0], sp[1].file.name, sp[1].line),
    )
    never = dt.date.max
    for i, (start, p) in enumerate(dated):
        end = p.record.slutdatum or never
        for q_start, q in dated[:i]:
            q_end = q.record.slutdatum or never
            if start < q_end and q_start < end:
                ends, other_ends = _open_end(p.record.slutdatum), _open_end(q.record.slutdatum)
                yield p.finding(
                    "BU-065",
                    field="startdatum",
                    start=_d(start),
                    end_sv=ends["end_sv"],
                    end_en=ends["end_en"],
                    other_nr=q.record.placeringsnr,
                    other_start=_d(q_start),
                    other_end_sv=other_ends["end_sv"],
                    other_end_en=other_ends["end_en"],
                    other_line=q.line,
                )
                break


@REGISTER.cross_file("BU-066", needs=("barn",))
def temporary_ids_against_children(files: list[ParsedFile]) -> Iterator[Finding]:
    """A temporary id of the insats or placering file that is not in the barn file of
    the same year, whose three digits the barn file uses with another birth date: most
    likely the same child with a mistyped birth date (BU-054 across the files)."""
    for barn in (f for f in files if f.file == "barn"):
        ids: set[str] = set()
        numbers: dict[str, tuple[str, int]] = {}
        for line, rec in barn.records:
            who = _who(rec.id)
            if who is None or who.kind != "t3":
                continue
            ids.add(rec.id)
            numbers.setdefault(rec.id[-3:], (rec.id[:8], line))
        if not numbers:
            continue
        for other in (f for f in files if f.file in ("insats", "placering")):
            if other.year != barn.year:
                continue
            for line, rec in other.records:
                value = rec.id
                who = _who(value)
                if who is None or who.kind != "t3" or value in ids:
                    continue
                known = numbers.get(value[-3:])
                if known is None or known[0] == value[:8]:
                    continue
                yield Linked(other, line, rec).finding(
                    "BU-066",
                    field="id",
                    other=barn.name,
                    number=value[-3:],
                    birth=known[0],
                    other_line=known[1],
                )
