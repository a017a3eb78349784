#!/usr/bin/env python3
"""Regenerate the sample files in this folder (deterministic: fixed seeds).

    python examples/make_examples.py

The files imitate real exports: a survey export with free-text comments
that contain commas, quotes and line breaks; a semicolon-separated European
export with day-first dates and decimal commas; a UTF-16 "Unicode text"
export from Excel; a CSAT and a CES file; a customer table for churn; an
order log for CLV; and cohort survivor counts for retention.
"""

import csv
import io
import random
from datetime import date, timedelta
from pathlib import Path

HERE = Path(__file__).parent
REGIONS = ["North", "South", "East", "West"]
CHANNELS = ["email", "chat", "phone"]
COMMENTS = [
    "Great service, fast delivery.",
    'Support was "okay", but slow to answer.',
    "Too expensive for what it does.\nWould not buy again.",
    "",
    "Love it; recommended it to my team, twice!",
    "App crashes on login, please fix",
    "",
    "Billing was confusing, but the agent, Maria, sorted it out.",
]


# Comments and attribute ratings that go with the score, for the comment
# themes (--comments, --topics) and key driver analysis (drivers). They use
# their own random stream, so every other column stays as it was.
THEMED = {
    "detractor": [
        "Too expensive for what it does.\nWould not buy again.",
        "Waited 40 minutes on hold and nobody called back.",
        "The app crashes on login every single time.",
        "Billing charged me twice; the refund took three weeks.",
        "Rude agent, did not solve my problem.",
        "Delivery was late and the box arrived damaged.",
        "Not worth the price. Support never answers emails.",
        "Still waiting for a call back about my refund.",
    ],
    "passive": [
        "Fine overall, but the app could be faster.",
        "Decent product, a bit pricey for what you get.",
        "Delivery was OK; tracking could be better.",
        'Support was "okay", but slow to answer.',
        "Good, not great. Setup took a while.",
        "Works as expected, nothing special.",
    ],
    "promoter": [
        "Great service, fast delivery.",
        "The agent, Maria, was friendly and sorted it out in minutes.",
        "Love the app, so easy to use!",
        "Excellent value for money.",
        "Quick answers from support, thank you!",
        "Love it; recommended it to my team, twice!",
        "Très bien, livraison rapide 👍",
    ],
}
ATTRIBUTES = {"speed": 0.9, "staff": 0.7, "value": 0.5, "app": 0.25}  # how closely each follows the score


def themed(extra: random.Random, score, fallback: str) -> tuple[str, dict]:
    """A comment and 1-5 attribute ratings that go with an answer."""
    if score == "":
        return fallback, {a: "" for a in ATTRIBUTES}
    group = "promoter" if score >= 9 else "passive" if score >= 7 else "detractor"
    roll = extra.random()
    comment = extra.choice(THEMED[group]) if roll < 0.65 else fallback if roll < 0.85 else ""
    latent = score / 2.5  # 0..4
    ratings = {}
    for name, w in ATTRIBUTES.items():
        r = round(1 + w * latent + (1 - w) * 2 + extra.gauss(0, 0.7))
        ratings[name] = min(5, max(1, r)) if extra.random() > 0.02 else ""
    return comment, ratings


def nps_answer(rng: random.Random, month: int) -> int:
    # drift upward over the year so trends have something to show
    weights = [3, 1, 2, 2, 3, 5, 7, 12, 16, 18 + month, 14 + 2 * month]
    return rng.choices(range(11), weights)[0]


def survey(rng: random.Random) -> None:
    rows = []
    extra = random.Random(2026)
    for i in range(1, 401):
        day = date(2026, 1, 1) + timedelta(days=rng.randrange(0, 273))
        row = {
            "respondent_id": 100000 + i,
            "submitted": f"{day.isoformat()}T{rng.randrange(8, 20):02d}:{rng.randrange(60):02d}:00Z",
            "region": rng.choice(REGIONS),
            "channel": rng.choice(CHANNELS),
            "score": nps_answer(rng, day.month) if rng.random() > 0.03 else "",
        }
        comment, ratings = themed(extra, row["score"], rng.choice(COMMENTS))
        rows.append({**row, **ratings, "comment": comment})
    with open(HERE / "survey.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\r\n")
        w.writeheader()
        w.writerows(rows)


def surveymonkey(rng: random.Random) -> None:
    question = "How likely is it that you would recommend Acme to a friend or colleague?"
    fields = ["Respondent ID", "Collector ID", "Start Date", "End Date", "IP Address", "Email Address", question, "What is the main reason for your score?"]
    with open(HERE / "surveymonkey-export.csv", "w", newline="", encoding="utf-8-sig") as fh:
        w = csv.writer(fh, lineterminator="\r\n")
        w.writerow(fields)
        for i in range(1, 121):
            start = date(2026, 3, 1) + timedelta(days=rng.randrange(0, 30))
            w.writerow([11800000000 + i, 431234567, f"{start:%m/%d/%Y} 09:{i % 60:02d}:11 AM", f"{start:%m/%d/%Y} 09:{(i + 3) % 60:02d}:40 AM",
                        f"10.0.{i % 255}.{(i * 7) % 255}", "", nps_answer(rng, 3), rng.choice(COMMENTS)])


def european(rng: random.Random) -> None:
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=";", lineterminator="\n")
    w.writerow(["Datum", "Filiale", "Empfehlung", "Umsatz"])
    for _ in range(150):
        day = date(2026, 1, 1) + timedelta(days=rng.randrange(0, 180))
        w.writerow([f"{day:%d/%m/%Y}", rng.choice(["München", "Köln", "Zürich"]), nps_answer(rng, day.month),
                    f"{rng.uniform(10, 500):.2f}".replace(".", ",")])
    (HERE / "survey-eu.csv").write_text(buf.getvalue(), encoding="utf-8")


def utf16(rng: random.Random) -> None:
    lines = ["ticket\tteam\trating"]
    for i in range(1, 81):
        lines.append(f"T-{i:04d}\t{rng.choice(['Billing', 'Technik', 'Ventes'])}\t{rng.choices(range(11), [1, 1, 1, 1, 2, 2, 4, 6, 8, 9, 9])[0]}")
    (HERE / "survey-utf16.txt").write_bytes(b"\xff\xfe" + ("\r\n".join(lines) + "\r\n").encode("utf-16-le"))


def csat(rng: random.Random) -> None:
    with open(HERE / "support-csat.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["ticket_id", "closed", "channel", "rating"])
        for i in range(1, 301):
            day = date(2026, 4, 1) + timedelta(days=rng.randrange(0, 91))
            w.writerow([f"T{i:05d}", day.isoformat(), rng.choice(CHANNELS), rng.choices([1, 2, 3, 4, 5], [4, 6, 12, 35, 43])[0]])


def effort(rng: random.Random) -> None:
    with open(HERE / "effort.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["date", "channel", "ces"])
        for _ in range(250):
            day = date(2026, 5, 1) + timedelta(days=rng.randrange(0, 61))
            w.writerow([day.isoformat(), rng.choice(CHANNELS), rng.choices(range(1, 8), [3, 4, 6, 10, 20, 30, 27])[0]])


def customers(rng: random.Random) -> None:
    with open(HERE / "customers.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["customer_id", "plan", "start_date", "end_date"])
        for i in range(1, 501):
            start = date(2025, 1, 1) + timedelta(days=rng.randrange(0, 540))
            end = ""
            if rng.random() < 0.45:
                e = start + timedelta(days=int(rng.expovariate(1 / 200)))
                if e <= date(2026, 6, 30):
                    end = e.isoformat()
            w.writerow([f"C{i:04d}", rng.choice(["basic", "pro"]), start.isoformat(), end])


def orders(rng: random.Random) -> None:
    """An order log from a BG/NBD-like process: each customer buys at a
    personal rate until an unobserved drop-out."""
    rows = []
    end = date(2026, 6, 30)
    for i in range(1, 301):
        first = date(2025, 1, 1) + timedelta(days=rng.randrange(0, 120))
        rate = rng.gammavariate(0.8, 1 / 20)  # purchases per day
        p_drop = rng.betavariate(1.0, 3.0)
        spend = rng.gammavariate(6.0, 6.0)
        day = first
        rows.append((f"C{i:04d}", day, round(rng.gammavariate(4.0, spend / 4.0), 2)))
        while True:
            if rng.random() < p_drop:
                break
            day += timedelta(days=max(1, int(rng.expovariate(rate)) if rate > 0 else 10_000))
            if day > end:
                break
            rows.append((f"C{i:04d}", day, round(rng.gammavariate(4.0, spend / 4.0), 2)))
    rows.sort(key=lambda r: (r[1], r[0]))
    with open(HERE / "orders.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["order_id", "customer_id", "order_date", "amount"])
        for n, (c, d, a) in enumerate(rows, 1):
            w.writerow([f"O{n:05d}", c, d.isoformat(), f"{a:.2f}"])


def cohort() -> None:
    # Fader & Hardie (2007), "regular" customers, years 0-7 (published data)
    survivors = [1000, 631, 468, 382, 326, 289, 262, 241]
    with open(HERE / "cohort.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["year", "active"])
        for year, n in enumerate(survivors):
            w.writerow([year, n])


def main() -> None:
    survey(random.Random(1))
    surveymonkey(random.Random(2))
    european(random.Random(3))
    utf16(random.Random(4))
    csat(random.Random(5))
    effort(random.Random(6))
    customers(random.Random(7))
    orders(random.Random(8))
    cohort()


if __name__ == "__main__":
    main()
