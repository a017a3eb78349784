#!/usr/bin/env python3
"""Write one sample export per survey platform into this folder
(deterministic: fixed seeds).

    python examples/make_exports.py

Each file imitates what the platform gives you, noise included: answer
labels, blanks, NA-style tokens, unfinished and preview responses, and
free-text comments with commas, quotes, line breaks and non-ASCII text.

    qualtrics.csv          Qualtrics CSV: 3 header rows, labelled NPS ends, CSAT labels
    qualtrics.tsv          the same survey as Qualtrics TSV (UTF-16 with BOM)
    surveymonkey.csv       SurveyMonkey: 2 header rows, a matrix question, US dates
    google-forms.csv       Google Forms: Timestamp with GMT+1
    typeform.csv           Typeform: an NPS and a 1-7 ease question
    delighted.csv          Delighted NPS export
    zendesk-csat.csv       Zendesk satisfaction: Good / Bad / Offered / Unoffered
    survey.xlsx            an Excel workbook (dates as Excel dates, a second sheet)
    survey.json            a JSON array of objects
    survey.jsonl           JSON Lines
    survey.parquet         Parquet (written when pyarrow is installed)
    orders-us.csv          an order log with "$2,110.50" amounts and US datetimes

The survey.xlsx writer needs openpyxl (test dependency only).
"""

import csv
import io
import json
import random
from datetime import date, datetime, timedelta
from pathlib import Path

HERE = Path(__file__).parent
COMMENTS = [
    "Great service, fast delivery.",
    'Support was "okay", but slow to answer.',
    "Too expensive for what it does.\nWould not buy again.",
    "",
    "Très bien, merci ! Équipe réactive.",
    "App crashes on login, please fix",
    "Liefertermin wurde nicht eingehalten; Kundendienst freundlich.",
    "The 5\" screen is great, battery isn't",
    "",
    "非常满意",
]
NPS_WEIGHTS = [3, 1, 2, 2, 3, 5, 7, 12, 16, 20, 18]
QSAT5 = ["Extremely dissatisfied", "Somewhat dissatisfied", "Neither satisfied nor dissatisfied", "Somewhat satisfied", "Extremely satisfied"]
SMSAT5 = ["Very dissatisfied", "Dissatisfied", "Neither satisfied nor dissatisfied", "Satisfied", "Very satisfied"]


def nps(rng):
    return rng.choices(range(11), NPS_WEIGHTS)[0]


def qualtrics_rows(rng):
    names = ["StartDate", "EndDate", "Status", "IPAddress", "Progress", "Duration (in seconds)", "Finished",
             "RecordedDate", "ResponseId", "DistributionChannel", "UserLanguage", "Q1", "Q1_NPS_GROUP", "Q2", "Q3"]
    questions = ["Start Date", "End Date", "Response Type", "IP Address", "Progress", "Duration (in seconds)", "Finished",
                 "Recorded Date", "Response ID", "Distribution Channel", "User Language",
                 "How likely is it that you would recommend Acme to a friend or colleague?",
                 "How likely is it that you would recommend Acme to a friend or colleague? - Group",
                 "Overall, how satisfied or dissatisfied are you with Acme?",
                 "What is the main reason for your score?"]
    imports = ['{"ImportId":"startDate","timeZone":"America/Denver"}', '{"ImportId":"endDate","timeZone":"America/Denver"}',
               '{"ImportId":"status"}', '{"ImportId":"ipAddress"}', '{"ImportId":"progress"}', '{"ImportId":"duration"}',
               '{"ImportId":"finished"}', '{"ImportId":"recordedDate","timeZone":"America/Denver"}', '{"ImportId":"_recordId"}',
               '{"ImportId":"distributionChannel"}', '{"ImportId":"userLanguage"}', '{"ImportId":"QID1"}',
               '{"ImportId":"QID1_NPS_GROUP"}', '{"ImportId":"QID2"}', '{"ImportId":"QID3_TEXT"}']
    rows = [names, questions, imports]
    kinds = ["ok"] * 100 + ["preview"] * 2 + ["unfinished"] * 5
    rng.shuffle(kinds)
    for i, kind in enumerate(kinds):
        start = datetime(2026, 3, 1, 8) + timedelta(minutes=rng.randrange(0, 60 * 24 * 28))
        end = start + timedelta(seconds=rng.randrange(30, 600))
        score = nps(rng)
        s1 = {0: "0 - Not at all likely", 10: "10 - Extremely likely"}.get(score, str(score))
        if kind == "unfinished" and i % 2:
            s1 = ""
        group = "" if s1 == "" else ("Promoter" if score >= 9 else "Passive" if score >= 7 else "Detractor")
        sat = rng.choices(QSAT5, [1, 2, 3, 8, 9])[0] if rng.random() > 0.08 else ""
        rows.append([
            f"{start:%Y-%m-%d %H:%M:%S}", f"{end:%Y-%m-%d %H:%M:%S}",
            "Survey Preview" if kind == "preview" else "IP Address", "" if kind == "preview" else f"203.0.113.{i % 250}",
            "100" if kind != "unfinished" else str(rng.randrange(10, 90)), str((end - start).seconds),
            "False" if kind == "unfinished" else "True", f"{end:%Y-%m-%d %H:%M:%S}", f"R_{rng.getrandbits(48):012x}",
            "preview" if kind == "preview" else "anonymous", "EN", s1, group, sat, rng.choice(COMMENTS),
        ])
    return rows


def qualtrics(rng):
    rows = qualtrics_rows(rng)
    with open(HERE / "qualtrics.csv", "w", newline="", encoding="utf-8-sig") as fh:
        csv.writer(fh, lineterminator="\r\n").writerows(rows)
    buf = io.StringIO()
    csv.writer(buf, delimiter="\t", lineterminator="\r\n").writerows(rows)
    (HERE / "qualtrics.tsv").write_bytes(b"\xff\xfe" + buf.getvalue().encode("utf-16-le"))


def surveymonkey(rng):
    q = "How likely is it that you would recommend Acme to a friend or colleague?"
    m = "How satisfied are you with each of the following?"
    top = ["Respondent ID", "Collector ID", "Start Date", "End Date", "IP Address", "Email Address", q, m, "", "", "Any other comments?"]
    sub = ["", "", "", "", "", "", "Response", "Quality", "Price", "Support", "Open-Ended Response"]
    with open(HERE / "surveymonkey.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\r\n")
        w.writerow(top)
        w.writerow(sub)
        for i in range(1, 131):
            start = datetime(2026, 3, 1, 9) + timedelta(minutes=rng.randrange(0, 60 * 24 * 30))
            end = start + timedelta(minutes=rng.randrange(1, 9))
            score = nps(rng) if rng.random() > 0.05 else ""
            mat = [rng.choices(SMSAT5, [1, 2, 4, 9, 7])[0] if rng.random() > 0.1 else "" for _ in range(3)]
            w.writerow([11800000000 + i, 431234567, f"{start:%m/%d/%Y %I:%M:%S %p}", f"{end:%m/%d/%Y %I:%M:%S %p}",
                        f"198.51.100.{i % 250}", "", score, *mat, rng.choice(COMMENTS)])


def google_forms(rng):
    q = "How likely are you to recommend us to a friend?"
    with open(HERE / "google-forms.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["Timestamp", q, "What could we do better?", "Email address"])
        for i in range(90):
            t = datetime(2026, 3, 1) + timedelta(minutes=rng.randrange(0, 60 * 24 * 60))
            hour = t.hour % 12 or 12
            stamp = f"{t:%Y/%m/%d} {hour}:{t:%M:%S} {'AM' if t.hour < 12 else 'PM'} GMT+1"
            w.writerow([stamp, nps(rng) if rng.random() > 0.04 else "", rng.choice(COMMENTS), f"user{i}@example.com"])


def typeform(rng):
    with open(HERE / "typeform.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["#", "How likely are you to recommend Acme to a friend?", "How easy was it to get your issue resolved?",
                    "Anything else you'd like to tell us?", "Start Date (UTC)", "Submit Date (UTC)", "Network ID"])
        for i in range(110):
            t = datetime(2026, 2, 1) + timedelta(minutes=rng.randrange(0, 60 * 24 * 50))
            w.writerow([f"{rng.getrandbits(64):016x}", nps(rng) if rng.random() > 0.05 else "",
                        rng.choices(range(1, 8), [2, 3, 5, 8, 14, 20, 15])[0] if rng.random() > 0.1 else "",
                        rng.choice(COMMENTS), f"{t:%Y-%m-%d %H:%M:%S}", f"{t + timedelta(minutes=2):%Y-%m-%d %H:%M:%S}",
                        f"{rng.getrandbits(40):010x}"])


def delighted(rng):
    with open(HERE / "delighted.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["Response ID", "Score", "Comment", "Survey Type", "Created At", "Updated At", "Person ID", "Email", "Name", "Tags"])
        for i in range(140):
            t = datetime(2026, 1, 5, 8) + timedelta(minutes=rng.randrange(0, 60 * 24 * 80))
            w.writerow([40000 + i, nps(rng), rng.choice(COMMENTS), "nps", f"{t:%Y-%m-%d %H:%M:%S} -0700",
                        f"{t + timedelta(hours=1):%Y-%m-%d %H:%M:%S} -0700", 900 + i, f"p{i}@example.org", rng.choice(["Ana", "Bo", "Zoë"]),
                        rng.choice(["", "vip", "trial, churn-risk"])])


def zendesk(rng):
    with open(HERE / "zendesk-csat.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["Ticket ID", "Subject", "Group", "Satisfaction", "Satisfaction Comment", "Solved At"])
        for i in range(1, 201):
            t = datetime(2026, 4, 1, 9) + timedelta(minutes=rng.randrange(0, 60 * 24 * 60))
            sat = rng.choices(["Good", "Bad", "Offered", "Unoffered"], [55, 12, 25, 8])[0]
            w.writerow([10000 + i, rng.choice(["Refund", "Login problem", "Where is my order?"]), rng.choice(["Tier 1", "Billing"]),
                        sat, rng.choice(COMMENTS) if sat in ("Good", "Bad") else "", f"{t:%Y-%m-%d %H:%M:%S} UTC"])


def records(rng, n=120):
    out = []
    for i in range(n):
        day = date(2026, 1, 1) + timedelta(days=rng.randrange(0, 120))
        r = rng.random()
        score = nps(rng) if r > 0.08 else ("" if r < 0.04 else "N/A")
        out.append({"id": i + 1, "date": day, "region": rng.choice(["North", "South", "Zürich"]),
                    "score": score, "comment": rng.choice(COMMENTS)})
    return out


def spreadsheet(rng):
    try:
        import openpyxl
    except ImportError:  # the other files do not need it
        print("openpyxl not installed: survey.xlsx not written")
        return
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Responses"
    ws.append(["id", "date", "region", "score", "comment"])
    for r in records(rng):
        ws.append([r["id"], datetime.combine(r["date"], datetime.min.time()), r["region"],
                   r["score"] if r["score"] != "" else None, r["comment"]])
        ws.cell(row=ws.max_row, column=2).number_format = "mm/dd/yyyy"
    info = wb.create_sheet("About")
    info.append(["Exported from the Acme survey tool"])
    wb.properties.creator = "cxterms examples"
    fixed = datetime(2026, 1, 1)
    wb.properties.created = wb.properties.modified = fixed
    wb.save(HERE / "survey.xlsx")
    _freeze_zip(HERE / "survey.xlsx")


def _freeze_zip(path):
    """Fixed timestamps inside a zip container, so regenerating gives the same bytes."""
    import re
    import zipfile

    with zipfile.ZipFile(path) as z:
        entries = [(info.filename, z.read(info.filename)) for info in z.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in entries:
            if name == "docProps/core.xml":
                data = re.sub(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", b"2026-01-01T00:00:00Z", data)
            z.writestr(zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0)), data, zipfile.ZIP_DEFLATED)


def json_files(rng):
    recs = records(rng)
    for r in recs:
        r["date"] = r["date"].isoformat()
        if r["score"] == "":
            r["score"] = None
    (HERE / "survey.json").write_text(json.dumps(recs, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    with open(HERE / "survey.jsonl", "w", encoding="utf-8") as fh:
        for r in recs:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        print("pyarrow not installed: survey.parquet not written")
        return
    table = pa.table({
        "id": [r["id"] for r in recs], "date": [r["date"] for r in recs], "region": [r["region"] for r in recs],
        "score": [None if r["score"] is None else str(r["score"]) for r in recs], "comment": [r["comment"] for r in recs],
    })
    pq.write_table(table, HERE / "survey.parquet", compression="zstd")


def orders_us(rng):
    with open(HERE / "orders-us.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["Order ID", "Customer Email", "Order Date", "Total"])
        for i in range(1, 181):
            t = datetime(2025, 6, 1, 8) + timedelta(minutes=rng.randrange(0, 60 * 24 * 300))
            amount = round(rng.gammavariate(2.0, 60.0) * (20 if rng.random() < 0.03 else 1), 2)
            text = f"${amount:,.2f}"
            if rng.random() < 0.04:
                text = f"(${amount:,.2f})"  # a refund, accounting style
            w.writerow([f"#{1000 + i}", f"c{rng.randrange(1, 60)}@example.com", f"{t:%m/%d/%Y %I:%M:%S %p}", text])


def main() -> None:
    qualtrics(random.Random(11))
    surveymonkey(random.Random(12))
    google_forms(random.Random(13))
    typeform(random.Random(14))
    delighted(random.Random(15))
    zendesk(random.Random(16))
    spreadsheet(random.Random(17))
    json_files(random.Random(17))
    orders_us(random.Random(18))


if __name__ == "__main__":
    main()
