"""One specialised line function per spec: the fast path of the row engine.

:meth:`LineParser.parse <sosreg.engine.core.LineParser.parse>` is the reference: it
loops over the fields' converters and makes every finding. For a file, this module
writes the source of one function that does the same for a *clean* line (ASCII, no
quotes, spaces or control characters, the right number of fields, a digit first), with
the loop unrolled: per field, a test that the value is valid as it stands (a set
lookup, a digit test, a cached parse) and, only where it fails, a call to the field's
converter, so findings are still made in one place. A line that is not clean gets
``None`` back, and the caller runs the reference on it.

As attrs writes ``__init__`` per class, the source is compiled once per spec *shape*
(field types and which fields have fast sets or specials) and cached; the per-file
objects (converters, code sets, the record class, the period) are bound as variables
of the closure the generated function is made in (not as default arguments, which each
call would copy into its frame), so the hot code reads cells. The source is kept in
:mod:`linecache` under ``<sosreg line register/file years>`` so tracebacks show it, and
on :attr:`LineFunction.source`.
"""

from __future__ import annotations

import hashlib
import linecache
from collections.abc import Callable
from typing import Any

import attrs

from sosreg.engine.core import LineParser
from sosreg.engine.fields import may_hold_identity
from sosreg.engine.findings import Finding
from sosreg.engine.records import builder
from sosreg.engine.values import parse_date, parse_yearmonth
from sosreg.identity import KINDS, TWELVE_DIGIT_PARTS

LineFn = Callable[[str, int, list[Finding]], Any]
"""``(text, line, findings) -> record | None``: ``None`` means "not clean: use the
reference"; findings of a clean line are appended to ``findings``."""

_CODE_CACHE: dict[str, Any] = {}


@attrs.frozen
class LineFunction:
    """A compiled line function, with its source and linecache name; ``fields`` is the
    same field stage for values already through the line stage."""

    fn: LineFn
    fields: Callable[[list[str], int, list[Finding]], Any]
    source: str
    filename: str


def clear_cache() -> None:
    """Forget the compiled code objects (and their linecache entries)."""
    for name in list(linecache.cache):
        if name.startswith("<sosreg line "):
            del linecache.cache[name]
    _CODE_CACHE.clear()


def _field_block(i: int, kind: str, p: LineParser, ascii: bool) -> list[str]:
    """The source lines that turn ``v{i}`` into ``x{i}``; ``ascii``: the line is known
    to be ASCII (``str.isdigit`` is then true for ``0-9`` only)."""
    f = p.fields[i]
    spec = f.spec
    v, x = f"v{i}", f"x{i}"
    slow = [f"        {x} = conv{i}({v}, line, out)"]
    if kind == "code":
        if not f.fast:
            return [f"    {x} = conv{i}({v}, line, out)"]
        return [f"    if {v} in fast{i}:", f"        {x} = {v}", "    else:", *slow]
    if kind in ("integer", "amount"):
        lo = spec.min if spec.min is not None else None
        hi = spec.max if spec.max is not None else None
        tests = [] if ascii else [f"{v}.isascii()"]
        tests += [f"{v}.isdigit()", f"({v}[0] != '0' or len({v}) == 1)"]
        if spec.length is not None:
            tests.append(f"len({v}) <= {spec.length}")
        if may_hold_identity(spec):
            tests.append(f"len({v}) < 10")  # longer: the converter tests for an identity
        rng = f"({x} := int({v}))"
        if lo is not None and hi is not None:
            tests.append(f"{lo} <= {rng} <= {hi}")
        elif lo is not None:
            tests.append(f"{lo} <= {rng}")
        elif hi is not None:
            tests.append(f"{rng} <= {hi}")
        else:
            tests.append(f"({rng}) is not None")
        out = []
        if f.specials:
            out += [f"    {x} = specials{i}.get({v})", f"    if {x} is not None:", "        pass"]
            out += [f"    elif {' and '.join(tests)}:", "        pass"]
        else:
            out += [f"    if {' and '.join(tests)}:", "        pass"]
        return [*out, "    else:", *slow]
    if kind == "year":
        return [
            f"    if len({v}) == 4 and {'' if ascii else f'{v}.isascii() and '}{v}.isdigit():",
            f"        {x} = int({v})",
            "    else:",
            *slow,
        ]
    if kind in ("date", "yearmonth"):
        parse = "parse_date" if kind == "date" else "parse_yearmonth"
        return [f"    {x} = {parse}({v})", f"    if {x} is None:", *slow]
    if kind == "identity":  # twelve_digit_kind inlined, then the full test
        digits = f"{v}.isdigit()" if ascii else f"{v}.isascii() and {v}.isdigit()"
        return [
            f"    if (len({v}) == 12 and {digits} and (k := date_kind({v}[:8])) is not None",
            f"            and k in kinds{i}",
            f"            and not (L1[{v}[2:5]] + L2[{v}[5:8]] + L3[{v}[8:]]) % 10):",
            f"        {x} = {v}",
            f"    elif ident{i}({v}):",
            f"        {x} = {v}",
            "    else:",
            *slow,
        ]
    # text
    cond = f"{v} and len({v}) <= {spec.length}" if spec.length is not None else v
    return [f"    if {cond}:", f"        {x} = {v}", "    else:", *slow]


def _shape(p: LineParser) -> tuple[Any, ...]:
    fields = tuple(
        (f.spec.type, bool(f.fast), bool(f.specials), f.spec.min, f.spec.max, f.spec.length)
        for f in p.fields
    )
    return (*fields, p.period_index, p.kommun_index, p.n)


def _source(p: LineParser, name: str) -> str:
    """The source of ``__make``, which returns two functions sharing one unrolled field
    stage: ``name(text, line, out)`` for a whole clean line, and
    ``name_fields(values, line, out)`` for the values of a line the reference has
    already taken through the line stage (quotes, spaces, trailing semicolons)."""
    n = p.n
    args = ["conv", "fast", "specials", "ident", "kinds"]
    binds = [f"  {a}{i} = __{a}[{i}]" for i in range(n) for a in args] + [
        "  date_kind, L1, L2, L3 = __twelve",
    ]
    unpack = f"    {', '.join(f'v{i}' for i in range(n))}{',' if n == 1 else ''} = values"
    lines = [
        "def __make(__conv, __fast, __specials, __ident, __kinds, cls, period, kommun,",
        "           wrong_period, wrong_kommun, parse_date, parse_yearmonth, __twelve):",
        *binds,
        f"  def {name}(text, line, out):",
        "    if not (text.isascii() and text.isprintable()) or '\"' in text or ' ' in text:",
        "        return None",
        "    if not ('0' <= text[:1] <= '9'):",
        "        return None",
        "    values = text.split(';')",
        f"    if len(values) != {n}:",
        "        return None",
        unpack,
        *_body(p, ascii=True),
        f"  def {name}_fields(values, line, out):",
        unpack,
        *_body(p, ascii=False),
        f"  return {name}, {name}_fields",
    ]
    return "\n".join(lines) + "\n"


def _body(p: LineParser, ascii: bool) -> list[str]:
    """The unrolled field stage over ``v0``, ``v1``, …, ending in the record."""
    n = p.n
    body: list[str] = []
    for i, f in enumerate(p.fields):
        body.append(f"    # field {i + 1}: {f.spec.name} ({f.spec.type})")
        block = _field_block(i, f.spec.type, p, ascii)
        if not f.spec.mandatory:  # an empty optional field is None, with no finding
            block = [
                f"    if not v{i}:",
                f"        x{i} = None",
                "    else:",
                *("    " + b for b in block),
            ]
        body += block
    if p.period_index is not None:
        i = p.period_index
        body += [  # the period is usually the very object parsed (parse_yearmonth caches)
            f"    if x{i} is not None and x{i} is not period and x{i} != period:",
            f"        wrong_period(v{i}, line, out)",
        ]
    if p.kommun_index is not None:
        i = p.kommun_index
        body += [f"    if v{i} and v{i} != kommun:", f"        wrong_kommun(v{i}, line, out)"]
    body.append(f"    return cls({', '.join(f'x{i}' for i in range(n))})")
    return body


def compile_line(
    p: LineParser, identity_ok: Callable[[Any], Callable[[str], bool]]
) -> LineFunction:
    """The line function of the file ``p`` was compiled for. ``identity_ok(field)``
    gives, for an identity field, a predicate that is true for values the field's
    converter accepts with no finding."""
    spec = p.spec
    end = spec.years_to if spec.years_to is not None else ""
    shape = _shape(p)
    digest = hashlib.sha256(repr(shape).encode()).hexdigest()[:12]
    filename = f"<sosreg line {spec.register}/{spec.file} {spec.years_from}-{end} {digest}>"
    cached = _CODE_CACHE.get(filename)
    if cached is None:
        name = f"line_{spec.register}_{spec.file}"
        source = _source(p, name)
        code = compile(source, filename, "exec")
        linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
        namespace: dict[str, Any] = {}
        exec(code, namespace)
        cached = _CODE_CACHE[filename] = (namespace["__make"], source)
    make, source = cached
    fields = p.fields
    fn, fields_fn = make(
        [f.conv for f in fields],
        [f.fast for f in fields],
        [f.specials for f in fields],
        [identity_ok(f) if f.spec.type == "identity" else None for f in fields],
        [frozenset(f.spec.accept or KINDS) if f.spec.type == "identity" else None for f in fields],
        builder(p.record_cls),
        p.period,
        p.kommun,
        p.wrong_period,
        p.wrong_kommun,
        parse_date,
        parse_yearmonth,
        TWELVE_DIGIT_PARTS,
    )
    return LineFunction(fn, fields_fn, source, filename)
