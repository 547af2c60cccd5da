"""Time sosreg on a large EKB-Månad file, next to what a user might use instead.

    python benchmarks/make_data.py /tmp/ekb.txt && python benchmarks/bench.py /tmp/ekb.txt

If PATH does not exist it is generated (``--lines``, default 200 000). Every task runs
``--repeat`` times (default 3) and the best wall time (``time.perf_counter``) counts.
Peak memory of ``sosreg.validate`` is measured separately, in fresh interpreters, for each
of ``--memory-lines``: the tracemalloc peak, and the peak RSS in a run without tracemalloc.

Prints a Markdown table and writes ``benchmarks/results.json`` (``--json`` to change).
This is a script, not a test: nothing here asserts a speed.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import gc
import importlib
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import make_data

import sosreg

HERE = Path(__file__).resolve().parent
REGISTER, FILE = "ekb", "manad"


# --- the tasks ------------------------------------------------------------------------


def sosreg_validate(path: Path) -> Any:
    return sosreg.validate(path, register=REGISTER, file=FILE)


def sosreg_parse_records(path: Path) -> list[Any]:
    return list(sosreg.parse(path, register=REGISTER, file=FILE).records())


def csv_rows(path: Path) -> list[list[str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.reader(fh, delimiter=";"))


def _luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d = d * 2
            if d > 9:
                d = d - 9
        total = total + d
    return total % 10 == 0


def _pnr_ok(value: str) -> bool:
    return len(value) == 12 and value.isdigit() and _luhn_ok(value[2:])


def csv_naive_check(path: Path, hinder: frozenset[str]) -> int:
    """What a hand-written check often looks like. Returns the number of bad rows."""
    bad = 0
    with open(path, encoding="utf-8", newline="") as fh:
        for row in csv.reader(fh, delimiter=";"):
            if len(row) != 15:
                bad += 1
                continue
            ok = _pnr_ok(row[4])
            if row[5] != "" and not _pnr_ok(row[5]):
                ok = False
            if row[9] not in hinder:
                ok = False
            if row[10] != "" and row[10] not in hinder:
                ok = False
            try:
                int(row[7])
                int(row[8])
            except ValueError:
                ok = False
            if not ok:
                bad += 1
    return bad


def pandas_read(path: Path) -> Any:
    import pandas as pd

    return pd.read_csv(path, sep=";", header=None, dtype=str)


def polars_read(path: Path) -> Any:
    import polars as pl

    return pl.read_csv(path, separator=";", has_header=False, infer_schema=False)


# --- measuring ------------------------------------------------------------------------


def best_of(fn: Callable[[], Any], repeat: int) -> tuple[float, list[float], Any]:
    """(best seconds, all seconds, result of the last run)."""
    times: list[float] = []
    result: Any = None
    for _ in range(repeat):
        result = None  # let the previous run's result go before the next run
        sosreg.clear_caches()  # every run starts cold: no identity/date cache from the last
        gc.collect()
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return min(times), times, result


def count_lines(path: Path) -> int:
    n = 0
    last = b"\n"
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            n += chunk.count(b"\n")
            last = chunk[-1:]
    return n + (last != b"\n")


def version_of(module: str) -> str | None:
    try:
        return importlib.import_module(module).__version__
    except ImportError:
        return None


def machine_info() -> dict[str, Any]:
    cpu_model = None
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu_model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    affinity = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
    return {
        "python": sys.version.split()[0],
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "machine": platform.machine(),
        "cpu_model": cpu_model,
        "cpu_count": os.cpu_count(),
        "cpus_usable": affinity,
        "sosreg": sosreg.__version__,
        "pandas": version_of("pandas"),
        "polars": version_of("polars"),
    }


def _peak_rss() -> int | None:
    """High-water mark of this process's resident memory, in bytes.

    From ``VmHWM`` in ``/proc/self/status`` (Linux): it starts afresh at ``exec``, unlike
    ``ru_maxrss``, which a child started with fork/vfork can inherit from its parent.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def memory_child(path: Path, trace: bool) -> None:
    """Run in a fresh interpreter: memory of one sosreg.validate on ``path``.

    With ``trace``, the tracemalloc peak (Python allocations only); without, the peak RSS
    of the process (tracemalloc's own bookkeeping would inflate it).
    """
    import tracemalloc

    rss_before = _peak_rss()
    if trace:
        tracemalloc.start()
    t0 = time.perf_counter()
    report = sosreg_validate(path)
    seconds = time.perf_counter() - t0
    out: dict[str, Any] = {"lines": report.lines, "status": report.status.value}
    if trace:
        out["tracemalloc_peak_bytes"] = tracemalloc.get_traced_memory()[1]
        out["seconds_under_tracemalloc"] = seconds
        tracemalloc.stop()
    else:
        out["peak_rss_after_imports_bytes"] = rss_before
        out["peak_rss_bytes"] = _peak_rss()
        out["seconds"] = seconds
    print(json.dumps(out))


def measure_memory(path: Path) -> dict[str, Any]:
    result: dict[str, Any] = {"bytes": path.stat().st_size}
    for mode in ("trace", "rss"):
        out = subprocess.run(
            [sys.executable, __file__, "--memory-child", mode, str(path)],
            check=True,
            capture_output=True,
            text=True,
        )
        result.update(json.loads(out.stdout))
    return result


# --- output ---------------------------------------------------------------------------


def mib(n: float) -> str:
    return f"{n / 2**20:.1f} MiB"


def markdown_table(rows: list[dict[str, Any]], base: float) -> str:
    lines = [
        "| tool | seconds (best of N) | lines/s | time vs sosreg.validate |",
        "|---|---:|---:|---:|",
    ]
    for r in rows:
        if r["seconds"] is None:
            lines.append(f"| {r['tool']} | skipped | | {r['note']} |")
            continue
        lines.append(
            f"| {r['tool']} | {r['seconds']:.3f} | {r['lines_per_second']:,.0f} "
            f"| {r['seconds'] / base:.2f}× |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("path", nargs="?", type=Path, help="EKB-Månad file (generated if missing)")
    ap.add_argument("--lines", type=int, default=None, help="lines to generate (200 000)")
    ap.add_argument("--repeat", type=int, default=3, help="runs per task; the best counts")
    ap.add_argument(
        "--memory-lines",
        type=int,
        nargs="*",
        default=[50_000, 200_000],
        help="file sizes for the peak-memory runs (none to skip)",
    )
    ap.add_argument("--no-damaged", action="store_true", help="skip the damaged-file run")
    ap.add_argument("--json", type=Path, default=HERE / "results.json", help="results file")
    ap.add_argument("--memory-child", nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    if args.memory_child is not None:
        mode, child_path = args.memory_child
        memory_child(Path(child_path), trace=mode == "trace")
        return 0

    tmp = Path(tempfile.mkdtemp(prefix="sosreg-bench-"))
    try:
        return bench(args, ap, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def bench(args: argparse.Namespace, ap: argparse.ArgumentParser, tmp: Path) -> int:
    path: Path = args.path or tmp / "ekb.txt"
    if not path.exists():
        n = args.lines or make_data.DEFAULT_LINES
        print(f"generating {n} lines into {path} ...", file=sys.stderr)
        make_data.write(path, n)
    n = count_lines(path)
    if args.lines is not None and args.lines != n:
        ap.error(f"{path} has {n} lines, not {args.lines}; regenerate it with make_data.py")
    size = path.stat().st_size
    print(f"file: {path} ({n:,} lines, {size:,} bytes), best of {args.repeat}", file=sys.stderr)

    rows: list[dict[str, Any]] = []
    checks: dict[str, Any] = {}

    def run(tool: str, fn: Callable[[], Any], lines: int = n) -> Any:
        print(f"  {tool} ...", file=sys.stderr, end="", flush=True)
        best, times, result = best_of(fn, args.repeat)
        print(f" {best:.3f} s", file=sys.stderr)
        rows.append(
            {
                "tool": tool,
                "seconds": best,
                "all_seconds": times,
                "lines": lines,
                "lines_per_second": lines / best,
                "note": "",
            }
        )
        return result

    def skipped(tool: str, note: str) -> None:
        print(f"  {tool}: skipped ({note})", file=sys.stderr)
        rows.append({"tool": tool, "seconds": None, "lines_per_second": None, "note": note})

    report = run("sosreg.validate", lambda: sosreg_validate(path))
    checks["validate_status"] = report.status.value
    checks["validate_findings"] = report.counts()
    if report.status is not sosreg.Status.GODKAND:
        print(f"warning: the file is not godkänd: {report.counts()}", file=sys.stderr)

    records = run("sosreg.parse(...).records() → list", lambda: sosreg_parse_records(path))
    checks["records"] = len(records)
    data = run("sosreg.serialize(records)", lambda: sosreg.serialize(records))
    checks["serialize_identical_bytes"] = data == path.read_bytes()
    records = data = None  # free them before the next task

    if not args.no_damaged:
        bad = tmp / "ekb_damaged.txt"
        make_data.write(bad, n, damaged=True)
        bad_report = run("sosreg.validate, ~1 % damaged lines", lambda: sosreg_validate(bad))
        checks["damaged_status"] = bad_report.status.value
        checks["damaged_findings"] = bad_report.counts()
        del bad_report

    rows_ = run("csv.reader → list of rows", lambda: csv_rows(path))
    checks["csv_rows"] = len(rows_)
    del rows_
    hinder = frozenset(make_data.hinder_codes())
    checks["csv_naive_bad_rows"] = run(
        "csv.reader + naive checks (pnr, hinder, amounts)",
        lambda: csv_naive_check(path, hinder),
    )

    if version_of("pandas") is not None:
        df = run("pandas.read_csv(dtype=str)", lambda: pandas_read(path))
        checks["pandas_shape"] = list(df.shape)
        del df
    else:
        skipped("pandas.read_csv(dtype=str)", "pandas not installed")
    if version_of("polars") is not None:
        df = run("polars.read_csv(infer_schema=False)", lambda: polars_read(path))
        checks["polars_shape"] = list(df.shape)
        del df
    else:
        skipped("polars.read_csv(infer_schema=False)", "polars not installed")

    memory: list[dict[str, Any]] = []
    for m in args.memory_lines:
        mpath = path if m == n else tmp / f"ekb_{m}.txt"
        if not mpath.exists():
            make_data.write(mpath, m)
        print(f"  peak memory, sosreg.validate, {m:,} lines ...", file=sys.stderr)
        memory.append(measure_memory(mpath))

    base = rows[0]["seconds"]
    print(f"\n{n:,} lines, {size / 2**20:.1f} MiB, best of {args.repeat}\n")
    print(markdown_table(rows, base))
    if memory:
        print("\n| sosreg.validate | tracemalloc peak | peak RSS (process) | after imports |")
        print("|---|---:|---:|---:|")
        for m in memory:
            rss, base_rss = m["peak_rss_bytes"], m["peak_rss_after_imports_bytes"]
            print(
                f"| {m['lines']:,} lines | {mib(m['tracemalloc_peak_bytes'])} "
                f"| {mib(rss) if rss else 'n/a'} | {mib(base_rss) if base_rss else 'n/a'} |"
            )
    print(f"\nchecks: {json.dumps(checks, ensure_ascii=False)}")

    results = {
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "file": {"path": str(path), "lines": n, "bytes": size},
        "repeat": args.repeat,
        "machine": machine_info(),
        "results": rows,
        "memory": memory,
        "checks": checks,
    }
    args.json.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", "utf-8")
    print(f"wrote {args.json}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
