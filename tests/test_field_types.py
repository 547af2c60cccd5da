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
from sosreg.engine.types.base import Around, FieldType

SRC = Path(__file__).parent.parent / "src" / "sosreg"


def _sources() -> dict[str, str]:
    """Every module of ``src/sosreg`` (the generator and the strategies included)."""
    return {p.relative_to(SRC).as_posix(): p.read_text("utf-8") for p in SRC.rglob("*.py")}


# What each piece of knowledge looks like when written out, and the one file allowed to.
ONE_PLACE = {
    "the ÅÅÅÅMM pattern": (r"0\[1-9\]\|1\[0-2\]", {"engine/types/dates.py"}),
    "the Luhn doubling table": (r"0246813579|0, 2, 4, 6, 8, 1, 3, 5, 7, 9", {"identity.py"}),
    "a Luhn sum or check": (r"def \w*luhn\w*\(|doubled\s*-\s*9|2 \* d - 9", {"identity.py"}),
    "the samordningsnummer day": (r"\bd(?:ay)?\s*(?:[<>=!]=?|-|\+=)\s*60\b", {"identity.py"}),
    "the t3 id's shape": (r"T\[0-9\]\{3\}", {"identity.py"}),
    "the tf id's shape": (r"[?}]TF00", {"identity.py"}),
    "a number's canonical form": (r"\[1-9\]\[0-9\]\*", {"engine/types/number.py"}),
    "a tf id made": (r"\+\s*\"TF00\"|\}TF00\"", {"identity.py"}),
    "a t3 id made": (r"\}T\{\w+:03d\}", {"identity.py"}),
    "a wrong check digit": (r"\[:11\]\s*\+\s*str\(", {"identity.py"}),
    "a number in scientific notation": (r"E\+11\"", {"identity.py"}),
    "a day 32": (r"\+\s*\"32\"", {"engine/types/dates.py"}),
    "a month 13": (r"\+\s*\"13\"", {"engine/types/dates.py"}),
    "a date written ÅÅÅÅMMDD": (
        r"\.year:04d\}\{\w+\.month:02d\}\{\w+\.day",
        {"engine/values.py", "identity.py"},
    ),
    "a code list's codes of the year": (
        r"as_of\([^)]*\)\s*if \w+\.warning is None",
        {"engine/types/base.py"},
    ),
}

COPIES = {
    "the ÅÅÅÅMM pattern": 'MONTH = r"[0-9]{4}(0[1-9]|1[0-2])"',
    "the Luhn doubling table": "_DOUBLE: Final = (0, 2, 4, 6, 8, 1, 3, 5, 7, 9)",
    "a Luhn sum or check": "def luhn(digits):",
    "the samordningsnummer day": "day += 60",
    "the t3 id's shape": 'T3 = r"[0-9]{8}T[0-9]{3}"',
    "the tf id's shape": 'TF = r"[0-9]{4}([0-9]{2})?TF00"',
    "a number's canonical form": 'INTEGER = r"0|[1-9][0-9]*"',
    "a tf id made": 'return rng.choice((born, born[:6], born[:4])) + "TF00"',
    "a t3 id made": 'return f"{ymd(day)}T{number:03d}"',
    "a wrong check digit": "return value[:11] + str((int(value[11]) + 1) % 10)",
    "a number in scientific notation": 'text = f"{value[0]},{value[1:6]}E+11"',
    "a day 32": 'return value[:6] + "32"',
    "a month 13": 'return value[:4] + "13"',
    "a date written ÅÅÅÅMMDD": 'f"{day.year:04d}{day.month:02d}{day.day:02d}"',
    "a code list's codes of the year": "tuple(c.code for c in cl.as_of(when) if c.warning is None)",
}
"""What each piece of knowledge looked like where it was copied (the generator's and
the strategies' own copies before they asked the field types): the scan must find it."""


def test_the_scan_finds_every_copy() -> None:
    """Each pattern of :data:`ONE_PLACE` finds a copy as it was once written in the
    generator or the strategies (so :func:`test_written_once` can fail)."""
    assert set(COPIES) == set(ONE_PLACE)
    for what, text in COPIES.items():
        assert re.search(ONE_PLACE[what][0], text), what


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
    rx = re.compile(r"\.type (?:==|!=|in|not in) \(?\"(?:integer|amount|year|date|yearmonth)\"")
    # spec.py checks a field's options; frames.py finds the statistikår's field by type
    allowed = {"engine/spec.py", "engine/types/number.py", "frames.py"}
    found = {rel for rel, text in _sources().items() if rx.search(text)}
    assert found <= allowed, sorted(found - allowed)


def test_every_spec_type_has_one_object() -> None:
    assert tuple(TYPES) == FIELD_TYPES
    for name, t in TYPES.items():
        assert isinstance(t, FieldType) and t.name == name
        for method in ("compile", "mask", "draw"):  # nothing to fall back on
            assert getattr(type(t), method) is not getattr(FieldType, method), (name, method)
        assert set(t.damages) <= set(CHECKS), name
        assert all(d.check == check and d.how for check, d in t.damages.items()), name
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


def _check(t: FieldType, f: FieldSpec, ctx: Context, around: Around, seed: int) -> None:
    """``t.value`` gives values with no finding through the field's own converter, and
    each damage of ``t.damages_for(f)`` makes exactly its check's rule fire."""
    notes: list[Finding] = []
    cf = compile_field(f, ctx, notes)
    rng = random.Random(seed)
    fired: set[str] = set()
    for _ in range(40):
        value = t.value(rng, f, around)
        out: list[Finding] = []
        cf.conv(value, 1, out)
        assert out == [], (f.name, value, out)
        if value:
            assert t.typed(value, f, around) is not None
        for check, damage in t.damages_for(f).items():
            if check == "period.mismatch":
                continue  # the line's period against the file's: not the converter's
            damaged = damage.make(f, value, rng, around)
            if damaged is None or damaged == value:
                continue
            out = []
            cf.conv(damaged, 1, out)
            assert [x.code for x in out] == [f.rule_for(check)], (f.name, check, value, damaged)
            fired.add(check)
    return None


@pytest.mark.parametrize("f", FIELDS, ids=lambda f: f.type)
def test_values_and_damages_through_the_converter(f: FieldSpec) -> None:
    """A field type's generator hooks, through its own converter: ``value`` gives a
    value with no finding; each damage makes its check fire."""
    from sosreg.engine.values import YearMonth

    ctx = Context(REGISTRY.resolve_spec("ekb", "manad", 2023), 2023, YearMonth(2023, 1))
    _check(field_type(f), f, ctx, Around(2023, YearMonth(2023, 1), empty=0.3), 3)


def _specs() -> list[tuple[str, str, int]]:
    return sorted(
        {
            (s.register, s.file, s.years_from)
            for r in REGISTRY.names()
            for s in REGISTRY.all_specs(r)
        }
    )


@pytest.mark.parametrize(("register", "file", "year"), _specs())
def test_every_built_in_field_values_and_damages(register: str, file: str, year: int) -> None:
    """Every field of every built-in spec: its type's values pass its converter (code
    lists of the year, ranges, specials, accepted kinds) and each damage the type
    offers for it fires that check's rule alone."""
    from sosreg.engine.values import YearMonth

    spec = REGISTRY.resolve_spec(register, file, year)
    period: YearMonth | int = YearMonth(year, 6) if spec.period == "month" else year
    ctx = Context(spec, year, period)
    around = Around(year, period, period_field=spec.period_field, empty=0.2)
    for i, f in enumerate(spec.fields):
        _check(field_type(f), f, ctx, around, i)


def test_the_period_field_holds_the_period() -> None:
    from sosreg.engine.values import YearMonth

    spec = REGISTRY.resolve_spec("ekb", "manad", 2023)
    assert spec.period_field is not None
    f = spec.field(spec.period_field)
    around = Around(2023, YearMonth(2023, 4), period_field=f.name)
    assert field_type(f).value(random.Random(1), f, around) == "202304"
    d = field_type(f).damages_for(f)["period.mismatch"]
    assert d.make(f, "202304", random.Random(1), around) == "202305"


def _near(value: str) -> list[str]:
    """Values next to ``value``: one character more, fewer, another, in other case."""
    out = [value + "0", value[:-1], "0" + value, value.lower(), value.upper(), value + " "]
    out += [value[:i] + c + value[i + 1 :] for i in range(len(value)) for c in "09A-"]
    return out


@pytest.mark.parametrize(("register", "file", "year"), _specs())
def test_line_patterns_match_only_what_masks_accept(register: str, file: str, year: int) -> None:
    """A field type's ``line_pattern`` (the columnar engine's first pass tests such
    fields in one match over the line): every value it matches, its mask accepts; it
    matches every code of the field's list (else those lines are only flagged, but the
    pass is slower); it never matches a ``;``. Checked on every field of every
    built-in spec, with the codes, values next to them and random text."""
    pl = pytest.importorskip("polars")
    from sosreg.engine.columnar import field_ok
    from sosreg.engine.values import YearMonth

    spec = REGISTRY.resolve_spec(register, file, year)
    period: YearMonth | int = YearMonth(year, 6) if spec.period == "month" else year
    ctx = Context(spec, year, period)
    rng = random.Random(f"{register}{file}{year}")
    for f in spec.fields:
        cf = compile_field(f, ctx, [])
        pattern = field_type(f).line_pattern(cf)
        if pattern is None:
            continue
        # the values the pattern must match: the codes, the numbers of the range
        must = sorted(cf.fast)
        if f.min is not None and f.max is not None:
            top = f.max if f.length is None else min(f.max, 10**f.length - 1)
            edge = [f.min, f.min + 1, top - 1, top, *(rng.randint(f.min, top) for _ in range(50))]
            must += [str(v) for v in edge if f.min <= v <= top]
            must += sorted(cf.specials)
        if f.type == "year":
            must += ["1900", "2023", "2099"]
        if f.type == "yearmonth":
            must += [f"{y}{m:02d}" for y in (1900, 2023, 2099) for m in range(1, 13)]
        if f.type == "text":  # plain text up to the field's length
            must += ["A", "z9", ("Ab1-/" * 20)[: f.length or 20]]
        assert must, f.name
        values = must + [v for c in must for v in _near(c)] + ["", ";", "1;2", "-1", "00"]
        values += [
            "".join(rng.choice("0123456789AXx;- ") for _ in range(rng.randint(0, 12)))
            for _ in range(300)
        ]
        frame = pl.DataFrame({f.name: values}, schema={f.name: pl.String})
        got = frame.select(
            pl.col(f.name).str.contains(f"^(?:{pattern})$").alias("pattern"),
            field_ok(pl, cf, ctx).alias("mask"),
        )
        for value, matched, ok in zip(values, got["pattern"], got["mask"], strict=True):
            assert not matched or (ok and value and ";" not in value), (f.name, value)
        missed = [v for v, m in zip(must, got["pattern"], strict=False) if not m]
        assert missed == [], (f.name, missed[:5])
        # only plain characters: the first pass takes a line it matches for not suspect
        assert _alphabet(pattern) <= PLAIN, (f.name, pattern)


PLAIN = frozenset(range(0x21, 0x7F)) - {ord('"'), ord(";")}
"""The characters of a plain line's values (:data:`sosreg.engine.masks.PLAIN_VALUE`)."""


def _alphabet(pattern: str) -> frozenset[int]:
    """Every character ``pattern`` can match, read from its parse tree; a class that is
    negated or a category (``.``, ``\\d``, ``[^x]``) counts as every character."""
    import re._parser as sre  # type: ignore[import-not-found]

    everything = frozenset(range(0x110000))
    out: set[int] = set()

    def walk(items: object) -> None:
        for op, arg in items:  # type: ignore[attr-defined]
            name = str(op)
            if name == "LITERAL":
                out.add(arg)
            elif name == "IN":
                if any(str(o) in ("NEGATE", "CATEGORY") for o, _ in arg):
                    out.update(everything)
                for o, a in arg:
                    if str(o) == "LITERAL":
                        out.add(a)
                    elif str(o) == "RANGE":
                        out.update(range(a[0], a[1] + 1))
            elif name in ("ANY", "NOT_LITERAL", "CATEGORY"):
                out.update(everything)
            elif name == "BRANCH":
                for branch in arg[1]:
                    walk(branch)
            elif name == "SUBPATTERN":
                walk(arg[-1])
            elif name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
                walk(arg[2])
            elif name != "AT":
                out.update(everything)  # anything else: not proven plain

    walk(sre.parse(pattern))
    return frozenset(out)


@pytest.mark.parametrize(
    ("pattern", "plain"),
    [
        *[("0180|0181", True), ("[0-9]{4}", True), ("(?:1|2)?", True), ("[!#-:<-~]*", True)],
        *[("0 1", False), ("1;2", False), ('"1"', False), (".", False), (r"\d", False)],
        *[("[^;]*", False), ("[ -~]", False), ("å", False)],
    ],
)
def test_the_alphabet_check_reads_patterns(pattern: str, plain: bool) -> None:
    """The check above would catch a pattern that matches a space, quote, ``;``,
    non-ASCII or any character at all."""
    assert (_alphabet(pattern) <= PLAIN) is plain


def test_a_line_pattern_that_matched_too_much_would_be_caught() -> None:
    """The check above fails for a pattern that accepts a value the mask refuses."""
    pl = pytest.importorskip("polars")
    from sosreg.engine.columnar import field_ok
    from sosreg.engine.values import YearMonth

    spec = REGISTRY.resolve_spec("sol", "sol1", 2023)
    ctx = Context(spec, 2023, YearMonth(2023, 6))
    f = spec.field("boendeform")
    cf = compile_field(f, ctx, [])
    wide = field_type(f).line_pattern(cf) + "|7"
    frame = pl.DataFrame({f.name: ["7"]})
    got = frame.select(
        pl.col(f.name).str.contains(f"^(?:{wide})$").alias("pattern"),
        field_ok(pl, cf, ctx).alias("mask"),
    )
    assert got.row(0) == (True, False)


@pytest.mark.parametrize(
    ("lo", "hi"),
    [(0, 0), (0, 9), (1, 1), (0, 744), (1, 99999), (5, 5), (10, 10), (99, 100), (0, 10**9 - 1)]
    + [(lo, hi) for lo in range(0, 130, 29) for hi in range(lo, 1300, 211)]
    + [(123, 45678), (1000, 1000), (999, 1001), (20, 799)],
)
def test_number_range_is_exactly_the_range(lo: int, hi: int) -> None:
    """``number_range`` (a number field's line pattern): the canonical numbers from
    ``lo`` to ``hi``, no other (no leading zero, sign or space)."""
    from sosreg.engine.types.number import number_range

    rx = re.compile(f"(?:{number_range(lo, hi)})")
    rng = random.Random(lo * 7919 + hi)
    near = {*range(max(0, lo - 25), lo + 25), *range(max(0, hi - 25), hi + 25)}
    for v in near | {rng.randint(0, 2 * hi + 10) for _ in range(300)}:
        assert bool(rx.fullmatch(str(v))) == (lo <= v <= hi), (v, number_range(lo, hi))
    for text in (f"0{lo}", f"-{lo}", f"+{lo}", f"{lo} ", "", "00"):
        assert not rx.fullmatch(text), text


@pytest.mark.parametrize(("register", "file", "year"), _specs())
def test_quick_masks_accept_only_what_masks_accept(register: str, file: str, year: int) -> None:
    """A field type's ``quick_mask`` (the first pass tests every line with it, and only
    the lines it leaves false with the mask): true only where the mask is, never null,
    and true on the common valid values (personnummer, samordningsnummer). Checked on
    every identity kind and near misses, for every field of every built-in spec."""
    pl = pytest.importorskip("polars")
    from sosreg.engine.masks import field_ok, value_ok
    from sosreg.engine.values import YearMonth

    spec = REGISTRY.resolve_spec(register, file, year)
    period: YearMonth | int = YearMonth(year, 6) if spec.period == "month" else year
    ctx = Context(spec, year, period)
    around = Around(year, period, period_field=spec.period_field, empty=0.2)
    rng = random.Random(f"{register}{file}{year}")
    checked = []
    for f in spec.fields:
        cf = compile_field(f, ctx, [])
        kind = field_type(f)
        if kind.quick_mask(pl, pl.col(f.name), cf) is None:
            continue
        checked.append(f.name)
        values = [kind.value(rng, f, around) for _ in range(300)]
        values += [v for v in values[:40] for v in _near(v)] + ["", "x", "19121212121"]
        frame = pl.DataFrame({f.name: values}, schema={f.name: pl.String})
        got = frame.select(
            field_ok(pl, cf, ctx, quick=True).alias("quick"), field_ok(pl, cf, ctx).alias("mask")
        )
        assert got["quick"].null_count() == 0
        for value, quick, ok in zip(values, got["quick"], got["mask"], strict=True):
            assert not quick or ok, (f.name, value)
            assert ok == value_ok(cf, value), (f.name, value)  # the reference agrees
        twelve = [v for v in values if len(v) == 12 and v.isdigit() and value_ok(cf, v)]
        assert twelve and all(
            frame.filter(pl.col(f.name).is_in(twelve))
            .select(field_ok(pl, cf, ctx, quick=True))
            .to_series()
        )
    if (register, file) == ("ekb", "manad"):  # ids of every kind: sokande, medsokande
        assert checked == ["sokande", "medsokande"]


def test_a_finding_made_again_is_the_same_finding_on_its_line() -> None:
    """A field's findings are made once per value (``FieldChecks.emit`` remembers
    them: :class:`~sosreg.engine.findings.Seen`) and stamped on later lines: each is
    the finding a fresh ``Context.finding`` makes on that line, masked alike; another
    value, parameters that cannot be hashed, and a full memory make them anew."""
    from sosreg.engine.fields import FieldChecks
    from sosreg.engine.findings import Category, Seen, Stamp

    spec = REGISTRY.resolve_spec("ekb", "manad", 2023)
    ctx = Context(spec, 2023, 2023)
    f = spec.field("sokande")
    checks = FieldChecks(f, ctx, "ett id", "an id")
    out: list[Finding] = []
    for line in (3, 7, 9):
        checks.emit(out, "identity", line, "197704068556", reason="luhn")
    checks.emit(out, "identity", 11, "197704068557", reason="luhn")
    checks.emit(out, "identity", 12, "197704068557", reason=["not", "hashable"])
    fresh = [
        ctx.finding(
            f.rule_for("identity"),
            line=line,
            field=f.name,
            value=value,
            category=Category.FIELD,
            collector=f.collector,
            reason=reason,
        )
        for line, value, reason in [
            (3, "197704068556", "luhn"),
            (7, "197704068556", "luhn"),
            (9, "197704068556", "luhn"),
            (11, "197704068557", "luhn"),
            (12, "197704068557", ["not", "hashable"]),
        ]
    ]
    assert out == fresh
    assert [f.line for f in out] == [3, 7, 9, 11, 12]
    assert "197704068556" not in repr(out) and out[1].value == out[0].value
    seen = Seen(size=2)
    a, b, c = (ctx.finding("SOS-110", line=n, value=str(n)) for n in (1, 2, 3))
    assert seen.get("a", 5) is None and seen.put("a", a) is a
    assert seen.get("a", 6) == ctx.finding("SOS-110", line=6, value="1")
    assert isinstance(seen.items["a"], Stamp)
    seen.put("b", b)
    seen.put("c", c)  # full: starts again
    assert seen.get("a", 7) is None and seen.get("c", 8) is not None
    assert seen.get(["unhashable"], 1) is None and seen.put(["unhashable"], a) is a
