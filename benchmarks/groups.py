#!/usr/bin/env python3
"""``--by`` over very many groups: time and peak memory per group.

Generates files with 10k, 100k and 1M distinct groups (two answers per
group) under benchmarks/_data/ (git-ignored), runs

    cxterms nps FILE --by group -f csv

and a pandas one-liner computing the same per-group counts as a reference,
each under ``/usr/bin/time`` for the peak resident memory, and prints the
wall time, the peak memory, the bytes per group above the smallest run, and
the ratios to pandas. Target (issue 9): bytes per group in the hundreds, not
kilobytes, and memory that grows linearly with the groups.

Usage: python benchmarks/groups.py [--max 1000000] [--python PATH]
"""

from __future__ import annotations

import argparse
import os
import random
import re
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).parent
DATA = HERE / "_data"
PANDAS = (
    "import pandas as pd, sys; d = pd.read_csv(sys.argv[1], dtype={'group': str}); "
    "c = d.groupby('group')['score'].value_counts().unstack(fill_value=0); c.to_csv(sys.stdout)"
)


def make(groups: int) -> Path:
    path = DATA / f"groups-{groups}.csv"
    if not path.exists():
        DATA.mkdir(exist_ok=True)
        rng = random.Random(groups)
        with open(path, "w") as fh:
            fh.write("group,score\n")
            for i in range(2 * groups):
                fh.write(f"cust{i % groups:07d},{rng.randrange(11)}\n")
    return path


def measure(cmd: list[str]) -> tuple[float, int]:
    """Wall seconds and peak RSS in KB (GNU time), output discarded."""
    t0 = time.perf_counter()
    r = subprocess.run(["/usr/bin/time", "-f", "%M", *cmd], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - t0
    if r.returncode != 0:
        raise SystemExit(f"failed: {' '.join(cmd)}\n{r.stderr}")
    return wall, int(re.findall(r"\d+", r.stderr.strip().splitlines()[-1])[0])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--max", type=int, default=1_000_000)
    ap.add_argument("--python", default=sys.executable)
    args = ap.parse_args()
    if not os.path.exists("/usr/bin/time"):
        raise SystemExit("needs GNU time (/usr/bin/time): apt-get install time")
    env_repo = str(HERE.parent)
    os.environ["PYTHONPATH"] = env_repo + os.pathsep + os.environ.get("PYTHONPATH", "")
    try:
        import pandas  # noqa: F401
        have_pandas = True
    except ImportError:
        have_pandas = False
        print("pandas not installed: no reference column")
    sizes = [n for n in (10_000, 100_000, 1_000_000) if n <= args.max]
    base = None
    print(f"{'groups':>9} {'cxterms s':>10} {'peak MB':>8} {'B/group':>8} {'pandas s':>9} {'pandas MB':>9} {'time x':>7} {'mem x':>6}")
    for n in sizes:
        f = str(make(n))
        wall, kb = measure([args.python, "-m", "cxterms", "nps", f, "--by", "group", "-f", "csv"])
        if base is None:
            base = (n, kb)
        per_group = (kb - base[1]) * 1024 / (n - base[0]) if n > base[0] else float("nan")
        if have_pandas:
            pwall, pkb = measure([args.python, "-c", PANDAS, f])
            print(f"{n:>9} {wall:>10.2f} {kb / 1024:>8.0f} {per_group:>8.0f} {pwall:>9.2f} {pkb / 1024:>9.0f} "
                  f"{wall / pwall:>7.2f} {kb / pkb:>6.2f}")
        else:
            print(f"{n:>9} {wall:>10.2f} {kb / 1024:>8.0f} {per_group:>8.0f}")


if __name__ == "__main__":
    main()
