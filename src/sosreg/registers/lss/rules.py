"""The rules of the LSS register. Metadata (severity, messages, sources) is in
``rules.toml``; the thresholds and the coding of the insats columns are ``params`` of
``specs/lss_2016.toml``, so that a corrected coding or limit is a data edit."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Final

import attrs

from sosreg import identity
from sosreg.engine.context import Context
from sosreg.engine.delivery import ParsedFile, change_finding
from sosreg.engine.findings import Finding
from sosreg.registers.lss.records import Lss
from sosreg.registers.lss.register import REGISTER

FLAG_FIELDS: Final = (
    "personlig_assistans",  # 9 § 2
    "ledsagarservice",  # 9 § 3
    "kontaktperson",  # 9 § 4
    "avlosarservice",  # 9 § 5
    "korttidsvistelse",  # 9 § 6
    "korttidstillsyn",  # 9 § 7
    "daglig_verksamhet",  # 9 § 10
)
"""The yes/no columns (``flag_yes``/``flag_no`` in the spec's params)."""
BOENDE_FIELDS: Final = ("boende_barn", "boende_vuxna")  # 9 § 8, 9 § 9
"""The housing columns: a sub-type code, or ``boende_none``."""
INSATS_FIELDS: Final = (*FLAG_FIELDS[:6], *BOENDE_FIELDS, FLAG_FIELDS[6])
"""Every insats column, in the form's order (9 § 2–10)."""


def has_insats(rec: Lss, field: str, ctx: Context) -> bool | None:
    """Whether column ``field`` of ``rec`` says the person has the insats: ``True``,
    ``False``, or ``None`` when the value is missing or not a code of the column (the
    field stage has reported it)."""
    value = getattr(rec, field)
    if value is None:
        return None
    params = ctx.params
    if field in BOENDE_FIELDS:
        if value == str(params["boende_none"]):
            return False
        name = ctx.spec.field(field).codelist
        cl = ctx.codelist(name) if name is not None else None
        if cl is not None and not cl.is_valid(value, ctx.year):
            return None
        return True
    if value == str(params["flag_yes"]):
        return True
    if value == str(params["flag_no"]):
        return False
    return None


def _ages(rec: Lss, ctx: Context) -> tuple[int, int] | None:
    """(youngest, oldest) possible age on the reference day (1 October), or ``None``
    when the personnummer is not valid (the field stage has reported it)."""
    if rec.personnummer is None:
        return None
    who = identity.parse(rec.personnummer)
    if not isinstance(who, identity.Identity):
        return None
    return who.age_range(ctx.reference_date)


# --- masks for the columnar engine ----------------------------------------------------
# Each is true wherever its rule *might* fire, on the raw text of valid fields: a flag
# column says yes or no by ``flag_yes``/``flag_no``, a boende column by ``boende_none``
# or any other (valid) code.


def _yes(c: Any, field: str) -> Any:
    """Where column ``field`` says the person has the insats (:func:`has_insats`)."""
    if field in BOENDE_FIELDS:
        return c[field] != str(c.params["boende_none"])
    return c[field] == str(c.params["flag_yes"])


def _no(c: Any, field: str) -> Any:
    """Where column ``field`` says the person does not have the insats."""
    no = c.params["boende_none"] if field in BOENDE_FIELDS else c.params["flag_no"]
    return c[field] == str(no)


def _no_insats_mask(c: Any) -> Any:
    return c.pl.all_horizontal([_no(c, f) for f in INSATS_FIELDS])


def _ages_mask(c: Any) -> Any:
    """LSS-022 by the personkrets; LSS-021, LSS-023–026 by the oldest and youngest
    possible age on the reference day."""
    p = c.params

    def younger(age: int) -> Any:  # the oldest possible age is under ``age``
        return c.oldest_under("personnummer", age, c.reference_date)

    def older(age: int) -> Any:  # the youngest possible age is over ``age``
        return c.youngest_over("personnummer", age, c.reference_date)

    allowed = [str(k) for k in p["daglig_verksamhet_personkretsar"]]
    krets = c["personkrets"]
    daglig = _yes(c, "daglig_verksamhet")
    lo, hi = int(p["korttidstillsyn_min_age"]), int(p["korttidstillsyn_max_age"])
    return (
        (daglig & (krets != "") & ~krets.is_in(allowed))
        | younger(0)
        | (daglig & older(int(p["daglig_verksamhet_max_age"]) - 1))
        | (_yes(c, "korttidstillsyn") & (younger(lo) | older(hi)))
        | (_yes(c, "boende_barn") & older(int(p["boende_barn_max_age"])))
        | (_yes(c, "boende_vuxna") & younger(int(p["boende_vuxna_min_age"])))
    )


def _boende_mask(c: Any) -> Any:
    barn, vuxna = _yes(c, "boende_barn"), _yes(c, "boende_vuxna")
    where = c["boendekommun"]
    neither = _no(c, "boende_barn") & _no(c, "boende_vuxna")
    return (barn & vuxna) | ((where != "") & (neither | (where == c["kommun"])))


# --- the line as a whole ------------------------------------------------------------------


@REGISTER.record("LSS-020", mask=_no_insats_mask)
def no_insats(rec: Lss, line: int, ctx: Context) -> Iterator[Finding]:
    """Every insats column says "no" (a missing or unknown value is not a "no")."""
    if all(has_insats(rec, field, ctx) is False for field in INSATS_FIELDS):
        yield ctx.finding("LSS-020", line=line)


@REGISTER.record(
    ("LSS-021", "LSS-022", "LSS-023", "LSS-024", "LSS-025", "LSS-026"), mask=_ages_mask
)
def persons_and_insatser(rec: Lss, line: int, ctx: Context) -> Iterator[Finding]:
    params = ctx.params
    daglig = has_insats(rec, "daglig_verksamhet", ctx)
    krets = rec.personkrets
    allowed = [str(k) for k in params["daglig_verksamhet_personkretsar"]]
    krets_name = ctx.spec.field("personkrets").codelist
    krets_list = ctx.codelist(krets_name) if krets_name is not None else None
    if (
        daglig
        and krets is not None
        and krets not in allowed
        and (krets_list is None or krets_list.is_valid(krets, ctx.year))
    ):
        yield ctx.finding(
            "LSS-022",
            line=line,
            field="daglig_verksamhet",
            value=rec.daglig_verksamhet,
            personkrets=krets,
        )
    ages = _ages(rec, ctx)
    if ages is None:
        return
    youngest, oldest = ages
    if oldest < 0:
        yield _about_person("LSS-021", rec, line, ctx)
        return
    max_dv = int(params["daglig_verksamhet_max_age"])
    if daglig and youngest >= max_dv:
        yield _about_person("LSS-023", rec, line, ctx, age=youngest, max_age=max_dv)
    lo, hi = int(params["korttidstillsyn_min_age"]), int(params["korttidstillsyn_max_age"])
    if has_insats(rec, "korttidstillsyn", ctx) and (oldest < lo or youngest > hi):
        age = oldest if oldest < lo else youngest
        yield _about_person("LSS-024", rec, line, ctx, age=age, min_age=lo, max_age=hi)
    barn_max = int(params["boende_barn_max_age"])
    if has_insats(rec, "boende_barn", ctx) and youngest > barn_max:
        yield _about_person("LSS-025", rec, line, ctx, age=youngest, max_age=barn_max)
    vuxna_min = int(params["boende_vuxna_min_age"])
    if has_insats(rec, "boende_vuxna", ctx) and oldest < vuxna_min:
        yield _about_person("LSS-026", rec, line, ctx, age=oldest, min_age=vuxna_min)


def _about_person(code: str, rec: Lss, line: int, ctx: Context, **params: object) -> Finding:
    """A finding on the personnummer (masked), with the reference day as ``date``."""
    return ctx.finding(
        code,
        line=line,
        field="personnummer",
        value=rec.personnummer,
        category=None,  # the rule's own (named so that mypy accepts **params)
        date=ctx.reference_date,
        **params,
    )


@REGISTER.record(("LSS-027", "LSS-028", "LSS-029"), mask=_boende_mask)
def boende(rec: Lss, line: int, ctx: Context) -> Iterator[Finding]:
    barn = has_insats(rec, "boende_barn", ctx)
    vuxna = has_insats(rec, "boende_vuxna", ctx)
    if barn and vuxna:
        yield ctx.finding(
            "LSS-027",
            line=line,
            field="boende_vuxna",
            value=rec.boende_vuxna,
            barn=rec.boende_barn,
            vuxna=rec.boende_vuxna,
        )
    where = rec.boendekommun
    if where is None:
        return
    if barn is False and vuxna is False:
        yield ctx.finding("LSS-028", line=line, field="boendekommun", value=where)
    elif where == rec.kommun:
        yield ctx.finding("LSS-029", line=line, field="boendekommun", value=where)


# --- the file -------------------------------------------------------------------------

REGISTER.unique("LSS-030", field="personnummer", fields=("personnummer",))


# --- previous year --------------------------------------------------------------------


def persons_per_insats(f: ParsedFile) -> dict[str, int]:
    """The number of persons with each insats (column name -> persons) in a file."""
    ctx = f.context
    return {
        field: sum(1 for _, rec in f.records if has_insats(rec, field, ctx))
        for field in INSATS_FIELDS
    }


@REGISTER.previous("LSS-080", files=("lss",))
def compared_with_previous(current: ParsedFile, previous: ParsedFile) -> Iterator[Finding]:
    """One finding per insats whose number of persons changed by more than
    ``previous_max_change_pct`` percent, where either year has at least
    ``previous_min_persons`` persons with it."""
    params = current.context.params
    limit = float(params["previous_max_change_pct"])
    least = int(params["previous_min_persons"])
    now, before = persons_per_insats(current), persons_per_insats(previous)
    spec = current.context.spec
    for field in INSATS_FIELDS:
        if max(now[field], before[field]) < least:
            continue
        f = spec.field(field)
        for finding in change_finding(
            "LSS-080", current, previous, now[field], before[field], limit
        ):
            # change_finding takes no extra parameters: add the insats to its finding
            yield attrs.evolve(
                finding,
                field=field,
                params=(
                    *finding.params,
                    ("insats_sv", f.label),
                    ("insats_en", f.label_en or f.label),
                ),
            )
