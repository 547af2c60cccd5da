"""Years of files, for analysts: many files as one typed polars frame, and as a Parquet
dataset (needs ``polars``; ``pip install "sosreg[parquet]"``).

>>> s = sosreg.scan("deliveries/sol/2023/", key=read_key("sosreg.key"))  # doctest: +SKIP
>>> s.frame.group_by("period").agg(pl.col("personnummer").n_unique())  # doctest: +SKIP

:func:`scan` checks every file (the columnar engine), keeps the files whose status the
caller accepts (``include``: ``"godkand"``, ``"warnings"`` — the default: every file the
collector accepts — or ``"all"``) and reads their lines into typed columns, from the
same read as the check (the columnar engine hands over each block's rows: the cleared
ones cast by their field types, the records of the others; with another engine the
file is read a second time, guarded by its hash). The
:class:`Scan` it returns holds the frame (:attr:`Scan.frame`, a ``polars.LazyFrame``;
:meth:`Scan.to_arrow` for a ``pyarrow.Table``), the report of every file checked
(:attr:`Scan.reports`) and the files left out with the reason (:attr:`Scan.left_out`).

:func:`export` writes the same typed rows as a Hive-partitioned Parquet dataset,
``register=…/file=…/year=…/part-<n>.parquet``, one part per source file, written file by
file (one file's rows in memory at a time), and ``_reports.jsonl`` beside it (one JSON
report per file checked). :func:`export_file` is one file of that, for running many
files on a cluster (``dask.bag.from_sequence(paths).map(export_file, out=…, key=…)``).

The columns (:func:`schema`), the same in both:

* ``source_file`` (the path as given, identity numbers in it masked as in the report's
  ``name``, which is its last part),
  ``line`` (the physical line, from 1), ``register``, ``file``, ``year``
  (statistikår), ``period`` (``ÅÅÅÅMM`` or ``ÅÅÅÅ``) and ``kommun``. Where the spec
  has a field ``period`` or ``kommun`` (most do), the column holds the line's value,
  which in an accepted file is the file's.
* then every field of the spec, in order: ``code``, ``text`` and ``identity`` as
  ``String``; ``integer``, ``amount`` and ``year`` as ``Int64``; ``date`` as ``Date``;
  ``yearmonth`` as a ``String`` ``ÅÅÅÅMM`` (as written: it sorts, and it is not a day).
  A numeric field with special codes gives the number (null for a special code) and
  ``<field>_kod`` with the code (``777`` = dygnet runt), as :mod:`sosreg.frames`.
* Identity fields hold pseudonyms by default (``identities="pseudonym"``: ``p_`` and 16
  hex digits of HMAC-SHA-256 under ``key``; the same person gets the same pseudonym in
  every file and run under one key); ``"mask"`` gives ``19121212-****``, ``"keep"`` the
  numbers, ``"drop"`` leaves the columns out. Identity-shaped digits in any other text
  column are masked (:func:`sosreg.identity.mask_text`), and a number column is null
  where the file has a personnummer (SOS-215,
  :func:`sosreg.identity.looks_like_identity`). Without ``key``, a random key is made
  once per process (:func:`sosreg.identity.session_key`).

With ``labels=True`` (or ``"sv"``, ``"en"``) each coded column (a code field with a
code list; the ``<field>_kod`` of a number with special codes) is followed by
``<column>_label``: the label valid in the file's statistikår, from the code lists the
file was checked with (a label that changed between years is each year's own), null for
a code not in the list or not valid that year (as :mod:`sosreg.frames`).

The values are the row parser's (:func:`sosreg.load`), built column-wise: clean lines
are split and cast with polars; the few lines the row parser must read (quotes, spaces,
a wrong number of fields, non-ASCII) go through it.
"""

from __future__ import annotations

import io
import json
import os
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Final

import attrs

from sosreg.codelists import CodeList
from sosreg.engine.errors import optional_import
from sosreg.engine.filename import parse_filename
from sosreg.engine.findings import DEFAULT_MAX_DETAILS, Status
from sosreg.engine.pipeline import Parsed, UsageError, parse
from sosreg.engine.register import REGISTRY
from sosreg.engine.report import Report
from sosreg.engine.rules import say
from sosreg.engine.source import MAX_LINE, Input, PhysicalLine, iter_lines
from sosreg.engine.spec import FieldSpec, FileSpec
from sosreg.engine.types import field_type
from sosreg.engine.values import Special
from sosreg.frames import IDENTITIES, code_label, label_lang, labelled
from sosreg.identity import Pseudonymizer, mask, mask_text, session_key

__all__ = [
    "INCLUDE",
    "META",
    "Exported",
    "Scan",
    "export",
    "export_file",
    "read_key",
    "scan",
    "schema",
    "write_reports",
]

INCLUDE: Final = ("godkand", "warnings", "all")
"""Which files :func:`scan` and :func:`export` keep: only ``godkänd``; also ``godkänd med
varningar`` (the default: every file the collector accepts); or every file, ``inte
godkänd`` too (lines that give no record are still left out)."""

META: Final = ("source_file", "line", "register", "file", "year", "period", "kommun")
"""The columns before the spec's fields."""

PARTITIONS: Final = ("register", "file", "year")
"""The Hive partition keys of an exported dataset (not stored in the Parquet files)."""

REPORTS: Final = "_reports.jsonl"
"""The name of the reports file beside an exported dataset."""

MIN_KEY_BYTES: Final = 16

_CLEAN: Final = r"^[0-9][\x21-\x7e]*$"
"""A line the row parser splits as it stands: printable ASCII from a digit, no spaces
(it also has no quote and the right number of separators)."""


def _polars() -> Any:
    return optional_import("polars", "reading files into frames", "parquet")


def _numeric(f: FieldSpec) -> bool:
    return field_type(f).numeric


def _fields(spec: FileSpec) -> list[FieldSpec]:
    """The spec's fields in column order: ``period`` and ``kommun`` (if fields) first."""
    first = [spec.field(n) for n in ("period", "kommun") if spec.has_field(n)]
    return first + [f for f in spec.fields if f.name not in ("period", "kommun")]


def schema(
    spec: FileSpec, identities: str = "pseudonym", labels: bool | str = False
) -> dict[str, Any]:
    """The columns of ``spec``'s rows, in order, with their polars types."""
    pl = _polars()
    if identities not in IDENTITIES:
        raise UsageError(f"identities must be one of {', '.join(map(repr, IDENTITIES))}")
    if _labels(labels) is not None:
        return _with_label_columns(pl, spec, schema(spec, identities))
    out: dict[str, Any] = {
        "source_file": pl.String,
        "line": pl.Int64,
        "register": pl.String,
        "file": pl.String,
        "year": pl.Int64,
        "period": pl.String,
        "kommun": pl.String,
    }
    out.update(_field_schema(pl, spec, identities))
    return out


def _field_schema(pl: Any, spec: FileSpec, identities: str) -> dict[str, Any]:
    """The columns of the spec's fields (``period`` and ``kommun`` first, if fields)."""
    out: dict[str, Any] = {}
    for f in _fields(spec):
        if f.type == "identity" and identities == "drop":
            continue
        out[f.name] = field_type(f).polars_dtype(pl)
        if _numeric(f) and f.special:
            out[f"{f.name}_kod"] = pl.String
    return out


def _labels(labels: bool | str) -> str | None:
    try:
        return label_lang(labels)
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def _with_label_columns(pl: Any, spec: FileSpec, columns: dict[str, Any]) -> dict[str, Any]:
    """``columns`` with a ``<column>_label`` (String) after each labelled column."""
    coded = {column for column, _ in labelled(spec)}
    out: dict[str, Any] = {}
    for name, dtype in columns.items():
        out[name] = dtype
        if name in coded:
            out[f"{name}_label"] = pl.String
    return out


def _label_columns(pl: Any, frame: Any, parsed: Parsed, year: int, lang: str) -> list[Any]:
    """The ``<column>_label`` columns of one file's rows (all of statistikår ``year``),
    from the code lists the file was checked with."""
    out = []
    for column, name in labelled(parsed.spec):
        if column not in frame.columns:
            continue
        codelist = parsed.context.codelist(name)
        codes = frame.get_column(column).drop_nulls().unique().to_list()
        mapping = {c: code_label(codelist, c, year, lang) for c in codes}
        out.append(
            pl.col(column)
            .replace_strict(mapping, default=None, return_dtype=pl.String)
            .alias(f"{column}_label")
        )
    return out


# -- one file --------------------------------------------------------------------------


def _left_out(report: Report, include: str) -> str | None:
    """Why the file is left out under ``include`` (``None``: it is kept)."""
    status = report.status
    if status is Status.GODKAND or include == "all":
        return None
    if status is Status.GODKAND_MED_VARNINGAR and include == "warnings":
        return None
    sev = report.severities()
    worst = max(sev.values(), default=None)
    codes = [c for c in report.counts() if sev[c] == worst][:5]
    return f"{status.value} ({', '.join(codes)})"


def _name_says(path: str, register: str | None, file: str | None) -> str | None:
    """Why a file whose name names another register or file than asked is left out."""
    if register is None and file is None:
        return None
    fname = parse_filename(Path(path).name, REGISTRY.prefixes())
    if fname.register is None:
        return None
    if register is not None and fname.register != register.lower():
        return f"a file of register {fname.register}, not {register}"
    if file is not None:
        named = REGISTRY.get(fname.register).file_from_tokens(list(fname.tokens))
        if named is not None and named != file.lower():
            return f"file {named}, not {file}"
    return None


@attrs.frozen
class _Checked:
    path: str
    parsed: Parsed | None
    report: Report | None
    reason: str | None
    rows: list[Any] | None = None
    """The typed rows, block by block, as the columnar engine read them while checking
    (one read per file); ``None``: the engine gave none (the row engine), read again."""


class _Rows:
    """Collects the typed rows of each block the columnar engine checks (see
    :attr:`sosreg.engine.runner.Runner.rows`)."""

    def __init__(self, parsed: Parsed) -> None:
        self.parsed = parsed
        self.parts: list[Any] = []
        self.called = False

    def __call__(self, cleared: Any, records: list[tuple[int, Any]]) -> None:
        self.called = True
        pl = _polars()
        spec = self.parsed.spec
        raw_schema = {"line": pl.Int64, **_field_schema(pl, spec, "keep")}
        self.parts.append(_typed(pl, self.parsed, raw_schema, cleared, records))


def _check(
    path: str,
    include: str,
    *,
    register: str | None,
    file: str | None,
    year: int | None,
    codelists: Mapping[str, CodeList] | None,
    engine: str,
    max_details: int | None,
) -> _Checked:
    reason = _name_says(path, register, file)
    if reason is not None:
        return _Checked(path, None, None, reason)
    try:
        parsed = parse(
            path,
            register=register,
            file=file,
            year=year,
            codelists=codelists,
            engine=engine,
            max_details=max_details,
        )
        rows = _Rows(parsed)
        parsed.runner.rows = rows
        report = parsed.report()
    except UsageError as exc:
        return _Checked(path, None, None, f"not checked: {exc}")
    parsed.runner.rows = None
    reason = _left_out(report, include)
    typed = rows.parts if rows.called and reason is None else None
    return _Checked(path, parsed, report, reason, typed)


def _transform(identities: str, key: bytes | None) -> Callable[[str], str] | None:
    if identities == "pseudonym":
        return Pseudonymizer(key if key is not None else session_key())
    if identities == "mask":
        return mask
    return None


def _map_unique(pl: Any, series: Any, fn: Callable[[str], str], only_long: bool) -> Any:
    """``fn`` applied to each distinct value (of 10 characters or more, with
    ``only_long``: the shortest identity-shaped run)."""
    values = series.drop_nulls()
    if only_long:
        values = values.filter(values.str.len_chars() >= 10)
    mapping = {v: fn(v) for v in values.unique().to_list()}
    mapping = {k: v for k, v in mapping.items() if v != k}
    if not mapping:
        return series
    return series.replace(mapping)


def _python_columns(spec: FileSpec, rows: list[tuple[int, Any]]) -> dict[str, list[Any]]:
    """Typed columns of records the row parser made (as :mod:`sosreg.frames`: each
    field type's :meth:`~sosreg.engine.types.base.FieldType.frame_value`)."""
    cols: dict[str, list[Any]] = {"line": [n for n, _ in rows]}
    for f in spec.fields:
        values = [getattr(r, f.name) for _, r in rows]
        cols[f.name] = [field_type(f).frame_value(v) for v in values]
        if _numeric(f) and f.special:
            cols[f"{f.name}_kod"] = [str(v) if isinstance(v, Special) else None for v in values]
    return cols


def _casts(pl: Any, parsed: Parsed) -> list[Any]:
    """Expressions that turn the raw text of each field into its typed value, exactly as
    the field converters do: each field type's
    :meth:`~sosreg.engine.types.base.FieldType.cast`, and the special codes of a number."""
    out = []
    for cf in parsed.parser.fields:
        f = cf.spec
        c = pl.col(f.name)
        out.append(field_type(f).cast(pl, c, cf).alias(f.name))
        if _numeric(f) and f.special:
            kod = pl.when(c.is_in(sorted(cf.specials))).then(c) if cf.specials else pl.lit(None)
            out.append(kod.cast(pl.String).alias(f"{f.name}_kod"))
    return out


def _typed(
    pl: Any,
    parsed: Parsed,
    raw_schema: dict[str, Any],
    fast: Any,
    records: list[tuple[int, Any]],
) -> Any:
    """Typed rows: the raw fields of the lines split as they stand (``fast``: ``line``
    and the fields) cast by the field types, and the ``(line, record)`` the row parser
    made of the others, in line order."""
    typed = fast.select("line", *_casts(pl, parsed)).select(list(raw_schema))
    if records:
        cols = _python_columns(parsed.spec, records)
        more = pl.DataFrame({k: cols[k] for k in raw_schema}, schema=raw_schema)
        typed = pl.concat([typed, more]).sort("line")
    return typed


class _Changed(Exception):
    """The file changed between its check and its reading: left out."""


def _frame(
    checked: _Checked,
    *,
    identities: str,
    key: bytes | None,
    labels: bool | str = False,
) -> Any:
    """The typed rows of a checked file (a polars ``DataFrame`` of :func:`schema`)."""
    pl = _polars()
    parsed, report = checked.parsed, checked.report
    assert parsed is not None and report is not None
    spec = parsed.spec
    raw_schema = {"line": pl.Int64, **_field_schema(pl, spec, "keep")}
    if checked.rows is not None:  # read while checked
        fast = pl.concat(checked.rows) if checked.rows else pl.DataFrame(schema=raw_schema)
    else:
        fast = _read_again(pl, checked, raw_schema)
    return _finish(pl, checked, fast, raw_schema, identities=identities, key=key, labels=labels)


def _read_again(pl: Any, checked: _Checked, raw_schema: dict[str, Any]) -> Any:
    """The typed rows of a file the engine gave none of (the row engine): read again,
    guarded by the hash of the file checked."""
    parsed, report = checked.parsed, checked.report
    assert parsed is not None and report is not None
    spec = parsed.spec
    parser = parsed.parser
    n = parser.n
    text = ""
    if parsed.text_input:
        with Input(checked.path) as source:
            if source.sniff.sha256 != report.sha256:
                raise _Changed("changed while it was read")
            text = source.text()

    slow: list[tuple[int, str]] = []
    if text.count("\r") != text.count("\r\n"):  # lines ending in a lone CR: all by rows
        slow = [(ln.number, ln.text) for ln in iter_lines(io.StringIO(text, newline=""))]
        fast = pl.DataFrame(schema=raw_schema)
    else:
        parts = text.split("\n")
        del text
        if parts[-1] == "":
            parts.pop()
        lines = pl.DataFrame({"text": pl.Series(parts, dtype=pl.String)})
        del parts
        lines = lines.select(
            pl.int_range(1, pl.len() + 1, dtype=pl.Int64).alias("line"),
            pl.col("text").str.strip_suffix("\r"),
        ).with_columns(
            (
                pl.col("text").str.contains(_CLEAN)
                & ~pl.col("text").str.contains('"', literal=True)
                & (pl.col("text").str.count_matches(";", literal=True) == n - 1)
                & (pl.col("text").str.len_chars() <= MAX_LINE)
            ).alias("clean")
        )
        slow = list(lines.filter(~pl.col("clean")).select("line", "text").iter_rows())
        fast = (
            lines.filter(pl.col("clean"))
            .select(
                "line",
                pl.col("text")
                .str.split_exact(";", n - 1)
                .struct.rename_fields(parser.names)
                .alias("f"),
            )
            .unnest("f")
            .select("line", *_casts(pl, parsed))
            .select(list(raw_schema))
        )
        del lines
    if slow:
        records: list[tuple[int, Any]] = []
        for number, line_text in slow:
            physical = PhysicalLine(number, line_text[: MAX_LINE + 1], "\n", len(line_text))
            record, _ = parser.parse(physical)
            if record is not None:
                records.append((number, record))
        if records:
            cols = _python_columns(spec, records)
            more = pl.DataFrame({k: cols[k] for k in raw_schema}, schema=raw_schema)
            fast = pl.concat([fast, more]).sort("line")
    return fast


def _finish(
    pl: Any,
    checked: _Checked,
    fast: Any,
    raw_schema: dict[str, Any],
    *,
    identities: str,
    key: bytes | None,
    labels: bool | str,
) -> Any:
    """The typed rows as analysts' frames show them: the file's columns, identities
    pseudonymised, masked or dropped, labels."""
    parsed, report = checked.parsed, checked.report
    assert parsed is not None and report is not None
    spec = parsed.spec
    transform = _transform(identities, key)
    columns: list[Any] = [
        pl.lit(mask_text(checked.path), dtype=pl.String).alias("source_file"),
        pl.col("line"),
        pl.lit(report.register, dtype=pl.String).alias("register"),
        pl.lit(report.file, dtype=pl.String).alias("file"),
        pl.lit(report.year, dtype=pl.Int64).alias("year"),
    ]
    if not spec.has_field("period"):
        columns.append(pl.lit(report.period, dtype=pl.String).alias("period"))
    if not spec.has_field("kommun"):
        columns.append(pl.lit(report.kommun, dtype=pl.String).alias("kommun"))
    frame = fast.select(*columns, *(pl.col(n) for n in raw_schema if n != "line"))
    updates = []
    for name, dtype in raw_schema.items():
        if name == "line" or dtype != pl.String:
            continue
        series = frame.get_column(name)
        is_identity = spec.has_field(name) and spec.field(name).type == "identity"
        if is_identity:
            if transform is not None:
                updates.append(_map_unique(pl, series, transform, only_long=False))
        else:  # a month ÅÅÅÅMM is shorter than any identity: left as it is
            updates.append(_map_unique(pl, series, mask_text, only_long=True))
    if updates:
        frame = frame.with_columns(updates)
    if identities == "drop":
        frame = frame.drop([f.name for f in spec.fields if f.type == "identity"])
    lang = _labels(labels)
    if lang is not None:
        frame = frame.with_columns(_label_columns(pl, frame, parsed, report.year, lang))
    return frame.select(list(schema(spec, identities, labels)))


# -- scan ------------------------------------------------------------------------------


def _expand(paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]]) -> list[str]:
    from sosreg.batch import expand

    if isinstance(paths, str | os.PathLike):
        paths = [paths]
    return expand([os.fspath(p) for p in paths])


def _check_args(
    include: str, identities: str, register: str | None = None, file: str | None = None
) -> None:
    if register is not None:
        try:
            files = set(REGISTRY.get(register).files)
        except KeyError as exc:
            raise UsageError(str(exc.args[0])) from exc
    else:
        files = {f for name in REGISTRY.names() for f in REGISTRY.get(name).files}
    if file is not None and file.lower() not in files:
        raise UsageError(f"unknown file {file!r} (files: {', '.join(sorted(files))})")
    if include not in INCLUDE:
        raise UsageError(f"include must be one of {', '.join(map(repr, INCLUDE))}, not {include!r}")
    if identities not in IDENTITIES:
        raise UsageError(
            f"identities must be one of {', '.join(map(repr, IDENTITIES))}, not {identities!r}"
        )


class Scan:
    """The result of :func:`scan`: the typed rows, the reports, what was left out."""

    def __init__(
        self,
        tables: dict[str, Any],
        reports: dict[str, Report],
        left_out: dict[str, str],
    ) -> None:
        self._tables = tables
        self.reports: dict[str, Report] = reports
        """The report of every file checked (kept or not), by ``source_file``."""
        self.left_out: dict[str, str] = left_out
        """Files left out, by ``source_file``: why (its status and worst rules, another
        register or file than asked for, or why it could not be checked)."""

    @property
    def files(self) -> list[str]:
        """The files whose rows are in the frame."""
        return [p for p in self.reports if p not in self.left_out]

    @property
    def frames(self) -> dict[str, Any]:
        """A ``LazyFrame`` per spec (its key, ``sol/sol1/2017-``), each of one schema."""
        return {key: table.lazy() for key, table in self._tables.items()}

    @property
    def frame(self) -> Any:
        """Every row as one ``polars.LazyFrame``. Files of several specs give the union
        of their columns (null where a spec has no such field); a column with different
        types in two specs is an error (use :attr:`frames`)."""
        pl = _polars()
        if not self._tables:
            return pl.LazyFrame(schema={n: pl.String for n in META}).with_columns(
                pl.col("line", "year").cast(pl.Int64)
            )
        if len(self._tables) == 1:
            return next(iter(self._tables.values())).lazy()
        seen: dict[str, tuple[str, Any]] = {}
        for key, table in self._tables.items():
            for name, dtype in table.schema.items():
                if name in seen and seen[name][1] != dtype:
                    raise ValueError(
                        f"column {name} is {seen[name][1]} in {seen[name][0]} and {dtype} in "
                        f"{key}: use Scan.frames[spec] for one spec at a time"
                    )
                seen.setdefault(name, (key, dtype))
        return pl.concat([t.lazy() for t in self._tables.values()], how="diagonal")

    def to_arrow(self) -> Any:
        """Every row as a ``pyarrow.Table`` (needs pyarrow)."""
        optional_import("pyarrow", "to_arrow", "parquet")
        return self.frame.collect().to_arrow()

    def findings(self, lang: str = "sv") -> Any:
        """The findings of every file checked, one row each (``source_file``, ``line``,
        ``code``, ``collector``, the collector's error number where known, ``severity``,
        ``field``, ``message``): the details each report kept,
        at most ``max_details`` per rule and file (its counts are exact)."""
        pl = _polars()
        rows = [
            {
                "source_file": mask_text(path),
                "line": f.line,
                "code": f.code,
                "collector": f.collector,
                "severity": f.severity.code,
                "field": f.field,
                "message": f.message(lang),
            }
            for path, report in self.reports.items()
            for f in report.findings
        ]
        return pl.DataFrame(
            rows,
            schema={
                "source_file": pl.String,
                "line": pl.Int64,
                "code": pl.String,
                "collector": pl.Int64,
                "severity": pl.String,
                "field": pl.String,
                "message": pl.String,
            },
        )

    def __repr__(self) -> str:
        rows = sum(t.height for t in self._tables.values())
        counts = say(
            "{f} {f|file|files}, {r} {r|row|rows}, {x} left out",
            f=len(self.files),
            r=rows,
            x=len(self.left_out),
        )
        return f"Scan({counts}; specs: {', '.join(self._tables) or 'none'})"


def scan(
    paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
    *,
    register: str | None = None,
    file: str | None = None,
    year: int | None = None,
    include: str = "warnings",
    identities: str = "pseudonym",
    key: bytes | None = None,
    codelists: Mapping[str, CodeList] | None = None,
    engine: str = "columnar",
    max_details: int | None = DEFAULT_MAX_DETAILS,
    labels: bool | str = False,
) -> Scan:
    """Check many files and read the ones ``include`` accepts into typed columns.

    ``paths``: a file, a directory (every file in it, recursively) or a glob, or a list
    of them. ``register``/``file`` keep only the files whose name says that register or
    file (a name that says neither is read as one). ``year``, ``codelists`` and
    ``max_details`` are :func:`sosreg.validate`'s. ``identities`` and ``key`` as in
    :mod:`sosreg.frames`. ``labels`` adds ``<column>_label`` columns (see the module's
    docs, with the columns).
    """
    _check_args(include, identities, register, file)
    _labels(labels)
    pl = _polars()
    files = _expand(paths)
    parts: dict[str, list[Any]] = {}
    reports: dict[str, Report] = {}
    left_out: dict[str, str] = {}
    for path in files:
        checked = _check(
            path,
            include,
            register=register,
            file=file,
            year=year,
            codelists=codelists,
            engine=engine,
            max_details=max_details,
        )
        if checked.report is not None:
            reports[path] = checked.report
        if checked.reason is not None:
            left_out[path] = checked.reason
            continue
        assert checked.parsed is not None
        try:
            table = _frame(checked, identities=identities, key=key, labels=labels)
        except _Changed as exc:
            left_out[path] = str(exc)
            continue
        parts.setdefault(checked.parsed.spec.key, []).append(table)
    tables = {k: pl.concat(v, rechunk=False) for k, v in parts.items()}
    return Scan(tables, reports, left_out)


# -- export ----------------------------------------------------------------------------


def read_key(path: str | os.PathLike[str]) -> bytes:
    """The pseudonym key in the file ``path``: its bytes as they are (at least 16;
    make one with ``head -c 32 /dev/urandom > sosreg.key`` and keep it secret)."""
    try:
        key = Path(path).expanduser().read_bytes()
    except OSError as exc:
        raise UsageError(f"cannot read the key file {path}: {exc.strerror or exc}") from exc
    if len(key) < MIN_KEY_BYTES:
        raise UsageError(
            f"the key file {path} holds {len(key)} bytes; a pseudonym key needs at least "
            f"{MIN_KEY_BYTES} (make one with: head -c 32 /dev/urandom > {path})"
        )
    return key


@attrs.frozen
class Exported:
    """One file of :func:`export`: its report, where its rows went, or why it was left
    out."""

    source_file: str
    report: Report | None
    """``None`` when the file could not be checked (see :attr:`reason`)."""
    part: str | None = None
    """The Parquet part written, relative to the dataset's folder (``None``: none)."""
    rows: int = 0
    reason: str | None = None
    """Why the file was left out (``None``: its rows were written)."""


def _part_name(report: Report) -> str:
    """``part-<n>.parquet``, ``<n>`` the first 16 hex digits of the file's SHA-256: the
    same input gives the same part (a rerun replaces it)."""
    return f"part-{report.sha256[:16]}.parquet"


def export_file(
    path: str | os.PathLike[str],
    out: str | os.PathLike[str],
    *,
    key: bytes,
    include: str = "warnings",
    identities: str = "pseudonym",
    register: str | None = None,
    file: str | None = None,
    year: int | None = None,
    codelists: Mapping[str, CodeList] | None = None,
    engine: str = "columnar",
    max_details: int | None = DEFAULT_MAX_DETAILS,
    labels: bool | str = False,
) -> Exported:
    """Check one file and, if ``include`` accepts it, write its rows to the dataset in
    ``out`` (``register=…/file=…/year=…/part-<n>.parquet``; written to a temporary name
    and renamed, so a reader never sees half a part). ``key`` is required: workers on
    other machines must pseudonymise alike. Safe to run in parallel (each file has its
    own part); :func:`write_reports` writes the reports afterwards. ``labels`` as
    :func:`scan`."""
    _check_args(include, identities, register, file)
    _labels(labels)
    source = os.fspath(path)
    checked = _check(
        source,
        include,
        register=register,
        file=file,
        year=year,
        codelists=codelists,
        engine=engine,
        max_details=max_details,
    )
    if checked.reason is not None:
        return Exported(source, checked.report, reason=checked.reason)
    report = checked.report
    assert report is not None
    try:
        frame = _frame(checked, identities=identities, key=key, labels=labels)
    except _Changed as exc:
        return Exported(source, report, reason=str(exc))
    if frame.height == 0:
        return Exported(source, report)
    folder = Path(out).joinpath(*(f"{k}={getattr(report, k)}" for k in PARTITIONS))
    folder.mkdir(parents=True, exist_ok=True)
    name = _part_name(report)
    temporary = folder / f".{name}.{os.getpid()}.{threading.get_ident()}.tmp"
    frame.drop(list(PARTITIONS)).write_parquet(temporary, compression="snappy")
    os.replace(temporary, folder / name)
    part = (folder / name).relative_to(Path(out)).as_posix()
    return Exported(source, report, part, frame.height)


def write_reports(
    out: str | os.PathLike[str], results: Iterable[Exported], lang: str = "sv"
) -> Path:
    """``_reports.jsonl`` in ``out``: the JSON report of each file checked, one per line
    (the versioned report document, :meth:`sosreg.Report.to_dict`)."""
    target = Path(out) / REPORTS
    with open(target, "w", encoding="utf-8", newline="\n") as fh:
        for r in results:
            if r.report is not None:
                fh.write(json.dumps(r.report.to_dict(lang), ensure_ascii=False) + "\n")
    return target


def export(
    paths: str | os.PathLike[str] | Sequence[str | os.PathLike[str]],
    out: str | os.PathLike[str],
    *,
    key: bytes | None = None,
    include: str = "warnings",
    identities: str = "pseudonym",
    register: str | None = None,
    file: str | None = None,
    year: int | None = None,
    codelists: Mapping[str, CodeList] | None = None,
    engine: str = "columnar",
    max_details: int | None = DEFAULT_MAX_DETAILS,
    progress: Callable[[Exported], None] | None = None,
    labels: bool | str = False,
) -> list[Exported]:
    """Write the files of ``paths`` as a Parquet dataset in ``out`` (a new or empty
    folder), one file at a time, and ``_reports.jsonl`` beside it. Arguments as
    :func:`scan`; without ``key`` the process's random key is used (pseudonyms then
    match no other run). ``progress`` is called after each file."""
    _check_args(include, identities, register, file)
    _labels(labels)
    _polars()
    target = Path(out)
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise UsageError(f"{out} is not an empty folder: export writes a new dataset")
    files = _expand(paths)
    target.mkdir(parents=True, exist_ok=True)
    results = []
    for path in files:
        done = export_file(
            path,
            target,
            key=key if key is not None else session_key(),
            include=include,
            identities=identities,
            register=register,
            file=file,
            year=year,
            codelists=codelists,
            engine=engine,
            max_details=max_details,
            labels=labels,
        )
        results.append(done)
        if progress is not None:
            progress(done)
    write_reports(target, results)
    return results
