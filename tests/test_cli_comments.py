"""--comments, --topics and --list on nps, csat and ces, through the CLI."""

import csv
import io
import json

import pytest

from .conftest import REPO

EX = REPO / "examples"


def js(r):
    assert r.exit_code == 0, r.stderr
    return json.loads(r.stdout)


def survey_rows():
    with open(EX / "survey.csv", newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def nps_of(scores):
    n = len(scores)
    return 100 * (sum(s >= 9 for s in scores) - sum(s <= 6 for s in scores)) / n


def test_themes_json_per_group(run):
    d = js(run("nps", EX / "survey.csv", "--comments", "comment", "-f", "json"))
    assert d["nps"] == pytest.approx(18.3, abs=0.05)  # the score itself is unchanged
    assert set(d["themes"]) == {"detractors", "passives", "promoters"}
    rows = [r for r in survey_rows() if r["score"].strip()]
    assert d["comments"] == {"column": "comment", "with_text": sum(bool(r["comment"].strip()) for r in rows), "answered": len(rows)}
    det = {t["term"] for t in d["themes"]["detractors"]}
    assert det & {"refund", "hold", "rude agent", "expensive", "damaged", "call back", "back"}
    for t in d["themes"]["detractors"]:
        assert set(t) == {"term", "z", "log_odds", "count", "share", "example"} and t["z"] > 0
        # the count is the number of detractors' comments using the term
        assert t["count"] >= 2 and t["example"]


def test_themes_plain_and_csv(run):
    r = run("nps", EX / "survey.csv", "--comments", "comment", "-f", "csv", "--top", "3")
    assert r.exit_code == 0, r.stderr
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    assert {row["group"] for row in rows} == {"detractors", "passives", "promoters"}
    assert max(int(row["rank"]) for row in rows) == 3
    p = run("nps", EX / "survey.csv", "--comments", "comment", "-f", "plain").stdout.splitlines()
    assert p[0].split("\t")[:4] == ["segment", "group", "rank", "term"]
    assert run("nps", EX / "survey.csv", "--comments", "comment", "-q").stdout == "18.3\n"


def test_themes_rich(run):
    r = run("nps", EX / "survey.csv", "--comments", "comment", "--builtin-topics", "-f", "rich")
    assert r.exit_code == 0, r.stderr
    assert "What detractors say most distinctively" in r.stdout and "Topics" in r.stdout and "Monroe" in r.stdout


def test_topics_scores_match_a_direct_computation(run, tmp_path):
    topics = tmp_path / "topics.yaml"
    topics.write_text("- name: refunds\n  patterns: [refund*]\n")
    d = js(run("nps", EX / "survey.csv", "--comments", "comment", "--topics", topics, "--no-builtin-topics", "-f", "json"))
    [row] = d["topics"]
    rows = [r for r in survey_rows() if r["score"].strip()]
    mention = [int(r["score"]) for r in rows if "refund" in r["comment"].lower()]
    others = [int(r["score"]) for r in rows if "refund" not in r["comment"].lower()]
    assert row["topic"] == "refunds" and row["mentions"] == len(mention) and row["n"] == len(mention)
    assert row["nps"] == pytest.approx(nps_of(mention)) and row["others"] == pytest.approx(nps_of(others))
    assert row["difference"] == pytest.approx(nps_of(mention) - nps_of(others))
    assert row["share"] == pytest.approx(100 * len(mention) / d["comments"]["with_text"])
    assert row["p_adjusted"] == pytest.approx(row["p_value"])  # one topic: nothing to adjust
    assert row["significant"] is (row["p_value"] < 0.05)


def test_builtin_topics_adjusted_across_topics(run):
    d = js(run("nps", EX / "survey.csv", "--comments", "comment", "--builtin-topics", "-f", "json"))
    names = [t["topic"] for t in d["topics"]]
    assert set(names) == {"price", "speed", "staff", "app", "billing", "delivery", "support"}
    assert [t["mentions"] for t in d["topics"]] == sorted((t["mentions"] for t in d["topics"]), reverse=True)
    for t in d["topics"]:
        if t["p_value"] is not None:
            assert t["p_adjusted"] >= t["p_value"]


def test_list_detractors_is_the_call_list(run):
    r = run("nps", EX / "survey.csv", "--list", "detractors", "-f", "csv")
    assert r.exit_code == 0, r.stderr
    got = list(csv.DictReader(io.StringIO(r.stdout)))
    want = [row for row in survey_rows() if row["score"].strip() and int(row["score"]) <= 6]
    assert [g["id"] for g in got] == [w["respondent_id"] for w in want]  # file order
    assert [int(g["score"]) for g in got] == [int(w["score"]) for w in want]
    assert got[0]["date"] == want[0]["submitted"] and set(got[0]) == {"line", "id", "score", "group", "segment", "date", "comment"}
    q = run("nps", EX / "survey.csv", "--list", "detractors", "-q").stdout.split()
    assert q == [w["respondent_id"] for w in want]
    j = js(run("nps", EX / "survey.csv", "--list", "promoters", "--by", "region", "-f", "json"))
    assert all(x["score"] >= 9 and x["segment"] in {"North", "South", "East", "West"} for x in j)


def test_list_from_stdin_and_custom_id(run):
    text = (EX / "survey.csv").read_text(encoding="utf-8")
    r = run("nps", "--list", "passives", "--id", "region", "-f", "json", input=text)
    rows = js(r)
    assert rows and all(x["id"] in {"North", "South", "East", "West"} and x["score"] in (7, 8) for x in rows)


def test_csat_and_ces_groups(run):
    low = js(run("csat", EX / "support-csat.csv", "--list", "low", "-f", "json"))
    assert low and all(x["score"] <= 3 for x in low) and low[0]["id"].startswith("T")
    high = js(run("ces", EX / "effort.csv", "--list", "high", "-f", "json"))
    assert high and all(x["score"] >= 5 for x in high)


@pytest.mark.parametrize(
    "args, text",
    [
        (["--list", "low"], "not a group of nps"),
        (["--topics", "x.yaml"], "need --comments"),
        (["--comments", "comment", "--builtin-topics", "-f", "csv"], "one table"),
        (["--comments", "nope"], "no --comments column"),
    ],
)
def test_usage_and_column_errors(run, args, text):
    r = run("nps", EX / "survey.csv", *args)
    assert r.exit_code in (1, 2) and r.stdout == "" and text in r.stderr


def test_comments_per_segment(run):
    rows = js(run("nps", EX / "survey.csv", "--comments", "comment", "--by", "region", "-f", "json"))
    *groups, overall = rows
    assert all(set(g["themes"]) == {"detractors", "passives", "promoters"} for g in groups)
    assert "themes" in overall and overall["group"] is None


def test_hostile_comments_stay_inert(run, tmp_path):
    p = tmp_path / "h.csv"
    p.write_text('score,comment\n0,"\x1b]52;c;ZXZpbA==\x07 refund \x1b[2J refund"\n1,"refund \u202e now"\n10,ok\n', encoding="utf-8")
    for fmt in ("plain", "json", "rich", "csv"):
        r = run("nps", p, "--comments", "comment", "-f", fmt)
        assert r.exit_code == 0, r.stderr
        assert "\x1b" not in r.stdout and "\x07" not in r.stdout


def test_lint_checks_topic_files(run, tmp_path):
    good = tmp_path / "good.yaml"
    good.write_text("- name: onboarding\n  patterns: [setup*, '\"getting started\"']\n")
    r = run("lint", "--topics", good)
    assert r.exit_code == 0, r.stdout + r.stderr
    bad = tmp_path / "bad.yaml"
    bad.write_text("- name: a\n  patterns: [ok]\n- name: b\n  patterns: []\n- name: c\n  patterns: ['x-y*z']\n")
    r = run("lint", "--topics", bad, "-f", "plain")
    assert r.exit_code == 1
    assert f"{bad}:4: error: topic 'b' needs a list of patterns" in r.stdout and f"{bad}:6:" in r.stdout


# -- the comment pass reads what the score read: formats, layouts, labels ------

@pytest.mark.parametrize("name", ["survey.xlsx", "survey.json", "survey.jsonl", "survey.parquet"])
def test_themes_from_every_format_agree(run, name):
    """Spreadsheets, JSON and Parquet give the themes of the same rows (one
    comment pass per answer, as many answered as the score counts)."""
    if name.endswith(".parquet"):
        pytest.importorskip("pyarrow")
    d = js(run("nps", EX / name, "--comments", "comment", "-f", "json"))
    ref = js(run("nps", EX / "survey.json", "--comments", "comment", "-f", "json"))
    assert d["comments"]["answered"] == d["n"] == ref["n"]
    assert d["themes"] == ref["themes"]


def test_qualtrics_comments_leave_out_what_the_score_leaves_out(run):
    """The Qualtrics export's second and third header rows, preview and
    unfinished responses are not comments; the column can be named by its
    question; --list gives the original file's lines."""
    d = js(run("nps", EX / "qualtrics.csv", "--comments", "What is the main reason for your score?", "-f", "json"))
    assert d["comments"]["answered"] == d["n"] == 100
    assert d["comments"]["column"] == "Q3"
    listed = js(run("nps", EX / "qualtrics.csv", "--list", "detractors", "-f", "json"))
    assert len(listed) == d["detractors"]
    raw = (EX / "qualtrics.csv").read_text(encoding="utf-8-sig").split("\n")
    with open(EX / "qualtrics.csv", newline="", encoding="utf-8-sig") as fh:
        records = list(csv.DictReader(fh))
    score_of = {r["ResponseId"]: r["Q1"] for r in records}
    for row in listed:  # the original file's line, and the answer that made a detractor
        assert row["id"] in raw[row["line"] - 1]
        assert int(score_of[row["id"]].split()[0]) == row["score"] <= 6


def test_comment_groups_follow_answer_labels(run, tmp_path):
    f = tmp_path / "labels.csv"
    f.write_text("rating,comment\nVery satisfied,love it\nVery dissatisfied,broken again\nSatisfied,fine\n"
                 "Dissatisfied,broken screen\nVery satisfied,love the app\n", encoding="utf-8")
    d = js(run("csat", f, "--comments", "comment", "-f", "json"))
    assert d["n"] == d["comments"]["answered"] == 5
    assert {t["term"] for t in d["themes"]["low"]} >= {"broken"}


def test_comments_from_stdin_name_stdin(run):
    text = (EX / "survey.csv").read_text(encoding="utf-8") + '100999,2026-03-10T17:54:00Z,North,chat,xx,5,4,5,3,"bad"\n'
    r = run("nps", "--comments", "comment", input=text)
    assert r.exit_code == 1 and "invalid value in <stdin>," in r.stderr and "cxterms-stdin" not in r.stderr
