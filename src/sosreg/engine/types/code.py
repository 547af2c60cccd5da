"""``code``: a code kept as text, checked against its code list (valid, expired, not yet
valid, flagged, a lost leading zero), or, without a list for the year, against its shape
(``reject``, ``pattern``, ``pad_width``, ``width``, ``length``)."""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from typing import Any, ClassVar, Final

from sosreg.codelists import CodeList, Validity
from sosreg.engine.fields import CompiledField, Converter, FieldChecks
from sosreg.engine.findings import Finding
from sosreg.engine.rules import say
from sosreg.engine.spec import FieldSpec
from sosreg.engine.types.base import (
    Around,
    Damage,
    DamageFn,
    FieldType,
    Source,
    between,
    damage_table,
    literals,
    one_of,
    pick,
    portable,
    slow,
    valid_codes,
    whole,
)
from sosreg.engine.values import is_digits

ALLOWED_SHOWN: Final = 12
"""A code list of at most this many codes for the year is named whole in an "unknown
code" finding; a longer one by its first :data:`ALLOWED_FIRST` and where to find the rest."""
ALLOWED_FIRST: Final = 8


def allowed_codes(cl: CodeList, when: int) -> dict[str, str]:
    """The parameters ``allowed_sv``/``allowed_en`` of an "unknown code" finding: the
    codes valid ``when`` (a statistikår, or a month ``ÅÅÅÅMM``: :attr:`Context.when`),
    all of them when few, else the first few and the command that lists the rest."""
    codes = [e.code for e in cl.as_of(when)]
    year = when // 100 if when > 9999 else when
    if not codes:
        return {
            "allowed_sv": f"Listan har inga giltiga koder för {year}.",
            "allowed_en": f"The list has no valid codes for {year}.",
        }
    if len(codes) <= ALLOWED_SHOWN:
        shown = ", ".join(codes)
        return {
            "allowed_sv": say("{n|Giltig kod|Giltiga koder}", n=len(codes)) + f": {shown}.",
            "allowed_en": say("{n|The valid code is|Valid codes are}", n=len(codes))
            + f": {shown}.",
        }
    first = ", ".join(codes[:ALLOWED_FIRST])
    where = f"sosreg codes {cl.name} --year {year}"
    return {
        "allowed_sv": f"Giltiga koder är bl.a. {first} (alla {len(codes)}: {where}).",
        "allowed_en": f"Valid codes include {first} (all {len(codes)}: {where}).",
    }


def _code(c: FieldChecks, notes: list[Finding]) -> tuple[Converter, frozenset[str], bool]:
    f, when = c.f, c.ctx.when
    cl = c.list_or_note(f.codelist, notes)
    # the year the messages name; the month where the list dates a code by month
    year: object = c.ctx.period if cl is not None and cl.month_dated else c.ctx.year
    width = f.width or (cl.width if cl is not None else None)
    fast: frozenset[str] = frozenset(valid_codes(cl, when) if cl is not None else ())
    names = {
        "list_sv": cl.title if cl is not None else "",
        "list_en": (cl.title_en or cl.title) if cl is not None else "",
    }
    allowed = allowed_codes(cl, when) if cl is not None else {}
    rejects = [(code, re.compile(rx, re.ASCII)) for code, rx in f.reject.items()]
    pattern = re.compile(f.pattern, re.ASCII) if f.pattern else None

    def shape_ok(text: str, line: int, out: list[Finding]) -> bool:
        """Reject patterns, padding and the field's pattern."""
        for code, rx in rejects:
            if rx.search(text):
                c.emit(out, code, line, text)
                return False
        if pattern is None or pattern.fullmatch(text):
            return True
        if f.pad_width is not None and len(text) <= f.pad_width:
            for cut in range(len(text) - 1, 0, -1):
                head, tail = text[:cut], text[cut:]
                if tail.strip(" 0") == "" and pattern.fullmatch(head):
                    c.emit(out, "code.padded", line, text, suggestion=head, width=f.pad_width)
                    return False
        c.bad_format(
            text,
            line,
            out,
            format_sv=f.pattern_text or f"på formen {f.pattern}",
            format_en=f.pattern_text_en or f"of the form {f.pattern}",
        )
        return False

    def conv_code(text: str, line: int, out: list[Finding]) -> Any:
        if text in fast:
            return text
        if not text:
            c.missing(line, out)
            return None
        if (rejects or pattern is not None) and not shape_ok(text, line, out):
            return text
        if cl is None:
            if width is not None and len(text) != width:
                c.bad_format(
                    text,
                    line,
                    out,
                    format_sv=f"en kod med {width} tecken",
                    format_en=say("a code of {n} {n|character|characters}", n=width),
                )
            else:
                c.too_long(text, line, out)
            return text
        status, entry = cl.lookup(text, when)
        if status is Validity.VALID:
            assert entry is not None and entry.warning is not None
            c.emit(
                out,
                "code.flagged",
                line,
                text,
                note_sv=entry.warning,
                note_en=entry.warning_en or entry.warning,
            )
        elif (
            width is not None
            and len(text) < width
            and is_digits(text)
            and cl.is_valid(text.zfill(width), when)
        ):
            c.emit(out, "code.lost_zero", line, text, suggestion=text.zfill(width), **names)
        elif status is Validity.EXPIRED:
            assert entry is not None
            c.emit(out, "code.expired", line, text, valid_to=entry.valid_to, year=year, **names)
        elif status is Validity.NOT_YET:
            assert entry is not None
            c.emit(
                out,
                "code.not_yet",
                line,
                text,
                valid_from=entry.valid_from,
                year=year,
                **names,
            )
        else:
            c.emit(out, "code.unknown", line, text, year=year, **names, **allowed)
        return text

    return conv_code, fast, cl is None


def shape_ok(f: FieldSpec, value: str) -> bool:
    """``value`` passes the field's ``pattern`` and none of its ``reject`` patterns (so
    that the code list, not the shape, decides): for generators choosing codes."""
    if f.pattern and not re.fullmatch(f.pattern, value, re.ASCII):
        return False
    return not any(re.search(rx, value, re.ASCII) for rx in f.reject.values())


def listed(f: FieldSpec, around: Around) -> CodeList | None:
    """Field ``f``'s code list, where it is available and has codes ``around.when``."""
    if f.codelist is None:
        return None
    cl = around.codelist(f.codelist)
    return cl if cl is not None and cl.as_of(around.when) else None


def _lower(f: FieldSpec, value: str, rnd: Source, around: Around) -> str | None:
    low = value.lower()
    return low if value and low != value else None


def _has_pattern(f: FieldSpec) -> bool:
    return bool(f.pattern)


def _has_list(f: FieldSpec) -> bool:
    return f.codelist is not None


def _pads(f: FieldSpec) -> bool:
    return f.codelist is not None and f.pad_width is not None


_UNKNOWN_TRIES: Final = ("99", "98", "97", "Q", "QQ", "QQQ")


def _unknown(f: FieldSpec, value: str, rnd: Source, around: Around) -> str | None:
    cl = listed(f, around)
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
        if candidate not in cl and shape_ok(f, candidate):
            return candidate
    return None


def _listed(status: Validity, *, warning: bool = False) -> DamageFn:
    """A code of the list whose status ``around.when`` is ``status`` (with a warning or
    without), of the field's shape and not on the line yet."""

    def damage(f: FieldSpec, value: str, rnd: Source, around: Around) -> str | None:
        cl = listed(f, around)
        if cl is None or not value:
            return None
        found = [
            c.code
            for c in cl.codes
            if cl.lookup(c.code, around.when)[0] is status
            and (c.warning is not None) == warning
            and shape_ok(f, c.code)
            and c.code not in around.taken
        ]
        return pick(rnd, found) if found else None

    return damage


def _lost_zero(f: FieldSpec, value: str, rnd: Source, around: Around) -> str | None:
    cl = listed(f, around)
    width = (f.width or cl.width) if cl is not None else None
    if cl is None or width is None or not value:
        return None
    zeros = [value] if value.startswith("0") else []
    zeros += [c for c in around.codes(f.codelist) if c.startswith("0") and c != value]
    for code in zeros:
        short = code[1:]
        if cl.lookup(short, around.when)[0] is Validity.UNKNOWN and code not in around.taken:
            return short
    return None


def _padded(f: FieldSpec, value: str, rnd: Source, around: Around) -> str | None:
    if f.pad_width is None or not value or len(value) >= f.pad_width:
        return None
    return value + "0" * (f.pad_width - len(value))


UNLISTED_TRIES: Final = 100
""":meth:`Code.draw` for a field without a code list: codes of its pattern tried
against its ``reject`` patterns."""
_CHARS: Final = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
_MORE: Final = 3
"""An open count (``*``, ``+``, ``{n,}``) repeats at most this many more times."""

# A pattern as a tree, to draw strings that match it: ("alt", [seq, ...]),
# ("seq", [node, ...]), ("rep", lo, hi, node), ("set", chars).
_Node = tuple[Any, ...]


class _Pattern:
    """A recursive-descent reader of the patterns :func:`portable` accepts (classes,
    ranges, groups, alternatives, counts)."""

    def __init__(self, text: str) -> None:
        self.text, self.i = text, 0

    def peek(self) -> str:
        return self.text[self.i] if self.i < len(self.text) else ""

    def take(self) -> str:
        c = self.peek()
        self.i += 1
        return c

    def alt(self) -> _Node:
        seqs = [self.seq()]
        while self.peek() == "|":
            self.take()
            seqs.append(self.seq())
        return ("alt", seqs)

    def seq(self) -> _Node:
        out: list[_Node] = []
        while self.peek() not in ("", "|", ")"):
            c = self.take()
            if c in "^$":
                continue
            if c == "(":
                node = self.alt()
                if self.take() != ")":
                    raise ValueError(self.text)
            elif c == "[":
                node = self.charset()
            else:
                node = ("set", c)
            out.append(self.count(node))
        return ("seq", out)

    def charset(self) -> _Node:
        negate = self.peek() == "^"
        if negate:
            self.take()
        chars: list[str] = []
        while (c := self.take()) != "]":
            if not c:
                raise ValueError(self.text)
            if self.peek() == "-" and self.text[self.i + 1 : self.i + 2] not in ("", "]"):
                self.take()
                end = self.take()
                chars += [chr(x) for x in range(ord(c), ord(end) + 1)]
            else:
                chars.append(c)
        if negate:
            chars = [c for c in _CHARS if c not in chars]
        return ("set", "".join(chars))

    def count(self, node: _Node) -> _Node:
        c = self.peek()
        if c in ("?", "*", "+"):
            self.take()
            lo = 1 if c == "+" else 0
            return ("rep", lo, 1 if c == "?" else lo + _MORE, node)
        if c == "{":
            end = self.text.index("}", self.i)
            lo_text, comma, hi_text = self.text[self.i + 1 : end].partition(",")
            self.i = end + 1
            lo = int(lo_text)
            hi = int(hi_text) if hi_text else (lo + _MORE if comma else lo)
            return ("rep", lo, hi, node)
        return node


@functools.cache
def _tree(pattern: str) -> _Node:
    reader = _Pattern(pattern)
    node = reader.alt()
    if reader.i != len(pattern):
        raise ValueError(pattern)
    return node


def _sample(rnd: Source, node: _Node) -> str:
    kind = node[0]
    if kind == "set":
        return pick(rnd, node[1]) if node[1] else ""
    if kind == "seq":
        return "".join(_sample(rnd, n) for n in node[1])
    if kind == "alt":
        return _sample(rnd, pick(rnd, node[1]))
    return "".join(_sample(rnd, node[3]) for _ in range(between(rnd, node[1], node[2])))


def sample(rnd: Source, pattern: str) -> str:
    """A string that ``pattern`` (of the plain kind :func:`portable` accepts: classes,
    ranges, groups, alternatives, counts) matches whole."""
    return _sample(rnd, _tree(pattern))


PATTERN_CODES: Final = 1000
"""The most codes a code field's :meth:`Code.line_pattern` lists (a larger list is
looked up in its column)."""


class Code(FieldType):
    name = "code"
    format_sv = "en kod"
    format_en = "a code"
    damages: ClassVar[Mapping[str, Damage]] = damage_table(
        Damage("format", "the code in lower case", _lower, _has_pattern),
        Damage("code.unknown", "a code not in the code list", _unknown, _has_list),
        Damage(
            "code.expired", "a code that is no longer valid", _listed(Validity.EXPIRED), _has_list
        ),
        Damage("code.not_yet", "a code not yet valid", _listed(Validity.NOT_YET), _has_list),
        Damage("code.lost_zero", "a code with its leading zero dropped", _lost_zero, _has_list),
        Damage(
            "code.flagged",
            "a code the list flags with a warning",
            _listed(Validity.VALID, warning=True),
            _has_list,
        ),
        Damage("code.padded", "a code padded with zeros", _padded, _pads),
    )

    def compile(self, checks: FieldChecks, notes: list[Finding]) -> CompiledField:
        conv, fast, unlisted = _code(checks, notes)
        return CompiledField(checks.f, conv, fast=fast, unlisted=unlisted)

    def bindings(self, cf: CompiledField) -> dict[str, Any]:
        return {"fast": cf.fast} if cf.fast else {}

    def fast_source(self, i: int, cf: CompiledField, ascii: bool) -> list[str]:
        if not cf.fast:
            return [f"    x{i} = conv{i}(v{i}, line, out)"]
        return [f"    if v{i} in fast{i}:", f"        x{i} = v{i}", "    else:", *slow(i)]

    def mask(self, pl: Any, col: Any, cf: CompiledField) -> Any:
        return _unlisted_ok(pl, col, cf) if cf.unlisted else one_of(pl, col, cf.fast)

    def line_pattern(self, cf: CompiledField) -> str | None:
        """The codes of the list as alternatives (a list of at most
        :data:`PATTERN_CODES` printable ASCII codes)."""
        if cf.unlisted or not cf.fast or len(cf.fast) > PATTERN_CODES:
            return None
        codes = literals(cf.fast)
        return "|".join(codes) if len(codes) == len(cf.fast) else None

    def choices(self, f: FieldSpec, around: Around) -> tuple[str, ...]:
        return around.codes(f.codelist) if f.codelist else ()

    def draw(self, rnd: Source, f: FieldSpec, around: Around) -> str:
        """A code of the field's list valid ``around.when`` (no warning); without a
        list for the year, a code of the field's shape (``pattern``, ``reject``,
        ``width``, ``length``)."""
        codes = self.choices(f, around)
        if codes:
            return pick(rnd, codes)
        size = f.width or f.length or 3
        pattern = f.pattern or f"[0-9]{{{1 if f.width is None else size},{size}}}"
        for _ in range(UNLISTED_TRIES):
            value = sample(rnd, pattern)
            if shape_ok(f, value) and (f.length is None or len(value) <= f.length):
                return value
        raise ValueError(f"no code of field {f.name}'s shape found: give it a code list")


def _unlisted_ok(pl: Any, col: Any, cf: CompiledField) -> Any:
    """A code field without a code list for the year: true where the value has the
    field's shape as the converter checks it (no ``reject`` pattern found, the
    ``pattern`` matched whole, the ``width`` and ``length``). A pattern that is not
    :func:`~sosreg.engine.types.base.portable` leaves every value to the row engine."""
    f = cf.spec
    patterns = [*f.reject.values(), *([f.pattern] if f.pattern else [])]
    if not all(portable(pl, rx) for rx in patterns):
        return pl.lit(False)
    ok = col != ""
    for rx in f.reject.values():
        ok = ok & ~col.str.contains(rx)
    if f.pattern:
        ok = ok & col.str.contains(whole(f.pattern))
    size = col.str.len_chars()
    if f.width:
        ok = ok & (size == f.width)
    if f.length is not None:
        ok = ok & (size <= f.length)
    return ok


CODE = Code()
