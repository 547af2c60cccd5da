"""Many files: how validating a directory of files scales with processes.

    python benchmarks/bench_parallel.py                  # 40 kommuner × SOL1 10,000 lines
    python benchmarks/bench_parallel.py --files 8 --lines 5000 --repeat 1   # smoke run

Generates ``--files`` SOL1 files for 202301, one per kommun (the first kommuner of the
2023 list, each with its own seed), under their Filip names in a temporary directory,
and times validating all of them with 1, 2, … processes (``--jobs``, default 1, 2 and
the number of CPUs):

* if ``sosreg validate --help`` offers ``-j``: ``sosreg validate DIR -j N`` as a
  subprocess (wall time of the whole command, interpreter start included; output to a
  file, exit code checked);
* otherwise (this checkout has no ``-j`` yet): a ``multiprocessing.Pool(N)`` mapping
  ``sosreg.validate`` over the files (fork start on Linux; wall time of creating the pool,
  the map and closing it). Every report must be godkänd.

The table says which of the two was measured. Best of ``--repeat`` (3). Writes
``benchmarks/results_parallel.json``. A script, not a test.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import multiprocessing
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import make_data  # noqa: E402


def cli_has_jobs() -> bool:
    """True if this checkout's ``sosreg validate`` has a ``-j`` option."""
    out = subprocess.run(
        [sys.executable, "-m", "sosreg", "validate", "--help"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout
    return re.search(r"(^|[\s\[,])-j\b", out) is not None


def _validate_one(path: str) -> tuple[str, str, int]:
    import sosreg

    report = sosreg.validate(path)
    return path, report.status.value, report.lines


def run_pool(files: list[Path], jobs: int) -> dict[str, Any]:
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    ctx = multiprocessing.get_context(method)
    c0, t0 = _children_cpu(), time.perf_counter()
    with ctx.Pool(jobs) as pool:
        results = pool.map(_validate_one, [str(f) for f in files], chunksize=1)
    seconds = time.perf_counter() - t0
    cpu = _children_cpu() - c0
    bad = [(p, s) for p, s, _ in results if s != "godkänd"]
    if bad:
        raise SystemExit(f"ABORT: not godkänd: {bad[:3]}")
    return {
        "seconds": seconds,
        "cpu_seconds": cpu,
        "lines": sum(n for _, _, n in results),
        "start": method,
    }


def _children_cpu() -> float:
    """CPU seconds (user + system) of the finished child processes so far."""
    t = os.times()
    return t.children_user + t.children_system


def run_cli(directory: Path, jobs: int, out: Path) -> dict[str, Any]:
    cmd = [sys.executable, "-m", "sosreg", "validate", str(directory), "-j", str(jobs)]
    c0, t0 = _children_cpu(), time.perf_counter()
    with open(out, "wb") as fh:
        proc = subprocess.run(cmd, stdout=fh, stderr=subprocess.PIPE, check=False)
    seconds = time.perf_counter() - t0
    cpu = _children_cpu() - c0
    if proc.returncode != 0:
        raise SystemExit(
            f"ABORT: {' '.join(cmd)} exited {proc.returncode} (expected 0, every file valid)\n"
            f"{proc.stderr.decode(errors='replace')[-2000:]}"
        )
    return {"seconds": seconds, "cpu_seconds": cpu, "command": " ".join(["sosreg", *cmd[3:]])}


def generate(directory: Path, n_files: int, lines: int) -> list[Path]:
    files = []
    for i, kommun in enumerate(make_data.kommuner(n_files)):
        path, _ = make_data.write_filip(
            directory, "sol1", lines, seed=make_data.SEED + i, kommun=kommun
        )
        files.append(path)
    return files


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--files", type=int, default=40, help="files, one per kommun (40)")
    ap.add_argument("--lines", type=int, default=10_000, help="lines per file (10,000)")
    ap.add_argument("--jobs", type=int, nargs="+", default=None, help="process counts (1 2 …)")
    ap.add_argument("--repeat", type=int, default=3, help="runs per process count; best counts")
    ap.add_argument("--pool", action="store_true", help="measure the Pool even if -j exists")
    ap.add_argument("--json", type=Path, default=HERE / "results_parallel.json")
    args = ap.parse_args(argv)
    cpus = os.cpu_count() or 1
    jobs = args.jobs or sorted({1, 2, cpus})
    tmp = Path(tempfile.mkdtemp(prefix="sosreg-parallel-"))
    try:
        data = tmp / "files"
        t0 = time.perf_counter()
        files = generate(data, args.files, args.lines)
        total_lines = args.files * args.lines
        size = sum(f.stat().st_size for f in files)
        print(
            f"generated {args.files} files × {args.lines:,} lines ({size / 1e6:.0f} MB) "
            f"in {time.perf_counter() - t0:.1f} s",
            file=sys.stderr,
        )
        use_cli = cli_has_jobs() and not args.pool
        how = (
            "`sosreg validate DIR -j N` (subprocess, wall time incl. interpreter start)"
            if use_cli
            else "`multiprocessing.Pool(N).map(sosreg.validate, files)` (fork; the CLI has "
            "no `-j` in this checkout)"
        )
        rows = []
        for j in jobs:
            runs = []
            for r in range(args.repeat):
                print(f"  -j {j} run {r + 1}/{args.repeat} ...", end="", file=sys.stderr)
                res = run_cli(data, j, tmp / "out.txt") if use_cli else run_pool(files, j)
                print(f" {res['seconds']:.2f} s", file=sys.stderr, flush=True)
                runs.append(res)
            best = min(runs, key=lambda x: x["seconds"])
            rows.append(
                {
                    "jobs": j,
                    "seconds": best["seconds"],
                    "cpu_seconds": best["cpu_seconds"],
                    "all_seconds": [x["seconds"] for x in runs],
                }
            )
        base = rows[0]["seconds"] if rows[0]["jobs"] == 1 else None
        machine = {
            "cpu_count": cpus,
            "cpus_usable": len(os.sched_getaffinity(0))
            if hasattr(os, "sched_getaffinity")
            else None,
            "python": platform.python_version(),
            "platform": platform.platform(),
            "loadavg": os.getloadavg() if hasattr(os, "getloadavg") else None,
        }
        print(
            f"{args.files} SOL1 files × {args.lines:,} lines ({total_lines:,} lines, "
            f"{size / 1e6:.0f} MB), best of {args.repeat}; measured: {how}\n"
        )
        print(
            "| processes | time | files/s | lines/s | speedup vs 1 | efficiency "
            "| CPU time | CPUs busy |"
        )
        print("|---:|---:|---:|---:|---:|---:|---:|---:|")
        for row in rows:
            s = row["seconds"]
            speedup = base / s if base else None
            row["speedup"] = speedup
            sp = f"{speedup:.2f}×" if speedup else "–"
            eff = f"{speedup / row['jobs']:.0%}" if speedup else "–"
            print(
                f"| {row['jobs']} | {s:.2f} s | {args.files / s:.1f} | {total_lines / s:,.0f} "
                f"| {sp} | {eff} | {row['cpu_seconds']:.2f} s | {row['cpu_seconds'] / s:.2f} |"
            )
        load = machine["loadavg"]
        load_text = f"; load average {load[0]:.2f} (1 min)" if load else ""
        print(
            f"\n{cpus} CPUs{load_text}. CPU time: user + system of the worker processes; "
            "CPUs busy = CPU time / wall time (near N: the N processes had N cores; "
            "lower: they waited for the CPU, e.g. other load on the machine)."
        )
        args.json.write_text(
            json.dumps(
                {
                    "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                    "command": " ".join([Path(sys.executable).name, *sys.argv]),
                    "measured": "cli -j" if use_cli else "multiprocessing.Pool",
                    "how": how,
                    "files": args.files,
                    "lines_per_file": args.lines,
                    "bytes": size,
                    "repeat": args.repeat,
                    "machine": machine,
                    "results": rows,
                },
                indent=2,
            )
            + "\n",
            "utf-8",
        )
        print(f"wrote {args.json}", file=sys.stderr)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
