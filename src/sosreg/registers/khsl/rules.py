"""The rules of the KHSL register. Metadata in ``rules.toml``; the KVÅ field's form,
group codes, padding and yrkesbeteckningar in the wrong field are field checks named in
``specs/khsl2_2019.toml``."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sosreg import identity
from sosreg.engine import conditions as cond
from sosreg.engine.context import Context
from sosreg.engine.delivery import change_finding
from sosreg.engine.findings import Finding
from sosreg.engine.values import to_text
from sosreg.registers.khsl.records import Khsl1, Khsl2
from sosreg.registers.khsl.register import REGISTER

YRKEN = [f"yrkesbeteckning_{i}" for i in range(1, 6)]
SEX = {"1": "M", "2": "K"}
SEX_LABEL_SV = {"M": "man (1)", "K": "kvinna (2)"}
SEX_LABEL_EN = {"M": "male (1)", "K": "female (2)"}


_DATUM = cond.field("datum")
IN_PERIOD = cond.Check(
    "KHSL-002",
    "datum",
    _DATUM.given().implies((_DATUM >= cond.PERIOD_START) & (_DATUM <= cond.PERIOD_END)),
    args={"period": cond.PERIOD},
)
"""KHSL-002, declared once: the action dated in the file's month."""
REGISTER.simple(IN_PERIOD, files=("khsl2",), name="date_in_period")


def _professions_mask(c: Any) -> Any:
    out = c.pl.lit(False)
    for i, a in enumerate(YRKEN):
        for b in YRKEN[i + 1 :]:
            out = out | ((c[a] == "") & (c[b] != "")) | ((c[a] != "") & (c[a] == c[b]))
    return out


@REGISTER.record(("KHSL-020", "KHSL-021"), files=("khsl2",), mask=_professions_mask)
def professions(rec: Khsl2, line: int, ctx: Context) -> Iterator[Finding]:
    first_empty: str | None = None
    seen: dict[str, str] = {}
    for field in YRKEN:
        value = getattr(rec, field)
        if value is None:
            first_empty = first_empty or field
            continue
        if first_empty is not None:
            yield ctx.finding("KHSL-020", line=line, field=field, value=value, empty=first_empty)
            first_empty = None
        if value in seen:
            yield ctx.finding("KHSL-021", line=line, field=field, value=value, first=seen[value])
        else:
            seen[value] = field


def _sex_mask(c: Any) -> Any:
    digit = c["personnummer"].str.slice(10, 1).cast(c.pl.Int32, strict=False)
    return ((c["kon"] == "1") & (digit % 2 == 0)) | ((c["kon"] == "2") & (digit % 2 == 1))


@REGISTER.record("KHSL-022", mask=_sex_mask)
def sex_matches_number(rec: Khsl1 | Khsl2, line: int, ctx: Context) -> Iterator[Finding]:
    sex, number = rec.kon, rec.personnummer
    if sex not in SEX or number is None:
        return
    who = identity.parse(number)
    if isinstance(who, identity.Identity) and who.sex is not None and who.sex != SEX[sex]:
        yield ctx.finding(
            "KHSL-022",
            line=line,
            field="kon",
            value=sex,
            expected_sv=SEX_LABEL_SV[who.sex],
            expected_en=SEX_LABEL_EN[who.sex],
        )


REGISTER.unique("KHSL-030", files=("khsl1",), field="personnummer", fields=("personnummer",))
REGISTER.unique(
    "KHSL-031",
    files=("khsl2",),
    field="personnummer",
    fields=("personnummer", "kva", "datum", *YRKEN),
    required=("personnummer", "kva", "datum"),
    params=lambda rec: {"kva": rec.kva, "date": to_text(rec.datum)},
)


@REGISTER.previous("KHSL-080")
def compared_with_previous(current: Any, previous: Any) -> Iterator[Finding]:
    limit = float(current.context.params.get("previous_max_change_pct", 30))
    yield from change_finding(
        "KHSL-080", current, previous, len(current.records), len(previous.records), limit
    )
