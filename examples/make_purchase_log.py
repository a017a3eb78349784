#!/usr/bin/env python3
"""Write examples/purchases.csv: a synthetic 78-week purchase log for
calibration / holdout validation of the customer-base models.

Shaped like the CDNOW sample that Fader, Hardie & Lee (2005) analyse: 2,000
customers make their first purchase during the first 12 weeks of 2025, and
the log runs 39 weeks of calibration (to 2025-09-30) plus 39 weeks of
holdout (to 2026-06-30). While "alive", a customer buys at a Poisson rate
lambda ~ Gamma(r = 0.25, alpha = 4.0) per week and, after each repeat
purchase, drops out with probability p ~ Beta(a = 0.8, b = 2.5) (BG/NBD).
Order values are Gamma(6, nu) with nu ~ Gamma(4, rate 60): a mean of about
$40 per order (Gamma-Gamma). Purchases on the same day are one order.
Pure standard library; the same seed always gives the same file.
"""

import csv
import random
from datetime import date, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
START = date(2025, 1, 1)
CALIBRATION_END = START + timedelta(weeks=39) - timedelta(days=1)   # 2025-09-30
HOLDOUT_END = START + timedelta(weeks=78) - timedelta(days=1)       # 2026-06-30


def main(seed: int = 2025, customers: int = 2000) -> None:
    rng = random.Random(seed)
    rows = []
    horizon_days = (HOLDOUT_END - START).days + 1
    for i in range(customers):
        cid = f"K{i + 1:05d}"
        first_day = rng.randrange(0, 84)
        lam = rng.gammavariate(0.25, 1 / 4.0) / 7.0  # per day
        p = rng.betavariate(0.8, 2.5)
        nu = rng.gammavariate(4.0, 1 / 60.0)
        days = [first_day]
        t = float(first_day)
        while lam > 0:
            t += rng.expovariate(lam)
            if t >= horizon_days:
                break
            days.append(int(t))
            if rng.random() < p:
                break
        for d in sorted(set(days)):
            rows.append((START + timedelta(days=d), cid, round(rng.gammavariate(6.0, 1 / nu), 2)))
    rows.sort()
    with open(HERE / "purchases.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["customer_id", "order_date", "amount"])
        for day, cid, amount in rows:
            w.writerow([cid, day.isoformat(), f"{max(amount, 0.01):.2f}"])


if __name__ == "__main__":
    main()
