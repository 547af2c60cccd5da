"""A month of the whole country: every kommun's deliveries for one month, validated.

    python benchmarks/bench_country.py                         # 290 kommuner, ~1.3M lines
    python benchmarks/bench_country.py --scale 0.01 --kommuner 6 --repeat 1   # smoke run

Generates, with ``sosreg generate`` (the command's own entry point, in one process,
into ``--data-dir`` or a temporary directory; reused when its manifest matches), one
month's (202303) deliveries for the 290 kommuner of ``src/sosreg/codelists/data/
kommun.toml`` (the example kommun 9999 left out): EKB-Månad and EKB-AO (one run, so the
two agree), SOL1 and SOL2. A file's size follows its kommun's size (see
:func:`sizes`: provisional, not Statistics Sweden's figures); the largest file,
Stockholm's SOL1, has about 50,000 lines at ``--scale 1``.

Then times, each a subprocess, best of ``--repeat`` (3):

* ``sosreg validate DIR -j 1`` and ``-j 2`` (``--jobs``): every file, one report per
  delivery, the summary table (exit 0 required: every file is godkänd);
* ``sosreg status DIR --on 2023-05-02 --obligations FILE`` (the collection's state
  after the month's deadline; the obligations file says that each kommun owes the four
  files for March 2023 only, so that January and February are not missing; exit 0
  required: every period done).

For each: wall time, files and lines per second, CPU time of the processes, and peak
memory: the largest resident set of any one process (``ru_maxrss`` of a small wrapper
process's children, so that the benchmark's own memory cannot leak into it) and, where
psutil is installed, the largest *sum* over the command's process tree (sampled every
20 ms). Writes ``benchmarks/results_country.json`` (``--json``). A script, not a test
(``tests/test_benchmarks.py`` runs it at a tiny scale so that it cannot rot).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import math
import os
import platform
import random
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
from pathlib import Path
from statistics import NormalDist
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
KOMMUN_TOML = ROOT / "src" / "sosreg" / "codelists" / "data" / "kommun.toml"

PERIOD = "202303"
YEAR = "2023"
LARGEST = 50_000
"""Lines of the largest file (Stockholm's SOL1) at ``--scale 1``."""
BIG_CITIES = {"0180": 985_000, "1480": 600_000, "1280": 362_000}
"""Inhabitants of the three largest kommuner (Stockholm, Göteborg, Malmö), rounded."""
MEDIAN, SIGMA = 16_000, 1.0
"""The other kommuner's inhabitants: a log-normal by rank (median, σ of the log)."""
SHARE = {"sol1": 1.0, "sol2": 0.5, "ekb": 0.6}
"""Lines per inhabitant of each file, relative to SOL1 (EKB: EKB-Månad and EKB-AO
each, one run of ``sosreg generate --file manad,ao``)."""
MIN_LINES = 5
STATUS_ON = "2023-05-02"

_WRAPPER = """
import json, resource, subprocess, sys, time
t = time.perf_counter()
done = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
wall = time.perf_counter() - t
ru = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"rc": done.returncode, "wall": wall, "maxrss_kib": ru.ru_maxrss,
                  "cpu": ru.ru_utime + ru.ru_stime, "stderr": done.stderr.decode()[-2000:]}))
"""


def kommuner() -> list[str]:
    """The real kommunkoder (the code list's entries without a warning: not 9999)."""
    data = tomllib.loads(KOMMUN_TOML.read_text("utf-8"))
    return [c["code"] for c in data["codes"] if "warning" not in c]


def sizes(codes: list[str]) -> dict[str, int]:
    """Inhabitants of each kommun, provisional: the three largest cities as they are
    (rounded); the others drawn, by a seeded shuffle, to the ranks of a log-normal
    (median 16,000, σ = 1.0 of the log: about 9.5 million in all, most kommuner between
    5,000 and 50,000, as in Sweden). Not any kommun's real size: only the spread is
    meant to be plausible."""
    rest = [c for c in codes if c not in BIG_CITIES]
    random.Random(22).shuffle(rest)
    n = len(rest)
    dist = NormalDist(math.log(MEDIAN), SIGMA)
    out = dict(BIG_CITIES)
    for i, code in enumerate(rest):
        out[code] = round(math.exp(dist.inv_cdf((n - i - 0.5) / n)))
    return out


def plan(scale: float, limit: int | None) -> list[tuple[str, dict[str, int]]]:
    """(kommun, lines per file kind), largest kommun first; ``limit``: that many
    kommuner spread over the sizes (for a smoke run)."""
    pop = sizes(kommuner())
    order = sorted(pop, key=lambda k: (-pop[k], k))
    if limit is not None and limit < len(order):
        step = (len(order) - 1) / max(1, limit - 1)
        order = [order[round(i * step)] for i in range(limit)]
    top = max(pop.values())
    out = []
    for k in order:
        base = LARGEST * scale * pop[k] / top
        out.append((k, {kind: max(MIN_LINES, round(base * s)) for kind, s in SHARE.items()}))
    return out


def generate(data_dir: Path, todo: list[tuple[str, dict[str, int]]]) -> dict[str, Any]:
    """Write the deliveries with ``sosreg generate`` (reused if the manifest matches)."""
    manifest = {"plan": todo, "period": PERIOD, "sosreg": _sosreg_version()}
    mf = data_dir / "manifest.json"
    if mf.exists() and json.loads(mf.read_text()) == json.loads(json.dumps(manifest)):
        return {"reused": True, "seconds": 0.0}
    if data_dir.exists():
        shutil.rmtree(data_dir)
    data_dir.mkdir(parents=True)
    sys.path.insert(0, str(ROOT / "src"))
    from sosreg.cli import main

    t = time.perf_counter()
    quiet = open(os.devnull, "w")  # noqa: SIM115
    saved = sys.stdout
    sys.stdout = quiet
    try:
        for i, (k, n) in enumerate(todo):
            for register, file, lines in (
                ("sol", "sol1", n["sol1"]),
                ("sol", "sol2", n["sol2"]),
                ("ekb", "manad,ao", n["ekb"]),
            ):
                args = ["generate", "--register", register, "--file", file, "--year", YEAR]
                args += ["--period", PERIOD, "--kommun", k, "-n", str(lines), "--seed", str(i)]
                if main([*args, "-o", str(data_dir / "deliveries")]) != 0:
                    raise SystemExit(f"sosreg generate failed: {' '.join(args)}")
    finally:
        sys.stdout = saved
        quiet.close()
    for p in (data_dir / "deliveries").glob("*.expected.json"):
        p.unlink()  # the generator's expected findings: not part of a delivery
    seconds = time.perf_counter() - t
    mf.write_text(json.dumps(manifest))
    return {"reused": False, "seconds": seconds}


def _env() -> dict[str, str]:
    """The environment of the timed commands: this checkout's sosreg first."""
    path = os.environ.get("PYTHONPATH")
    src = str(ROOT / "src")
    return os.environ | {"PYTHONPATH": src if not path else f"{src}{os.pathsep}{path}"}


def _obligations(todo: list[tuple[str, dict[str, int]]]) -> str:
    """What each kommun owes (docs/collection.md): the month's four files, nothing else."""
    rows = ["kommun;enhet;delregister;from;to;per_enhet"]
    for k, _ in todo:
        for sub in ("EKB-Månad", "EKB-AO", "SOL1", "SOL2"):
            rows.append(f"{k};;{sub};2023-03-01;2023-03-31;")
    return "\n".join(rows) + "\n"


def _sosreg_version() -> str:
    done = subprocess.run(
        [sys.executable, "-c", "import sosreg; print(sosreg.__version__)"],
        capture_output=True,
        text=True,
        check=True,
        env=_env(),
    )
    return done.stdout.strip()


def _tree_rss(pid: int) -> int:
    import psutil

    try:
        proc = psutil.Process(pid)
        procs = [proc, *proc.children(recursive=True)]
    except psutil.Error:
        return 0
    total = 0
    for p in procs:
        with contextlib.suppress(psutil.Error):
            total += p.memory_info().rss
    return total


def run(cmd: list[str]) -> dict[str, Any]:
    """``cmd`` through the wrapper: wall, CPU, largest process RSS, exit code; and the
    process tree's largest summed RSS where psutil is installed."""
    proc = subprocess.Popen(
        [sys.executable, "-c", _WRAPPER, *cmd], stdout=subprocess.PIPE, text=True, env=_env()
    )
    peak = 0
    try:
        import psutil  # noqa: F401

        sampling = True
    except ImportError:
        sampling = False
    while sampling and proc.poll() is None:
        peak = max(peak, _tree_rss(proc.pid))
        time.sleep(0.02)
    out, _ = proc.communicate()
    res: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    res["tree_rss_mib"] = round(peak / 2**20, 1) if sampling else None
    res["maxrss_mib"] = round(res.pop("maxrss_kib") / 1024, 1)
    return res


def count(deliveries: Path) -> tuple[int, int, int]:
    """Files, lines and bytes of the deliveries."""
    files = lines = size = 0
    for p in deliveries.iterdir():
        data = p.read_bytes()
        files += 1
        lines += data.count(b"\n")
        size += len(data)
    return files, lines, size


def machine() -> dict[str, Any]:
    info: dict[str, Any] = {
        "platform": platform.platform(),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "usable_cpus": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
    }
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
        mem = Path("/proc/meminfo").read_text().split()
        info["ram_gib"] = round(int(mem[1]) / 2**20, 1)
    except OSError:
        pass
    return info


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--scale", type=float, default=1.0, help="lines × this (1: largest 50,000)")
    ap.add_argument("--kommuner", type=int, help="only this many kommuner, spread over sizes")
    ap.add_argument("--jobs", type=int, nargs="+", default=[1, 2], help="-j values (1 2)")
    ap.add_argument("--repeat", type=int, default=3, help="runs of each command; best counts")
    ap.add_argument("--engine", default=None, help="pass --engine to validate (default: auto)")
    ap.add_argument("--data-dir", type=Path, help="generate here and reuse next time")
    ap.add_argument("--json", type=Path, default=HERE / "results_country.json")
    args = ap.parse_args(argv)

    tmp = None
    if args.data_dir is None:
        tmp = tempfile.mkdtemp(prefix="sosreg-country-")
        args.data_dir = Path(tmp)
    try:
        return _bench(args)
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)


def _bench(args: argparse.Namespace) -> int:
    todo = plan(args.scale, args.kommuner)
    load_start = os.getloadavg()
    gen = generate(args.data_dir, todo)
    deliveries = args.data_dir / "deliveries"
    files, lines, size = count(deliveries)
    largest = max(max(n.values()) for _, n in todo)
    print(
        f"{len(todo)} kommuner, {files} files, {lines:,} lines, {size / 1e6:.1f} MB "
        f"(largest file {largest:,} lines); generated in {gen['seconds']:.1f} s"
        + (" (reused)" if gen["reused"] else ""),
        flush=True,
    )
    sosreg = [sys.executable, "-m", "sosreg"]
    commands: list[tuple[str, list[str], tuple[int, ...]]] = []
    for j in args.jobs:
        cmd = [*sosreg, "validate", str(deliveries), "-j", str(j), "--lang", "en"]
        if args.engine:
            cmd += ["--engine", args.engine]
        commands.append((f"validate -j {j}", cmd, (0,)))
    obligations = args.data_dir / "obligations.csv"
    obligations.write_text(_obligations(todo), "utf-8")
    status = [*sosreg, "status", str(deliveries), "--on", STATUS_ON, "--format", "json"]
    commands.append(("status", [*status, "--obligations", str(obligations)], (0,)))

    rows: list[dict[str, Any]] = []
    for name, cmd, ok in commands:
        runs = []
        for _ in range(args.repeat):
            res = run(cmd)
            if res["rc"] not in ok:
                print(res["stderr"], file=sys.stderr)
                raise SystemExit(f"{name}: exit {res['rc']}, expected {ok}")
            runs.append(res)
        best = min(runs, key=lambda r: r["wall"])
        row = {
            "command": name,
            "argv": [os.path.basename(c) if c == sys.executable else c for c in cmd],
            "wall_s": round(best["wall"], 3),
            "walls": [round(r["wall"], 3) for r in runs],
            "cpu_s": round(best["cpu"], 3),
            "cpus_busy": round(best["cpu"] / best["wall"], 2),
            "files_per_s": round(files / best["wall"], 1),
            "lines_per_s": round(lines / best["wall"]),
            "max_process_rss_mib": max(r["maxrss_mib"] for r in runs),
            "max_tree_rss_mib": None
            if runs[0]["tree_rss_mib"] is None
            else max(r["tree_rss_mib"] for r in runs),
            "exit": best["rc"],
        }
        rows.append(row)
        print(json.dumps(row), flush=True)

    by = {r["command"]: r for r in rows}
    if "validate -j 1" in by and "validate -j 2" in by:
        speedup = by["validate -j 1"]["wall_s"] / by["validate -j 2"]["wall_s"]
    else:
        speedup = None
    result = {
        "date": dt.date.today().isoformat(),
        "machine": machine(),
        "load_start": [round(x, 2) for x in load_start],
        "load_end": [round(x, 2) for x in os.getloadavg()],
        "scale": args.scale,
        "kommuner": len(todo),
        "files": files,
        "lines": lines,
        "bytes": size,
        "largest_file_lines": largest,
        "generate": gen,
        "engine": args.engine or "auto",
        "rows": rows,
        "speedup_j2": None if speedup is None else round(speedup, 2),
    }
    args.json.write_text(json.dumps(result, indent=2) + "\n")
    _table(result)
    return 0


def _table(result: dict[str, Any]) -> None:
    print()
    print(
        "| command | time | files/s | lines/s | CPU time | CPUs busy | largest process "
        "| all processes |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for r in result["rows"]:
        tree = "–" if r["max_tree_rss_mib"] is None else f"{r['max_tree_rss_mib']:,.0f} MiB"
        print(
            f"| `sosreg {r['command']}` | {r['wall_s']:.2f} s | {r['files_per_s']:,.0f} | "
            f"{r['lines_per_s']:,} | {r['cpu_s']:.2f} s | {r['cpus_busy']:.2f} | "
            f"{r['max_process_rss_mib']:,.0f} MiB | "
            f"{tree} |"
        )
    if result["speedup_j2"] is not None:
        print(f"\n-j 2 against -j 1: {result['speedup_j2']:.2f}×")
    print(f"load average at start {result['load_start']}, at end {result['load_end']}")


if __name__ == "__main__":
    sys.exit(main())
