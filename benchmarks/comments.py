#!/usr/bin/env python3
"""Comment themes and topics on a 100,000-row export (target: under 2 s).

Generates benchmarks/_data/comments-100k.csv (git-ignored): scores 0-10 and
free-text comments drawn from a few hundred realistic phrases plus random
words, then times whole runs of

    cxterms nps FILE                                   (the score alone)
    cxterms nps FILE --comments comment                (themes)
    cxterms nps FILE --comments comment --builtin-topics

with Python's own clock, median of --runs interleaved runs, and prints the
medians and the ratio of each to the target.

Usage: python benchmarks/comments.py [--runs N] [--rows N] [--python PATH]
"""

from __future__ import annotations

import argparse
import csv
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
TARGET_S = 2.0
PHRASES = {
    "low": ["waited on hold for ages", "nobody called back", "the app keeps crashing", "charged twice",
            "refund still missing", "rude agent", "way too expensive", "delivery was late", "box arrived damaged"],
    "mid": ["fine overall", "a bit pricey", "app could be faster", "tracking could be better", "setup took a while"],
    "high": ["great service", "friendly agent", "quick answer", "easy to use", "excellent value", "fast delivery"],
}
FILLER = "really quite very the a and but so it was is my our".split() + [f"word{i}" for i in range(3000)]


def make(path: Path, rows: int) -> None:
    rng = random.Random(7)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "score", "comment"])
        for i in range(rows):
            s = rng.randrange(11)
            band = "low" if s <= 6 else "mid" if s <= 8 else "high"
            parts = [rng.choice(PHRASES[band])] + rng.sample(FILLER, rng.randint(0, 8))
            if rng.random() < 0.3:
                parts.append(rng.choice(PHRASES[rng.choice(list(PHRASES))]))
            w.writerow([i, s, ", ".join(parts) if rng.random() > 0.2 else ""])


def timed(cmd: list[str]) -> float:
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--python", default=sys.executable)
    args = ap.parse_args()
    data = HERE / "_data" / f"comments-{args.rows}.csv"
    if not data.exists():
        make(data, args.rows)
    base = [args.python, "-m", "cxterms", "nps", str(data), "-f", "json"]
    commands = {
        "score only": base,
        "--comments": base + ["--comments", "comment"],
        "--comments --builtin-topics": base + ["--comments", "comment", "--builtin-topics"],
    }
    for cmd in commands.values():  # check once before timing
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    times: dict[str, list[float]] = {k: [] for k in commands}
    for _ in range(args.runs):
        for name, cmd in commands.items():
            times[name].append(timed(cmd))
    print(f"{args.rows:,} rows, median of {args.runs} runs (whole process, interpreter start-up included)")
    for name, ts in times.items():
        med = statistics.median(ts)
        print(f"  {name:30s} {med:6.2f} s   {med / TARGET_S:4.2f}x the {TARGET_S:.0f} s target")


if __name__ == "__main__":
    main()
