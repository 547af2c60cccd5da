"""Hypothesis strategies for valid EKB records and files (used by
:mod:`sosreg.strategies`; needs the ``hypothesis`` extra)."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from sosreg.engine.records import record_class
from sosreg.engine.spec import FileSpec
from sosreg.engine.values import YearMonth
from sosreg.registers.ekb import checks
from sosreg.strategies import adult_identities, codes, field_values

MONTHS = [f"{m:02d}" for m in range(1, 13)]


def _reference(period: YearMonth | int) -> Any:
    import datetime as dt

    return period.last_day() if isinstance(period, YearMonth) else dt.date(period, 12, 31)


@st.composite
def _persons(draw: st.DrawFn, spec: FileSpec, period: YearMonth | int) -> tuple[str, str | None]:
    min_age = int(spec.params.get("min_age_sokande", 18))
    people = adult_identities(_reference(period), min_age)
    sokande = draw(people)
    medsokande = draw(st.none() | people.filter(lambda p: p != sokande))
    return sokande, medsokande


@st.composite
def records(draw: st.DrawFn, spec: FileSpec, year: int, period: YearMonth | int) -> Any:
    cls = record_class(spec)
    base = {f.name: draw(field_values(f, year, period)) for f in spec.fields}
    sokande, medsokande = draw(_persons(spec, period))
    base["sokande"], base["medsokande"] = sokande, medsokande
    has_med = medsokande is not None
    if spec.file in ("manad", "ao"):
        assert isinstance(period, YearMonth)
        lo = int(spec.params.get("avseendemanad_min_offset", 0))
        hi = int(spec.params.get("avseendemanad_max_offset", 0))
        base["period"] = period
        base["avseendemanad"] = period + draw(st.integers(lo, hi))
    if spec.file == "manad":
        base["antal_barn"] = draw(st.integers(0, checks.most_children(spec, year, period)))
        base["belopp_forsorjningsstod"] = draw(st.integers(1, 40_000))
        base["belopp_ovrigt"] = draw(st.integers(0, 20_000))
        for role, present in (("sokande", True), ("medsokande", has_med)):
            if not present:
                base[f"hinder_{role}"] = None
                base[f"insats_{role}"] = None
                base[f"insatsdagar_{role}"] = None
                continue
            base[f"hinder_{role}"] = draw(codes("ekb_hinderkod", year))
            insats = draw(codes("ekb_arbetsmarknadsinsats", year))
            base[f"insats_{role}"] = insats
            rule = checks.DAYS[role]  # EKB-027, declared once
            agree = [
                d
                for d in range(32)
                if rule.holds({f"insats_{role}": insats, rule.field: str(d)}.__getitem__)
            ]
            days = draw(st.none() | st.sampled_from(agree))
            base[f"insatsdagar_{role}"] = days
    elif spec.file == "ao":
        if not has_med:
            base["avslutsorsak_medsokande"] = None
        elif base["avslutsorsak_medsokande"] is None:
            base["avslutsorsak_medsokande"] = draw(codes("ekb_avslutsorsak", year))
    elif spec.file == "ar":
        paid = draw(st.lists(st.booleans(), min_size=12, max_size=12).filter(any))
        for mm, is_paid in zip(MONTHS, paid, strict=True):
            if not is_paid:
                for k in (
                    "belopp",
                    "hinder_sokande",
                    "hinder_medsokande",
                    "insats_sokande",
                    "insats_medsokande",
                ):
                    base[f"{k}_{mm}"] = None
                continue
            base[f"belopp_{mm}"] = draw(st.integers(1, 40_000))
            base[f"hinder_sokande_{mm}"] = draw(codes("ekb_hinderkod", year))
            base[f"insats_sokande_{mm}"] = draw(codes("ekb_arbetsmarknadsinsats", year))
            base[f"hinder_medsokande_{mm}"] = (
                draw(codes("ekb_hinderkod", year)) if has_med else None
            )
            base[f"insats_medsokande_{mm}"] = (
                draw(codes("ekb_arbetsmarknadsinsats", year)) if has_med else None
            )
        # the avslutsorsak (provisional fields): none, or one for the last paid month
        last = max(i for i, is_paid in enumerate(paid, start=1) if is_paid)
        ended = draw(st.booleans())
        base["avslut_manad"] = YearMonth(year, last) if ended else None
        for role in ("sokande", "hushall"):
            base[f"avslutsorsak_{role}"] = draw(codes("ekb_avslutsorsak", year)) if ended else None
        base["avslutsorsak_medsokande"] = (
            draw(codes("ekb_avslutsorsak", year)) if ended and has_med else None
        )
    return cls(**base)


def _people(rec: Any) -> set[str]:
    return {p for p in (rec.sokande, rec.medsokande) if p is not None}


@st.composite
def files(
    draw: st.DrawFn,
    spec: FileSpec,
    year: int,
    period: YearMonth | int,
    min_size: int,
    max_size: int,
) -> list[Any]:
    """Records with no person in two lines (EKB-050/051)."""
    out: list[Any] = []
    seen: set[str] = set()
    # TF00 ids are birth dates, not persons, and may repeat; numbers must not.
    target = draw(st.integers(min_size, max_size))
    attempts = 0
    while len(out) < target and attempts < target * 5:
        attempts += 1
        rec = draw(records(spec, year, period))
        people = _people(rec)
        if people & seen:
            continue
        seen |= people
        out.append(rec)
    if len(out) < min_size:
        from hypothesis import reject

        reject()
    return out
