"""Generate the typed record classes of the registers from their specs.

``python -m sosreg.recordgen`` writes the records module each built-in register names
(``Register.records``: ``sosreg/registers/<register>/records.py``; ``--check``: write
nothing, exit 1 if a module is stale; names after the options: only those registers, any
register the registry knows, e.g. one installed through the ``sosreg.registers`` entry
point). Each module holds one frozen, slotted attrs class per
spec (layout) of the register, named after the file and its first statistikår
(``Manad_2017``), and, per file, the newest layout under the file's own name
(``Manad = Manad_2017``); see ``docs/records.md``. The test suite checks that the
committed modules equal what this module generates and that each class has the fields
:func:`sosreg.engine.records.record_class` would make at run time.

The register is asked for its package and records module (importing it, with its
rules; a records module that is stale but importable is enough); the specs are read
from the package's ``specs/`` folder as the registry loads them.
"""

from __future__ import annotations

import importlib.util
import sys
import textwrap
import tomllib
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Final

from sosreg.engine.records import base_class_name, class_name
from sosreg.engine.register import REGISTRY
from sosreg.engine.spec import FieldSpec, FileSpec, spec_from_dict
from sosreg.plugins import BUILTIN_REGISTERS

COMMAND: Final = "python -m sosreg.recordgen"
WIDTH: Final = 92
"""Docstring text is wrapped to this column (ruff's limit is 100)."""

_ANNOTATIONS: Final = {
    "integer": "int",
    "amount": "int",
    "year": "int",
    "date": "dt.date",
    "yearmonth": "YearMonth",
}


def annotation(f: FieldSpec) -> str:
    """The source of a field's type, as :func:`~sosreg.engine.records.python_type`."""
    base = _ANNOTATIONS.get(f.type, "str")
    if base == "int" and f.special:
        base = "int | Special"
    return f"{base} | None"


def package_dir(package: str) -> Path:
    """The folder of a package, found without importing it."""
    found = importlib.util.find_spec(package)
    if found is None or not found.submodule_search_locations:
        raise LookupError(f"{package} is not a package")
    return Path(next(iter(found.submodule_search_locations)))


def package_specs(package: str) -> list[FileSpec]:
    """The specs in ``<package>/specs/*.toml``, as the registry loads them."""
    out = []
    for path in sorted((package_dir(package) / "specs").glob("*.toml")):
        data = tomllib.loads(path.read_text("utf-8"))
        out.append(spec_from_dict(data, f"{package.replace('.', '/')}/specs/{path.name}"))
    return out


def _years(spec: FileSpec) -> str:
    return f"{spec.years_from}–{spec.years_to if spec.years_to is not None else ''}"


def _text(text: str) -> str:
    """Text that is safe inside a triple-quoted docstring and ends a sentence."""
    text = " ".join(text.replace("\\", "\\\\").replace('"""', '\\"\\"\\"').split())
    return text if text.endswith((".", "?", "!")) else text + "."


def _docstring(paragraphs: Sequence[str], indent: str) -> list[str]:
    """A docstring: one line if it fits, else wrapped paragraphs."""
    paras = [_text(p) for p in paragraphs if p.strip()]
    if len(paras) == 1 and len(indent) + len(paras[0]) + 6 <= 100:
        return [f'{indent}"""{paras[0]}"""']
    lines: list[str] = []
    for i, para in enumerate(paras):
        if i:
            lines.append("")
        width = WIDTH - len(indent) - (3 if i == 0 else 0)
        wrapped = textwrap.wrap(para, width, break_on_hyphens=False)
        lines.extend(wrapped)
    out = [f'{indent}"""{lines[0]}']
    out += [f"{indent}{line}" if line else "" for line in lines[1:]]
    return [*out, f'{indent}"""']


def _facts(f: FieldSpec) -> str:
    facts = ["Mandatory" if f.mandatory else "Optional"]
    if f.type == "code":
        facts.append(f"code list ``{f.codelist}``" if f.codelist else "a code")
    elif f.type == "identity":
        facts.append("identity (" + ", ".join(f.accept) + ")" if f.accept else "identity")
    else:
        facts.append(f.type)
    if f.width:
        facts.append(f"width {f.width}")
    if f.length:
        facts.append(f"at most {f.length} characters")
    if f.min is not None or f.max is not None:
        lo = "" if f.min is None else f.min
        hi = "" if f.max is None else f.max
        facts.append(f"{lo}–{hi}")
    if f.special:
        facts.append(f"special codes ``{f.special}``")
    if f.alias:
        facts.append(f"alias ``{f.alias}``")
    if f.provenance:
        facts.append(f.provenance)
    return "; ".join([*facts, f"field {f.position}"]) + "."


def _field_doc(f: FieldSpec) -> list[str]:
    """Label (Swedish — English), what the spec says of the field, its description."""
    head = f.label if not f.label_en or f.label_en == f.label else f"{f.label} — {f.label_en}"
    return _docstring([f"{_text(head)} {_facts(f)}", f.description], "    ")


def class_source(spec: FileSpec) -> list[str]:
    """The source lines of a spec's record class."""
    name = class_name(spec)
    doc = [
        f"{spec.title}, statistikår {_years(spec)} (spec ``{spec.key}``).",
        spec.description,
        f"Layout: {spec.provenance}"
        + (f"; ``{spec.source_path}``" if spec.source_path else "")
        + f". Fields in file order, {spec.n_fields}; ``None`` is an empty field.",
    ]
    lines = [
        "@attrs.frozen(weakref_slot=False)",
        f"class {name}:",
        *_docstring(doc, "    "),
        "",
        f'    __sosreg_spec__: ClassVar[str] = "{spec.key}"',
    ]
    for f in spec.fields:
        repr_fn = "masked_repr" if f.type == "identity" else "safe_repr"
        lines += ["", f"    {f.name}: {annotation(f)} = attrs.field(repr={repr_fn})"]
        lines += _field_doc(f)
    return lines


def current(specs: Iterable[FileSpec]) -> dict[str, FileSpec]:
    """Per file name, the spec of its newest layout (the latest first statistikår)."""
    newest: dict[str, FileSpec] = {}
    for spec in specs:
        have = newest.get(spec.file)
        if have is None or spec.years_from > have.years_from:
            newest[spec.file] = spec
    return newest


def module_source(register: str, specs: Sequence[FileSpec], package: str) -> str:
    """The source of ``<package>.records`` for a register's specs."""
    specs = sorted(specs, key=lambda s: (s.file, s.years_from))
    newest = current(specs)
    aliases = {base_class_name(file): class_name(spec) for file, spec in newest.items()}
    names = [class_name(s) for s in specs]
    clash = set(aliases) & set(names) or len(set(names)) < len(names)
    if clash:
        raise ValueError(f"{register}: record class names clash: {sorted(names)}")
    types = {annotation(f) for s in specs for f in s.fields}
    folder = f"{package.replace('.', '/')}/specs/"
    listing = [
        f"- ``{alias}`` = ``{cls}``: {newest[f].title}, statistikår {_years(newest[f])}"
        for f, (alias, cls) in zip(newest, aliases.items(), strict=True)
    ]
    older = [s for s in specs if newest[s.file] is not s]
    listing += [f"- ``{class_name(s)}``: {s.title}, statistikår {_years(s)}" for s in older]
    head = [
        f"# Generated by `{COMMAND}` from the specs; do not edit by hand.",
        f'"""Typed records of the ``{register}`` register: one frozen attrs class per layout.',
        "",
        f"Generated by ``{COMMAND}`` from ``{folder}*.toml``;",
        "do not edit by hand.",
        "Each class is named after its file and first statistikår; the file's own name is",
        "its newest layout (see ``docs/records.md``):",
        "",
        *listing,
        '"""',
        "",
        *(["import datetime as dt"] if any("dt.date" in t for t in types) else []),
        "from typing import ClassVar",
        "",
        "import attrs",
        "",
        "from sosreg.engine.records import masked_repr, safe_repr",
    ]
    values = [n for n in ("Special", "YearMonth") if any(n in t for t in types)]
    if values:
        head.append(f"from sosreg.engine.values import {', '.join(values)}")
    exported = sorted([*names, *aliases])
    head += ["", "__all__ = [", *(f'    "{n}",' for n in exported), "]"]
    body: list[str] = []
    for spec in specs:
        body += ["", "", *class_source(spec)]
    body += [""]
    for file, spec in newest.items():
        alias = base_class_name(file)
        body += [
            "",
            f"{alias} = {class_name(spec)}",
            f'"""The newest layout of {spec.title} (statistikår {_years(spec)})."""',
        ]
    return "\n".join([*head, *body]).rstrip("\n") + "\n"


def register_package(name: str) -> str:
    """The package of register ``name``, as its :class:`~sosreg.engine.register.Register`
    names it."""
    return REGISTRY.get(name).package


def records_path(name: str) -> Path:
    """The file of the records module register ``name`` names (``Register.records``)."""
    reg = REGISTRY.get(name)
    if reg.records is None:
        raise LookupError(f"register {reg.name} names no records module")
    parent, _, leaf = reg.records.rpartition(".")
    return package_dir(parent) / f"{leaf}.py"


def modules(registers: Iterable[str] = BUILTIN_REGISTERS) -> dict[Path, str]:
    """Path -> source of the record module of each register."""
    out = {}
    for name in registers:
        package = register_package(name)
        out[records_path(name)] = module_source(name, package_specs(package), package)
    return out


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    check = "--check" in args
    names = [a for a in args if not a.startswith("-")] or list(BUILTIN_REGISTERS)
    unknown = {n for n in names if n.lower() not in REGISTRY.names()}
    if unknown:
        print(f"unknown register(s): {', '.join(sorted(unknown))}", file=sys.stderr)
        return 2
    stale = 0
    for path, text in modules(names).items():
        if path.exists() and path.read_text("utf-8") == text:
            continue
        stale += 1
        if check:
            print(f"stale: {path}", file=sys.stderr)
        else:
            path.write_text(text, "utf-8")
            print(path)
    return 1 if check and stale else 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
