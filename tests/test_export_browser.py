"""The exported HTML page in a real headless browser (Debian's chromium and
chromium-driver, driven by selenium): the filter box, anchors under the
sticky header, no console errors, no network requests, screenshots.

Skips with the reason when chromium, chromedriver or selenium is missing,
except when CI=true: then a missing browser is a failure. Screenshots go to
$CXTERMS_TEST_ARTIFACTS or $CXTERMS_ARTIFACTS (default: a tmp folder).
The browser itself comes from tests/browser.py (shared with the report test).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from . import browser as B

pytestmark = pytest.mark.browser

@pytest.fixture(scope="module")
def browser():
    B.require()  # skip with the reason, or fail when CI=true
    with B.chrome(1280, 900) as driver:
        yield driver


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    from cxterms.glossary import export
    from cxterms.glossary.store import GlossaryConfig, open_glossary

    g = open_glossary(GlossaryConfig())
    path = tmp_path_factory.mktemp("html") / "glossary.html"
    path.write_text(export.to_html(g.all(), g), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def artifacts(tmp_path_factory):
    folder = os.environ.get("CXTERMS_TEST_ARTIFACTS") or os.environ.get("CXTERMS_ARTIFACTS")
    return Path(B.artifacts_dir(folder or tmp_path_factory.mktemp("artifacts")))


def _open(driver, page, width=1280, height=900):
    driver.set_window_size(width, height)
    driver.get(page.as_uri())
    driver.get_log("browser")  # drop what loading logged before this test
    return driver


def _type(driver, text):
    from selenium.webdriver.common.by import By

    box = driver.find_element(By.ID, "filter")
    box.clear()
    driver.execute_script("document.getElementById('filter').dispatchEvent(new Event('input'))")
    box.send_keys(text)
    return box


def _visible_hits(driver):
    return driver.execute_script(
        "return Array.prototype.map.call(document.querySelectorAll('#results article'), function (a) { return a.id; })"
    )


def _status(driver):
    return driver.execute_script("return document.getElementById('status').textContent")


@pytest.mark.parametrize(
    "query, first",
    [
        ("nps", "net-promoter-score"),
        ("N.P.S.", "net-promoter-score"),
        ("c-sat", "customer-satisfaction"),
        ("Net promoter scores", "net-promoter-score"),
        ("custmer effort", "customer-effort-score"),
        ("omnichanel", "omnichannel"),
        ("chatbots", "chatbot"),
    ],
)
def test_filter_normalises_and_ranks(browser, page, query, first):
    _open(browser, page)
    _type(browser, query)
    hits = _visible_hits(browser)
    assert hits and hits[0] == first, hits[:5]
    assert _status(browser).endswith("match" if len(hits) == 1 else "matches")
    assert browser.execute_script("return document.querySelectorAll('main > section:not(.hidden)').length") == 0


def test_filter_shows_no_matches_and_restores(browser, page):
    _open(browser, page)
    total = browser.execute_script("return document.querySelectorAll('article').length")
    _type(browser, "xyzzyq")
    assert _visible_hits(browser) == [] and _status(browser) == "no matches"
    _type(browser, "")
    assert _status(browser) == ""
    shown = browser.execute_script("return document.querySelectorAll('main > section:not(.hidden) article').length")
    assert shown == total


def test_typing_scrolls_to_top(browser, page):
    _open(browser, page)
    browser.execute_script("window.scrollTo(0, 5000)")
    assert browser.execute_script("return window.scrollY") > 0
    _type(browser, "churn")
    assert browser.execute_script("return window.scrollY") == 0


@pytest.mark.parametrize("anchor", ["net-promoter-score", "letter-c", "promoter"])
def test_anchor_target_is_below_the_sticky_header(browser, page, anchor):
    _open(browser, page)
    browser.get(page.as_uri() + "#" + anchor)
    top, header = browser.execute_script(
        "var t = document.getElementById(arguments[0]).getBoundingClientRect().top;"
        "var h = document.querySelector('header').getBoundingClientRect().bottom;"
        "return [t, h];",
        anchor,
    )
    assert top >= header - 1, (top, header)


def test_no_console_errors_and_no_network(browser, page):
    browser.get("about:blank")
    browser.get_log("performance")  # drop what earlier pages requested
    _open(browser, page)
    _type(browser, "retention")
    errors = [e for e in browser.get_log("browser") if e["level"] in ("SEVERE", "ERROR")]
    assert errors == []
    # the page asked for nothing but itself
    resources = browser.execute_script(
        "return performance.getEntriesByType('resource').concat(performance.getEntriesByType('navigation'))"
        ".map(function (e) { return e.name; })"
    )
    assert resources and all(n.startswith("file:") for n in resources), resources
    requests = []
    for entry in browser.get_log("performance"):
        msg = json.loads(entry["message"])["message"]
        if msg.get("method") == "Network.requestWillBeSent":
            requests.append(msg["params"]["request"]["url"])
    assert requests and all(u.startswith(("file:", "data:")) for u in requests), requests


@pytest.mark.parametrize("name, width, height", [("desktop", 1280, 900), ("mobile", 390, 844)])
def test_screenshots(browser, page, artifacts, name, width, height):
    _open(browser, page, width, height)
    path = artifacts / f"glossary-{name}.png"
    assert browser.save_screenshot(str(path))
    _type(browser, "retension")
    filtered = artifacts / f"glossary-{name}-filtered.png"
    assert browser.save_screenshot(str(filtered))
    assert path.stat().st_size > 10_000 and filtered.stat().st_size > 5_000
    # nothing wider than the viewport at either width
    assert browser.execute_script("return document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_filter_prefers_headwords(browser, page):
    _open(browser, page)
    _type(browser, "retension")
    hits = _visible_hits(browser)
    assert {"retention-rate", "customer-retention"} <= set(hits[:3]), hits[:5]
    assert hits.index("retention-rate") < hits.index("cohort-analysis")  # headword before alias
