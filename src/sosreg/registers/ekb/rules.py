"""The rules of the EKB register. Metadata (severity, messages) is in ``rules.toml``;
thresholds are ``params`` of the specs."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Generator, Iterator
from typing import Any, TypeGuard

from sosreg import identity
from sosreg.engine.context import Context
from sosreg.engine.delivery import change_finding
from sosreg.engine.findings import Finding
from sosreg.engine.index import IntIndex, identity_of
from sosreg.engine.joins import Linked
from sosreg.engine.register import CrossKey
from sosreg.engine.values import YearMonth
from sosreg.registers.ekb import checks
from sosreg.registers.ekb.records import Ao, Ar, Manad
from sosreg.registers.ekb.register import REGISTER

MONTHS = [f"{m:02d}" for m in range(1, 13)]


# --- masks for the columnar engine ---------------------------------------------------
# Each is true wherever its rule *might* fire, on the raw text of valid fields. Those
# marked ``invalid_ok`` hold on invalid values too, read as the record holds them (the
# text as written, or "" for None: RecordRule.invalid_ok): an empty or unreadable value
# never makes them false where the rule fires (a number that is no number is null,
# counted as 0 as the rule counts it; a month that is no month flags the line).


def _months(col: Any, pl: Any) -> Any:
    """ÅÅÅÅMM as a month number (year * 12 + month)."""
    y = col.str.slice(0, 4).cast(pl.Int64, strict=False)
    return y * 12 + col.str.slice(4, 2).cast(pl.Int64, strict=False)


def _ages_mask(c: Any) -> Any:
    """The rows :func:`ages` looks at closer: an id whose first 8 characters come after
    the last birth date of someone of the minimum age on the reference day (the rule's
    own first test, as text: one comparison per value, where working out the oldest
    possible age of every kind of id took a dozen operations)."""
    born_by = _born_by(c.reference_date, int(c.params.get("min_age_sokande", 18)))
    out = c.pl.lit(False)
    for f in ("sokande", "medsokande"):
        out = out | ((c[f] != "") & (c[f].str.slice(0, 8) > born_by))
    return out


def _same_person_keys(c: Any) -> tuple[Any, ...]:
    """EKB-050/051's keys (see :class:`~sosreg.engine.register.CrossKey`): the person as
    sökande or medsökande, per period (the lines of a person in the file more than once
    in one period can matter). The row engine's period: the avseendemånad where it is a
    valid ÅÅÅÅMM (else the record holds ``None`` and the file's period counts), not any
    number (323060). TF00 ids are birth dates, not persons: left out, as are empty ones."""
    pl = c.pl
    p = c.period
    here = p.year * 100 + p.month if isinstance(p, YearMonth) else int(p)
    if "avseendemanad" in c.names:
        valid = c.yearmonth_ok("avseendemanad")
        per = pl.when(valid).then(c["avseendemanad"]).otherwise(pl.lit(str(here)))
    else:
        per = pl.lit(str(here))
    keys = []
    for f in ("sokande", "medsokande"):
        col = c[f]
        person = (col != "") & ~col.str.contains("TF00", literal=True)
        keys.append(pl.when(person).then(pl.concat_str([per, col], separator="|")))
    return tuple(keys)


# --- persons --------------------------------------------------------------------------


@REGISTER.record(
    "EKB-020",
    mask=lambda c: (c["medsokande"] != "") & (c["medsokande"] == c["sokande"]),
    invalid_ok=True,  # an id the field stage rejects is held as written
)
def medsokande_is_sokande(rec: Manad | Ao | Ar, line: int, ctx: Context) -> list[Finding]:
    """Medsökande with the sökande's number. A ``TF00`` id is a birth date, not a person
    (as for EKB-050/051): two adults born the same day may both have one.

    Record rules here are plain functions returning lists: they run on every line."""
    med = rec.medsokande
    if med is not None and med == rec.sokande and not med.endswith("TF00"):
        return [ctx.finding("EKB-020", line=line, field="medsokande", value=rec.medsokande)]
    return []


@functools.lru_cache(maxsize=64)
def _born_by(on: dt.date, age: int) -> str:
    """``ÅÅÅÅMMDD`` of the last birth date that makes a person ``age`` years old on
    ``on`` (by :func:`identity.oldest_age`'s count: years, less one if the birthday
    (month, day) is after ``on``'s)."""
    return f"{on.year - age:04d}{on.month:02d}{on.day:02d}"


@REGISTER.record(("EKB-021", "EKB-022", "EKB-023"), mask=_ages_mask, invalid_ok=True)
def ages(rec: Manad | Ao | Ar, line: int, ctx: Context) -> list[Finding]:
    on = ctx.reference_date
    min_age = int(ctx.params.get("min_age_sokande", 18))
    born_by = _born_by(on, min_age)
    out: list[Finding] = []
    for field, code, value in (
        ("sokande", "EKB-021", rec.sokande),
        ("medsokande", "EKB-022", rec.medsokande),
    ):
        # The id's first 8 characters no later than ``born_by``: old enough (or not an
        # identity). A samordningsnummer's day + 60, a day or month 00 and an id that
        # is no date only ever send a value on to the exact test.
        if value is None or value[:8] <= born_by:
            continue
        oldest = identity.oldest_age(value, on)
        if oldest is None or oldest >= min_age:
            continue  # not an identity (the field stage has reported it), or old enough
        if oldest < 0:
            out.append(ctx.finding("EKB-023", line=line, field=field, value=value, date=on))
        else:
            out.append(
                ctx.finding(
                    code, line=line, field=field, value=value, age=oldest, date=on, min_age=min_age
                )
            )
    return out


# --- household data that belongs to a co-applicant, insatsdagar ----------------------------
# EKB-024/025 on EKB-Månad and EKB-AO and EKB-027 are declared once, as conditions, in
# :mod:`sosreg.registers.ekb.checks`; the row check and the mask are derived.

REGISTER.simple(*checks.MED_MANAD, files=("manad",), name="medsokande_fields_manad")
REGISTER.simple(*checks.MED_AO, files=("ao",), name="medsokande_fields_ao")
REGISTER.simple(*checks.DAYS.values(), files=("manad",), name="insatsdagar")

# --- amounts and months ---------------------------------------------------------------


REGISTER.simple(checks.CHILDREN, files=("manad",), name="many_children")  # EKB-030


def _large_mask(c: Any) -> Any:
    limit = int(c.params["plausible_max_belopp_manad"])
    if "belopp_forsorjningsstod" in c.frame.columns:
        total = c.int("belopp_forsorjningsstod").fill_null(0) + c.int("belopp_ovrigt").fill_null(0)
        return total > limit
    # an empty month is no amount (null would flag the line)
    return c.pl.any_horizontal([(c.int(f"belopp_{mm}") > limit).fill_null(False) for mm in MONTHS])


def _monthly(rec: Manad | Ar) -> TypeGuard[Manad]:
    """Whether ``rec`` is a line of the monthly file (by its fields, not its class: a
    spec loaded from a file has records of a class made at run time)."""
    return hasattr(rec, "belopp_forsorjningsstod")


@REGISTER.record("EKB-031", files=("manad", "ar"), mask=_large_mask, invalid_ok=True)
def large_amount(rec: Manad | Ar, line: int, ctx: Context) -> list[Finding]:
    """More paid to a household in one month than ``plausible_max_belopp_manad``."""
    limit = int(ctx.params["plausible_max_belopp_manad"])
    out: list[Finding] = []
    if _monthly(rec):
        a, b = rec.belopp_forsorjningsstod, rec.belopp_ovrigt
        paid = (a if isinstance(a, int) else 0) + (b if isinstance(b, int) else 0)
        if paid > limit:
            out.append(
                ctx.finding(
                    "EKB-031",
                    line=line,
                    field="belopp_forsorjningsstod",
                    value=str(paid),
                    month=str(rec.avseendemanad or ctx.period),
                    limit=limit,
                )
            )
        return out
    for mm in MONTHS:
        amount = getattr(rec, f"belopp_{mm}")
        if isinstance(amount, int) and amount > limit:
            out.append(
                ctx.finding(
                    "EKB-031",
                    line=line,
                    field=f"belopp_{mm}",
                    value=str(amount),
                    month=f"{ctx.period}{mm}",
                    limit=limit,
                )
            )
    return out


REGISTER.simple(checks.PAID, files=("manad",), name="no_amount_manad")  # EKB-028


def _window_mask(c: Any) -> Any:
    lo = int(c.params.get("avseendemanad_min_offset", 0))
    hi = int(c.params.get("avseendemanad_max_offset", 0))
    p = c.period
    here = p.year * 12 + p.month if isinstance(p, YearMonth) else 0
    offset = _months(c["avseendemanad"], c.pl) - here
    return (c["avseendemanad"] != "") & ((offset < lo) | (offset > hi))


@REGISTER.record("EKB-029", files=("manad", "ao"), mask=_window_mask, invalid_ok=True)
def avseendemanad_window(rec: Manad | Ao, line: int, ctx: Context) -> list[Finding]:
    month = rec.avseendemanad
    period = ctx.period
    if month is None or not isinstance(period, YearMonth):
        return []
    lo = int(ctx.params.get("avseendemanad_min_offset", 0))
    hi = int(ctx.params.get("avseendemanad_max_offset", 0))
    offset = month - period
    if lo <= offset <= hi:
        return []
    if lo == hi == 0:
        window, window_en = f"ska vara {period}", f"must be {period}"
    else:
        window = f"tillåtet {period + lo}–{period + hi}"
        window_en = f"allowed {period + lo}–{period + hi}"
    return [
        ctx.finding(
            "EKB-029",
            line=line,
            field="avseendemanad",
            value=str(month),
            period=period,
            window_sv=window,
            window_en=window_en,
        )
    ]


def _avslut_mask(c: Any, has_med: Any) -> Any:
    """EKB-014, EKB-015 and the avslutsorsak's EKB-024/025 (see :func:`_annual_avslut`)."""
    pl = c.pl
    month, sok = c["avslut_manad"], c["avslutsorsak_sokande"]
    med, hushall = c["avslutsorsak_medsokande"], c["avslutsorsak_hushall"]
    given = [x != "" for x in (month, sok, hushall)]
    incomplete = pl.any_horizontal(given) & ~pl.all_horizontal(given)  # EKB-014
    med_wrong = (has_med & (sok != "") & (med == "")) | (~has_med & (med != ""))
    year = int(c.period) if isinstance(c.period, int) else 0
    y = month.str.slice(0, 4).cast(pl.Int64, strict=False)
    mm = month.str.slice(4, 2)
    paid_then = pl.any_horizontal(
        [(mm == m) & (c[f"belopp_{m}"] != "") & (c[f"belopp_{m}"] != "0") for m in MONTHS]
    )
    fine = (y < year) | ((y == year) & paid_then)
    unpaid = (month != "") & ~fine.fill_null(False)  # EKB-015
    return incomplete | med_wrong | unpaid


def _annual_mask(c: Any) -> Any:
    pl = c.pl
    has_med = c["medsokande"] != ""
    out = _avslut_mask(c, has_med) if "avslut_manad" in c.frame.columns else pl.lit(False)
    no_month = pl.lit(True)  # EKB-012: no month paid
    for mm in MONTHS:
        paid = (c[f"belopp_{mm}"] != "") & (c[f"belopp_{mm}"] != "0")
        no_month = no_month & ~paid
    out = out | no_month
    for mm in MONTHS:
        paid = (c[f"belopp_{mm}"] != "") & (c[f"belopp_{mm}"] != "0")
        codes = [c[f"{kind}_{mm}"] for kind in ("hinder_sokande", "hinder_medsokande")]
        codes += [c[f"{kind}_{mm}"] for kind in ("insats_sokande", "insats_medsokande")]
        any_code = pl.any_horizontal([x != "" for x in codes])
        sok_missing = (c[f"hinder_sokande_{mm}"] == "") | (c[f"insats_sokande_{mm}"] == "")
        med = [c[f"hinder_medsokande_{mm}"], c[f"insats_medsokande_{mm}"]]
        med_wrong = pl.any_horizontal([(has_med & (x == "")) | (~has_med & (x != "")) for x in med])
        out = out | (~paid & any_code) | (paid & (sok_missing | med_wrong))
    return out


@REGISTER.record(
    ("EKB-012", "EKB-014", "EKB-015", "EKB-040", "EKB-041", "EKB-024", "EKB-025"),
    files=("ar",),
    mask=_annual_mask,
)
def annual_months(rec: Ar, line: int, ctx: Context) -> Iterator[Finding]:
    """The twelve months, and the avslutsorsak a line may carry (FAQ on error 12): a
    line without any amount is EKB-012 unless it only carries an avslutsorsak for an
    earlier year's payment."""
    paid_any = False
    has_med = rec.medsokande is not None
    for mm in MONTHS:
        amount = getattr(rec, f"belopp_{mm}")
        paid = amount is not None and amount != 0
        paid_any = paid_any or paid
        fields = {
            kind: getattr(rec, f"{kind}_{mm}")
            for kind in (
                "hinder_sokande",
                "hinder_medsokande",
                "insats_sokande",
                "insats_medsokande",
            )
        }
        if not paid:
            for kind, value in fields.items():
                if value is not None:
                    yield ctx.finding(
                        "EKB-040", line=line, field=f"{kind}_{mm}", value=value, month=mm
                    )
            continue
        for kind in ("hinder_sokande", "insats_sokande"):
            if fields[kind] is None:
                yield ctx.finding("EKB-041", line=line, field=f"{kind}_{mm}", month=mm)
        for kind in ("hinder_medsokande", "insats_medsokande"):
            if has_med and fields[kind] is None:
                yield ctx.finding("EKB-025", line=line, field=f"{kind}_{mm}")
            elif not has_med and fields[kind] is not None:
                yield ctx.finding("EKB-024", line=line, field=f"{kind}_{mm}", value=fields[kind])
    earlier = yield from _annual_avslut(rec, line, ctx)
    if not paid_any and not earlier:
        yield ctx.finding("EKB-012", line=line)


def _annual_avslut(rec: Ar, line: int, ctx: Context) -> Generator[Finding, None, bool]:
    """EKB-014/015 (and EKB-024/025 for the medsökande's reason) on an annual line's
    avslutsorsak; returns whether the line carries a complete avslutsorsak for a month
    before the statistikår (the FAQ's line without an amount). A spec without the
    fields (a user's) has none."""
    if not hasattr(rec, "avslut_manad"):
        return False
    month = rec.avslut_manad
    sok, med, hushall = (
        rec.avslutsorsak_sokande,
        rec.avslutsorsak_medsokande,
        rec.avslutsorsak_hushall,
    )
    if month is None and sok is None and med is None and hushall is None:
        return False
    labels = {
        "avslut_manad": ("avseendemånad för avslutsorsaken", "the month of the reason for ending"),
        "avslutsorsak_sokande": ("avslutsorsak för sökande", "the applicant's reason for ending"),
        "avslutsorsak_hushall": ("avslutsorsak för hushållet", "the household's reason for ending"),
    }
    given = {"avslut_manad": month, "avslutsorsak_sokande": sok, "avslutsorsak_hushall": hushall}
    present = [labels[f] for f, v in given.items() if v is not None]
    complete = True
    for field, value in given.items():
        if value is None:
            complete = False
            yield ctx.finding(
                "EKB-014",
                line=line,
                field=field,
                present_sv=", ".join(p[0] for p in present) or "avslutsorsak för medsökande",
                present_en=", ".join(p[1] for p in present) or "the co-applicant's reason",
            )
    has_med = rec.medsokande is not None
    if has_med and med is None and sok is not None:
        yield ctx.finding("EKB-025", line=line, field="avslutsorsak_medsokande")
    elif not has_med and med is not None:
        yield ctx.finding("EKB-024", line=line, field="avslutsorsak_medsokande", value=med)
    if month is None:
        return False
    year = ctx.period if isinstance(ctx.period, int) else ctx.year
    if month.year < year:
        return complete
    amount = getattr(rec, f"belopp_{month.month:02d}") if month.year == year else None
    if amount is None or amount == 0:
        yield ctx.finding("EKB-015", line=line, field="avslut_manad", value=str(month), year=year)
    return False


# --- cross-record ---------------------------------------------------------------------


@REGISTER.cross(("EKB-050", "EKB-051"), keys=(CrossKey(_same_person_keys),))
class SamePersonTwice:
    """A person may be in one household per month (per year in the annual file):
    sökande once, and never sökande on one line and medsökande on another.

    Personnummer are kept as integers (an :class:`IntIndex`, 16 bytes a mention) and
    compared at the end of the file; other ids (temporary ids) in a dict as they come.
    TF00 ids are birth dates, not persons, and are left out."""

    ROLES = ("sokande", "medsokande")

    def __init__(self) -> None:
        self.index = IntIndex()
        self.periods: dict[int, object] = {}
        # period -> person -> line; a negative line marks the person as medsökande
        self.seen: dict[object, dict[str, int]] = {}
        # repeats of other ids, reported with the personnummer ones at the end
        self.repeats: list[tuple[int, int, str, int, bool, object]] = []

    def feed(self, rec: Manad | Ao | Ar, line: int, ctx: Context) -> list[Finding]:
        period = getattr(rec, "avseendemanad", None) or ctx.period
        pkey = period.year * 12 + period.month if isinstance(period, YearMonth) else period
        if pkey not in self.periods:
            self.periods[pkey] = period
        role = 0
        for person in (rec.sokande, rec.medsokande):
            if person is not None:
                if len(person) == 12 and person.isdigit() and person.isascii():
                    self.index.add(pkey * 10**12 + int(person), line * 2 + role)
                elif "TF00" not in person:  # a TF00 id is a birth date, not a person
                    seen = self.seen.setdefault(period, {})
                    prior = seen.setdefault(person, line if role == 0 else -line)
                    if abs(prior) != line:
                        self.repeats.append((line, role, person, abs(prior), prior > 0, period))
            role = 1
        return []

    def finish(self, ctx: Context) -> Iterator[Finding]:
        found = list(self.repeats)
        for key, marks in self.index.groups():
            first_line, first_role = divmod(marks[0], 2)
            period = self.periods[key // 10**12]
            person = identity_of(key % 10**12)
            for mark in marks[1:]:
                line, role = divmod(mark, 2)
                if line != first_line:
                    found.append((line, role, person, first_line, first_role == 0, period))
        # A line that repeats an earlier line's household (the same sökande, and its
        # medsökande the medsökande there too) is one EKB-050, not also an EKB-051.
        same_sokande = {(f[0], f[3]) for f in found if f[1] == 0 and f[4]}
        for line, role, person, first, first_sokande, period in sorted(found):
            if role == 1 and not first_sokande and (line, first) in same_sokande:
                continue
            yield self._finding(ctx, line, role, person, first, first_sokande, period)

    def _finding(
        self,
        ctx: Context,
        line: int,
        role: int,
        person: str,
        first: int,
        first_sokande: bool,
        period: object,
    ) -> Finding:
        if role == 0 and first_sokande:
            return ctx.finding(
                "EKB-050", line=line, field="sokande", value=person, first=first, period=period
            )
        return ctx.finding(
            "EKB-051",
            line=line,
            field=self.ROLES[role],
            value=person,
            first=first,
            period=period,
            other_role_sv="sökande" if first_sokande else "medsökande",
            other_role_en="applicant" if first_sokande else "co-applicant",
        )


# --- cross-file -----------------------------------------------------------------------


@REGISTER.cross_file("EKB-061")
def both_files_every_month(files: list[Any]) -> Iterator[Finding]:
    """EKB-Månad and EKB-AO are both due every month; one alone leaves it incomplete."""
    by_period: dict[str, dict[str, Any]] = {}
    for f in files:
        if f.file in ("manad", "ao"):
            by_period.setdefault(str(f.period), {})[f.file] = f
    titles = {"manad": "EKB-Månad", "ao": "EKB-AO"}
    for period, present in sorted(by_period.items()):
        if len(present) == 1:
            ((have, f),) = present.items()
            missing = "ao" if have == "manad" else "manad"
            yield f.context.finding(
                "EKB-061",
                period=period,
                present=titles[have],
                missing=titles[missing],
                name=f.name,
                file=f.name,
            )


# --- previous period ------------------------------------------------------------------


def _paid(rec: Manad | Ar) -> int:
    if _monthly(rec):
        return int(rec.belopp_forsorjningsstod or 0) + int(rec.belopp_ovrigt or 0)
    return sum(int(getattr(rec, f"belopp_{mm}") or 0) for mm in MONTHS)


@REGISTER.previous(("EKB-080", "EKB-081"), files=("manad", "ar"))
def compared_with_previous(current: Any, previous: Any) -> Iterator[Finding]:
    limit = float(current.context.params.get("previous_max_change_pct", 25))
    yield from change_finding(
        "EKB-080", current, previous, len(current.records), len(previous.records), limit
    )
    now = sum(_paid(rec) for _, rec in current.records)
    before = sum(_paid(rec) for _, rec in previous.records)
    yield from change_finding("EKB-081", current, previous, now, before, limit)


@REGISTER.joined("EKB-062", parent="ar", child="manad")
def annual_agrees_with_months(annual: Linked[Ar], months: list[Linked[Manad]]) -> Iterator[Finding]:
    """The annual file repeats the year's months: where a month's EKB-Månad is in the
    delivery, the household's amount for that month must be the same in both (the
    households missing from the annual file are EKB-063, a reference in the spec)."""
    for month in months:
        period = month.file.period
        if not isinstance(period, YearMonth):
            continue
        mm = f"{period.month:02d}"
        paid_annual = int(getattr(annual.record, f"belopp_{mm}") or 0)
        paid_month = _paid(month.record)
        if paid_annual != paid_month:
            yield annual.finding(
                "EKB-062",
                field=f"belopp_{mm}",
                value=str(paid_annual),
                month=str(period),
                monthly=paid_month,
                monthly_name=month.file.name,
                monthly_line=month.line,
            )
