"""The peers' schemas, derived from sosreg's own spec and code lists, and how each peer runs.

One neutral description of the checks (:func:`columns`, :func:`record_rules`,
:func:`unique_fields`, :func:`persons_rule`) is translated three ways:

* :func:`frictionless_schema` + :func:`frictionless_checks`: a Table Schema (every field
  ``string``; ``required``, ``enum``, ``pattern``, ``maxLength``, ``unique``) and two
  custom :class:`frictionless.Check` classes (identities; record rules and persons);
* :func:`pandera_pandas_schema`: a ``pandera.pandas.DataFrameSchema``;
* :func:`pandera_polars_schema`: a ``pandera.polars.DataFrameSchema``.

Every field is read as text, so that a check can see what sosreg sees: ``007`` is not a
canonical integer, ``12 000`` is not an amount. What each schema checks, and what it does
not, is listed in ``benchmarks/README.md`` ("Equivalent checks").

The peers are optional benchmark dependencies, and so is sosreg for the peers' child
processes: this module imports each only inside the functions that use it. The parent
derives a :func:`plan` with sosreg and hands it to the child as JSON, so a peer's peak
memory does not include sosreg.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    import sosreg

# Regular expressions shared by Python's re and Rust's regex (polars): no anchors here;
# each backend anchors them its own way.
INT = "0|[1-9][0-9]*"
AMOUNT = "0|-?[1-9][0-9]*"
YEARMONTH = "[0-9]{4}(?:0[1-9]|1[0-2])"
YEAR = "[0-9]{4}"
DATE = "[0-9]{8}"
ID12 = "[0-9]{12}"
TF = "[0-9]{4}(?:[0-9]{2}){0,2}TF00"
T3 = "[0-9]{8}T[0-9]{3}"
# TF00 and T-numbers split by what they need beyond their shape: an id whose shape says
# it all (ÅÅÅÅTF00, ÅÅÅÅMMTF00 with a real month), and one whose first 8 characters must
# be a real date (ÅÅÅÅMMDDTF00, ÅÅÅÅMMDDTnnn).
TF_SHAPE = "[0-9]{4}(?:0[1-9]|1[0-2])?TF00"
TF_DATED = "[0-9]{8}TF00"
ENUM_MAX = 5_000  # an integer range with at most this many values becomes an enum


@dataclass(frozen=True)
class Col:
    """What the peers check in one field (derived from a :class:`sosreg.FieldSpec`)."""

    name: str
    type: str
    mandatory: bool
    codes: tuple[str, ...] | None = None  # a code field: the year's codes
    equals: str | None = None  # kommun = the file's kommun, period = the file's period
    pattern: str | None = None  # the value's shape (unanchored)
    lo: int | None = None
    hi: int | None = None
    specials: tuple[str, ...] = ()  # special codes beside the numeric range
    max_length: int | None = None
    kinds: tuple[str, ...] = ()  # identity kinds accepted
    date: bool = False  # the value must be a real date ÅÅÅÅMMDD


def columns(spec: sosreg.FileSpec, year: int, period: str, kommun: str) -> list[Col]:
    """The field checks of ``spec`` for statistikår ``year``, a file of ``period`` and
    ``kommun`` (both from the file name, as sosreg takes them)."""
    from sosreg import codelists

    out = []
    for f in spec.fields:
        kw: dict[str, Any] = {"name": f.name, "type": f.type, "mandatory": f.mandatory}
        if f.type == "code":
            if f.codelist is not None:
                kw["codes"] = tuple(c.code for c in codelists.get(f.codelist).as_of(year))
            if f.name == spec.kommun_field:
                kw["equals"] = kommun
            if f.pattern:
                kw["pattern"] = f.pattern
            if f.length:
                kw["max_length"] = f.length
        elif f.type in ("integer", "amount"):
            kw["pattern"] = AMOUNT if f.type == "amount" else INT
            kw["lo"], kw["hi"] = f.min, f.max
            if f.special:
                kw["specials"] = tuple(c.code for c in codelists.get(f.special).as_of(year))
        elif f.type == "yearmonth":
            kw["pattern"] = YEARMONTH
            if f.name == spec.period_field:
                kw["equals"] = period
        elif f.type == "year":
            kw["pattern"] = YEAR
        elif f.type == "date":
            kw["pattern"], kw["date"] = DATE, True
        elif f.type == "identity":
            kw["kinds"] = tuple(f.accept) or ("pnr", "snr", "tf", "t3")
            kw["pattern"] = identity_pattern(kw["kinds"])
        elif f.type == "text":
            kw["max_length"] = f.length
        out.append(Col(**kw))
    return out


def _other_ids(kinds: Iterable[str]) -> tuple[str, str]:
    """(shape-only pattern, dated pattern) of the TF00/T-number kinds in ``kinds``."""
    shape = TF_SHAPE if "tf" in kinds else ""
    dated = "|".join(p for k, p in (("tf", TF_DATED), ("t3", T3)) if k in kinds)
    return shape, dated


def identity_pattern(kinds: Iterable[str]) -> str:
    alts = []
    if {"pnr", "snr"} & set(kinds):
        alts.append(ID12)
    if "tf" in kinds:
        alts.append(TF)
    if "t3" in kinds:
        alts.append(T3)
    return "|".join(alts)


# --- record rules, in a form every backend can evaluate ---------------------------------

# An atom is (op, field, arg, negated); op is
#   "null"        the value is missing
#   "eq", "in"    the value is arg / one of arg
#   "eqcol"       the value equals that of the field named arg
#   "nonpos"      an amount <= 0 ("0" or negative)
#   "gt"          a canonical integer above arg
#   "sum_gt"      arg = (fields, limit): the integers of fields (missing: 0) add up to more
#   "born_after"  the id's earliest possible birth date, as ÅÅÅÅMMDD, is above arg
#                 (month/day 00 count as 01; samordningsnummer day - 60)
# An atom on a missing or unreadable value is false (before negation). A rule
# (code, when, then) is broken on a line where every atom of ``when`` is true and
# ``then`` is false (``then`` None: where ``when`` holds).
Atom = tuple[str, str, Any, bool]
Rule = tuple[str, tuple[Atom, ...], Atom | None]


def _a(op: str, field: str, arg: Any = None, neg: bool = False) -> Atom:
    return (op, field, arg, neg)


def record_rules(kind: str, spec: sosreg.FileSpec, period: str) -> list[Rule]:
    """The register's record rules the peers can express line by line."""
    rules: list[Rule] = []
    if kind == "sol1":
        from sosreg.registers.sol.rules import FLAGGED_QUANTITIES

        for code, flag, qty, not_applicable, _ in FLAGGED_QUANTITIES:
            na = str(not_applicable)
            has_qty = _a("null", qty, neg=True)
            # flag 1 (ja) needs a quantity, not "ej aktuellt"
            rules.append((code, (_a("eq", flag, "1"), has_qty), _a("eq", qty, na, neg=True)))
            # flag 0/8 needs "ej aktuellt" or 0
            rules.append((code, (_a("in", flag, ("0", "8")), has_qty), _a("in", qty, (na, "0"))))
    elif kind == "ekb":
        has_med = _a("null", "medsokande", neg=True)
        no_med = _a("null", "medsokande")
        rules.append(("EKB-020", (has_med,), _a("eqcol", "medsokande", "sokande", neg=True)))
        for f in ("hinder_medsokande", "insats_medsokande", "insatsdagar_medsokande"):
            rules.append(("EKB-024", (no_med,), _a("null", f)))
        for f in ("hinder_medsokande", "insats_medsokande"):
            rules.append(("EKB-025", (has_med,), _a("null", f, neg=True)))
        for insats, days in (
            ("insats_sokande", "insatsdagar_sokande"),
            ("insats_medsokande", "insatsdagar_medsokande"),
        ):
            has_days = _a("null", days, neg=True)
            rules.append(("EKB-027", (_a("eq", insats, "0"), has_days), _a("eq", days, "0")))
            rules.append(
                (
                    "EKB-027",
                    (_a("null", insats, neg=True), _a("eq", insats, "0", neg=True), has_days),
                    _a("eq", days, "0", neg=True),
                )
            )
        rules.append(
            (
                "EKB-028",
                (
                    _a("nonpos", "belopp_forsorjningsstod"),
                    _a("null", "belopp_ovrigt", neg=True),
                ),
                _a("nonpos", "belopp_ovrigt", neg=True),
            )
        )
        # ages on the reference date (EKB-021/022 younger than min_age_sokande, a warning;
        # EKB-023 born after it), as in sosreg.registers.ekb.rules.ages
        import datetime as _dt

        from sosreg.engine.values import YearMonth

        on: _dt.date = spec.reference_date_for(YearMonth(int(period[:4]), int(period[4:])))
        min_age = int(spec.params.get("min_age_sokande", 18))
        ref = on.year * 10000 + on.month * 100 + on.day
        adult = ref - min_age * 10000
        for field, code in (("sokande", "EKB-021"), ("medsokande", "EKB-022")):
            rules.append(("EKB-023", (_a("born_after", field, ref),), None))
            rules.append(
                (code, (_a("born_after", field, adult), _a("born_after", field, ref, True)), None)
            )
        # plausibility (warnings)
        barn = int(spec.params["plausible_max_antal_barn"])
        rules.append(("EKB-030", (_a("gt", "antal_barn", barn),), None))
        paid = ("belopp_forsorjningsstod", "belopp_ovrigt")
        limit = int(spec.params["plausible_max_belopp_manad"])
        rules.append(("EKB-031", (_a("sum_gt", paid[0], (paid, limit)),), None))
        lo = int(spec.params.get("avseendemanad_min_offset", 0))
        hi = int(spec.params.get("avseendemanad_max_offset", 0))
        if lo == hi == 0:  # EKB-029: avseendemånad is the file's period
            rules.append(
                (
                    "EKB-029",
                    (_a("null", "avseendemanad", neg=True),),
                    _a("eq", "avseendemanad", period),
                )
            )
    return rules


def unique_fields(kind: str) -> list[str]:
    """Fields whose values may not repeat in a file (SOL-030: one line per person)."""
    return {"sol1": ["personnummer"], "ekb": []}[kind]


@dataclass(frozen=True)
class Persons:
    """EKB-050/051: a person is in one household a month. A line is wrong where its
    sökande or medsökande was already mentioned, in either role, on an earlier line of
    the same month (``month_field``, or the file's ``period`` where that is not a
    well-formed ÅÅÅÅMM). TF00 ids are birth dates, not persons, and are left out; the
    same person twice on one line is EKB-020."""

    roles: tuple[str, ...]
    month_field: str
    period: str


def persons_rule(kind: str, period: str) -> Persons | None:
    if kind == "ekb":
        return Persons(("sokande", "medsokande"), "avseendemanad", period)
    return None


@dataclass(frozen=True)
class Plan:
    """Everything a peer checks in one file."""

    cols: list[Col]
    rules: list[Rule]
    uniques: list[str]
    persons: Persons | None

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.cols]

    def to_json(self) -> str:
        return json.dumps(
            {
                "cols": [asdict(c) for c in self.cols],
                "rules": self.rules,
                "uniques": self.uniques,
                "persons": asdict(self.persons) if self.persons else None,
            }
        )

    @classmethod
    def from_json(cls, text: str) -> Plan:
        d = json.loads(text)
        cols = []
        for c in d["cols"]:
            for k in ("codes", "specials", "kinds"):
                if c[k] is not None:
                    c[k] = tuple(c[k])
            cols.append(Col(**c))
        rules = [
            (code, tuple(_atom(a) for a in when), _atom(then)) for code, when, then in d["rules"]
        ]
        p = d["persons"]
        persons = Persons(tuple(p["roles"]), p["month_field"], p["period"]) if p else None
        return cls(cols, rules, d["uniques"], persons)  # type: ignore[arg-type]


def _atom(a: list[Any] | None) -> Atom | None:
    if a is None:
        return None
    op, field, arg, neg = a
    if op == "sum_gt":
        arg = (tuple(arg[0]), arg[1])
    elif isinstance(arg, list):
        arg = tuple(arg)
    return (op, field, arg, neg)


def plan(kind: str, spec: sosreg.FileSpec, year: int, period: str, kommun: str) -> Plan:
    """The peers' checks for a file of ``kind`` (``"sol1"``, ``"ekb"``)."""
    return Plan(
        columns(spec, year, period, kommun),
        record_rules(kind, spec, period),
        unique_fields(kind),
        persons_rule(kind, period),
    )


# --- identities, in plain Python (frictionless) -------------------------------------------

_DOUBLED = (0, 2, 4, 6, 8, 1, 3, 5, 7, 9)


def _days_in_month(y: int, m: int) -> int:
    if m == 2:
        return 29 if y % 4 == 0 and (y % 100 != 0 or y % 400 == 0) else 28
    return 30 + (m + m // 8) % 2


def identity_ok(value: str, kinds: tuple[str, ...]) -> bool:
    """True for a 12-digit personnummer/samordningsnummer with a right check digit and a
    real date (as ``sosreg.identity.parse``), or a TF00/T-number with a real month/date."""
    if len(value) == 12 and value.isascii() and value.isdigit():
        d = [ord(c) - 48 for c in value]
        total = sum(_DOUBLED[x] for x in d[2:12:2]) + sum(d[3:12:2])
        if total % 10:
            return False
        y, m, day = d[0] * 1000 + d[1] * 100 + d[2] * 10 + d[3], d[4] * 10 + d[5], d[6] * 10 + d[7]
        if day > 60:
            real, kind = day - 60, "snr"
            if m == 0:
                return kind in kinds
        elif (m == 0 or day == 0) and m <= 12:
            return "snr" in kinds
        else:
            real, kind = day, "pnr"
        return kind in kinds and 1 <= m <= 12 and 1 <= real <= _days_in_month(y, m)
    shape, dated = _other_ids(kinds)
    if shape and re.fullmatch(shape, value):
        return True
    return bool(dated and re.fullmatch(dated, value) and date_ok(value[:8]))


def date_ok(value: str) -> bool:
    try:
        dt.date(int(value[:4]), int(value[4:6]), int(value[6:8]))
    except ValueError:
        return False
    return True


# --- frictionless --------------------------------------------------------------------


def frictionless_schema(cols: list[Col], uniques: list[str]) -> dict[str, Any]:
    """A Table Schema descriptor: every field a string with constraints."""
    fields = []
    for c in cols:
        cons: dict[str, Any] = {}
        if c.mandatory:
            cons["required"] = True
        if c.equals is not None:
            cons["enum"] = [c.equals]
        elif c.codes is not None:
            cons["enum"] = list(c.codes)
        elif c.lo is not None and c.hi is not None and c.hi - c.lo <= ENUM_MAX:
            # a canonical integer in range, or a special code: exactly these strings
            cons["enum"] = [str(i) for i in range(c.lo, c.hi + 1)] + list(c.specials)
        elif c.pattern is not None:
            pattern = c.pattern
            if c.specials:
                pattern = "|".join([pattern, *c.specials])
            cons["pattern"] = f"(?:{pattern})"
        if c.max_length is not None:
            cons["maxLength"] = c.max_length
        if c.name in uniques:
            cons["unique"] = True
        fields.append({"name": c.name, "type": "string", "constraints": cons})
    return {"fields": fields, "missingValues": [""]}


def earliest_birth(value: str) -> int | None:
    """The earliest possible birth date of an id as ÅÅÅÅMMDD (None: not readable)."""
    if len(value) < 8 or not value[:4].isdigit():
        return None
    y = int(value[:4])
    m = int(value[4:6]) if value[4:6].isdigit() else 0
    d = int(value[6:8]) if value[6:8].isdigit() else 0
    if d > 60:
        d -= 60
    return y * 10000 + max(m, 1) * 100 + max(d, 1)


def _int(v: str | None) -> int | None:
    if v is None or not re.fullmatch(AMOUNT, v):
        return None
    return int(v)


def _eval_atom(row: Any, atom: Atom | None) -> bool:
    if atom is None:
        return False
    op, field, arg, neg = atom
    v = row[field]
    if op == "sum_gt":
        fields, limit = arg
        r = sum(_int(row[f]) or 0 for f in fields) > limit
        return not r if neg else r
    if op == "null":
        r = v is None
    elif v is None:
        r = False
    elif op == "eq":
        r = v == arg
    elif op == "in":
        r = v in arg
    elif op == "eqcol":
        r = v == row[arg]
    elif op == "nonpos":
        r = v == "0" or v.startswith("-")
    elif op == "gt":
        n = _int(v) if re.fullmatch(INT, v) else None
        r = n is not None and n > arg
    elif op == "born_after":
        b = earliest_birth(v)
        r = b is not None and b > arg
    else:
        raise ValueError(op)
    return not r if neg else r


def frictionless_checks(plan: Plan) -> list[Any]:
    """Custom checks: identities (Luhn, date, kind), dates, record rules, persons."""
    import attrs
    import frictionless
    from frictionless import errors

    rules, persons = plan.rules, plan.persons
    id_cols = [(c.name, c.kinds) for c in plan.cols if c.type == "identity"]
    date_cols = [c.name for c in plan.cols if c.date]

    @attrs.define(kw_only=True, repr=False)
    class SosregFields(frictionless.Check):
        type = "sosreg-fields"
        Errors: ClassVar = [errors.CellError]

        def validate_row(self, row):
            for name, kinds in id_cols:
                v = row[name]
                if v is not None and not identity_ok(v, kinds):
                    yield errors.CellError.from_row(row, note="invalid identity", field_name=name)
            for name in date_cols:
                v = row[name]
                if v is not None and len(v) == 8 and not date_ok(v):
                    yield errors.CellError.from_row(row, note="invalid date", field_name=name)

    @attrs.define(kw_only=True, repr=False)
    class SosregRecords(frictionless.Check):
        type = "sosreg-records"
        Errors: ClassVar = [errors.RowConstraintError]

        def connect(self, resource):
            super().connect(resource)
            self.seen: dict[tuple[str, str], int] = {}  # (month, person) -> first row

        def validate_row(self, row):
            for code, when, then in rules:
                if all(_eval_atom(row, a) for a in when) and not _eval_atom(row, then):
                    yield errors.RowConstraintError.from_row(row, note=code)
            if persons is None:
                return
            n = row.row_number
            month = row[persons.month_field]
            if month is None or not re.fullmatch(YEARMONTH, month):
                month = persons.period
            clash = False
            for name in persons.roles:
                v = row[name]
                if v is not None and "TF00" not in v:
                    clash = self.seen.setdefault((month, v), n) != n or clash
            if clash:
                yield errors.RowConstraintError.from_row(row, note="EKB-050/051")

    return [SosregFields(), SosregRecords()]


def frictionless_resource(path: Path, plan: Plan) -> Any:
    import frictionless
    from frictionless import formats

    return frictionless.Resource(
        path.name,
        basepath=str(path.parent),  # frictionless refuses an absolute path as unsafe
        format="csv",
        encoding="utf-8",
        dialect=frictionless.Dialect(header=False, controls=[formats.CsvControl(delimiter=";")]),
        schema=frictionless.Schema.from_descriptor(frictionless_schema(plan.cols, plan.uniques)),
    )


# --- pandas + pandera ------------------------------------------------------------------


def pandas_read(path: Path, names: list[str]):
    """Every field as text; an empty field is missing; no quoting (a quote stays in the
    value, where the checks see it)."""
    import pandas as pd

    return pd.read_csv(
        path,
        sep=";",
        header=None,
        names=names,
        dtype=str,
        keep_default_na=False,
        na_values=[""],
        quoting=csv.QUOTE_NONE,
        encoding="utf-8",
    )


def _np_identity_ok(arr, kinds: tuple[str, ...]):
    """numpy: ``arr`` an (n, 12) array of digits; the same test as :func:`identity_ok`."""
    import numpy as np

    doubled = np.array(_DOUBLED)
    total = doubled[arr[:, 2:12:2]].sum(axis=1) + arr[:, 3:12:2].sum(axis=1)
    luhn = total % 10 == 0
    y = arr[:, 0] * 1000 + arr[:, 1] * 100 + arr[:, 2] * 10 + arr[:, 3]
    m = arr[:, 4] * 10 + arr[:, 5]
    d = arr[:, 6] * 10 + arr[:, 7]
    snr_day = d > 60
    real = np.where(snr_day, d - 60, d)
    zero = ~snr_day & ((m == 0) | (d == 0)) & (m <= 12)
    leap = (y % 4 == 0) & ((y % 100 != 0) | (y % 400 == 0))
    dim = np.where(m == 2, 28 + leap, 30 + (m + m // 8) % 2)
    real_date = (m >= 1) & (m <= 12) & (real >= 1) & (real <= dim)
    snr = snr_day | zero
    ok_snr = snr & ((snr_day & ((m == 0) | real_date)) | zero)
    ok_pnr = ~snr & real_date
    ok = np.zeros(len(arr), dtype=bool)
    if "snr" in kinds:
        ok |= ok_snr
    if "pnr" in kinds:
        ok |= ok_pnr
    return luhn & ok


def _pd_identity_check(kinds: tuple[str, ...]) -> Callable[[Any], Any]:
    import numpy as np
    import pandas as pd

    def check(s):
        ok = pd.Series(False, index=s.index)
        if {"pnr", "snr"} & set(kinds):
            m = s.str.fullmatch(ID12).fillna(False).astype(bool)
            sub = s[m]
            if len(sub):
                raw = "".join(sub.tolist()).encode("ascii")
                arr = np.frombuffer(raw, dtype=np.uint8).reshape(-1, 12).astype(np.int32) - 48
                ok[m] = _np_identity_ok(arr, kinds)
        shape, dated = _other_ids(kinds)
        if shape:
            ok |= s.str.fullmatch(shape).fillna(False).astype(bool)
        if dated:
            m = s.str.fullmatch(dated).fillna(False).astype(bool)
            if m.any():
                ok[m] = _pd_date_check(s[m].str.slice(0, 8))
        return ok

    return check


def _pd_float(s, ok):
    """The values where ``ok`` (canonical numbers) as floats, NaN elsewhere. (A cast:
    ``pd.to_numeric`` is many times slower on pyarrow strings.)"""
    return s.where(ok).astype("float64")


def _pd_number_check(c: Col) -> Callable[[Any], Any]:
    def check(s):
        ok = s.str.fullmatch(c.pattern).fillna(False).astype(bool)
        if c.lo is not None or c.hi is not None:
            v = _pd_float(s, ok)
            if c.lo is not None:
                ok &= v >= c.lo
            if c.hi is not None:
                ok &= v <= c.hi
        if c.specials:
            ok |= s.isin(c.specials)
        return ok

    return check


def _pd_date_check(s):
    import pandas as pd

    return pd.to_datetime(s, format="%Y%m%d", errors="coerce").notna()


def _pd_int(s):
    return _pd_float(s, s.str.fullmatch(AMOUNT).fillna(False).astype(bool))


def _pd_earliest_birth(s):

    # the common case: 8 leading digits ÅÅÅÅMMDD
    head = s.str.slice(0, 8)
    n8 = _pd_float(head, head.str.fullmatch("[0-9]{8}").fillna(False).astype(bool))
    y, m, d = n8 // 10000, n8 // 100 % 100, n8 % 100
    rest = n8.isna() & s.notna()
    if rest.any():  # ÅÅÅÅTF00, ÅÅÅÅMMTF00: what digits there are
        r = s[rest]

        def part(a, b):
            p = r.str.slice(a, b)
            return _pd_float(p, (p.str.fullmatch("[0-9]+").fillna(False) & (r.str.len() >= b)))

        y, m, d = y.copy(), m.copy(), d.copy()
        y[rest], m[rest], d[rest] = part(0, 4), part(4, 6).fillna(0), part(6, 8).fillna(0)
    d = d.where(d <= 60, d - 60)
    return y * 10000 + m.clip(lower=1) * 100 + d.clip(lower=1)


class _Memo:
    """Values derived from a column, computed once per validation: several record
    checks look at the same birth dates and amounts."""

    def __init__(self) -> None:
        self.df: Any = None
        self.values: dict[tuple[str, str], Any] = {}

    def get(self, df: Any, what: str, field: str, fn: Callable[[Any], Any]) -> Any:
        if self.df is not df:
            self.df, self.values = df, {}
        key = (what, field)
        if key not in self.values:
            self.values[key] = fn(df[field])
        return self.values[key]


_MEMO = _Memo()


def _pd_atom(df, atom: Atom | None):
    import pandas as pd

    if atom is None:
        return pd.Series(False, index=df.index)
    op, field, arg, neg = atom
    s = df[field]
    if op == "sum_gt":
        fields, limit = arg
        r = sum(_MEMO.get(df, "int", f, _pd_int).fillna(0) for f in fields) > limit
        return ~r if neg else r
    if op == "null":
        r = s.isna()
    elif op == "eq":
        r = s.eq(arg).fillna(False).astype(bool)
    elif op == "in":
        r = s.isin(arg)
    elif op == "eqcol":
        r = s.eq(df[arg]).fillna(False).astype(bool)
    elif op == "nonpos":
        r = (s.eq("0") | s.str.startswith("-")).fillna(False).astype(bool)
    elif op == "gt":
        r = (_pd_int(s.where(s.str.fullmatch(INT).fillna(False).astype(bool))) > arg).fillna(False)
    elif op == "born_after":
        r = (_MEMO.get(df, "born", field, _pd_earliest_birth) > arg).fillna(False)
    else:
        raise ValueError(op)
    r = r.astype(bool)
    return ~r if neg else r


def _pd_rule(rule: Rule) -> Callable[[Any], Any]:
    _, when, then = rule

    def check(df):
        broken = ~_pd_atom(df, then)
        for a in when:
            broken &= _pd_atom(df, a)
        return ~broken

    return check


def _pd_persons(persons: Persons) -> Callable[[Any], Any]:
    import numpy as np
    import pandas as pd

    def check(df):
        n, k = len(df), len(persons.roles)
        month = df[persons.month_field]
        month = month.where(month.str.fullmatch(YEARMONTH).fillna(False).astype(bool))
        month = month.fillna(persons.period)
        ids: list[Any] = []
        for role in persons.roles:
            v = df[role]
            v = v.where(~v.str.contains("TF00", regex=False).fillna(False).astype(bool))
            for earlier in ids:  # the same person twice on one line is EKB-020
                v = v.where(v.ne(earlier).fillna(True).astype(bool))
            ids.append(v)
        # (month, id) of every mention, in line order; a repeat is a later line's
        keys = pd.concat([month + ";" + v for v in ids], ignore_index=True)
        keys = keys.take(np.arange(k * n).reshape(k, n).T.ravel())
        repeat = (keys.duplicated(keep="first") & keys.notna()).to_numpy(dtype=bool)
        return pd.Series(~repeat.reshape(n, k).any(axis=1), index=df.index)

    return check


def pandera_pandas_schema(plan: Plan) -> Any:
    import pandera.pandas as pa

    rules, uniques, persons = plan.rules, plan.uniques, plan.persons
    columns = {}
    for c in plan.cols:
        checks = []
        if c.codes is not None:
            checks.append(pa.Check.isin(c.codes))
        if c.equals is not None:
            checks.append(pa.Check.eq(c.equals))
        if c.type == "identity":
            checks.append(pa.Check(_pd_identity_check(c.kinds), name="identity"))
        elif c.type in ("integer", "amount"):
            if c.specials or c.lo is not None or c.hi is not None:
                checks.append(pa.Check(_pd_number_check(c), name="number"))
            else:
                checks.append(pa.Check.str_matches(rf"^(?:{c.pattern})\Z"))
        elif c.pattern is not None and c.codes is None:
            checks.append(pa.Check.str_matches(rf"^(?:{c.pattern})\Z"))
        if c.date:
            checks.append(pa.Check(_pd_date_check, name="date"))
        if c.max_length is not None:
            checks.append(pa.Check.str_length(max_value=c.max_length))
        columns[c.name] = pa.Column(
            str,
            checks=checks,
            nullable=not c.mandatory,
            unique=c.name in uniques,
            report_duplicates="exclude_first",  # as sosreg: the second and later lines
        )
    df_checks = [pa.Check(_pd_rule(r), name=r[0], ignore_na=False) for r in rules]
    if persons is not None:
        df_checks.append(pa.Check(_pd_persons(persons), name="EKB-050/051", ignore_na=False))
    return pa.DataFrameSchema(columns, checks=df_checks, strict=True, ordered=True)


# --- polars + pandera ------------------------------------------------------------------


def polars_read(path: Path, names: list[str]):
    """Every field as text; an empty field is missing (null); no quoting."""
    import polars as pl

    return pl.read_csv(
        path,
        separator=";",
        has_header=False,
        new_columns=names,
        infer_schema=False,
        quote_char=None,
        encoding="utf8",
    )


def pl_identity_ok(name: str, kinds: tuple[str, ...]):
    """A polars expression: the same test as :func:`identity_ok`."""
    import polars as pl

    c = pl.col(name)
    d = [c.str.slice(i, 1).cast(pl.Int32, strict=False) for i in range(12)]

    def doubled(e):
        return pl.when(e >= 5).then(e * 2 - 9).otherwise(e * 2)

    total = sum(doubled(d[i]) for i in (2, 4, 6, 8, 10)) + sum(d[i] for i in (3, 5, 7, 9, 11))
    y = c.str.slice(0, 4).cast(pl.Int32, strict=False)
    m = c.str.slice(4, 2).cast(pl.Int32, strict=False)
    day = c.str.slice(6, 2).cast(pl.Int32, strict=False)
    snr_day = day > 60
    real = pl.when(snr_day).then(day - 60).otherwise(day)
    zero = ~snr_day & ((m == 0) | (day == 0)) & (m <= 12)
    leap = (y % 4 == 0) & ((y % 100 != 0) | (y % 400 == 0))
    dim = pl.when(m == 2).then(28 + leap.cast(pl.Int32)).otherwise(30 + (m + m // 8) % 2)
    real_date = (m >= 1) & (m <= 12) & (real >= 1) & (real <= dim)
    snr = snr_day | zero
    parts = []
    if "snr" in kinds:
        parts.append(snr & ((snr_day & ((m == 0) | real_date)) | zero))
    if "pnr" in kinds:
        parts.append(~snr & real_date)
    ok = pl.lit(False)
    if parts and {"pnr", "snr"} & set(kinds):
        ok = c.str.contains(f"^{ID12}$") & (total % 10 == 0) & pl.any_horizontal(parts)
    shape, dated = _other_ids(kinds)
    if shape:
        ok = ok | c.str.contains(f"^(?:{shape})$")
    if dated:
        real = c.str.slice(0, 8).str.to_date("%Y%m%d", strict=False).is_not_null()
        ok = ok | (c.str.contains(f"^(?:{dated})$") & real)
    return ok.fill_null(False)


def _pl_number_ok(c: Col):
    import polars as pl

    e = pl.col(c.name)
    ok = e.str.contains(f"^(?:{c.pattern})$")
    v = e.cast(pl.Int64, strict=False)
    if c.lo is not None:
        ok = ok & (v >= c.lo)
    if c.hi is not None:
        ok = ok & (v <= c.hi)
    if c.specials:
        ok = ok | e.is_in(list(c.specials))
    return ok.fill_null(False)


def _pl_int(c):
    import polars as pl

    return pl.when(c.str.contains(f"^(?:{AMOUNT})$")).then(c.cast(pl.Int64, strict=False))


def _pl_earliest_birth(c):
    import polars as pl

    def part(a, n):
        return c.str.slice(a, n).cast(pl.Int64, strict=False)

    y, m, d = part(0, 4), part(4, 2).fill_null(0), part(6, 2).fill_null(0)
    d = pl.when(d > 60).then(d - 60).otherwise(d)
    born = y * 10000 + pl.max_horizontal(m, 1) * 100 + pl.max_horizontal(d, 1)
    return pl.when(c.str.len_chars() >= 8).then(born)


def _pl_atom(atom: Atom | None):
    import polars as pl

    if atom is None:
        return pl.lit(False)
    op, field, arg, neg = atom
    c = pl.col(field)
    if op == "sum_gt":
        fields, limit = arg
        r = (
            pl.sum_horizontal([_pl_int(pl.col(f)).fill_null(0) for f in fields]) > limit
        ).fill_null(False)
        return ~r if neg else r
    if op == "null":
        r = c.is_null()
    elif op == "eq":
        r = (c == arg).fill_null(False)
    elif op == "in":
        r = c.is_in(list(arg)).fill_null(False)
    elif op == "eqcol":
        r = (c == pl.col(arg)).fill_null(False)
    elif op == "nonpos":
        r = ((c == "0") | c.str.starts_with("-")).fill_null(False)
    elif op == "gt":
        r = (c.str.contains(f"^(?:{INT})$") & (_pl_int(c) > arg)).fill_null(False)
    elif op == "born_after":
        r = (_pl_earliest_birth(c) > arg).fill_null(False)
    else:
        raise ValueError(op)
    return ~r if neg else r


def _pl_rule_ok(rule: Rule):
    _, when, then = rule
    broken = ~_pl_atom(then)
    for a in when:
        broken = broken & _pl_atom(a)
    return ~broken


def _pl_persons_ok(lf: Any, persons: Persons) -> Any:
    """A LazyFrame of one boolean column: no person of the line was on an earlier line
    of the same month."""
    import polars as pl

    m = pl.col(persons.month_field)
    month = (
        pl.when(m.str.contains(f"^(?:{YEARMONTH})$").fill_null(False))
        .then(m)
        .otherwise(pl.lit(persons.period))
        .alias("_month")
    )
    lf = lf.with_row_index("_line")
    mentions = pl.concat(
        [lf.select(pl.col("_line"), month, pl.col(r).alias("_id")) for r in persons.roles]
    ).filter(pl.col("_id").is_not_null() & ~pl.col("_id").str.contains("TF00", literal=True))
    bad = (
        mentions.filter(pl.col("_line") > pl.col("_line").min().over("_month", "_id"))
        .select("_line")
        .unique()
        .with_columns(pl.lit(True).alias("_bad"))
    )
    return (
        lf.select("_line")
        .join(bad, on="_line", how="left", maintain_order="left")
        .select(pl.col("_bad").is_null().alias("ok"))
    )


def pandera_polars_schema(plan: Plan) -> Any:
    import pandera.polars as pa
    import polars as pl

    rules, uniques, persons = plan.rules, plan.uniques, plan.persons

    def col_check(expr_fn, name):
        # a missing value is the business of ``nullable``, not of this check
        return pa.Check(
            lambda data: data.lazyframe.select(pl.col(data.key).is_null() | expr_fn(data.key)),
            name=name,
        )

    columns = {}
    for c in plan.cols:
        checks = []
        if c.codes is not None:
            checks.append(pa.Check.isin(list(c.codes)))
        if c.equals is not None:
            checks.append(pa.Check.eq(c.equals))
        if c.type == "identity":
            checks.append(col_check(lambda key, k=c.kinds: pl_identity_ok(key, k), "identity"))
        elif c.type in ("integer", "amount"):
            checks.append(col_check(lambda key, c=c: _pl_number_ok(c), "number"))
        elif c.pattern is not None and c.codes is None:
            checks.append(pa.Check.str_matches(f"^(?:{c.pattern})$"))
        if c.date:
            checks.append(
                col_check(
                    lambda key: pl.col(key).str.to_date("%Y%m%d", strict=False).is_not_null(),
                    "date",
                )
            )
        if c.max_length is not None:
            checks.append(pa.Check.str_length(max_value=c.max_length))
        columns[c.name] = pa.Column(
            pl.Utf8, checks=checks, nullable=not c.mandatory, unique=c.name in uniques
        )

    def frame_check(expr, name):
        return pa.Check(lambda data: data.lazyframe.select(expr), name=name, ignore_na=False)

    df_checks = [frame_check(_pl_rule_ok(r), r[0]) for r in rules]
    if persons is not None:
        df_checks.append(
            pa.Check(
                lambda data: _pl_persons_ok(data.lazyframe, persons),
                name="EKB-050/051",
                ignore_na=False,
            )
        )
    return pa.DataFrameSchema(columns, checks=df_checks, strict=True, ordered=True)


# --- running a peer ----------------------------------------------------------------------
# Each tool has a prepare step (build the schema: setup, not timed as work) and a run step
# (read the file and validate it: the work). A run returns a summary: the lines it
# flagged (1-based; None where the tool cannot say), or the error that stopped it.


def _lines_from_index(idx: Any) -> list[int]:
    return sorted({int(i) + 1 for i in idx if i is not None and i == i})


def prepare_frictionless(plan: Plan) -> Any:
    import frictionless

    return frictionless.Checklist(checks=frictionless_checks(plan))


def run_frictionless(path: Path, plan: Plan, prepared: Any, limit: int | None) -> dict[str, Any]:
    resource = frictionless_resource(path, plan)
    report = resource.validate(prepared, limit_rows=limit, limit_errors=10**9)
    errors = [e for t in report.tasks for e in t.errors] + list(report.errors)
    fatal = [e for e in errors if getattr(e, "row_number", None) is None]
    out: dict[str, Any] = {
        "valid": report.valid,
        "flagged_lines": sorted({e.row_number for e in errors if getattr(e, "row_number", None)}),
        "error_types": _count(e.type for e in errors),
    }
    if fatal:
        out["error"] = f"{fatal[0].type}: {fatal[0].message}"
    return out


def _count(items: Iterable[str]) -> dict[str, int]:
    out: dict[str, int] = {}
    for i in items:
        out[i] = out.get(i, 0) + 1
    return out


def _pandera_summary(exc: Any) -> dict[str, Any]:
    fc = exc.failure_cases
    if not hasattr(fc, "to_pandas") and hasattr(fc, "columns"):  # pandas
        idx = fc["index"].tolist()
        checks = fc["check"].astype(str).tolist()
    else:  # polars
        idx = fc.get_column("index").to_list()
        checks = [str(c) for c in fc.get_column("check").to_list()]
    return {
        "valid": False,
        "flagged_lines": _lines_from_index(idx),
        "failed_checks": _count(c[:60] for c in checks),
        "file_level_failures": sum(1 for i in idx if i is None or i != i),
    }


def prepare_pandera_pandas(plan: Plan) -> Any:
    return pandera_pandas_schema(plan)


def run_pandera_pandas(path: Path, plan: Plan, schema: Any, limit: int | None) -> dict[str, Any]:
    import pandera.errors

    df = pandas_read(path, plan.names)
    try:
        schema.validate(df, lazy=True)
    except pandera.errors.SchemaErrors as exc:
        return _pandera_summary(exc)
    return {"valid": True, "flagged_lines": [], "rows": len(df)}


def prepare_pandera_polars(plan: Plan) -> Any:
    return pandera_polars_schema(plan)


def run_pandera_polars(path: Path, plan: Plan, schema: Any, limit: int | None) -> dict[str, Any]:
    import pandera.errors

    df = polars_read(path, plan.names)
    try:
        schema.validate(df, lazy=True)
    except pandera.errors.SchemaErrors as exc:
        return _pandera_summary(exc)
    return {"valid": True, "flagged_lines": [], "rows": df.height}


PEERS = {
    "frictionless": (prepare_frictionless, run_frictionless),
    "pandera-pandas": (prepare_pandera_pandas, run_pandera_pandas),
    "pandera-polars": (prepare_pandera_polars, run_pandera_polars),
}
