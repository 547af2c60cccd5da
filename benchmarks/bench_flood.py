"""Bounded output: what a file that gives a finding on every line costs.

    python benchmarks/bench_flood.py [--blank 2000000] [--binary-mb 20]

Cases, each in a fresh interpreter (so peak RSS is the case's own):

* ``blank``: one valid EKB-Månad record followed by ``--blank`` blank lines (SOS-101 on
  every line), validated with text output (100 details per rule, the default) and with
  JSON output of every finding (streamed through a temporary file);
* ``binary``: ``--binary-mb`` MB of random bytes: one SOS-002 finding, no line findings.

Prints a Markdown table (time, peak RSS, output size) and writes
``benchmarks/results_flood.json``. A script, not a test: nothing here asserts a speed.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
RECORD = "0330;;202301;202301;199201014579;;0;5230;0;021;;0;;;"

# Peak RSS is VmHWM of the child's own address space (getrusage's ru_maxrss would
# carry the parent's peak across fork and exec on Linux).
CHILD = r"""
import sys, time
from sosreg.cli import main
t = time.perf_counter()
code = main(sys.argv[1:])
elapsed = time.perf_counter() - t
hwm = next(l for l in open("/proc/self/status") if l.startswith("VmHWM")).split()[1]
print(f"{elapsed:.3f} {hwm} {code}", file=sys.stderr)
"""


def run_case(argv: list[str], out: Path) -> dict[str, float | int]:
    with open(out, "wb") as fh:
        proc = subprocess.run(
            [sys.executable, "-c", CHILD, *argv], stdout=fh, stderr=subprocess.PIPE, check=False
        )
    last = proc.stderr.decode().strip().splitlines()[-1]
    elapsed, rss_kb, code = last.split()
    return {
        "seconds": float(elapsed),
        "peak_rss_mb": round(int(rss_kb) / 1024, 1),
        "exit": int(code),
        "output_mb": round(out.stat().st_size / 1e6, 2),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--blank", type=int, default=2_000_000)
    ap.add_argument("--binary-mb", type=int, default=20)
    ap.add_argument("--json", default=str(HERE / "results_flood.json"))
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="sosreg-flood-"))
    blank = tmp / "Ekb_0330_202301_20230214T0930.txt"
    with open(blank, "wb") as fh:
        fh.write((RECORD + "\r\n").encode())
        fh.write(b"\r\n" * args.blank)
    binary = tmp / "Ekb_0330_202301_20230214T0931.txt"
    rnd = random.Random(7)
    binary.write_bytes(rnd.randbytes(args.binary_mb * 1_000_000))
    cases = {
        f"1 record + {args.blank:,} blank lines, text (100 details/rule)": (
            ["validate", str(blank)],
            tmp / "blank.txt",
        ),
        f"1 record + {args.blank:,} blank lines, json, every finding (streamed)": (
            ["validate", str(blank), "--format", "json"],
            tmp / "blank.json",
        ),
        f"{args.binary_mb} MB random bytes, text": (["validate", str(binary)], tmp / "bin.txt"),
    }
    results = {name: run_case(argv, out) for name, (argv, out) in cases.items()}
    print(
        f"Machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
    )
    print()
    print("| case | time | peak RSS | output | exit |")
    print("|---|---|---|---|---|")
    for name, r in results.items():
        print(
            f"| {name} | {r['seconds']:.2f} s | {r['peak_rss_mb']} MB | "
            f"{r['output_mb']} MB | {r['exit']} |"
        )
    Path(args.json).write_text(
        json.dumps(
            {
                "when": time.strftime("%Y-%m-%d"),
                "machine": platform.machine(),
                "cpus": os.cpu_count(),
                "python": platform.python_version(),
                "results": results,
            },
            indent=2,
        )
        + "\n"
    )


if __name__ == "__main__":
    main()
