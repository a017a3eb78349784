"""cxterms report: the HTML, Markdown and JSON report (cxterms/report, cxterms/cli/report.py)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from html.parser import HTMLParser

import pytest

from .conftest import REPO

EX = REPO / "examples"
FULL = ("--by", "region", "--period", "submitted", "--comments", "comment")

import importlib.util
import os

if importlib.util.find_spec("matplotlib") is None:  # the charts need the 'report' extra
    if os.environ.get("CI", "").lower() == "true":
        raise ImportError("tests/test_report.py needs matplotlib in CI: pip install '.[report]'")
    pytest.skip("matplotlib is not installed (pip install 'cxterms[report]')", allow_module_level=True)


def js(r):
    assert r.exit_code == 0, r.stderr
    return json.loads(r.stdout)


@pytest.fixture(scope="module")
def example_page(tmp_path_factory):
    """The issue's example, run as a user runs it (a subprocess, so argv is the real command line)."""
    out = tmp_path_factory.mktemp("report") / "report.html"
    p = subprocess.run([sys.executable, "-m", "cxterms", "report", str(EX / "survey.csv"), *FULL, "-o", str(out)],
                       capture_output=True, text=True, cwd=REPO, timeout=120)
    assert p.returncode == 0, p.stderr
    assert p.stdout == ""
    return out.read_text(encoding="utf-8")


class Tags(HTMLParser):
    """Every start tag with its attributes, and the text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def parse(page: str) -> Tags:
    t = Tags()
    t.feed(page)
    return t


ACTIVE = {"script", "iframe", "img", "object", "embed", "link", "a", "foreignobject", "image", "base", "form", "audio",
          "video", "source", "frame", "use"}


def assert_inert(page: str) -> None:
    """No element that runs code or fetches anything; no event handler; no external reference."""
    t = parse(page)
    for tag, attrs in t.tags:
        assert tag not in ACTIVE - {"use"}, tag
        for k, v in attrs.items():
            assert not k.startswith("on"), (tag, k)
            if k in ("href", "src", "xlink:href", "action", "data"):
                assert (v or "").startswith("#"), (tag, k, v)  # in-page references only (SVG <use>)
            assert "javascript:" not in (v or "").lower() or k in ("content",), (tag, k, v)
    assert not re.search(r"url\((?!#)", page), "a CSS/SVG url() that is not an in-page reference"
    assert "@import" not in page
    for c in "\x00\x07\x08\x1b\x7f\u202e":
        assert c not in page, repr(c)


def test_example_page_has_every_section_in_order(example_page):
    page = example_page
    ids = [m.group(1) for m in re.finditer(r'<h2 id="([a-z]+)"', page)]
    assert ids == ["distribution", "trend", "segments", "comments", "method"]
    assert page.index('aria-label="Headline"') < page.index('id="distribution"')
    assert page.count("<svg") == 3 == page.count("<details>")
    assert "<?xml" not in page and "<!DOCTYPE svg" not in page
    for key in ("dist", "trend", "seg"):
        svg = page[page.index(f'id="chart-{key}"'):]
        svg = svg[svg.index("<svg"): svg.index("</svg>")]
        assert f'<title id="{key}-title">' in svg and 'role="img"' in svg
        assert "<text" in svg  # fonttype none: labels stay text
    assert_inert(page)
    text = " ".join(parse(page).text)
    for phrase in ("Period covered", "2026-01 – 2026-09", "Change vs 2026-08", "Segments by region", "Detractors",
                   "Topics", "Holm", "Rows skipped", "7 blank score cells"):
        assert phrase in text, phrase
    # the exact command line and the version are in the method box
    from cxterms import __version__

    assert "--comments comment" in text and "--period submitted" in text and __version__ in text
    # no scripts at all, and a policy that forbids fetching anything
    assert "default-src 'none'" in page


def test_page_is_deterministic(run, tmp_path):
    a, b = tmp_path / "a.html", tmp_path / "b.html"
    for out in (a, b):
        r = run("report", EX / "survey.csv", "--by", "region", "--period", "submitted", "-o", out)
        assert r.exit_code == 0, r.stderr
    assert a.read_bytes() == b.read_bytes()


def test_json_is_what_nps_prints(run):
    doc = js(run("report", EX / "survey.csv", *FULL, "--format", "json", "-o", "-"))
    seg = js(run("nps", EX / "survey.csv", "--by", "region", "--comments", "comment", "--top", "8", "-f", "json"))
    per = js(run("nps", EX / "survey.csv", "--period", "submitted", "-f", "json"))
    assert doc["segments"] == seg[:-1]  # same rows, same keys and values (themes included)
    assert doc["periods"] == per[:-1]
    overall = per[-1]
    for k in ("nps", "n", "ci_low", "ci_high", "distribution", "trend_slope", "trend_p_value", "small_sample"):
        assert doc["overall"][k] == overall[k], k
    # the headline change is the last period's test against the one before
    assert doc["change"]["period"] == "2026-09" and doc["change"]["vs"] == "2026-08"
    assert doc["change"]["difference"] == per[-2]["difference"]
    assert doc["comments"]["themes"] == seg[-1]["themes"]
    assert {t["topic"] for t in doc["comments"]["topics"]} >= {"price", "speed", "billing"}
    for g, quotes in doc["comments"]["examples"].items():
        assert 1 <= len(quotes) <= 3 and len(set(quotes)) == len(quotes)
    m = doc["method"]
    assert m["interval"] == "adjusted-wald" and m["adjust"] == "holm" and m["skipped"]["blank"] == 7


def test_small_sample_flags_and_marks_in_the_table(run, tmp_path):
    out = tmp_path / "r.html"
    r = run("report", EX / "survey.csv", "--by", "region", "--min-n", "100", "-o", out)
    assert r.exit_code == 0, r.stderr
    doc = js(run("report", EX / "survey.csv", "--by", "region", "--min-n", "100", "-f", "json", "-o", "-"))
    page = out.read_text()
    table = page[page.index("<caption>NPS by region</caption>", page.index('id="segments"')):]
    table = table[: table.index("</table>")]
    rows = re.findall(r'<tr(?: class="([^"]*)")?><th scope="row">([^<]*)</th>(.*?)</tr>', table)
    assert [g for _c, g, _ in rows] == [s["group"] for s in doc["segments"]]
    for (cls, _g, cells), s in zip(rows, doc["segments"]):
        assert ("small" in cls.split()) == s["small_sample"]
        assert ("small sample" in cells) == s["small_sample"]
        assert ("▼" in cells) == bool(s["significant"] and s["difference"] < 0)
    assert any(s["small_sample"] for s in doc["segments"]) and not all(s["small_sample"] for s in doc["segments"])


def test_markdown_writes_the_charts_beside_it(run, tmp_path):
    out = tmp_path / "weekly.md"
    r = run("report", EX / "survey.csv", "--by", "region", "--period", "submitted", "-f", "markdown", "-o", out)
    assert r.exit_code == 0, r.stderr
    text = out.read_text()
    charts = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", text)
    assert charts == ["weekly-dist.svg", "weekly-trend.svg", "weekly-seg.svg"]
    for c in charts:
        svg = (tmp_path / c).read_text()
        assert svg.startswith("<svg") and svg.rstrip().endswith("</svg>")
    assert text.index("## Distribution") < text.index("## Trend") < text.index("## Segments") < text.index("## Method")
    assert "| West |" in text


def test_metric_from_the_column_name(run):
    assert js(run("report", EX / "effort.csv", "-f", "json", "-o", "-"))["metric"] == "ces"
    r = run("report", EX / "support-csat.csv", "-f", "json", "-o", "-")
    assert js(r)["metric"] == "csat" and "csat" in r.stderr  # the guess is named on stderr
    assert js(run("report", EX / "survey.csv", "-f", "json", "-o", "-"))["metric"] == "nps"
    assert js(run("report", EX / "support-csat.csv", "--metric", "nps", "--skip-invalid", "-f", "json", "-o", "-"))["metric"] == "nps"


def test_csat_and_ces_pages(run, tmp_path):
    for f, extra in (("support-csat.csv", ("--by", "channel", "--period", "closed")),
                     ("effort.csv", ("--by", "channel", "--period", "date", "--every", "week"))):
        out = tmp_path / f"{f}.html"
        r = run("report", EX / f, *extra, "-o", out)
        assert r.exit_code == 0, r.stderr
        page = out.read_text()
        assert page.count("<svg") == 3
        assert_inert(page)


def test_default_path_and_stdout(run, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    r = run("report", EX / "survey.csv")
    assert r.exit_code == 0, r.stderr
    assert (tmp_path / "report.html").exists() and r.stdout == ""
    r = run("report", EX / "survey.csv", "-o", "-")
    assert r.exit_code == 0 and r.stdout.startswith("<!DOCTYPE html>")


def test_a_failed_write_replaces_nothing(run, tmp_path):
    (tmp_path / "taken").mkdir()
    r = run("report", EX / "survey.csv", "-o", tmp_path / "taken")
    assert r.exit_code == 1 and r.stderr.splitlines()[-2].startswith("cxterms: cannot write the report")
    assert "Traceback" not in r.stderr
    old = tmp_path / "old.html"
    old.write_text("old")
    r = run("report", tmp_path / "missing.csv", "-o", old)
    assert r.exit_code == 1 and old.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_missing_matplotlib_gives_the_install_hint(run, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.delitem(sys.modules, "cxterms.report.charts", raising=False)
    r = run("report", EX / "survey.csv", "-o", tmp_path / "r.html")
    assert r.exit_code == 1 and "pip install 'cxterms[report]'" in r.stderr
    assert not (tmp_path / "r.html").exists()
    r = run("report", EX / "survey.csv", "-f", "json", "-o", "-")  # the numbers need no charts
    assert r.exit_code == 0, r.stderr


def test_usage_errors(run):
    assert run("report", EX / "survey.csv", "--vs", "North").exit_code == 2
    assert run("report", EX / "survey.csv", "--topics", "x.yaml").exit_code == 2
    assert run("report", EX / "survey.csv", "--interval", "exact").exit_code == 2


HOSTILE = [
    "<script>alert(1)</script>",
    "</svg><script>alert(2)</script>",
    "javascript:alert(3)",
    "[click](javascript:alert(4))",
    '"><img src=x onerror=alert(5)>',
    "ctrl\x1b[31mred\x07bell",
    "\u202eevil",
    "$x^2$ & </style>",
]


def hostile_csv(path):
    import csv

    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["score<script>alert(0)</script>", "seg</svg><img src=x onerror=alert(9)>", "when", "why"])
        for i in range(240):
            seg = HOSTILE[i % len(HOSTILE)]
            w.writerow([i % 11, seg, f"2026-0{1 + i % 3}-1{i % 9}", f"{HOSTILE[(i * 7) % len(HOSTILE)]} refund slow app crash"])
    return path


@pytest.mark.parametrize("fmt", ["html", "markdown"])
def test_hostile_text_stays_inert(run, tmp_path, fmt):
    src = hostile_csv(tmp_path / "evil.csv")
    out = tmp_path / ("r.html" if fmt == "html" else "r.md")
    r = run("report", src, "--column", "1", "--by", "2", "--period", "3", "--comments", "4", "--metric", "nps",
            "--title", "<script>alert('t')</script>", "-f", fmt, "-o", out)
    assert r.exit_code == 0, r.stderr
    text = out.read_text(encoding="utf-8")
    if fmt == "html":
        assert_inert(text)
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text  # shown, as text
        assert "ctrl\\x1b[31mred\\x07bell" in text and "\\u202eevil" in text
        assert text.count("<svg") == text.count("</svg>") == 3
        assert text.count("</style>") == len(re.findall(r"<style[ >]", text)) == 4  # the page's and one per chart
    else:
        prose = re.sub(r"```+sh\n.*?\n```+", "", text, flags=re.S)  # the command line is shown in a code block
        assert not re.search(r"(?<!\\)<[a-z/]", prose)  # every < from the data is escaped
        assert not re.search(r"(?<!\\)\]\(javascript:", prose) and "\\[click\\](javascript" in prose
        for svg in tmp_path.glob("r-*.svg"):
            body = svg.read_text()
            assert "<script" not in body and "<img" not in body and "\x1b" not in body


def test_filters_apply_to_numbers_and_comments(run):
    doc = js(run("report", EX / "survey.csv", "--by", "region", "--where", "region=North", "--comments", "comment",
                 "-f", "json", "-o", "-"))
    assert [s["group"] for s in doc["segments"]] == ["North"]
    assert doc["comments"]["answered"] == doc["overall"]["n"] == doc["segments"][0]["n"]
    assert doc["method"]["filters"] and doc["method"]["where"] == ["region=North"]
    nps = js(run("nps", EX / "survey.csv", "--where", "region=North", "--comments", "comment", "-f", "json"))
    assert nps["comments"]["answered"] == nps["n"] == doc["overall"]["n"]


def test_stdin_is_named_stdin(run, tmp_path):
    text = (EX / "survey.csv").read_text(encoding="utf-8")
    out = tmp_path / "r.html"
    r = run("report", "--by", "region", "--comments", "comment", "-o", out, input=text)
    assert r.exit_code == 0, r.stderr
    page = out.read_text()
    assert "<h1>NPS report: stdin</h1>" in page and "cxterms-stdin" not in page
