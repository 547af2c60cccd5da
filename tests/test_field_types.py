"""Field types own their knowledge (issue 21 item 1): one object per spec type, asked by
the row engine, the compiled line functions, the columnar engine and the analysts' frames;
Luhn and the identity date rules only in ``sosreg.identity``; the ÅÅÅÅMM pattern once."""

from __future__ import annotations

import inspect
import random
import re
from pathlib import Path

import pytest

from sosreg import identity
from sosreg.engine.context import Context
from sosreg.engine.findings import Finding
from sosreg.engine.register import REGISTRY
from sosreg.engine.spec import CHECKS, FIELD_TYPES, FieldSpec
from sosreg.engine.types import TYPES, compile_field, field_type
from sosreg.engine.types.base import FieldType

SRC = Path(__file__).parent.parent / "src" / "sosreg"
MOVING = {"generate.py", "strategies.py"}
"""The generator (and its register parts), still to move onto the field types' hooks:
the registers' ``generate.py`` and ``strategies.py`` and the package ``sosreg/generate/``."""


def _sources() -> dict[str, str]:
    out = {}
    for p in SRC.rglob("*.py"):
        rel = p.relative_to(SRC).as_posix()
        if p.name in MOVING or rel.startswith("generate/"):
            continue
        out[rel] = p.read_text("utf-8")
    return out


# What each piece of knowledge looks like when written out, and the one file allowed to.
ONE_PLACE = {
    "the ÅÅÅÅMM pattern": (r"0\[1-9\]\|1\[0-2\]", {"engine/types/dates.py"}),
    "the Luhn doubling table": (r"0246813579|0, 2, 4, 6, 8, 1, 3, 5, 7, 9", {"identity.py"}),
    "a Luhn sum or check": (r"def \w*luhn\w*\(|doubled\s*-\s*9|2 \* d - 9", {"identity.py"}),
    "the samordningsnummer day": (r"\bd(?:ay)?\s*(?:[<>=!]=?|-)\s*60\b", {"identity.py"}),
    "the t3 id's shape": (r"T\[0-9\]\{3\}", {"identity.py"}),
    "the tf id's shape": (r"[?}]TF00", {"identity.py"}),
    "a number's canonical form": (r"\[1-9\]\[0-9\]\*", {"engine/types/number.py"}),
}


@pytest.mark.parametrize("what", sorted(ONE_PLACE))
def test_written_once(what: str) -> None:
    pattern, allowed = ONE_PLACE[what]
    rx = re.compile(pattern)
    found = {rel for rel, text in _sources().items() if rx.search(text)}
    assert found <= allowed, f"{what} written outside {sorted(allowed)}: {sorted(found - allowed)}"
    assert found, f"{what}: the pattern finds nothing (the test would not fail)"


def test_no_type_switch_outside_the_types() -> None:
    """Only the field types (and the spec, which checks its own options) branch on a
    field's type name to decide validity, casts or columns."""
    rx = re.compile(r"\.type (?:==|!=|in) \(?\"(?:integer|amount|year|date|yearmonth)\"")
    # spec.py checks a field's options; frames.py finds the statistikår's field by type
    allowed = {"engine/spec.py", "engine/types/number.py", "frames.py"}
    found = {rel for rel, text in _sources().items() if rx.search(text)}
    assert found <= allowed, sorted(found - allowed)


def test_every_spec_type_has_one_object() -> None:
    assert tuple(TYPES) == FIELD_TYPES
    for name, t in TYPES.items():
        assert isinstance(t, FieldType) and t.name == name
        for method in ("compile", "mask"):  # nothing to fall back on
            assert getattr(type(t), method) is not getattr(FieldType, method), (name, method)
        assert set(t.damages) <= set(CHECKS), name
        assert t.format_sv and t.format_en


def test_compiled_identity_test_is_identitys_own() -> None:
    """The compiled line functions inline :func:`sosreg.identity.twelve_digit_source`,
    which is the last line of :func:`~sosreg.identity.twelve_digit_kind` word for word."""
    expr = identity.twelve_digit_source("v").replace("L", "_L").replace("date_kind", "_date_kind")
    assert expr in inspect.getsource(identity.twelve_digit_kind)
    code = identity.twelve_digit_source("v")
    date_kind, l1, l2, l3 = identity.TWELVE_DIGIT_PARTS
    names = {"date_kind": date_kind, "L1": l1, "L2": l2, "L3": l3}
    rng = random.Random(21)
    for _ in range(2000):
        v = f"{rng.randrange(10**12):012d}"
        assert eval(code, names, {"v": v}) == identity.twelve_digit_kind(v), v


def test_luhn_tables_agree_with_luhn_ok() -> None:
    low, high = identity.luhn_sums(5), identity.luhn_sums(5, 5)
    rng = random.Random(7)
    for _ in range(2000):
        n = rng.randrange(10**10)
        digits = f"{n:010d}"
        assert ((low[n % 10**5] + high[n // 10**5]) % 10 == 0) == identity.luhn_ok(digits)


FIELDS = [
    FieldSpec("k", "k", "code", mandatory=True, width=2, pattern="[0-9]{2}", pad_width=4),
    FieldSpec("n", "n", "integer", mandatory=True, min=0, max=500),
    FieldSpec("a", "a", "amount", mandatory=True, min=-(10**6), max=10**6),
    FieldSpec("y", "y", "year", mandatory=True),
    FieldSpec("d", "d", "date", mandatory=True),
    FieldSpec("m", "m", "yearmonth", mandatory=True),
    FieldSpec("p", "p", "identity", mandatory=True),
    FieldSpec("t", "t", "text", mandatory=True, length=20),
]


@pytest.mark.parametrize("f", FIELDS, ids=lambda f: f.type)
def test_values_and_damages_through_the_converter(f: FieldSpec) -> None:
    """A field type's generator hooks, through its own converter: ``values`` gives a
    value with no finding; each damage makes its check fire."""
    from sosreg.engine.values import YearMonth

    ctx = Context(REGISTRY.resolve_spec("ekb", "manad", 2023), 2023, YearMonth(2023, 1))
    notes: list[Finding] = []
    cf = compile_field(f, ctx, notes)
    t = field_type(f)
    rng = random.Random(3)
    for _ in range(50):
        value = t.values(rng, f, codes=["01", "02"])
        out: list[Finding] = []
        cf.conv(value, 1, out)
        assert out == [], (value, out)
        for check, damage in t.damages.items():
            damaged = damage(f, value)
            if damaged is None:
                continue
            out = []
            cf.conv(damaged, 1, out)
            assert [x.code for x in out] == [f.rule_for(check)], (check, value, damaged)
