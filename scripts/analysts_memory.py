"""Peak memory of ``sosreg export`` (file by file) against ``sosreg.scan`` (every row in
one frame), on generated SOL1 files.

    python scripts/analysts_memory.py [--kommuner 3] [--lines 20000] [--folder DIR]

Makes 12 monthly files per kommun of about ``--lines`` lines each (±15 %) (with the generator of
``tests/analysts_data.py``), then runs each step in a fresh Python process and prints its
peak resident set size (``VmHWM``, Linux) and time. Numbers for docs/analysts.md.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from analysts_data import KOMMUNER, write_year  # noqa: E402

STEPS = {
    "import sosreg and polars": "import sosreg, polars",
    "export (file by file)": (
        "import sosreg; sosreg.analysts.export({data!r}, {out!r}, key=bytes(32))"
    ),
    "scan, then collect every row": (
        "import sosreg; sosreg.scan({data!r}, key=bytes(32)).frame.collect()"
    ),
}

# VmHWM: the peak resident set of this process (Linux), from its exec on.
CHILD = """
import json, re, time
start = time.perf_counter()
{code}
with open("/proc/self/status") as fh:
    peak = int(re.search(r"VmHWM:\\s*([0-9]+) kB", fh.read())[1])
print(json.dumps({{"seconds": time.perf_counter() - start, "peak_mb": peak / 1024}}))
"""


def measure(code: str) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, "-c", CHILD.format(code=code)], capture_output=True, text=True, check=True
    )
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--kommuner", type=int, default=3)
    ap.add_argument("--lines", type=int, default=20_000)
    ap.add_argument("--folder", type=Path)
    args = ap.parse_args()
    folder = args.folder or Path(tempfile.mkdtemp(prefix="sosreg-memory-"))
    data = folder / "data"
    year = write_year(data, kommuner=KOMMUNER[: args.kommuner], lines=args.lines, seed=1, growth=0)
    size = sum(p.stat().st_size for p in year.paths) / 2**20
    rows = sum(year.expected.values())
    print(f"{len(year.paths)} files, {rows} lines, {size:.0f} MB in {data}")
    for i, (name, code) in enumerate(STEPS.items()):
        out = folder / f"out{i}"
        r = measure(code.format(data=str(data), out=str(out)))
        print(f"{name:32} peak RSS {r['peak_mb']:7.0f} MB  {r['seconds']:6.1f} s")


if __name__ == "__main__":
    main()
