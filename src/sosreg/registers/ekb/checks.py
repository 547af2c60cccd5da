"""The EKB rules declared once, as conditions over one line's fields
(:mod:`sosreg.engine.conditions`): the row check, the columnar mask, the strategies'
and the generator's constraints and the injectors' damage all come from here (registered in
:mod:`sosreg.registers.ekb.rules`)."""

from __future__ import annotations

from typing import Any

from sosreg.engine.conditions import Check, env_of, field, param, values
from sosreg.engine.spec import FileSpec

ROLES = ("sokande", "medsokande")
MED = field("medsokande")


def days_agree(role: str) -> Check:
    """EKB-027: insatsdagar (when given) are 0 exactly when the insats is 0 (none)."""
    insats, days = field(f"insats_{role}"), field(f"insatsdagar_{role}")
    return Check(
        "EKB-027",
        f"insatsdagar_{role}",
        (insats.given() & days.given()).implies((insats == "0").iff(days == 0)),
        args={"insats": f"insats_{role}"},
    )


def only_with_med(name: str) -> Check:
    """EKB-024: a medsökande's field is empty on a line without a medsökande."""
    return Check("EKB-024", name, MED.empty().implies(field(name).empty()))


def needed_with_med(name: str) -> Check:
    """EKB-025: a medsökande's field is filled on a line with a medsökande."""
    return Check("EKB-025", name, MED.given().implies(field(name).given()))


def _paired(*names: str) -> tuple[Check, ...]:
    return tuple(c for n in names for c in (needed_with_med(n), only_with_med(n)))


def something_paid() -> Check:
    """EKB-028: something paid in the month (one amount above 0)."""
    a, b = field("belopp_forsorjningsstod"), field("belopp_ovrigt")
    return Check(
        "EKB-028", "belopp_forsorjningsstod", (a.given() & b.given()).implies((a > 0) | (b > 0))
    )


MAX_CHILDREN = param("plausible_max_antal_barn")


def plausible_children() -> Check:
    """EKB-030: at most ``plausible_max_antal_barn`` children (a warning)."""
    n = field("antal_barn")
    return Check("EKB-030", "antal_barn", ~(n > MAX_CHILDREN), args={"limit": MAX_CHILDREN})


DAYS = {role: days_agree(role) for role in ROLES}
CHILDREN = plausible_children()
MED_MANAD = (
    *_paired("hinder_medsokande", "insats_medsokande"),
    only_with_med("insatsdagar_medsokande"),  # may be empty with a medsökande
)
MED_AO = _paired("avslutsorsak_medsokande")
PAID = something_paid()


def most_children(spec: FileSpec, year: int, period: Any) -> int:
    """The most children a household may have without EKB-030 (:data:`CHILDREN` on the
    file's params) within the field's range: the generator's and the strategies' bound."""
    f = spec.field("antal_barn")
    env = env_of(spec, year, period)
    counts = [str(n) for n in range(f.min or 0, (f.max or 99) + 1)]
    return max(int(n) for n in values(CHILDREN, "".format, f.name, counts, env=env))
