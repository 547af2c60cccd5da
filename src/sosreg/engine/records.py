"""Typed records, derived from specs.

Every :class:`~sosreg.engine.spec.FileSpec` has one frozen, slotted attrs class
(:func:`record_class`), whose fields are the spec's fields in order, typed by
:func:`python_type`, every one a required argument (``None`` is an empty field):

* the specs sosreg ships have classes generated from them and committed, one module per
  register (``sosreg/registers/<register>/records.py``, written by
  :mod:`sosreg.recordgen`), so that IDEs and mypy know them:
  ``from sosreg.registers.ekb import Manad``;
* any other spec (one loaded with :func:`~sosreg.engine.spec.load_spec`, or a packaged
  key whose fields have been changed) gets a class made at run time with
  :func:`attrs.make_class`, with the same fields, types, defaults and ``repr``.

A record class names its spec by key (``__sosreg_spec__ = "ekb/manad/2017-"``);
:func:`spec_of` gives the spec of a record. Identity fields are masked in ``repr``, and
any identity-shaped number in another field too. :data:`converter` (cattrs) turns
records of both kinds into plain dicts / JSON-ready data and back;
:data:`alias_converter` does the same under the fields' aliases (``EkbBel01``).
"""

from __future__ import annotations

import datetime as dt
import importlib
import re
from collections.abc import Callable, Mapping
from typing import Any, Final, TypeVar, overload

import attrs
import cattrs
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override

from sosreg.engine.spec import FieldSpec, FileSpec
from sosreg.engine.types import field_type
from sosreg.engine.values import Special, YearMonth
from sosreg.identity import mask, mask_text

R = TypeVar("R")

_CLASSES: dict[int, tuple[FileSpec, type[Any]]] = {}
"""id(spec) -> (spec, its class); the spec is kept so that its id is not reused."""
_SPEC_OF: dict[type[Any], FileSpec] = {}
"""record class -> its spec (run-time classes when made, generated ones when resolved)."""
_GENERATED: dict[str, dict[str, type[Any]]] = {}
"""records module (as its ``Register`` names it) -> spec key -> the generated class."""


def python_type(f: FieldSpec) -> Any:
    """The Python type of a field's value (its type's, or ``None``)."""
    return field_type(f).python_type(f) | None


def masked_repr(value: object) -> str:
    """The repr of an identity field: ``'19121212-****'``."""
    return "None" if value is None else repr(mask(str(value)))


def safe_repr(value: object) -> str:
    """The repr of any other field, with any identity number in it masked (a
    personnummer typed into ``kommun`` or an amount field must not show). A text is
    masked before its repr is taken: repr writes a no-break space as ``\\xa0``, which
    masking could no longer read as one."""
    if isinstance(value, str):
        return repr(mask_text(value))
    return mask_text(repr(value))


def field_repr(f: FieldSpec) -> Callable[[object], str]:
    """The ``repr`` of a field: :func:`masked_repr` for identities, else :func:`safe_repr`."""
    return masked_repr if f.type == "identity" else safe_repr


def base_class_name(file: str) -> str:
    """The class name of a file's newest layout: ``manad`` -> ``Manad``, ``sol1`` ->
    ``Sol1`` (anything but letters and digits separates words)."""
    parts = [p for p in re.split(r"[^0-9A-Za-z]+", file) if p]
    name = "".join(p[:1].upper() + p[1:] for p in parts) or "Record"
    return name if name[0].isalpha() else f"F{name}"


def class_name(spec: FileSpec) -> str:
    """The class name of a spec's layout, stable across new layouts: ``Manad_2017``,
    ``Sol1_2017``, ``Khsl2_2019`` (the file, then the first statistikår)."""
    return f"{base_class_name(spec.file)}_{spec.years_from}"


Shape = tuple[tuple[str, Any, Callable[[object], str], bool], ...]


def spec_shape(spec: FileSpec) -> Shape:
    """What a spec's record class depends on: per field its name, type, repr and
    whether it is required."""
    return tuple((f.name, python_type(f), field_repr(f), True) for f in spec.fields)


def class_shape(cls: type[Any]) -> Shape:
    """The same for an attrs class, from its fields."""
    return tuple((a.name, a.type, a.repr, a.default is attrs.NOTHING) for a in attrs.fields(cls))


def is_record_class(t: object) -> bool:
    """Whether ``t`` is a sosreg record class (generated or made at run time)."""
    return (
        isinstance(t, type)
        and isinstance(getattr(t, "__sosreg_spec__", None), str)
        and attrs.has(t)
    )


def record_class(spec: FileSpec) -> type[Any]:
    """The attrs class for records of ``spec``: the generated class of a packaged spec
    (same key, same fields), else one made at run time (once per spec object)."""
    hit = _CLASSES.get(id(spec))
    if hit is not None and hit[0] is spec:
        return hit[1]
    cls = _generated_class(spec) or _make_class(spec)
    _CLASSES[id(spec)] = (spec, cls)
    return cls


_BUILDERS: dict[type[Any], Callable[..., Any]] = {}


def builder(cls: type[Any]) -> Callable[..., Any]:
    """A function that makes the same record as ``cls(*values)``, faster.

    A frozen attrs ``__init__`` sets each field with ``object.__setattr__`` (the class's
    own ``__setattr__`` refuses), a call per field. The builder is a plain slotted
    class with the same slots (so the same memory layout), whose generated
    ``__init__`` assigns the slots directly; each object it makes is then turned into a
    ``cls`` by assigning ``__class__`` (CPython allows it between classes of the same
    layout). What comes out *is* a ``cls``: same type, fields, equality, hash, repr.

    Only for what ``__init__`` would do no more than assign: a slotted attrs class of
    its own (no base but ``object``), every field an argument with no converter or
    validator, no ``__attrs_pre_init__``/``__attrs_post_init__``, no cached hash.
    Anything else, or a layout CPython will not swap, gets ``cls`` itself. The builder
    is tried once against ``cls`` before it is used."""
    hit = _BUILDERS.get(cls)
    if hit is None:
        hit = _BUILDERS[cls] = _make_builder(cls)
    return hit


def _make_builder(cls: type[Any]) -> Callable[..., Any]:
    fields = attrs.fields(cls)
    slots = cls.__dict__.get("__slots__")
    plain = (
        attrs.has(cls)
        and cls.__bases__ == (object,)
        and isinstance(slots, tuple)
        and not hasattr(cls, "__attrs_pre_init__")
        and not hasattr(cls, "__attrs_post_init__")
        and "__weakref__" not in slots
        and set(slots) == {a.name for a in fields}
        and all(
            a.init and a.converter is None and a.validator is None and a.alias == a.name
            for a in fields
        )
    )
    if not plain:
        return cls
    names = [a.name for a in fields]
    source = (
        f"def __init__(self, {', '.join(names)}):\n"
        + "".join(f"    self.{n} = {n}\n" for n in names)
        + "    self.__class__ = __cls\n"
    )
    namespace: dict[str, Any] = {"__cls": cls}
    exec(compile(source, f"<sosreg builder {cls.__qualname__}>", "exec"), namespace)
    twin = type(
        f"{cls.__name__}Builder", (), {"__slots__": slots, "__init__": namespace["__init__"]}
    )
    probe = tuple(object() for _ in names)
    try:
        made = twin(*probe)
    except TypeError:  # a layout CPython will not swap
        return cls
    if type(made) is not cls or attrs.astuple(made, recurse=False) != probe:
        return cls
    return twin


def _generated_class(spec: FileSpec) -> type[Any] | None:
    from sosreg.engine.register import REGISTRY

    try:
        module = REGISTRY.get(spec.register).records
    except KeyError:
        return None
    if module is None:
        return None
    classes = _GENERATED.get(module)
    if classes is None:
        classes = _GENERATED[module] = _classes_in(module)
    cls = classes.get(spec.key)
    if cls is None or class_shape(cls) != spec_shape(spec):
        return None
    return cls


def _classes_in(module_name: str) -> dict[str, type[Any]]:
    """The record classes of a module, by spec key (none if there is no module)."""
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name != module_name:
            raise
        return {}
    out: dict[str, type[Any]] = {}
    for value in vars(module).values():
        if is_record_class(value):
            out.setdefault(value.__sosreg_spec__, value)
    return out


def _make_class(spec: FileSpec) -> type[Any]:
    attributes = {f.name: attrs.field(type=python_type(f), repr=field_repr(f)) for f in spec.fields}
    cls = attrs.make_class(
        class_name(spec),
        attributes,
        frozen=True,
        slots=True,
        weakref_slot=False,
        order=False,  # as @attrs.frozen, which the generated classes use
    )
    cls.__sosreg_spec__ = spec.key  # type: ignore[attr-defined]
    cls.__doc__ = f"A line of {spec.title} ({spec.key}). Fields: " + ", ".join(
        f"{f.name} ({f.label})" for f in spec.fields
    )
    _SPEC_OF[cls] = spec
    return cls


def spec_of(record: object) -> FileSpec:
    """The spec of a record (of a generated class: the packaged spec of its key)."""
    return spec_of_class(type(record))


def spec_of_class(cls: type[Any]) -> FileSpec:
    """The spec of a record class; for a generated class, the spec of its key with its
    fields, resolved once through the registry (the package's own spec files when the
    registry's spec of that key has been replaced by one with other fields)."""
    spec = _SPEC_OF.get(cls)
    if spec is not None:
        return spec
    key = getattr(cls, "__sosreg_spec__", None)
    if not isinstance(key, str) or not attrs.has(cls):
        raise TypeError(f"{cls.__name__} is not a sosreg record")
    from sosreg.engine.register import REGISTRY
    from sosreg.engine.spec import SpecRegistry

    register = key.partition("/")[0]
    shape = class_shape(cls)
    try:
        candidates = REGISTRY.all_specs(register)
    except KeyError:
        candidates = []
    found = next((s for s in candidates if s.key == key and spec_shape(s) == shape), None)
    if found is None and candidates:
        packaged = SpecRegistry()
        packaged.load_package(REGISTRY.get(register).package)
        found = next(
            (s for s in packaged.all(register) if s.key == key and spec_shape(s) == shape), None
        )
    if found is None:
        raise TypeError(
            f"{cls.__name__}: no spec {key} with its fields "
            "(regenerate the record classes: python -m sosreg.recordgen)"
        )
    _SPEC_OF[cls] = found
    return found


def _make_converter() -> cattrs.Converter:
    conv = cattrs.Converter()
    conv.register_unstructure_hook(YearMonth, str)
    conv.register_structure_hook(
        YearMonth, lambda v, _: v if isinstance(v, YearMonth) else YearMonth.parse(str(v))
    )
    conv.register_unstructure_hook(dt.date, lambda d: d.isoformat())
    conv.register_structure_hook(
        dt.date, lambda v, _: v if isinstance(v, dt.date) else dt.date.fromisoformat(v)
    )
    conv.register_unstructure_hook(Special, str)

    def _int_or_special(value: Any, _: Any) -> int | Special | None:
        if value is None:
            return None
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, str):
            return Special(value)
        raise ValueError(f"not an int or special code: {value!r}")

    conv.register_structure_hook(int | Special | None, _int_or_special)
    return conv


def _renames(cls: type[Any]) -> dict[str, Any]:
    return {f.name: override(rename=f.alias) for f in spec_of_class(cls).fields if f.alias}


def _make_alias_converter() -> cattrs.Converter:
    conv = _make_converter()
    conv.register_unstructure_hook_factory(
        is_record_class, lambda cls: make_dict_unstructure_fn(cls, conv, **_renames(cls))
    )
    conv.register_structure_hook_factory(
        is_record_class, lambda cls: make_dict_structure_fn(cls, conv, **_renames(cls))
    )
    return conv


converter: Final[cattrs.Converter] = _make_converter()
"""cattrs converter for records: ``converter.unstructure(record)`` gives a plain dict
(dates ISO 8601, year-months ``ÅÅÅÅMM``); ``converter.structure(d, cls)`` the reverse."""

alias_converter: Final[cattrs.Converter] = _make_alias_converter()
"""The same, with a field that has an alias (``FieldSpec.alias``, Socialstyrelsen's
variable name, e.g. ``belopp_01`` -> ``EkbBel01``) under its alias, both ways."""


def to_dict(record: object, *, aliases: bool = False) -> dict[str, Any]:
    """A record as a JSON-ready dict (``aliases``: fields under their aliases)."""
    result = (alias_converter if aliases else converter).unstructure(record)
    assert isinstance(result, dict)
    return result


@overload
def from_dict(data: Mapping[str, Any], spec: type[R], *, aliases: bool = False) -> R: ...
@overload
def from_dict(data: Mapping[str, Any], spec: FileSpec, *, aliases: bool = False) -> Any: ...
def from_dict(data: Mapping[str, Any], spec: FileSpec | type[Any], *, aliases: bool = False) -> Any:
    """A record from a dict made by :func:`to_dict`: of ``spec``'s record class, or of the
    class given (``from_dict(d, Manad)`` is typed ``Manad``)."""
    cls = record_class(spec) if isinstance(spec, FileSpec) else spec
    return (alias_converter if aliases else converter).structure(data, cls)
