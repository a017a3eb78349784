#!/usr/bin/env python3
"""``--engine duckdb`` on a big survey export, against the pandas one-liner
and cxterms' built-in reader, run side by side.

Generates (under benchmarks/_data/, git-ignored) a survey export with a
quoted free-text comment column, checks that the three agree on the NPS,
then prints median wall times, the ratios, and the peak memory (maximum
resident set size, as ``/usr/bin/time -v`` reports it) of ``--engine
duckdb`` and of the built-in reader at each size: a tenth of --rows, --rows,
and with --memory-rows N a third size (e.g. 30000000) for the memory only.

Targets (issue 12): --engine duckdb faster than the pandas one-liner on the
10M-row file; peak memory flat in rows (at most 1.1x from the smallest to
the largest file).

Usage: python benchmarks/engines.py [--rows N] [--runs N] [--memory-rows N] [--python PATH]
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from run import DATA, make_csv, medians, output_of, peak_kb, peers, table, verdict  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=10_000_000, help="rows of the big file (default 10M)")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--memory-rows", type=int, default=0, help="a third, larger file for the memory figures only")
    ap.add_argument("--python", default=sys.executable)
    args = ap.parse_args(argv)
    py = args.python
    env = {**os.environ, "PYTHONPATH": str(HERE.parent)}
    if subprocess_ok([py, "-c", "import duckdb, sqlglot"], env) is False:
        sys.exit(f"{py} cannot import duckdb and sqlglot: pip install 'cxterms[duckdb]'")
    DATA.mkdir(exist_ok=True)
    small_rows = max(args.rows // 10, 1000)
    big = make_csv(DATA / f"survey-{args.rows}-quoted.csv", args.rows, True)
    small = make_csv(DATA / f"survey-{small_rows}-quoted.csv", small_rows, True)

    def duck(path):
        return [py, "-m", "cxterms", "nps", str(path), "-c", "score", "-q", "--engine", "duckdb"]

    cmds = {"cxterms --engine duckdb": duck(big), **peers(big, py, env, True)}
    cmds = {k: v for k, v in cmds.items() if k in ("cxterms --engine duckdb", "cxterms nps", "pandas one-liner")}
    answers = {k: output_of(c, env).strip() for k, c in cmds.items()}
    if len(set(answers.values())) != 1:
        sys.exit(f"the commands disagree: {answers}")
    times = medians(cmds, args.runs, env)
    size = big.stat().st_size / 1e6
    print(f"NPS of {args.rows:,} rows ({size:.0f} MB, quoted comment column), median of {args.runs} runs:")
    table([(k, f"{t:.2f} s", f"{args.rows / t / 1e6:.1f} M rows/s") for k, t in times.items()], ("command", "time", "throughput"))
    ours = times["cxterms --engine duckdb"]
    if "pandas one-liner" in times:
        r = ours / times["pandas one-liner"]
        print(f"  --engine duckdb / pandas = {r:.2f} (target < 1): {verdict(r, 1.0)}")
    r = ours / times["cxterms nps"]
    print(f"  --engine duckdb / built-in reader = {r:.2f}")
    sizes = [(small_rows, small), (args.rows, big)]
    if args.memory_rows:
        sizes.append((args.memory_rows, make_csv(DATA / f"survey-{args.memory_rows}-quoted.csv", args.memory_rows, True)))

    def builtin(path):
        return [py, "-m", "cxterms", "nps", str(path), "-c", "score", "-q"]

    print("  peak memory (max RSS) by rows:")
    rows_out = []
    for name, cmd in (("cxterms --engine duckdb", duck), ("cxterms nps (built-in)", builtin)):
        peaks = [peak_kb(cmd(path), py, env) for _n, path in sizes]
        r = max(peaks) / min(peaks)
        rows_out.append((name, *[f"{k / 1024:.0f} MiB" for k in peaks], f"{r:.2f}", verdict(r, 1.1)))
    table(rows_out, ("command", *[f"{n:,} rows" for n, _p in sizes], "max/min", "flat (<= 1.1)"))
    return 0


def subprocess_ok(cmd, env) -> bool:
    import subprocess

    return subprocess.run(cmd, capture_output=True, env=env).returncode == 0


if __name__ == "__main__":
    raise SystemExit(main())
