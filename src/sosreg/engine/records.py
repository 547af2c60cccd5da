"""Typed records, derived from specs.

Every :class:`~sosreg.engine.spec.FileSpec` gets one frozen attrs class, made from its
fields (:func:`record_class`). Identity fields are masked in ``repr``. :data:`converter`
(cattrs) turns records into plain dicts / JSON-ready data and back.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import attrs
import cattrs

from sosreg.engine.spec import FieldSpec, FileSpec
from sosreg.engine.values import Special, YearMonth
from sosreg.identity import mask, mask_text

_CLASSES: dict[int, type] = {}


def python_type(f: FieldSpec) -> Any:
    """The Python type of a field's value."""
    base: Any
    if f.type in ("integer", "amount", "year"):
        base = int | Special if f.special else int
    elif f.type == "date":
        base = dt.date
    elif f.type == "yearmonth":
        base = YearMonth
    else:
        base = str
    return base | None


def _masked_repr(value: object) -> str:
    """The repr of an identity field: ``'19121212-****'``."""
    return "None" if value is None else repr(mask(str(value)))


def _safe_repr(value: object) -> str:
    """The repr of any other field, with any identity number in it masked (a
    personnummer typed into ``kommun`` or an amount field must not show)."""
    return mask_text(repr(value))


def _class_name(spec: FileSpec) -> str:
    """``EkbManad_2017``, ``Sol1_2017``, ``Khsl2_2019``."""
    parts = [spec.file] if spec.file.startswith(spec.register) else [spec.register, spec.file]
    return "".join(p[:1].upper() + p[1:] for p in parts) + f"_{spec.years_from}"


def record_class(spec: FileSpec) -> type:
    """The attrs class for records of ``spec`` (made once per spec object)."""
    cls = _CLASSES.get(id(spec))
    if cls is not None and getattr(cls, "__sosreg_spec__", None) is spec:
        return cls
    attributes = {
        f.name: attrs.field(
            type=python_type(f),
            default=None,
            repr=_masked_repr if f.type == "identity" else _safe_repr,
        )
        for f in spec.fields
    }
    cls = attrs.make_class(
        _class_name(spec),
        attributes,
        frozen=True,
        slots=True,
        weakref_slot=False,
    )
    cls.__sosreg_spec__ = spec  # type: ignore[attr-defined]
    cls.__doc__ = f"A line of {spec.title} ({spec.key}). Fields: " + ", ".join(
        f"{f.name} ({f.label})" for f in spec.fields
    )
    _CLASSES[id(spec)] = cls
    return cls


def spec_of(record: object) -> FileSpec:
    spec = getattr(type(record), "__sosreg_spec__", None)
    if spec is None:
        raise TypeError(f"{type(record).__name__} is not a sosreg record")
    assert isinstance(spec, FileSpec)
    return spec


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


converter: cattrs.Converter = _make_converter()
"""cattrs converter for records: ``converter.unstructure(record)`` gives a plain dict
(dates ISO 8601, year-months ``ÅÅÅÅMM``); ``converter.structure(d, cls)`` the reverse."""


def to_dict(record: object) -> dict[str, Any]:
    result = converter.unstructure(record)
    assert isinstance(result, dict)
    return result


def from_dict(data: dict[str, Any], spec: FileSpec) -> Any:
    return converter.structure(data, record_class(spec))
