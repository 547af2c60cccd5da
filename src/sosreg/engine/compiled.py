"""One specialised line function per spec: the fast path of the row engine.

:meth:`LineParser.parse <sosreg.engine.core.LineParser.parse>` is the reference: it
loops over the fields' converters and makes every finding. For a file, this module
writes the source of one function that does the same for a *clean* line (ASCII, no
quotes, spaces or control characters, the right number of fields, a digit first), with
the loop unrolled: per field, a test that the value is valid as it stands (a set
lookup, a digit test, a cached parse) and, only where it fails, a call to the field's
converter, so findings are still made in one place. A line that is not clean gets
``None`` back, and the caller runs the reference on it.

The per-field test is the field type's (:meth:`FieldType.fast_source
<sosreg.engine.types.base.FieldType.fast_source>`). As attrs writes ``__init__`` per
class, the source is compiled once per distinct text and cached; the per-file
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
from sosreg.engine.findings import Finding
from sosreg.engine.records import builder
from sosreg.engine.types import field_type

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


def _source(p: LineParser, name: str, binds: list[dict[str, Any]]) -> str:
    """The source of ``__make``, which returns two functions sharing one unrolled field
    stage: ``name(text, line, out)`` for a whole clean line, and
    ``name_fields(values, line, out)`` for the values of a line the reference has
    already taken through the line stage (quotes, spaces, trailing semicolons).
    ``binds``: per field, the objects its type's fast test names (bound as ``name{i}``)."""
    n = p.n
    lines = [f"  {k}{i} = __binds[{i}][{k!r}]" for i, b in enumerate(binds) for k in sorted(b)]
    unpack = f"    {', '.join(f'v{i}' for i in range(n))}{',' if n == 1 else ''} = values"
    lines = [
        "def __make(__binds, cls, period, kommun, wrong_period, wrong_kommun):",
        *lines,
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
        block = field_type(f.spec).fast_source(i, f, ascii)
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


def compile_line(p: LineParser) -> LineFunction:
    """The line function of the file ``p`` was compiled for."""
    spec = p.spec
    fields = p.fields
    binds = [{"conv": f.conv, **field_type(f.spec).bindings(f)} for f in fields]
    name = f"line_{spec.register}_{spec.file}"
    source = _source(p, name, binds)
    end = spec.years_to if spec.years_to is not None else ""
    digest = hashlib.sha256(source.encode()).hexdigest()[:12]
    filename = f"<sosreg line {spec.register}/{spec.file} {spec.years_from}-{end} {digest}>"
    cached = _CODE_CACHE.get(filename)
    if cached is None:
        code = compile(source, filename, "exec")
        linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
        namespace: dict[str, Any] = {}
        exec(code, namespace)
        cached = _CODE_CACHE[filename] = namespace["__make"]
    fn, fields_fn = cached(
        binds,
        builder(p.record_cls),
        p.period,
        p.kommun,
        p.wrong_period,
        p.wrong_kommun,
    )
    return LineFunction(fn, fields_fn, source, filename)
