"""The report page in a real headless browser (Debian's chromium and
chromium-driver through selenium): every chart renders with a non-empty
box, no network request, no console error, the segment table and its
flags match the JSON output; screenshots at 1280 and 390 px and an A4 PDF
are saved under $CXTERMS_TEST_ARTIFACTS (default: the test's tmp folder).

Skips with the reason when the browser is missing, except when CI=true.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from . import browser as B
from .conftest import REPO

pytestmark = pytest.mark.browser

EX = REPO / "examples"
ARGS = ("--by", "region", "--period", "submitted", "--comments", "comment", "--min-n", "95")


def cli(*args) -> subprocess.CompletedProcess:
    p = subprocess.run([sys.executable, "-m", "cxterms", *map(str, args)], capture_output=True, text=True, cwd=REPO,
                       timeout=180)
    assert p.returncode == 0, p.stderr
    return p


@pytest.fixture(scope="module")
def driver():
    B.require()
    with B.chrome() as d:
        yield d


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    pytest.importorskip("matplotlib")
    folder = tmp_path_factory.mktemp("report")
    page = folder / "report.html"
    cli("report", EX / "survey.csv", *ARGS, "-o", page)
    doc = json.loads(cli("report", EX / "survey.csv", *ARGS, "-f", "json", "-o", "-").stdout)
    from .test_report import hostile_csv

    evil = folder / "evil.html"
    cli("report", hostile_csv(folder / "evil.csv"), "--column", "1", "--by", "2", "--period", "3", "--comments", "4",
        "--metric", "nps", "--title", "<script>alert('t')</script>", "-o", evil)
    return page, doc, evil


def _load(driver, path):
    driver.get_log("browser")  # drop earlier entries
    driver.get_log("performance")
    driver.get(path.as_uri())
    assert driver.execute_script("return document.readyState") == "complete"


def _network(driver) -> list[str]:
    urls = []
    for entry in driver.get_log("performance"):
        msg = json.loads(entry["message"])["message"]
        if msg.get("method") == "Network.requestWillBeSent":
            urls.append(msg["params"]["request"]["url"])
    urls += driver.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
    return [u for u in urls if not u.startswith(("file:", "data:", "about:"))]


def test_report_renders_offline_and_matches_json(driver, pages, tmp_path):
    page, doc, _ = pages
    _load(driver, page)
    # every chart's SVG has a real box
    boxes = driver.execute_script("""
        return [...document.querySelectorAll('figure.chart > svg')].map(s => {
            const r = s.getBoundingClientRect(); const b = s.getBBox();
            return [s.closest('figure').id, r.width, r.height, b.width, b.height];});""")
    assert [b[0] for b in boxes] == ["chart-dist", "chart-trend", "chart-seg"]
    for _id, w, h, bw, bh in boxes:
        assert w > 100 and h > 50 and bw > 0 and bh > 0, boxes
    assert _network(driver) == []
    errors = [e for e in driver.get_log("browser") if e["level"] in ("SEVERE", "ERROR")]
    assert errors == []
    # the segment table as the reader sees it
    rows = driver.execute_script("""
        const t = document.querySelector('#segments ~ .tw table');
        return [...t.tBodies[0].rows].map(r => [r.className, ...[...r.cells].map(c => c.innerText)]);""")
    segs = doc["segments"]
    assert [r[1] for r in rows] == [s["group"] for s in segs]
    for r, s in zip(rows, segs):
        cls, mark = r[0].split(), r[-1]
        assert ("small sample" in mark) == ("small" in cls) == bool(s["small_sample"])
        up = s["significant"] and s["difference"] > 0
        down = s["significant"] and s["difference"] < 0
        assert ("▲" in mark) == bool(up) and ("▼" in mark) == bool(down)
        assert r[2] == f"{s['n']:,}" and r[3] == f"{s['nps']:.1f}".replace("-", "−")
    assert any(s["small_sample"] for s in segs) and any(s["significant"] for s in segs)
    # the flag colour is not the only signal: the mark is text
    out = B.artifacts_dir(tmp_path)
    B.full_page_screenshot(driver, os.path.join(out, "report-1280.png"), 1280)
    B.full_page_screenshot(driver, os.path.join(out, "report-390.png"), 390)
    B.print_pdf(driver, os.path.join(out, "report-a4.pdf"))
    B.print_pdf(driver, os.path.join(out, "report-letter.pdf"), letter=True)
    for name in ("report-1280.png", "report-390.png", "report-a4.pdf", "report-letter.pdf"):
        assert os.path.getsize(os.path.join(out, name)) > 10_000


def test_phone_width_does_not_scroll_sideways(driver, pages):
    page, _doc, _ = pages
    _load(driver, page)
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": 390, "height": 844, "deviceScaleFactor": 1, "mobile": True})
    try:
        widths = driver.execute_script("return [document.documentElement.scrollWidth, window.innerWidth]")
        # wide tables scroll inside their own box; the page itself fits the phone
        assert widths[0] <= widths[1], widths
        font = driver.execute_script("return parseFloat(getComputedStyle(document.body).fontSize)")
        assert font >= 14
    finally:
        driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def test_hostile_page_runs_nothing(driver, pages, tmp_path):
    _page, _doc, evil = pages
    _load(driver, evil)
    # no alert() fired: an open dialog would make this call fail
    assert driver.execute_script("return document.scripts.length") == 0
    assert driver.execute_script("return document.querySelectorAll('img, a, iframe, object, embed').length") == 0
    assert driver.title == "<script>alert('t')</script>"
    assert _network(driver) == []
    assert [e for e in driver.get_log("browser") if e["level"] in ("SEVERE", "ERROR")] == []
    n = driver.execute_script("return document.querySelectorAll('figure.chart > svg').length")
    assert n == 3
    B.full_page_screenshot(driver, os.path.join(B.artifacts_dir(tmp_path), "report-hostile-1280.png"), 1280)
