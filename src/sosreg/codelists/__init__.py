"""Code lists as dated data.

Each list is a TOML file in ``sosreg/codelists/data/`` (one file per list, e.g.
``ekb_hinderkod.toml``). Every code has a label and a validity in statistikår:
``from`` and ``to`` (both inclusive; absent means open). Adding a code for 2025 is an
edit of that file: a new ``[[codes]]`` entry with ``from = 2025``.

Where a föreskrift changes in the middle of a year, ``from`` and ``to`` may be a month,
``ÅÅÅÅMM``: förenklade beslut (4 kap. 2 a § SoL) are reported from ``from = 202206``.
A monthly file is checked against its month (a code from 202206 is not yet valid in a
202205 file); a year (an annual file, ``as_of(2022)``) takes every code valid in any
month of it.

A user can bring a list of their own (for example the year's KVÅ list) with
:func:`register`, or load one from a TOML file with :func:`load_file`.

A TOML file may also hold several lists (what ``sosreg import-codes metadata`` writes)::

    [[lists]]
    name = "bu_kon"
    title = "Kön"

    [[lists.codes]]
    code = "1"
    label = "Man"
    from = 2017

Each ``[[lists]]`` table has the keys of a one-list file and its codes as
``[[lists.codes]]``. :func:`load_files` reads either form and returns every list;
:func:`load_file` reads either form when the file holds exactly one list.
"""

from __future__ import annotations

import enum
import itertools
import tomllib
from collections.abc import Iterable, Iterator
from importlib import resources
from pathlib import Path
from typing import Any, Final

import attrs


class Validity(enum.Enum):
    VALID = "valid"
    EXPIRED = "expired"
    """The code existed but its last valid year is before the reporting year."""
    NOT_YET = "not_yet"
    """The code exists but becomes valid after the reporting year."""
    UNKNOWN = "unknown"


@attrs.frozen
class Code:
    """One code of a list, with its label and the statistikår it is valid in."""

    code: str
    label: str
    valid_from: int | None = None
    valid_to: int | None = None
    label_en: str | None = None
    warning: str | None = None
    """A note that makes any use of this code a warning (e.g. Socialstyrelsen's example
    municipality ``9999``)."""
    warning_en: str | None = None

    @property
    def span(self) -> tuple[int, int]:
        """The validity as months ``ÅÅÅÅMM``, both inclusive (open ends far away)."""
        return (
            0 if self.valid_from is None else _month_of(self.valid_from, end=False),
            999_912 if self.valid_to is None else _month_of(self.valid_to, end=True),
        )

    @property
    def month_dated(self) -> bool:
        """Whether ``from`` or ``to`` is a month (``ÅÅÅÅMM``), not a statistikår."""
        return any(v is not None and v >= 10_000 for v in (self.valid_from, self.valid_to))

    def valid_in(self, year: int) -> bool:
        """Whether the code is valid in statistikår ``year`` (in any month of it), or,
        given a month ``ÅÅÅÅMM``, in that month."""
        lo, hi = self.span
        first, last = _when_span(year)
        return lo <= last and first <= hi

    def validity_text(self) -> str:
        """``"2017–"``, ``"–2016"``, ``"2017–2020"``, ``"2022-06–"`` or ``"alla år"``."""
        if self.valid_from is None and self.valid_to is None:
            return "alla år"
        return f"{_shown(self.valid_from)}–{_shown(self.valid_to)}"


def _month_of(value: int, *, end: bool) -> int:
    """A ``from``/``to`` value as a month ``ÅÅÅÅMM``: a year's first (or last) month."""
    return value if value >= 10_000 else value * 100 + (12 if end else 1)


def _when_span(when: int) -> tuple[int, int]:
    """A statistikår's months, or the one month ``ÅÅÅÅMM``."""
    return (when, when) if when >= 10_000 else (when * 100 + 1, when * 100 + 12)


def _shown(value: int | None) -> str:
    if value is None:
        return ""
    return f"{value // 100}-{value % 100:02d}" if value >= 10_000 else str(value)


def when_of(period: Any) -> int:
    """What code lists are asked about for a file's period: ``ÅÅÅÅMM`` for a month (an
    object with ``year`` and ``month``), the statistikår for a year."""
    month = getattr(period, "month", None)
    if month is not None:
        return int(period.year) * 100 + int(month)
    return int(period)


@attrs.frozen
class CodeList:
    """A dated code list: its codes, each valid over a range of statistikår."""

    name: str
    title: str
    codes: tuple[Code, ...]
    title_en: str = ""
    width: int | None = None
    """Fixed width of every code, where the list has one (hinderkod: 3)."""
    provenance: str = "provisional"
    sources: tuple[str, ...] = ()
    note: str = ""
    """What a user must know before trusting the list (e.g. that it is a test model),
    shown with it by ``sosreg codes`` and in the generated docs; Swedish."""
    note_en: str = ""
    _index: dict[str, tuple[Code, ...]] = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        index: dict[str, list[Code]] = {}
        for c in self.codes:
            index.setdefault(c.code, []).append(c)
        object.__setattr__(self, "_index", {k: tuple(v) for k, v in index.items()})

    def __contains__(self, code: object) -> bool:
        return code in self._index

    def __iter__(self) -> Iterator[Code]:
        return iter(self.codes)

    def __len__(self) -> int:
        return len(self.codes)

    @property
    def month_dated(self) -> bool:
        """Whether some code's validity starts or ends in a month (``ÅÅÅÅMM``)."""
        return any(c.month_dated for c in self.codes)

    def lookup(self, code: str, year: int) -> tuple[Validity, Code | None]:
        """The validity of ``code`` in statistikår ``year`` (or month ``ÅÅÅÅMM``) and
        the entry that decides it.

        For an expired code the entry returned is the latest one, so that a message can
        say "giltig till och med 2016".
        """
        entries = self._index.get(code)
        if not entries:
            return Validity.UNKNOWN, None
        for e in entries:
            if e.valid_in(year):
                return Validity.VALID, e
        first, _ = _when_span(year)
        past = [e for e in entries if e.span[1] < first]
        if past:
            return Validity.EXPIRED, max(past, key=lambda e: e.span[1])
        return Validity.NOT_YET, min(entries, key=lambda e: e.span[0])

    def is_valid(self, code: str, year: int) -> bool:
        """Whether ``code`` is valid in statistikår ``year``."""
        return self.lookup(code, year)[0] is Validity.VALID

    def as_of(self, year: int) -> list[Code]:
        """The codes valid in statistikår ``year``, in list order."""
        return [c for c in self.codes if c.valid_in(year)]

    def label(self, code: str, year: int) -> str | None:
        """The label of ``code`` as of statistikår ``year`` (``None`` if unknown)."""
        _status, entry = self.lookup(code, year)
        return entry.label if entry is not None else None


_CODE_KEYS: Final = {
    "code": str,
    "label": str,
    "from": int,
    "to": int,
    "label_en": str,
    "warning": str,
    "warning_en": str,
}
"""The keys of one ``[[codes]]`` entry and their TOML types."""


def _code_from_dict(item: dict[str, Any]) -> Code:
    if not isinstance(item, dict):
        raise TypeError(f"a [[codes]] entry must be a table, not {type(item).__name__}")
    code = item.get("code")
    if "code" not in item:
        raise KeyError("code")
    for key, value in item.items():
        want = _CODE_KEYS.get(key)
        if want is None:
            known = ", ".join(_CODE_KEYS)
            raise ValueError(f"code {code!r}: unknown key {key!r} (the keys are {known})")
        if not isinstance(value, want) or isinstance(value, bool):
            hint = f' (write {key} = "{value}")' if want is str else ""
            raise ValueError(
                f"code {code!r}: {key} must be {'an' if want is int else 'a'} {want.__name__}, "
                f"not {type(value).__name__} {value!r}{hint}"
            )
    if not code or code != code.strip():
        raise ValueError(f"code {code!r}: a code is a non-empty string without spaces around it")
    valid_from, valid_to = item.get("from"), item.get("to")
    for key in ("from", "to"):
        value = item.get(key)
        if value is not None and not (
            1000 <= value <= 9999 or (100_000 <= value <= 999_999 and 1 <= value % 100 <= 12)
        ):
            raise ValueError(
                f"code {code!r}: {key} = {value} is neither a year ÅÅÅÅ nor a month ÅÅÅÅMM"
            )
    if (
        valid_from is not None
        and valid_to is not None
        and _month_of(valid_from, end=False) > _month_of(valid_to, end=True)
    ):
        raise ValueError(f"code {code!r}: from {valid_from} is after to {valid_to}")
    return Code(
        code=code,
        label=item.get("label", ""),
        valid_from=valid_from,
        valid_to=valid_to,
        label_en=item.get("label_en"),
        warning=item.get("warning"),
        warning_en=item.get("warning_en"),
    )


def _overlapping(codes: Iterable[Code]) -> str | None:
    """A code with two entries valid in the same statistikår, if any: a list says of
    each code and year one thing."""
    by_code: dict[str, list[Code]] = {}
    for c in codes:
        by_code.setdefault(c.code, []).append(c)
    for code, entries in by_code.items():
        spans = sorted(e.span for e in entries)
        for (_, end), (start, _) in itertools.pairwise(spans):
            if start <= end:
                return code
    return None


def from_dict(data: dict[str, Any]) -> CodeList:
    """A :class:`CodeList` from parsed TOML data (one list). Raises ``ValueError`` (or
    ``KeyError``/``TypeError``) for an entry that is not of the documented form: a code
    that is not a string (``code = 5`` would lose a leading zero), an unknown key, a
    ``from`` after its ``to``, or a code with two entries valid in the same year."""
    codes = data.get("codes", [])
    if not isinstance(codes, list):
        raise TypeError(f"codes must be an array of tables ([[codes]]), not {type(codes).__name__}")
    cl = CodeList(
        name=data["name"],
        title=data.get("title", data["name"]),
        title_en=data.get("title_en", ""),
        codes=tuple(_code_from_dict(c) for c in codes),
        width=data.get("width"),
        provenance=data.get("provenance", "provisional"),
        sources=tuple(data.get("sources", ())),
        note=data.get("note", ""),
        note_en=data.get("note_en", ""),
    )
    twice = _overlapping(cl.codes)
    if twice is not None:
        raise ValueError(f"code {twice!r} has two entries valid in the same year")
    return cl


class CodeListError(ValueError):
    """A code list file that cannot be read or is not a code list."""


def _read_toml(p: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(p.read_bytes().decode("utf-8"))
    except OSError as exc:
        raise CodeListError(f"cannot read the code list {p}: {exc.strerror or exc}") from exc
    except (ValueError, UnicodeDecodeError) as exc:
        raise CodeListError(f"{p} is not a TOML code list ({' '.join(str(exc).split())})") from exc


def _from_dict_in(p: Path, data: Any, where: str = "") -> CodeList:
    try:
        if not isinstance(data, dict):
            raise TypeError(f"expected a table, not {type(data).__name__}")
        return from_dict(data)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        what = f"missing key {exc.args[0]!r}" if isinstance(exc, KeyError) else str(exc)
        raise CodeListError(f"{p} is not a valid code list{where}: {what}") from exc


def _lists_in(p: Path, data: dict[str, Any]) -> list[CodeList]:
    """The lists of a one-list or a ``[[lists]]`` file."""
    if "lists" not in data:
        return [_from_dict_in(p, data)]
    mixed = sorted(k for k in data if k != "lists")
    if mixed:
        raise CodeListError(
            f"{p} is not a valid code list file: it has [[lists]] and also the top-level "
            f"key(s) {', '.join(repr(k) for k in mixed)}"
        )
    tables = data["lists"]
    if not isinstance(tables, list) or not tables:
        raise CodeListError(f"{p} is not a valid code list file: 'lists' holds no [[lists]] tables")
    out = [_from_dict_in(p, t, f" (list {i})") for i, t in enumerate(tables, start=1)]
    seen: set[str] = set()
    for cl in out:
        if cl.name in seen:
            raise CodeListError(f"{p} holds the code list {cl.name!r} more than once")
        seen.add(cl.name)
    return out


def load_file(path: str | Path) -> CodeList:
    """Load a code list from a TOML file in the format of ``sosreg/codelists/data``, or
    from a ``[[lists]]`` file that holds exactly one list (see :func:`load_files`).

    Raises :class:`CodeListError` (naming the file) when it cannot be read, is not a
    code list, or holds several lists.
    """
    p = Path(path)
    found = _lists_in(p, _read_toml(p))
    if len(found) != 1:
        names = ", ".join(cl.name for cl in found)
        raise CodeListError(
            f"{p} holds {len(found)} code lists ({names}); read them with load_files"
        )
    return found[0]


def load_files(path: str | Path) -> list[CodeList]:
    """Every code list in a TOML file: a one-list file (as in ``sosreg/codelists/data``)
    gives one, a ``[[lists]]`` file gives each of its lists, in file order.

    Raises :class:`CodeListError` (naming the file) when it cannot be read, is not a
    code list file, or names a list twice.
    """
    p = Path(path)
    return _lists_in(p, _read_toml(p))


def from_toml_text(text: str, where: str) -> list[CodeList]:
    """Every code list in the text of a code list file (``where`` names it in errors)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CodeListError(f"{where} is not valid TOML: {exc}") from None
    return _lists_in(Path(where), data)


_REGISTRY: dict[str, CodeList] = {}
_PROVIDED: dict[str, CodeList] = {}
"""Lists a register brings in its package (``codelists/*.toml``), by name."""


def provide(codelist: CodeList) -> None:
    """Make a register's own list known (called by :class:`~sosreg.engine.register.Register`
    for ``<package>/codelists/*.toml``). A built-in list of the same name is an error;
    a list given with :func:`register` still wins."""
    if codelist.name in _builtin_names():
        raise CodeListError(
            f"code list {codelist.name!r} is built in; a register cannot replace it"
        )
    _PROVIDED[codelist.name] = codelist


def _builtin_names() -> list[str]:
    data = resources.files("sosreg.codelists").joinpath("data")
    return sorted(p.name.removesuffix(".toml") for p in data.iterdir() if p.name.endswith(".toml"))


def names() -> list[str]:
    """The names of all known lists (built in and registered)."""
    return sorted(set(_builtin_names()) | set(_REGISTRY) | set(_PROVIDED))


def get(name: str) -> CodeList:
    """The list called ``name``. Raises ``KeyError`` if there is none."""
    found = _REGISTRY.get(name) or _PROVIDED.get(name)
    if found is not None:
        return found
    res = resources.files("sosreg.codelists").joinpath("data", f"{name}.toml")
    if not res.is_file():
        raise KeyError(name)
    cl = from_dict(tomllib.loads(res.read_text("utf-8")))
    _REGISTRY[name] = cl
    return cl


def register(codelist: CodeList, *, replace: bool = True) -> None:
    """Make ``codelist`` available under its name (e.g. an imported KVÅ list)."""
    if not replace and codelist.name in _REGISTRY:
        raise ValueError(f"code list {codelist.name} already registered")
    _REGISTRY[codelist.name] = codelist


def unregister(name: str) -> None:
    """Forget a list made available with :func:`register`."""
    _REGISTRY.pop(name, None)


def make(name: str, title: str, codes: Iterable[Code], **kw: Any) -> CodeList:
    """A :class:`CodeList` made in code (e.g. in tests or an importer)."""
    return CodeList(name=name, title=title, codes=tuple(codes), **kw)
