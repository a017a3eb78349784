#!/usr/bin/env python3
"""Historic CLV of a big order log: the built-in reader, ``--engine duckdb``
and a pandas one-liner, run side by side.

Generates (under benchmarks/_data/, git-ignored) an order log of --rows
orders by --customers customers over 600 days (customer, date, amount),
checks that the three agree on the mean CLV, then prints median wall times,
their ratios and the peak memory (maximum resident set size) of each.

No target comes with it: the figures show what each path costs, so that a
change to the order reader (dates and amounts are parsed once per distinct
cell; the summary is computed from the per-customer totals) can be judged.

Usage: python benchmarks/orders.py [--rows N] [--customers N] [--runs N] [--python PATH]
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from run import DATA, medians, output_of, peak_kb, table  # noqa: E402


def make_orders(path: Path, rows: int, customers: int) -> Path:
    if path.exists():
        return path
    rng = random.Random(rows + customers)
    days = [(datetime.date(2024, 1, 1) + datetime.timedelta(days=d)).isoformat() for d in range(600)]
    tmp = path.with_suffix(".tmp")
    with open(tmp, "w") as fh:
        fh.write("customer,date,amount\n")
        for start in range(0, rows, 100_000):
            fh.write("".join(
                f"C{rng.randrange(customers)},{rng.choice(days)},{rng.randrange(100, 10000) / 100}\n"
                for _ in range(min(100_000, rows - start))
            ))
    tmp.replace(path)
    return path


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000, help="orders (default 1M)")
    ap.add_argument("--customers", type=int, default=200_000, help="customers (default 200k)")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--python", default=sys.executable)
    args = ap.parse_args(argv)
    py = args.python
    env = {**os.environ, "PYTHONPATH": str(HERE.parent)}
    DATA.mkdir(exist_ok=True)
    path = make_orders(DATA / f"orders-{args.rows}-{args.customers}.csv", args.rows, args.customers)
    cmds = {"cxterms clv (built-in)": [py, "-m", "cxterms", "clv", str(path), "-q"]}
    if subprocess.run([py, "-c", "import duckdb, sqlglot"], capture_output=True, env=env).returncode == 0:
        cmds["cxterms clv --engine duckdb"] = [*cmds["cxterms clv (built-in)"], "--engine", "duckdb"]
    if subprocess.run([py, "-c", "import pandas"], capture_output=True).returncode == 0:
        cmds["pandas one-liner"] = [py, "-c", (
            "import pandas as pd, sys; d = pd.read_csv(sys.argv[1], usecols=['customer', 'amount']); "
            "print(f'{d.amount.sum() / d.customer.nunique():.2f}')"), str(path)]
    answers = {k: output_of(c, env).strip() for k, c in cmds.items()}
    if len(set(answers.values())) != 1:
        sys.exit(f"the commands disagree: {answers}")
    times = medians(cmds, args.runs, env)
    size = path.stat().st_size / 1e6
    print(f"Mean historic CLV of {args.rows:,} orders by {args.customers:,} customers ({size:.0f} MB), "
          f"median of {args.runs} runs:")
    base = times["cxterms clv (built-in)"]
    table([(k, f"{t:.2f} s", f"{t / base:.2f}", f"{peak_kb(c, py, env) / 1024:.0f} MiB") for (k, t), c
           in zip(times.items(), cmds.values())], ("command", "time", "/ built-in", "peak memory"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
