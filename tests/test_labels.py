"""Label columns from the dated code lists (``labels=``): ``sosreg.scan``, ``export``,
``export_file``, ``frames.to_pandas`` and ``frames.read_pandas``, and ``sosreg export
--labels``: each code's label valid in the row's statistikår, null for a code that is not
in the list or not valid that year."""

from __future__ import annotations

from pathlib import Path

import attrs
import pytest

import sosreg
from sosreg import analysts, codelists, frames
from sosreg.cli import main
from sosreg.codelists import Code
from sosreg.engine.pipeline import UsageError

pl = pytest.importorskip("polars")
pytest.importorskip("pandas")

EXAMPLES = Path(__file__).parent.parent / "examples"
MANAD = EXAMPLES / "Ekb_0330_202301_20230214T0930.txt"
KEY = bytes(range(32))
SJUK = "Sjukskriven med läkarintyg, otillräcklig ersättning"


def test_a_hinderkod_gets_its_label_in_polars_and_pandas() -> None:
    assert codelists.get("ekb_hinderkod").label("021", 2023) == SJUK
    frame = sosreg.scan(MANAD, key=KEY, labels=True).frame.collect()
    row = frame.filter(pl.col("line") == 2).row(0, named=True)
    assert (row["hinder_sokande"], row["hinder_sokande_label"]) == ("021", SJUK)
    assert row["hinder_medsokande"] is None and row["hinder_medsokande_label"] is None
    assert row["kommun_label"] == "Knivsta"
    cols = frame.columns
    assert cols[cols.index("hinder_sokande") + 1] == "hinder_sokande_label"
    df = frames.read_pandas(MANAD, key=KEY, labels=True)
    assert df.loc[df["line"] == 2, "hinder_sokande_label"].tolist() == [SJUK]
    # the two agree on every label column
    label_cols = [c for c in frame.columns if c.endswith("_label")]
    assert label_cols == [c for c in df.columns if c.endswith("_label")]
    for c in label_cols:
        assert frame.get_column(c).to_list() == [
            None if v is None or v is pd_na() else v for v in df[c].tolist()
        ], c


def pd_na() -> object:
    import pandas as pd

    return pd.NA


def test_english_labels_and_special_codes() -> None:
    sol1 = EXAMPLES / "SOL1_0330_202301_20230214T0940.txt"
    frame = sosreg.scan(sol1, key=KEY, labels="en").frame.collect()
    special = frame.filter(pl.col("hemtjanst_timmar_kod") == "777")
    assert special.height and set(special.get_column("hemtjanst_timmar_kod_label")) == {
        "Round the clock"
    }
    assert (
        frame.filter(pl.col("hemtjanst_timmar_kod").is_null())
        .get_column("hemtjanst_timmar_kod_label")
        .null_count()
        == frame.filter(pl.col("hemtjanst_timmar_kod").is_null()).height
    )
    # SOL1's personnummer is no coded column; no label for it
    assert "personnummer_label" not in frame.columns


def test_without_labels_nothing_changes() -> None:
    plain = sosreg.scan(MANAD, key=KEY).frame.collect()
    assert not [c for c in plain.columns if c.endswith("_label")]
    spec = sosreg.get_spec("ekb", "manad", 2023)
    assert list(plain.columns) == list(analysts.schema(spec))
    labelled = sosreg.scan(MANAD, key=KEY, labels=True).frame.collect()
    assert list(labelled.columns) == list(analysts.schema(spec, labels=True))
    assert labelled.drop([c for c in labelled.columns if c.endswith("_label")]).equals(plain)
    with pytest.raises(UsageError, match="labels must be one of"):
        sosreg.scan(MANAD, key=KEY, labels="de")
    with pytest.raises(ValueError, match="labels must be one of"):
        frames.read_pandas(MANAD, labels="de")


def _relabelled() -> codelists.CodeList:
    """ekb_hinderkod with 021 renamed from 2023 (a label that changed)."""
    base = codelists.get("ekb_hinderkod")
    codes: list[Code] = []
    for c in base.codes:
        if c.code == "021":
            codes.append(attrs.evolve(c, label="Sjuk (till 2022)", valid_to=2022))
            codes.append(attrs.evolve(c, label="Sjuk (från 2023)", valid_from=2023))
        else:
            codes.append(c)
    return attrs.evolve(base, codes=tuple(codes))


def test_a_label_that_changed_is_each_years_own(tmp_path: Path) -> None:
    relabelled = _relabelled()
    lists = {"ekb_hinderkod": relabelled}
    assert relabelled.label("021", 2022) == "Sjuk (till 2022)"
    for year in (2022, 2023):
        sosreg.generate(
            "ekb", "manad", year, 300, seed=year, kommun="0180", period=f"{year}03",
            out=tmp_path, codelists=lists,
        )  # fmt: skip
    s = sosreg.scan(tmp_path, key=KEY, labels=True, codelists=lists)
    assert len(s.files) == 2 and not s.left_out
    frame = s.frame.collect()
    sick = frame.filter(pl.col("hinder_sokande") == "021")
    by_year = dict(sick.group_by("year").agg(pl.col("hinder_sokande_label").unique()).iter_rows())
    assert by_year == {2022: ["Sjuk (till 2022)"], 2023: ["Sjuk (från 2023)"]}
    # without the replaced list: the built-in label, both years
    plain = sosreg.scan(tmp_path, key=KEY, labels=True).frame.collect()
    assert set(plain.filter(pl.col("hinder_sokande") == "021")["hinder_sokande_label"]) == {SJUK}
    # pandas: the year from each record's period, or given
    for path in sorted(tmp_path.glob("Ekb_*.txt")):
        year = int(path.name.split("_")[2][:4])
        records = sosreg.load(path)
        df = frames.to_pandas(records, key=KEY, labels=True, codelists=lists)
        assert set(df.loc[df["hinder_sokande"] == "021", "hinder_sokande_label"]) == {
            f"Sjuk ({'till 2022' if year == 2022 else 'från 2023'})"
        }
        forced = frames.to_pandas(records, key=KEY, labels=True, codelists=lists, year=2022)
        assert set(forced.loc[forced["hinder_sokande"] == "021", "hinder_sokande_label"]) == {
            "Sjuk (till 2022)"
        }
        rp = frames.read_pandas(path, key=KEY, labels=True, codelists=lists)
        assert rp["hinder_sokande_label"].tolist() == df["hinder_sokande_label"].tolist()


def test_unknown_and_expired_codes_have_no_label(tmp_path: Path) -> None:
    lines = MANAD.read_bytes().split(b"\r\n")
    lines[1] = lines[1].replace(b";021;", b";999;")  # not in the list
    lines[0] = lines[0].replace(b";111;", b";011;")  # in the list, valid to 2016 only
    bad = tmp_path / MANAD.name
    bad.write_bytes(b"\r\n".join(lines))
    report = sosreg.validate(bad)
    assert {f.code for f in report.findings if f.field == "hinder_sokande"} == {
        "EKB-010",
        "EKB-011",
    }
    frame = sosreg.scan(bad, key=KEY, labels=True, include="all").frame.collect()
    rows = {r["line"]: r for r in frame.iter_rows(named=True)}
    assert rows[2]["hinder_sokande"] == "999" and rows[2]["hinder_sokande_label"] is None
    assert rows[1]["hinder_sokande"] == "011" and rows[1]["hinder_sokande_label"] is None
    assert codelists.get("ekb_hinderkod").label("011", 2023) is not None  # lookup's fallback
    assert rows[3]["hinder_sokande_label"] is not None
    df = frames.read_pandas(bad, key=KEY, labels=True)
    labels = dict(zip(df["line"], df["hinder_sokande_label"], strict=True))
    assert (
        labels[2] is pd_na()
        and labels[1] is pd_na()
        and labels[3] == rows[3]["hinder_sokande_label"]
    )
    assert frames.code_label(None, "021", 2023) is None
    assert frames.code_label(codelists.get("ekb_hinderkod"), "021", None) is None


def test_a_list_that_is_not_there_gives_null_labels() -> None:
    khsl2 = EXAMPLES / "KHSL2_0330_202301_20230314T0951.txt"
    frame = sosreg.scan(khsl2, key=KEY, labels=True).frame.collect()
    assert frame.get_column("kva_label").null_count() == frame.height > 0
    assert frame.get_column("kon_label").null_count() == 0


def test_export_and_the_command_write_label_columns(tmp_path: Path) -> None:
    results = analysts.export([MANAD], tmp_path / "a", key=KEY, labels=True)
    part = pl.read_parquet(tmp_path / "a" / results[0].part)
    assert part.filter(pl.col("line") == 2)["hinder_sokande_label"].to_list() == [SJUK]
    key_file = tmp_path / "key"
    key_file.write_bytes(KEY)
    argv = ["export", str(MANAD), "--to", "parquet", str(tmp_path / "b"), "--key-file"]
    assert main([*argv, str(key_file), "--labels", "en"]) == 0
    part = pl.read_parquet(next((tmp_path / "b").rglob("*.parquet")))
    # the hinderkod list has no English labels: the Swedish one stands in
    assert codelists.get("ekb_hinderkod").lookup("021", 2023)[1].label_en is None  # type: ignore[union-attr]
    assert part.filter(pl.col("line") == 2)["hinder_sokande_label"].to_list() == [SJUK]
    assert main([*argv[:-2], str(tmp_path / "c"), "--key-file", str(key_file)]) == 0
    part = pl.read_parquet(next((tmp_path / "c").rglob("*.parquet")))
    assert not [c for c in part.columns if c.endswith("_label")]
