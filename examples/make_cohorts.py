#!/usr/bin/env python3
"""Write examples/cohorts.csv: a synthetic triangular cohort matrix for `cxterms retention`.

Eight quarterly cohorts of subscribers (2024-Q1 .. 2025-Q4) of a monthly plan;
each row is one cohort, each column the customers still subscribed after
0, 1, 2, ... months, observed up to the end of 2025 (so younger cohorts
have fewer columns). Every subscriber cancels each month with their own
probability theta ~ Beta(0.9, 4.5) (the sBG model). Standard library only;
the same seed always gives the same file.
"""

import csv
import random
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(seed: int = 7) -> None:
    rng = random.Random(seed)
    rows = []
    for q in range(8):
        label = f"{2024 + q // 4}-Q{q % 4 + 1}"
        size = rng.randrange(700, 1300)
        observed = 24 - 3 * q  # months from the cohort's start to the end of 2025
        alive = [0] * (observed + 1)
        for _ in range(size):
            theta = rng.betavariate(0.9, 4.5)
            month = 0
            while month <= observed:
                alive[month] += 1
                if rng.random() < theta:
                    break
                month += 1
        rows.append([label, *alive])
    width = max(len(r) for r in rows)
    with open(HERE / "cohorts.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["cohort", *[f"m{k}" for k in range(width - 1)]])
        for r in rows:
            w.writerow(r + [""] * (width - len(r)))


if __name__ == "__main__":
    main()
