"""Records of several files, joined: the general mechanism behind cross-file rules.

A spec declares what its records refer to (``[[references]]``, see
:class:`~sosreg.engine.spec.Reference`): a BU placering to its insats, an insats to its
child, an EKB-AO line to the household's line in the month's EKB-Månad. In a delivery,
:func:`check_references` reports every record whose reference finds nothing (the
reference's ``missing`` rule) and, where declared, every record nothing refers to
(``unreferenced``). A register's *joined* rules (``@REGISTER.joined(code, parent=…,
child=…)``) get each parent record with the child records that refer to it, and so can
check dates in order, overlaps and sums across files without knowing how files are
matched. No register-specific code lives here.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import Any, Generic, TypeVar

import attrs

from sosreg.engine.context import Context
from sosreg.engine.findings import Finding
from sosreg.engine.spec import Reference
from sosreg.engine.values import to_text

__all__ = ["Linked", "ParsedFile", "check_references", "join", "references_between"]

R = TypeVar("R")


@attrs.frozen
class ParsedFile:
    """One file of a delivery, with its records and their line numbers."""

    name: str
    register: str
    file: str
    period: Any
    year: int
    records: tuple[tuple[int, Any], ...]
    context: Context
    kommun: str | None = None
    register_data: bool = True
    """False for a file that is not register data (a workbook, a PDF, a JSON or XML
    document: SOS-002, SOS-018): it has its finding and takes no part in the checks
    across the delivery's files."""

    def pseudo(self, name: str) -> Any:
        """A file-level value: ``@period``, ``@year`` or ``@kommun``."""
        if name == "@period":
            return str(self.period)
        if name == "@year":
            return str(self.year)
        return self.kommun


@attrs.frozen
class Linked(Generic[R]):
    """A record of a file of the delivery, where it was read. A joined rule says which
    record class it expects (``Linked[Insats]``); the engine makes ``Linked[Any]``."""

    file: ParsedFile
    line: int
    record: R

    def finding(
        self, code: str, *, field: str | None = None, value: object = None, **params: object
    ) -> Finding:
        """A finding of ``code`` on this record's line, naming its file."""
        if value is None and field is not None:
            value = getattr(self.record, field, None)
        text = None if value is None else to_text(value) if not isinstance(value, str) else value
        params.setdefault("name", self.file.name)
        return self.file.context.finding(
            code,
            line=self.line,
            field=field,
            value=text,
            category=None,
            file=self.file.name,
            **params,
        )


def _value(pf: ParsedFile, rec: Any, name: str) -> str | None:
    """A field's value as text (so that ``202301`` matches ``@period``), or a pseudo-field."""
    if name.startswith("@"):
        value = pf.pseudo(name)
        return None if value is None else str(value)
    value = getattr(rec, name)
    return None if value is None else to_text(value)


def references_between(
    child: ParsedFile, files: Iterable[ParsedFile], ref: Reference
) -> Iterator[tuple[Linked[Any], list[Linked[Any]] | None]]:
    """For each record of ``child``: the records of the files of kind ``ref.to`` that it
    refers to (``[]`` if none), or ``None`` where the delivery has no such file to
    check against (or the record's key is incomplete)."""
    targets = [f for f in files if f.file == ref.to and f.register == child.register]
    file_pairs, record_pairs = ref.file_pairs, ref.record_pairs
    index: dict[tuple[Any, ...], dict[tuple[Any, ...], list[Linked[Any]]]] = defaultdict(dict)
    for t in targets:
        fkey = tuple(t.pseudo(other) for _, other in file_pairs)
        by_key = index[fkey]
        for line, rec in t.records:
            rkey = tuple(_value(t, rec, other) for _, other in record_pairs)
            by_key.setdefault(rkey, []).append(Linked(t, line, rec))
    for line, rec in child.records:
        here = Linked(child, line, rec)
        fkey = tuple(_value(child, rec, mine) for mine, _ in file_pairs)
        rkey = tuple(_value(child, rec, mine) for mine, _ in record_pairs)
        if fkey not in index or None in rkey or None in fkey:
            yield here, None
            continue
        yield here, index[fkey].get(rkey, [])


def check_references(files: list[ParsedFile]) -> Iterator[Finding]:
    """The ``missing`` and ``unreferenced`` rules of every reference the files' specs
    declare, within the delivery."""
    for child in files:
        for ref in child.context.spec.references:
            referenced: set[tuple[str, int]] = set()
            title = ref.to
            for here, found in references_between(child, files, ref):
                if found is None:
                    continue
                if found:
                    referenced.update((t.file.name, t.line) for t in found)
                    continue
                mine = ref.record_pairs[0][0] if ref.record_pairs else None
                values = {m: _value(child, here.record, m) or "" for m, _ in ref.pairs}
                others = sorted({f.name for f in files if f.file == ref.to})
                yield here.finding(
                    ref.missing,
                    field=mine,
                    to=title,
                    other=", ".join(others),
                    **{k.lstrip("@"): v for k, v in values.items() if k != mine},
                )
            if ref.unreferenced is None:
                continue
            for target in (f for f in files if f.file == ref.to and f.register == child.register):
                if not _file_matches(target, child, ref):
                    continue
                for line, rec in target.records:
                    if (target.name, line) not in referenced:
                        first = ref.record_pairs[0][1] if ref.record_pairs else None
                        yield Linked(target, line, rec).finding(
                            ref.unreferenced, field=first, other=child.name, to=child.file
                        )


def _file_matches(target: ParsedFile, child: ParsedFile, ref: Reference) -> bool:
    """Could ``child``'s records refer to ``target`` at all (its file-level values)?"""
    for mine, other in ref.file_pairs:
        if mine.startswith("@") and child.pseudo(mine) != target.pseudo(other):
            return False
    return True


def join(
    parent_file: str, child_file: str, files: list[ParsedFile]
) -> Iterator[tuple[Linked[Any], list[Linked[Any]]]]:
    """Each record of the ``parent_file`` files with the records of the ``child_file``
    files that refer to it (by the child spec's reference to ``parent_file``); nothing
    when the delivery has no ``child_file`` (so "no children" always means none were
    found, not that the file is missing)."""
    child_files = [f for f in files if f.file == child_file]
    if not child_files:  # the delivery has no child file: nothing to join
        return
    children: dict[tuple[str, int], list[Linked[Any]]] = defaultdict(list)
    for child in child_files:
        refs = [r for r in child.context.spec.references if r.to == parent_file]
        if not refs:
            raise ValueError(f"{child_file} declares no reference to {parent_file}")
        for here, found in references_between(child, files, refs[0]):
            for parent in found or ():
                children[(parent.file.name, parent.line)].append(here)
    for pf in (f for f in files if f.file == parent_file):
        for line, rec in pf.records:
            yield Linked(pf, line, rec), children.get((pf.name, line), [])
