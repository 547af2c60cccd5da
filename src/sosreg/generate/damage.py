"""The damage every register gets: the line stage (SOS-1xx, SOS-019, SOS-214:
:data:`LINE_INJECTORS`) and every field check (SOS-2xx and the register codes fields
give them, e.g. EKB-013), derived from the specs (:data:`FIELD_DAMAGE`)."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Final

from sosreg.codelists import CodeList, Validity
from sosreg.engine.source import MAX_LINE
from sosreg.engine.spec import CHECKS, FieldSpec, FileSpec
from sosreg.engine.values import YearMonth
from sosreg.generate.inject import Injector, on_line
from sosreg.generate.lines import Line
from sosreg.generate.maker import InjectContext

__all__ = [
    "FIELD_DAMAGE",
    "FIELD_HOW",
    "FORMAT_HOW",
    "LINE_INJECTORS",
    "field_injector",
    "field_targets",
    "how",
]

# --- the line stage (SOS-1xx) ----------------------------------------------------------


def _fields_of_kind(line: Line, ctx: InjectContext, kinds: tuple[str, ...]) -> list[int]:
    spec = ctx.spec(line.file)
    return [i for i, f in enumerate(spec.fields) if f.type in kinds]


def _inner_fields(line: Line, ctx: InjectContext) -> list[int]:
    """Positions of non-empty fields that are neither first nor last, nor the kommun
    or period (which decide the file's facts when it has no Filip name)."""
    spec = ctx.spec(line.file)
    skip = {spec.kommun_field, spec.period_field, spec.period_hint_field}
    last = len(line.fields) - 1
    return [
        i
        for i, f in enumerate(spec.fields)
        if 0 < i < last and line.fields[i] and f.name not in skip
    ]


def _blank_line(line: Line, ctx: InjectContext) -> list[Line]:
    blank = line.copy()
    blank.text = ""
    return [line, *blank.expecting("SOS-101")]


def _long_line(line: Line, ctx: InjectContext) -> list[Line]:
    long = line.copy()
    long.text = line.joined() + "9" * (MAX_LINE + 1)
    return [line, *long.expecting("SOS-102")]


def _control(line: Line, ctx: InjectContext) -> list[Line] | None:
    inner = _inner_fields(line, ctx)
    if not inner:
        return None
    i = ctx.rng.choice(inner)
    line.fields[i] = line.fields[i] + "\x01"
    return line.expecting("SOS-103")


def _quoted_line(line: Line, ctx: InjectContext) -> list[Line]:
    line.text = f'"{line.joined()}"'
    return line.expecting("SOS-104")


def _quoted_value(line: Line, ctx: InjectContext) -> list[Line] | None:
    inner = _inner_fields(line, ctx)
    if not inner:
        return None
    i = ctx.rng.choice(inner)
    line.fields[i] = f'"{line.fields[i]}"'
    return line.expecting("SOS-105")


def _header(line: Line, ctx: InjectContext) -> list[Line]:
    header = line.copy()
    header.text = ";".join(f.label for f in ctx.spec(line.file).fields)
    return [*header.expecting("SOS-106"), line]


def _tabs(line: Line, ctx: InjectContext) -> list[Line]:
    line.text = "\t".join(line.fields)
    return line.expecting("SOS-107")


def _short_line(line: Line, ctx: InjectContext) -> list[Line]:
    short = line.copy()
    short.text = ";".join(line.fields[:-1])
    return [line, *short.expecting("SOS-108")]


def _trailing_semicolon(line: Line, ctx: InjectContext) -> list[Line]:
    line.text = line.joined() + ";"
    return line.expecting("SOS-109")


def _spaces(line: Line, ctx: InjectContext) -> list[Line] | None:
    inner = _inner_fields(line, ctx)
    if not inner:
        return None
    i = ctx.rng.choice(inner)
    line.fields[i] = " " + line.fields[i]
    return line.expecting("SOS-110")


def _split_line(line: Line, ctx: InjectContext) -> list[Line] | None:
    """A copy of the line broken inside a field of digits: two short lines."""
    inner = [
        i
        for i in _inner_fields(line, ctx)
        if len(line.fields[i]) >= 2 and line.fields[i].isdigit() and i < len(line.fields) - 2
    ]
    if not inner:
        return None
    i = ctx.rng.choice(inner)
    value = line.fields[i]
    cut = len(value) // 2
    first, second = line.copy(), line.copy()
    first.text = ";".join([*line.fields[:i], value[:cut]])
    second.text = ";".join([value[cut:], *line.fields[i + 1 :]])
    first.expect += ["SOS-111", "SOS-108"]
    second.expect.append("SOS-108")
    return [line, first, second]


def _bad_byte(line: Line, ctx: InjectContext) -> list[Line] | None:
    """A byte that is not UTF-8 (``\\xff``) in a text field (the file has a BOM, so it
    is read as UTF-8 and the byte is replaced)."""
    spec = ctx.spec(line.file)
    texts = [i for i, f in enumerate(spec.fields) if f.type == "text" and not line.fields[i]]
    if not texts:
        return None
    line.fields[ctx.rng.choice(texts)] = "\udcff"
    return line.expecting("SOS-112")


def _zero_width_bom(line: Line, ctx: InjectContext) -> list[Line] | None:
    """A byte order mark (U+FEFF, invisible) as the value of an empty text field."""
    spec = ctx.spec(line.file)
    texts = [i for i, f in enumerate(spec.fields) if f.type == "text" and not line.fields[i]]
    if not texts:
        return None
    line.fields[ctx.rng.choice(texts)] = "\ufeff"
    return line.expecting("SOS-019")


def _other_kommun(line: Line, ctx: InjectContext) -> list[Line] | None:
    name = ctx.spec(line.file).kommun_field
    if name is None:
        return None
    taken = set(line.fields)
    choices = [k for k in ctx.maker.codes("kommun") if k not in taken and k != ctx.kommun]
    line[name] = ctx.rng.choice(choices)
    return line.expecting("SOS-214")


LINE_INJECTORS: Final = (
    on_line("SOS-101", _blank_line, "insert a blank line"),
    on_line("SOS-102", _long_line, f"insert a copy of a line longer than {MAX_LINE} characters"),
    on_line("SOS-103", _control, "a control character (\\x01) in a value"),
    on_line("SOS-104", _quoted_line, "quotes around the whole line"),
    on_line("SOS-105", _quoted_value, "quotes around one value"),
    on_line("SOS-106", _header, "insert a header line (the fields' labels)"),
    on_line("SOS-107", _tabs, "tabs instead of semicolons"),
    on_line("SOS-108", _short_line, "insert a copy of a line without its last field"),
    on_line("SOS-109", _trailing_semicolon, "a semicolon ending the line"),
    on_line("SOS-110", _spaces, "a space before a value"),
    on_line(
        "SOS-111",
        _split_line,
        "insert a copy of a line broken in two inside a value",
        companions=("SOS-108",),
    ),
    on_line("SOS-112", _bad_byte, "a byte that is not UTF-8 in a text field", bom=True),
    on_line("SOS-019", _zero_width_bom, "a byte order mark (U+FEFF) as a text field's value"),
    on_line("SOS-214", _other_kommun, "another kommun's code on the line"),
)


# --- field checks (SOS-2xx and the register codes fields give them) -------------------------

FieldDamage = Callable[[FieldSpec, str, Line, InjectContext], "str | None"]
"""``(field, value, line, ctx) -> damaged value`` (``None``: not this value)."""

_NUMERIC: Final = ("integer", "amount", "year")
_UNKNOWN_TRIES: Final = ("99", "98", "97", "Q", "QQ", "QQQ")


def list_of(f: FieldSpec, ctx: InjectContext) -> CodeList | None:
    if f.codelist is None:
        return None
    cl = ctx.maker.codelist(f.codelist)
    return cl if cl is not None and cl.as_of(ctx.when) else None


def _shape_ok(f: FieldSpec, value: str) -> bool:
    """``value`` passes the field's pattern and none of its rejects (so that a code
    check, not a shape check, decides)."""
    if f.pattern and not re.fullmatch(f.pattern, value, re.ASCII):
        return False
    return not any(re.search(rx, value, re.ASCII) for rx in f.reject.values())


def _mandatory(f: FieldSpec, value: str, line: Line, ctx: InjectContext) -> str | None:
    return "" if f.mandatory and value else None


def _format(f: FieldSpec, value: str, line: Line, ctx: InjectContext) -> str | None:
    if not value:
        return None
    if f.type == "date":
        return value[:6] + "32"
    if f.type == "yearmonth":
        return value[:4] + "13"
    if f.type == "year":
        return value[2:]
    if f.type == "integer":
        return "0" + value
    if f.type == "amount":
        return value + ",50"
    if f.type == "code" and f.pattern:
        low = value.lower()
        return low if low != value else None
    return None


def _length(f: FieldSpec, value: str, line: Line, ctx: InjectContext) -> str | None:
    if f.type != "text" or f.length is None:
        return None
    return "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[: f.length + 1] if f.length < 26 else "X" * (f.length + 1)


def _range(f: FieldSpec, value: str, line: Line, ctx: InjectContext) -> str | None:
    if f.type not in ("integer", "amount") or not value:
        return None
    special = ctx.maker.codes(f.special) if f.special else ()
    for candidate in (
        f.max + 1 if f.max is not None else None,
        f.min - 1 if f.min is not None and (f.min > 0 or f.type == "amount") else None,
    ):
        if candidate is not None and str(candidate) not in special:
            return str(candidate)
    return None


def _unknown(f: FieldSpec, value: str, line: Line, ctx: InjectContext) -> str | None:
    cl = list_of(f, ctx)
    if cl is None or not value:
        return None
    width = f.width or cl.width
    tries = [c * width for c in "987Q"] if width else list(_UNKNOWN_TRIES)
    # a code of the field's shape: the value with one character changed
    tries += [
        value[:i] + c + value[i + 1 :]
        for i in range(len(value) - 1, -1, -1)
        for c in ("0123456789" if value[i].isdigit() else "QXZ")
    ]
    for candidate in tries:
        if candidate not in cl and _shape_ok(f, candidate):
            return candidate
    return None


def _listed(
    f: FieldSpec,
    value: str,
    line: Line,
    ctx: InjectContext,
    status: Validity,
    *,
    warning: bool = False,
) -> str | None:
    cl = list_of(f, ctx)
    if cl is None or not value:
        return None
    found = [
        c.code
        for c in cl.codes
        if cl.lookup(c.code, ctx.when)[0] is status
        and (c.warning is not None) == warning
        and _shape_ok(f, c.code)
        and c.code not in line.fields
    ]
    return ctx.rng.choice(found) if found else None


def _expired(f: FieldSpec, value: str, line: Line, ctx: InjectContext) -> str | None:
    return _listed(f, value, line, ctx, Validity.EXPIRED)


def _not_yet(f: FieldSpec, value: str, line: Line, ctx: InjectContext) -> str | None:
    return _listed(f, value, line, ctx, Validity.NOT_YET)


def _flagged(f: FieldSpec, value: str, line: Line, ctx: InjectContext) -> str | None:
    return _listed(f, value, line, ctx, Validity.VALID, warning=True)


def _lost_zero(f: FieldSpec, value: str, line: Line, ctx: InjectContext) -> str | None:
    cl = list_of(f, ctx)
    width = (f.width or cl.width) if cl is not None else None
    if cl is None or width is None or not value:
        return None
    zeros = [value] if value.startswith("0") else []
    zeros += [c for c in ctx.maker.codes(f.codelist or "") if c.startswith("0") and c != value]
    for code in zeros:
        short = code[1:]
        if cl.lookup(short, ctx.when)[0] is Validity.UNKNOWN and code not in line.fields:
            return short
    return None


def _identity(f: FieldSpec, value: str, line: Line, ctx: InjectContext) -> str | None:
    if len(value) != 12 or not value.isdigit():
        return None
    return value[:11] + str((int(value[11]) + 1) % 10)


def _scientific(f: FieldSpec, value: str, line: Line, ctx: InjectContext) -> str | None:
    if len(value) != 12 or not value.isdigit():
        return None
    text = f"{value[0]},{value[1:6]}E+11"
    return text if ctx.fresh(f"{f.name}:{text}") else None


def _period(f: FieldSpec, value: str, line: Line, ctx: InjectContext) -> str | None:
    period = ctx.period
    if f.type == "year":
        return str((period.year if isinstance(period, YearMonth) else period) + 1)
    if f.type == "yearmonth" and isinstance(period, YearMonth):
        return str(period + 1)
    return None


def _padded(f: FieldSpec, value: str, line: Line, ctx: InjectContext) -> str | None:
    if f.pad_width is None or not value or len(value) >= f.pad_width:
        return None
    return value + "0" * (f.pad_width - len(value))


def _identity_number(f: FieldSpec, value: str, line: Line, ctx: InjectContext) -> str | None:
    """A personnummer where a number belongs (SOS-215): Skatteverket's test number."""
    return "191212121212"


FIELD_DAMAGE: Final[Mapping[str, FieldDamage]] = {
    "mandatory": _mandatory,
    "format": _format,
    "length": _length,
    "range": _range,
    "code.unknown": _unknown,
    "code.expired": _expired,
    "code.not_yet": _not_yet,
    "code.lost_zero": _lost_zero,
    "code.flagged": _flagged,
    "identity": _identity,
    "identity.scientific": _scientific,
    "period.mismatch": _period,
    "code.padded": _padded,
    "number.identity": _identity_number,
}
"""Generic field check -> how to damage a value so that the check fires (every check
of :data:`sosreg.engine.spec.CHECKS`)."""

FIELD_HOW: Final[Mapping[str, str]] = {
    "mandatory": "blank a mandatory value",
    "format": "a value of the wrong form",
    "length": "a value one character too long",
    "range": "a number just outside its range",
    "code.unknown": "a code not in the code list",
    "code.expired": "a code that is no longer valid",
    "code.not_yet": "a code not yet valid",
    "code.lost_zero": "a code with its leading zero dropped",
    "code.flagged": "a code the list flags with a warning",
    "identity": "a personnummer with a wrong check digit",
    "identity.scientific": "a personnummer in scientific notation (1,99201E+11)",
    "period.mismatch": "another period on the line",
    "code.padded": "a code padded with zeros",
    "number.identity": "a personnummer in a number field",
}


FORMAT_HOW: Final[Mapping[str, str]] = {
    "date": "a day 32",
    "yearmonth": "a month 13",
    "year": "a year of two digits",
    "integer": "a leading zero",
    "amount": "decimals, ',50'",
    "code": "the code in lower case",
}
"""How :func:`_format` damages a value, by field type (the ``format`` check)."""


def how(check: str, f: FieldSpec) -> str:
    """How the injector damages field ``f`` so that ``check`` fires, in words."""
    return FORMAT_HOW[f.type] if check == "format" else FIELD_HOW[check]


def _applies(check: str, f: FieldSpec, spec: FileSpec) -> bool:
    """Can ``check`` fire on field ``f`` at all?"""
    if f.name == spec.kommun_field:
        return False  # any change of the kommun is also SOS-214
    if check == "period.mismatch":
        return f.name == spec.period_field
    if check == "mandatory":
        return f.mandatory
    if check == "format":
        return f.type in (*_NUMERIC, "date", "yearmonth") or bool(f.type == "code" and f.pattern)
    if check == "length":
        return f.type == "text" and f.length is not None
    if check == "range":
        return f.type in ("integer", "amount") and (f.min is not None or f.max is not None)
    if check.startswith("code."):
        return (
            f.type == "code"
            and f.codelist is not None
            and (check != "code.padded" or f.pad_width is not None)
        )
    if check.startswith("identity"):
        return f.type == "identity"
    if check == "number.identity":
        return f.type in ("integer", "amount")
    return False


def field_targets(spec: FileSpec, code: str) -> list[tuple[FieldSpec, str]]:
    """The (field, check) pairs of ``spec`` that report rule ``code``."""
    return [
        (f, check)
        for f in spec.fields
        for check in CHECKS
        if f.rule_for(check) == code and _applies(check, f, spec)
    ]


def field_injector(file: str, code: str, targets: list[tuple[FieldSpec, str]]) -> Injector:
    def damage(line: Line, ctx: InjectContext) -> list[Line] | None:
        for f, check in ctx.rng.shuffled(targets):
            if not ctx.maker.field_ok(check, f.name, line, ctx):
                continue
            before = list(line.fields)
            if not line[f.name] and check not in ("mandatory", "length"):
                ctx.maker.fill(f.name, line, ctx)
            value = line[f.name]
            new = FIELD_DAMAGE[check](f, value, line, ctx)
            if new is not None and new != value:
                line[f.name] = new
                return line.expecting(code)
            line.fields = before
        return None

    hows = sorted({how(check, f) for f, check in targets})
    names = sorted({f.name for f, _ in targets})
    return on_line(code, damage, f"{'; '.join(hows)} ({', '.join(names)})", files=(file,))
