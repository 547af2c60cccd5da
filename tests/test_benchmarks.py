"""The benchmark scripts run (at a tiny scale, so that they cannot rot); their figures
are in docs/performance.md, measured by hand, never in a test."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parent.parent


def test_bench_country_smoke_run(tmp_path: Path) -> None:
    """``benchmarks/bench_country.py`` at a tiny scale: four kommuner spread over the
    sizes, each with its four files (SOL1, SOL2, EKB-Månad, EKB-AO), validated with
    ``-j 1`` and ``-j 2`` (every file godkänd) and ``sosreg status``; a second run
    reuses the generated files."""
    out = tmp_path / "r.json"
    args = [sys.executable, str(ROOT / "benchmarks" / "bench_country.py"), "--scale", "0.004"]
    args += ["--kommuner", "4", "--repeat", "1", "--data-dir", str(tmp_path / "d")]
    args += ["--json", str(out)]
    done = subprocess.run(args, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    result = json.loads(out.read_text())
    assert result["kommuner"] == 4 and result["files"] == 16
    names = sorted(p.name[:4] for p in (tmp_path / "d" / "deliveries").iterdir())
    assert names == ["Ekb_"] * 8 + ["SOL1"] * 4 + ["SOL2"] * 4
    assert result["largest_file_lines"] == 200  # Stockholm's SOL1: 50,000 × 0.004
    rows = {r["command"]: r for r in result["rows"]}
    assert set(rows) == {"validate -j 1", "validate -j 2", "status"}
    assert all(r["exit"] == 0 for r in rows.values())  # godkänd; every period done
    assert all(r["wall_s"] > 0 and r["max_process_rss_mib"] > 10 for r in rows.values())
    assert "| `sosreg validate -j 2` |" in done.stdout
    again = subprocess.run(args, capture_output=True, text=True, timeout=300)
    assert again.returncode == 0 and "(reused)" in again.stdout, again.stderr


def test_bench_country_sizes_are_plausible() -> None:
    """290 real kommuner; Stockholm the largest at 50,000 SOL1 lines; sizes spread like
    Sweden's (most kommuner small, a long tail)."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        import bench_country
    finally:
        sys.path.pop(0)
    todo = bench_country.plan(1.0, None)
    assert len(todo) == 290 and todo[0] == ("0180", {"sol1": 50_000, "sol2": 25_000, "ekb": 30_000})
    sol1 = sorted(n["sol1"] for _, n in todo)
    assert sol1[len(sol1) // 2] < 1_500 < sol1[-10]  # the median kommun is small
    assert 400_000 < sum(sol1) < 650_000


def test_generated_files_hold_every_code_and_every_kind_of_id(tmp_path: Path) -> None:
    """``make_data.py``'s files (what bench.py times) hold every code of each list and
    every kind of id the field accepts, and are godkänd; ``coverage`` sees a gap."""
    import sosreg

    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        import make_data
    finally:
        sys.path.pop(0)
    for kind in ("sol1", "ekb"):
        path, _ = make_data.write_filip(tmp_path / kind, kind, 200)
        assert make_data.coverage(path, kind) == {}
        assert sosreg.validate(path).status is sosreg.Status.GODKAND
    ekb = (tmp_path / "ekb" / make_data.filip_name("ekb")).read_text().splitlines()
    assert {"T" in line.split(";")[4] for line in ekb[:6]} == {True, False}  # T3, TF00, numbers
    short = tmp_path / "short.txt"
    short.write_text("\n".join(ekb[6:8]) + "\n")
    assert "hinder_sokande" in make_data.coverage(short, "ekb")


def test_the_engines_table_shows_the_ratios_to_pandera() -> None:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        import bench
    finally:
        sys.path.pop(0)
    rows = {
        "sosreg-columnar": {"seconds": 0.6},
        "sosreg-columnar-damaged": {"seconds": 0.9},
        "pandera-polars": {"seconds": 1.0},
    }
    lines = bench.engines_table(rows, 10.0)
    assert lines[2] == "| sosreg columnar | 0.60 s | 0.90 s | 1.50× | 0.60× | 0.90× |"
    assert len(lines) == 3  # no row-engine figures: no row


def test_bench_memory_smoke_run(tmp_path: Path) -> None:
    """``benchmarks/bench_memory.py`` at a tiny scale: a SOL1 file (godkänd) and a file
    with an over-long line (not), each validated by both engines in a fresh process,
    with the child's peak RSS; the generated files are deleted afterwards."""
    out = tmp_path / "r.json"
    data = tmp_path / "d"
    args = [sys.executable, str(ROOT / "benchmarks" / "bench_memory.py"), "--scale", "0.0002"]
    args += ["--only", "sol1-1M", "long-line", "--data-dir", str(data), "--json", str(out)]
    done = subprocess.run(args, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    result = json.loads(out.read_text())
    rows = {r["case"]: r for r in result["rows"]}
    assert set(rows) == {"sol1-1M", "long-line"}
    assert rows["sol1-1M"]["bytes"] > 10_000  # 200 lines
    for case, exit_code in (("sol1-1M", 0), ("long-line", 2)):
        for engine in ("columnar", "row"):
            run = rows[case]["runs"][engine]
            assert run["exit"] == exit_code and run["peak_rss_mib"] > 10 and run["wall_s"] > 0
    assert "| 1,000,000 SOL1 lines |" in done.stdout
    assert not list(data.glob("*/*.txt"))  # deleted
