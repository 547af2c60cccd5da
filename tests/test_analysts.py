"""sosreg.scan and sosreg export: many files as typed columns and as a Parquet dataset.

The values must be the row parser's (compared with ``sosreg.frames`` over ``sosreg.parse``
on generated files of every register, damaged too); the notebook path (scan, export,
DuckDB) runs on a year of generated SOL1 files from three municipalities; the Dask
recipe of docs/analysts.md runs on Dask's local schedulers and on a
``dask.distributed.LocalCluster`` of worker processes; export's memory stays flat
as the number of files grows.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import pickle
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from analysts_data import KOMMUNER, filip_name, write_year
from helpers import P0, S1, S1_B, S2
from hypothesis import given, settings
from hypothesis import strategies as st
from test_engines import ALL_FILES, damaged_lines

import sosreg
from sosreg import analysts
from sosreg import strategies as sos_st
from sosreg.batch import expand
from sosreg.cli import main
from sosreg.engine.report import SCHEMA_VERSION

pl = pytest.importorskip("polars")
pd = pytest.importorskip("pandas")

ROOT = Path(__file__).parent.parent
KEY = bytes(range(32))


def export(*args: str) -> int:
    """``sosreg export …``, its exit code."""
    return main(["export", *args])


# -- the values are the row parser's ---------------------------------------------------


def _expected(path: Path, key: bytes, **kwargs: Any) -> Any:
    """The row parser's records of ``path`` as ``sosreg.frames`` makes them."""
    parsed = sosreg.parse(path, **kwargs)
    lines, records = [], []
    for row in parsed:
        if row.record is not None:
            lines.append(row.line)
            records.append(row.record)
    assert records == sosreg.load(path, **kwargs)
    return sosreg.frames.to_pandas(records, spec=parsed.spec, key=key, lines=lines)


def _python(value: Any) -> Any:
    if pd.isna(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date()
    return value.item() if hasattr(value, "item") else value


def assert_scan_equals_rows(path: Path, **kwargs: Any) -> Any:
    """Scan ``path`` (every line that gives a record) and compare with the row parser."""
    scanned = sosreg.scan(path, include="all", key=KEY, **kwargs)
    expected = _expected(path, KEY, **kwargs)
    frame = scanned.frame.collect()
    assert set(frame.columns) == set(analysts.META) | set(expected.columns)
    assert frame.height == len(expected)
    for column in expected.columns:
        want = [_python(v) for v in expected[column].astype(object)]
        assert frame.get_column(column).to_list() == want, column
    return frame


@pytest.mark.parametrize(("register", "file"), ALL_FILES)
def test_scanned_values_equal_the_row_parser(tmp_path: Path, register: str, file: str) -> None:
    spec = sosreg.get_spec(register, file, 2023)
    period = 2023 if spec.period == "year" else sosreg.YearMonth(2023, 3)
    path = tmp_path / "x.txt"

    @settings(max_examples=15)
    @given(
        sos_st.files(register, file, 2023, period, 1, 12),
        st.data(),
        st.sampled_from(["\r\n", "\n", "\r"]),
    )
    def check(records: list[Any], data: st.DataObject, newline: str) -> None:
        text = sosreg.serialize(records).decode("utf-8")
        lines = text.split("\r\n")[:-1]
        if data.draw(st.booleans()):
            lines = data.draw(damaged_lines(lines, spec))
        path.write_bytes((newline.join(lines) + newline).encode("utf-8"))
        assert_scan_equals_rows(path, register=register, file=file, year=2023)

    check()


def test_special_codes_dates_and_damage_in_detail(tmp_path: Path) -> None:
    """SOL1's specials (777 dygnet runt, 88 ej aktuellt), SOL2's dates, and lines the row
    parser reads on its own (quoted, a space, a bad date, a lost zero) in one file."""
    bad_date = S2.replace("20230105", "20230230")
    quoted = f'"{S2}"'.replace(P0, P0[:-1] + "0")  # another person, same shape
    spaced = S2.replace(";88;88;", "; 88;88;")
    path = tmp_path / "SOL2_0330_202301_20230210T0900.txt"
    path.write_bytes("\r\n".join([S2, bad_date, quoted, spaced, "x"]).encode() + b"\r\n")
    frame = assert_scan_equals_rows(path)
    assert frame.get_column("line").to_list() == [1, 2, 3, 4]  # "x" gives no record
    assert frame.get_column("verkstallighet_start").to_list()[:2] == [dt.date(2023, 1, 5), None]
    assert frame.get_column("korttid_dygn_beviljade").to_list() == [None] * 4
    assert frame.get_column("korttid_dygn_beviljade_kod").to_list() == ["88"] * 4

    path = tmp_path / "SOL1_0330_202301_20230210T0900.txt"
    path.write_bytes(f"{S1}\r\n{S1_B}\r\n".encode())
    frame = assert_scan_equals_rows(path)
    assert frame.get_column("hemtjanst_timmar").to_list() == [None, 40]
    assert frame.get_column("hemtjanst_timmar_kod").to_list() == ["777", None]
    assert frame.get_column("korttid_dygn").to_list() == [None, 12]
    assert frame.get_column("korttid_dygn_kod").to_list() == ["88", None]
    assert frame.get_column("period").to_list() == ["202301", "202301"]
    assert frame.schema["year"] == pl.Int64 and frame.get_column("year").to_list() == [2023] * 2


# -- identities ------------------------------------------------------------------------


def test_identities_pseudonymised_masked_kept_or_dropped(tmp_path: Path) -> None:
    # a personnummer typed into stadsdel (an error: the file is kept with include="all")
    leaky = S1_B.replace("0330;;", "0330;191212121212;", 1)
    path = tmp_path / "SOL1_0330_202301_20230210T0900.txt"
    path.write_bytes(f"{S1}\r\n{leaky}\r\n".encode())
    pseudo = sosreg.scan(path, key=KEY, include="all").frame.collect()
    again = sosreg.scan(path, key=KEY, include="all").frame.collect()
    other = sosreg.scan(path, key=bytes(32), include="all").frame.collect()
    people = pseudo.get_column("personnummer").to_list()
    assert people == again.get_column("personnummer").to_list()
    assert people == [
        sosreg.identity.pseudonym(P0, KEY),
        sosreg.identity.pseudonym(leaky.split(";")[3], KEY),
    ]
    assert all(p.startswith("p_") for p in people) and len(set(people)) == 2
    assert other.get_column("personnummer").to_list() != people
    assert pseudo.get_column("stadsdel").to_list() == [None, "19121212-****"]
    masked = sosreg.scan(path, identities="mask", include="all").frame.collect()
    assert masked.get_column("personnummer").to_list()[0] == sosreg.identity.mask(P0)
    kept = sosreg.scan(path, identities="keep", include="all").frame.collect()
    assert kept.get_column("personnummer").to_list()[0] == P0
    assert kept.get_column("stadsdel").to_list() == [None, "19121212-****"]  # still masked
    dropped = sosreg.scan(path, identities="drop", include="all").frame.collect()
    assert "personnummer" not in dropped.columns
    assert list(dropped.columns) == list(
        analysts.schema(sosreg.get_spec("sol", "sol1", 2023), "drop")
    )
    text = pseudo.write_csv() + masked.write_csv() + dropped.write_csv()
    assert P0 not in text and "191212121212" not in text
    with pytest.raises(sosreg.UsageError, match="identities"):
        sosreg.scan(path, identities="hide")


# -- which files -----------------------------------------------------------------------


def test_files_left_out_and_why(tmp_path: Path) -> None:
    good = tmp_path / "SOL1_0330_202301_20230210T0900.txt"
    good.write_bytes(f"{S1}\r\n".encode())
    warned = tmp_path / "SOL1_0330_202302_20230310T0900.txt"  # a blank line: SOS-101
    warned.write_bytes(f"{S1}\r\n\r\n{S1_B}\r\n".replace("202301", "202302").encode())
    rejected = tmp_path / "SOL1_0330_202303_20230410T0900.txt"  # hemtjänst 1 with 888
    rejected.write_bytes(S1.replace("202301", "202303").replace(";777;", ";888;").encode())
    sol2 = tmp_path / "SOL2_0330_202301_20230210T0900.txt"
    sol2.write_bytes(f"{S2}\r\n".encode())
    unknown = tmp_path / "notes.txt"
    unknown.write_bytes(b"hello\r\n")

    s = sosreg.scan(tmp_path, register="sol", file="sol1")
    assert s.files == [str(good), str(warned)]  # godkänd med varningar is kept by default
    assert set(s.left_out) == {str(rejected), str(sol2), str(unknown)}
    assert s.left_out[str(rejected)] == "inte godkänd (SOL-025)"
    assert s.left_out[str(sol2)] == "file sol2, not sol1"  # by its name, not checked
    assert s.left_out[str(unknown)].startswith("inte godkänd (SOS-008")  # read as SOL1: no data
    assert set(s.reports) == {str(good), str(warned), str(rejected), str(unknown)}
    assert s.reports[str(warned)].status is sosreg.Status.GODKAND_MED_VARNINGAR
    frame = s.frame.collect()
    assert frame.get_column("source_file").to_list() == [str(good), str(warned), str(warned)]
    assert frame.get_column("line").to_list() == [1, 1, 3]
    assert frame.get_column("period").to_list() == ["202301", "202302", "202302"]
    assert repr(s) == "Scan(2 files, 3 rows, 3 left out; specs: sol/sol1/2017-)"

    strict = sosreg.scan([good, warned], include="godkand")
    assert strict.files == [str(good)]
    assert strict.left_out[str(warned)] == "godkänd med varningar (SOS-101)"
    everything = sosreg.scan(str(tmp_path / "SOL1_*.txt"), include="all")
    assert everything.files == [str(good), str(warned), str(rejected)]
    assert everything.frame.collect().height == 4

    found = sosreg.scan(tmp_path).findings()
    assert found.columns == [
        "source_file",
        "line",
        "code",
        "collector",
        "severity",
        "field",
        "message",
    ]
    sol025 = found.filter(pl.col("code") == "SOL-025")
    assert sol025.get_column("source_file").to_list() == [str(rejected)]
    assert sol025.get_column("line").to_list() == [1]
    unreadable = sosreg.scan(tmp_path)
    assert unreadable.left_out[str(unknown)].startswith("not checked: the register is not given")
    with pytest.raises(sosreg.UsageError, match="unknown register 'sos'"):
        sosreg.scan(tmp_path, register="sos")
    with pytest.raises(sosreg.UsageError, match="unknown file 'sol3'"):
        sosreg.scan(tmp_path, register="sol", file="sol3")
    with pytest.raises(sosreg.UsageError, match="include must be"):
        sosreg.scan(tmp_path, include="godkänd")
    with pytest.raises(sosreg.UsageError, match="no files"):
        sosreg.scan(tmp_path / "*.csv")


def test_several_specs_give_a_frame_each_and_their_union(tmp_path: Path) -> None:
    (tmp_path / "SOL1_0330_202301_20230210T0900.txt").write_bytes(f"{S1}\r\n".encode())
    (tmp_path / "SOL2_0330_202301_20230210T0900.txt").write_bytes(f"{S2}\r\n".encode())
    s = sosreg.scan(tmp_path, key=KEY)
    assert set(s.frames) == {"sol/sol1/2017-", "sol/sol2/2017-"}
    union = s.frame.collect()
    assert union.height == 2
    assert list(union.columns[: len(analysts.META)]) == list(analysts.META)
    assert set(union.columns) == set(s.frames["sol/sol1/2017-"].collect_schema()) | set(
        s.frames["sol/sol2/2017-"].collect_schema()
    )
    assert union.get_column("hemtjanst_timmar_kod").to_list() == ["777", None]
    assert union.get_column("beslutsdatum").to_list() == [None, dt.date(2022, 12, 10)]
    # the same person, the same pseudonym, in both files
    assert union.get_column("personnummer").n_unique() == 1
    pa = pytest.importorskip("pyarrow")
    table = s.to_arrow()
    assert isinstance(table, pa.Table) and table.num_rows == 2
    assert table.schema.field("beslutsdatum").type == pa.date32()


def test_a_column_of_two_types_in_two_specs_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "SOL1_0330_202301_20230210T0900.txt").write_bytes(f"{S1}\r\n".encode())
    (tmp_path / "SOL2_0330_202301_20230210T0900.txt").write_bytes(f"{S2}\r\n".encode())
    s = sosreg.scan(tmp_path)
    tables = s._tables
    key = "sol/sol2/2017-"
    tables[key] = tables[key].with_columns(pl.col("boendeform").cast(pl.Int64, strict=False))
    with pytest.raises(ValueError, match="column boendeform is String in sol/sol1/2017- and Int64"):
        _ = s.frame
    nothing = sosreg.scan(tmp_path, file="khsl2")
    assert nothing.left_out[str(tmp_path / "SOL1_0330_202301_20230210T0900.txt")] == (
        "file sol1, not khsl2"
    )
    empty = nothing.frame.collect()
    assert empty.height == 0 and empty.columns == list(analysts.META)


# -- the notebook path -----------------------------------------------------------------


@pytest.fixture(scope="module")
def year(tmp_path_factory: pytest.TempPathFactory) -> Any:
    return write_year(tmp_path_factory.mktemp("year") / "sol1", year=2023, lines=150)


def test_a_year_scanned_exported_and_queried_with_duckdb(
    year: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    duckdb = pytest.importorskip("duckdb")
    folder = year.paths[0].parent
    assert len(year.paths) == 36 and year.paths[0].name == filip_name("0180", "202301")
    keyfile = tmp_path / "sosreg.key"
    keyfile.write_bytes(KEY)

    # 1. scan: every file godkänd, rows as generated, one pseudonym per person
    s = sosreg.scan(folder, key=sosreg.analysts.read_key(keyfile))
    assert s.left_out == {} and len(s.files) == 36
    assert all(r.status is sosreg.Status.GODKAND for r in s.reports.values())
    sol1 = s.frame  # noqa: F841 (read by the SQL below)
    persons = dict(
        duckdb.sql(
            "select period, count(distinct personnummer) from sol1 group by period"
        ).fetchall()
    )
    assert persons == dict(year.persons)

    # 2. export with a key file; a damaged file is left out and said so
    damaged = folder.parent / "damaged"
    damaged.mkdir()
    bad = damaged / filip_name("0180", "202301").replace("T0900", "T1000")
    bad.write_bytes(year.paths[0].read_bytes().replace(b"\r\n0180;;", b"\r\n0180; ;", 1))
    out = tmp_path / "dataset"
    assert (
        export(str(folder), str(damaged), "--to", "parquet", str(out), "--key-file", str(keyfile))
        == 0
    )
    captured = capsys.readouterr()
    assert f"{bad}: left out: inte godkänd (SOS-110)" in captured.err
    assert "random key" not in captured.err
    total = sum(year.expected.values())
    assert f"36 files, {total} rows written to {out} (1 left out)" in captured.out
    parts = sorted(out.glob("register=sol/file=sol1/year=2023/part-*.parquet"))
    assert len(parts) == 36 and not list(out.rglob("*.tmp"))

    # 3. DuckDB reads the dataset as it is: counts per register/file/year/month, persons
    glob = f"{out}/**/*.parquet"
    counts = duckdb.sql(
        f"""select register, file, year, period, count(*)
            from read_parquet('{glob}', hive_partitioning=true)
            group by all order by all"""
    ).fetchall()
    assert {(r, f, y, p): n for r, f, y, p, n in counts} == dict(year.expected)
    by_kommun = duckdb.sql(
        f"""select kommun, period, count(distinct personnummer)
            from read_parquet('{glob}', hive_partitioning=true) group by all"""
    ).fetchall()
    assert {(k, p): n for k, p, n in by_kommun} == dict(year.persons_by_kommun)
    per_month = duckdb.sql(
        f"""select strptime(period, '%Y%m')::date as month, count(distinct personnummer)
            from read_parquet('{glob}', hive_partitioning=true) group by month order by month"""
    ).fetchall()
    assert [n for _, n in per_month] == [year.persons[f"2023{m:02d}"] for m in range(1, 13)]
    assert per_month[0][0] == dt.date(2023, 1, 1)
    described = duckdb.sql(f"describe select * from read_parquet('{glob}', hive_partitioning=true)")
    types = {row[0]: row[1] for row in described.fetchall()}
    assert {n: types[n] for n in ("line", "year", "register", "period", "hemtjanst_timmar")} == {
        "line": "BIGINT",
        "year": "BIGINT",
        "register": "VARCHAR",
        "period": "VARCHAR",
        "hemtjanst_timmar": "BIGINT",
    }

    # the same key: the same pseudonyms as the scan
    exported = duckdb.sql(
        f"select personnummer from read_parquet('{glob}') order by source_file, line"
    ).fetchall()
    scanned = s.frame.sort("source_file", "line").collect().get_column("personnummer")
    assert [p for (p,) in exported] == scanned.to_list()

    # polars and pyarrow (as Spark: files starting with _ are not data) read it too
    lazy = pl.scan_parquet(glob, hive_partitioning=True)
    assert lazy.select(pl.len()).collect().item() == total
    assert lazy.collect_schema()["year"] == pl.Int64
    ds = pytest.importorskip("pyarrow.dataset")
    assert ds.dataset(out, format="parquet", partitioning="hive").count_rows() == total

    # 4. one versioned JSON report per file, kept or not
    docs = [json.loads(line) for line in (out / "_reports.jsonl").read_text("utf-8").splitlines()]
    assert len(docs) == 37
    assert {d["schema_version"] for d in docs} == {SCHEMA_VERSION}
    status = {d["deliveries"][0]["files"][0]["name"]: d["summary"]["status"]["code"] for d in docs}
    assert status[bad.name] == "inte_godkand"  # a report names the file, not its folder
    assert sum(code == "godkand" for code in status.values()) == 36
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads((ROOT / "src/sosreg/schemas/report.schema.json").read_text("utf-8"))
    for d in docs[:3]:
        jsonschema.validate(d, schema)


def test_export_keys_and_refusals(
    year: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    one = str(year.paths[0])
    short = tmp_path / "short.key"
    short.write_bytes(b"x" * 15)
    assert export(one, "--to", "parquet", str(tmp_path / "a"), "--key-file", str(short)) == 3
    assert "holds 15 bytes; a pseudonym key needs at least 16" in capsys.readouterr().err
    assert (
        export(one, "--to", "parquet", str(tmp_path / "a"), "--key-file", str(tmp_path / "x")) == 3
    )
    assert "cannot read the key file" in capsys.readouterr().err
    assert export(one, "--to", "csv", str(tmp_path / "a")) == 3
    assert "the only format is parquet" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exc:
        export(one, "--to", "parquet")  # OUT missing
    assert exc.value.code == 3 and "--to: expected 2 arguments" in capsys.readouterr().err

    def people(out: Path) -> list[str]:
        part = next(out.rglob("*.parquet"))
        return list(pl.read_parquet(part).get_column("personnummer"))

    runs = []
    for name in ("r1", "r2"):
        assert export(one, "--to", "parquet", str(tmp_path / name)) == 0
        assert "random key for this run" in capsys.readouterr().err
        runs.append(people(tmp_path / name))
    assert runs[0] != runs[1]  # a random key per run

    keyfile = tmp_path / "k"
    keyfile.write_bytes(KEY)
    for name in ("k1", "k2"):
        assert export(one, "--to", "parquet", str(tmp_path / name), "--key-file", str(keyfile)) == 0
    assert people(tmp_path / "k1") == people(tmp_path / "k2")
    assert people(tmp_path / "k1")[0] == sosreg.identity.pseudonym(
        year.paths[0].read_text().split(";")[3], KEY
    )
    # a dataset is written into a new or empty folder only
    assert export(one, "--to", "parquet", str(tmp_path / "k1"), "--key-file", str(keyfile)) == 3
    assert "is not an empty folder" in capsys.readouterr().err
    # identities dropped; another register asked for: nothing written
    assert export(one, "--to", "parquet", str(tmp_path / "d"), "--identities", "drop") == 0
    assert "personnummer" not in pl.read_parquet(next((tmp_path / "d").rglob("*.parquet"))).columns
    assert export(one, "--to", "parquet", str(tmp_path / "e"), "--register", "ekb") == 0
    assert "left out: a file of register sol, not ekb" in capsys.readouterr().err
    assert not list((tmp_path / "e").rglob("*.parquet"))
    assert (tmp_path / "e" / "_reports.jsonl").read_text() == ""


def test_export_file_is_idempotent_and_picklable(year: Any, tmp_path: Path) -> None:
    first = analysts.export_file(year.paths[0], tmp_path, key=KEY)
    assert first.reason is None and first.part is not None
    assert first.rows == year.persons_by_kommun["0180", "202301"]
    written = (tmp_path / first.part).read_bytes()
    again = analysts.export_file(year.paths[0], tmp_path, key=KEY)
    assert again.part == first.part and (tmp_path / first.part).read_bytes() == written
    assert len(list(tmp_path.rglob("*.parquet"))) == 1
    restored = pickle.loads(pickle.dumps(first))
    assert restored == first and restored.report.to_dict() == first.report.to_dict()
    table = pl.read_parquet(tmp_path / first.part)
    assert "register" not in table.columns and table.get_column("line").to_list()[:2] == [1, 2]


# -- Dask (the recipe of docs/analysts.md) ---------------------------------------------


@pytest.mark.parametrize("scheduler", ["synchronous", "threads"])
def test_the_dask_recipe(year: Any, tmp_path: Path, scheduler: str) -> None:
    db = pytest.importorskip("dask.bag")
    duckdb = pytest.importorskip("duckdb")
    paths = expand([str(year.paths[0].parent)])
    out = tmp_path / "lake"
    key = KEY

    # -- as in docs/analysts.md --
    bag = db.from_sequence(paths, npartitions=8)
    results = bag.map(sosreg.analysts.export_file, out=out, key=key).compute(scheduler=scheduler)
    sosreg.analysts.write_reports(out, results)
    # --

    assert len(results) == 36 and all(r.reason is None for r in results)
    assert [r.source_file for r in results] == paths  # one report per file, in order
    assert len((out / "_reports.jsonl").read_text().splitlines()) == 36
    assert len(list(out.rglob("part-*.parquet"))) == 36
    counts = duckdb.sql(
        f"select period, count(*) from read_parquet('{out}/**/*.parquet') group by period"
    ).fetchall()
    assert {("sol", "sol1", 2023, p): n for p, n in counts} == dict(year.expected)


@pytest.mark.skipif(sys.platform == "win32", reason="worker processes: tested on POSIX")
def test_the_dask_recipe_on_a_process_cluster(year: Any, tmp_path: Path) -> None:
    """Past one machine for real: the recipe on a ``dask.distributed.LocalCluster`` of
    two worker *processes* (each imports sosreg afresh and gets the key pickled), read
    back with DuckDB and compared with :func:`sosreg.scan` of the same files: the row
    count, and a column's values line by line."""
    distributed = pytest.importorskip("dask.distributed")
    db = pytest.importorskip("dask.bag")
    duckdb = pytest.importorskip("duckdb")
    paths = expand([str(year.paths[0].parent)])
    out = tmp_path / "lake"
    with (
        distributed.LocalCluster(
            n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        bag = db.from_sequence(paths, npartitions=8)
        results = bag.map(sosreg.analysts.export_file, out=out, key=KEY).compute(scheduler=client)
        worker_pids = set(client.run(os.getpid).values())
    sosreg.analysts.write_reports(out, results)

    assert len(worker_pids) == 2 and os.getpid() not in worker_pids  # other processes
    assert len(results) == 36 and all(r.reason is None for r in results)
    assert [r.source_file for r in results] == paths
    assert len(list(out.rglob("part-*.parquet"))) == 36
    parquet = f"read_parquet('{out}/**/*.parquet', hive_partitioning = true)"
    ((rows,),) = duckdb.sql(f"select count(*) from {parquet}").fetchall()
    scanned = sosreg.scan(paths, key=KEY).frame.collect().sort("source_file", "line")
    assert rows == scanned.height == sum(n for n in dict(year.expected).values())
    column = "personnummer"  # pseudonymised alike in both workers and here (the key)
    assert scanned.get_column(column).n_unique() > 100
    lake = duckdb.sql(f"select source_file, line, {column} from {parquet} order by 1, 2").fetchall()
    assert lake == list(
        zip(
            scanned.get_column("source_file").to_list(),
            scanned.get_column("line").to_list(),
            scanned.get_column(column).to_list(),
            strict=True,
        )
    )
    persons = f"select count(distinct {column}) from {parquet}"
    assert duckdb.sql(persons).fetchall() == [(scanned.get_column(column).n_unique(),)]


# -- memory ----------------------------------------------------------------------------

# The peak of this process only: VmHWM starts afresh at exec (ru_maxrss would count the
# pytest process the child was forked from).
_CHILD = """
import re, sosreg
sosreg.analysts.{call}
with open("/proc/self/status") as fh:
    print(re.search(r"VmHWM:\\s*([0-9]+) kB", fh.read())[1])
"""


def _peak_kb(call: str) -> int:
    done = subprocess.run(
        [sys.executable, "-c", _CHILD.format(call=call)], capture_output=True, text=True, check=True
    )
    return int(done.stdout.split()[-1])


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs Linux's /proc")
def test_export_memory_does_not_grow_with_the_number_of_files(tmp_path: Path) -> None:
    """Export 12 and then 48 files of the same size: the peak stays put. scan, which
    holds every row, grows in the same setting (so the measurement can tell)."""
    base = write_year(tmp_path / "base", kommuner=KOMMUNER[:1], lines=8000, seed=7).paths[0].parent
    few, many = tmp_path / "few", tmp_path / "many"
    shutil.copytree(base, few / "0")
    for i in range(4):
        shutil.copytree(base, many / str(i))
    rows_many = 4 * sum(len(p.read_bytes().splitlines()) for p in base.iterdir())
    mb = 1024
    export_few = _peak_kb(f"export({str(few)!r}, {str(tmp_path / 'o1')!r}, key=bytes(32))")
    export_many = _peak_kb(f"export({str(many)!r}, {str(tmp_path / 'o2')!r}, key=bytes(32))")
    scan_few = _peak_kb(f"scan({str(few)!r}, key=bytes(32)).frame.collect()")
    scan_many = _peak_kb(f"scan({str(many)!r}, key=bytes(32)).frame.collect()")
    assert rows_many > 350_000
    assert scan_many - scan_few > 60 * mb, (scan_few, scan_many)
    assert export_many - export_few < 20 * mb, (export_few, export_many)


# -- the plot of docs/analysts.md ------------------------------------------------------


def test_the_plot_script_draws_persons_per_month(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    pytest.importorskip("duckdb")
    out = tmp_path / "plot.png"
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "analysts_plot.py"), "--out", str(out)],
        capture_output=True,
        text=True,
        env={**os.environ, "MPLBACKEND": "Agg"},
    )
    assert done.returncode == 0, done.stderr
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (ROOT / "docs" / "img" / "persons-per-month.png").exists()
    assert "![Persons per month](img/persons-per-month.png)" in (
        ROOT / "docs" / "analysts.md"
    ).read_text("utf-8")
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import analysts_plot

        persons = analysts_plot.persons_per_month(
            write_year(tmp_path / "y", lines=40).paths[0].parent
        )
    finally:
        sys.path.remove(str(ROOT / "scripts"))
    assert persons.columns == ["kommun", "month", "persons"] and persons.height == 36
