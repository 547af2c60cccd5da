"""The damage every register gets: the line stage (SOS-1xx, SOS-019, SOS-214:
:data:`LINE_INJECTORS`) and every field check (SOS-2xx and the register codes fields
give them, e.g. EKB-013), derived from the specs: each field's type gives its damages
(:attr:`FieldType.damages <sosreg.engine.types.base.FieldType.damages>`); here they are
put on a line (:func:`field_injector`)."""

from __future__ import annotations

from typing import Final

from sosreg.engine.source import MAX_LINE
from sosreg.engine.spec import CHECKS, FieldSpec, FileSpec
from sosreg.engine.types import field_type
from sosreg.engine.types.base import Around, Damage
from sosreg.generate.inject import Injector, on_line
from sosreg.generate.lines import Line
from sosreg.generate.maker import InjectContext

__all__ = [
    "LINE_INJECTORS",
    "around",
    "damage_of",
    "damaged",
    "field_injector",
    "field_targets",
    "how",
]

# --- the line stage (SOS-1xx) ----------------------------------------------------------


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


def around(line: Line, ctx: InjectContext) -> Around:
    """What a field type's damage knows of the line and the file being damaged."""
    return Around(
        ctx.year,
        ctx.period,
        ctx.maker.codelist,
        ctx.spec(line.file).period_field if line.file in ctx.maker.specs else None,
        taken=line.fields,
        fresh=ctx.fresh,
    )


def damage_of(check: str, f: FieldSpec) -> Damage | None:
    """How field ``f``'s type damages a value so that ``check`` fires (``None``: it
    cannot)."""
    return field_type(f).damages_for(f).get(check)


def damaged(check: str, f: FieldSpec, value: str, line: Line, ctx: InjectContext) -> str | None:
    """``value`` of field ``f`` damaged so that ``check`` fires, by the field's type
    (``None``: this value cannot be)."""
    d = damage_of(check, f)
    return None if d is None else d.make(f, value, ctx.rng, around(line, ctx))


def how(check: str, f: FieldSpec) -> str:
    """How the injector damages field ``f`` so that ``check`` fires, in words."""
    d = damage_of(check, f)
    assert d is not None, (check, f.name)
    return d.how


def _applies(check: str, f: FieldSpec, spec: FileSpec) -> bool:
    """Can ``check`` fire on field ``f`` at all? Its type says (:meth:`FieldType.damages_for
    <sosreg.engine.types.base.FieldType.damages_for>`); the file's kommun and period
    fields are the file's facts."""
    if f.name == spec.kommun_field:
        return False  # any change of the kommun is also SOS-214
    if check == "period.mismatch" and f.name != spec.period_field:
        return False
    return damage_of(check, f) is not None


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
            d = damage_of(check, f)
            assert d is not None
            if not line[f.name] and d.fills:
                ctx.maker.fill(f.name, line, ctx)
            value = line[f.name]
            new = d.make(f, value, ctx.rng, around(line, ctx))
            if new is not None and new != value:
                line[f.name] = new
                return line.expecting(code)
            line.fields = before
        return None

    hows = sorted({how(check, f) for f, check in targets})
    names = sorted({f.name for f, _ in targets})
    return on_line(code, damage, f"{'; '.join(hows)} ({', '.join(names)})", files=(file,))
