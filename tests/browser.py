"""Headless Chromium for tests of HTML pages (Debian's chromium and
chromium-driver, driven by selenium).

``chrome()`` starts a browser with a fresh profile and every background
network feature off, logging the console and the network (CDP performance
log). ``missing()`` names what is not installed; tests skip with that
reason, except when CI=true, where a missing browser is a failure.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import tempfile
from contextlib import contextmanager

CHROMIUM = ("CXTERMS_CHROMIUM", "/usr/bin/chromium", "/usr/bin/chromium-browser", "chromium")
DRIVER = ("CXTERMS_CHROMEDRIVER", "/usr/bin/chromedriver", "chromedriver")
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--disable-default-apps", "--disable-extensions", "--hide-scrollbars")


def _first(candidates) -> str | None:
    for c in candidates:
        if c.isupper():
            c = os.environ.get(c, "")
        elif not c.startswith("/"):
            c = shutil.which(c) or ""
        if c and os.path.exists(c):
            return c
    return None


def missing() -> str | None:
    if importlib.util.find_spec("selenium") is None:
        return "selenium is not installed (pip install 'cxterms[browser]')"
    if _first(CHROMIUM) is None:
        return "chromium is not installed (apt-get install chromium)"
    if _first(DRIVER) is None:
        return "chromedriver is not installed (apt-get install chromium-driver)"
    return None


def require() -> None:
    """Skip (or fail under CI=true) when the browser cannot run."""
    import pytest

    reason = missing()
    if reason:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"browser test cannot run in CI: {reason}")
        pytest.skip(reason)


@contextmanager
def chrome(width: int = 1280, height: int = 900):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="cxterms-chromium-")
    opts = webdriver.ChromeOptions()
    opts.binary_location = _first(CHROMIUM)
    for flag in (*FLAGS, f"--user-data-dir={profile}", f"--window-size={width},{height}"):
        opts.add_argument(flag)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(service=Service(_first(DRIVER)), options=opts)
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def artifacts_dir(default) -> str:
    """Where screenshots and PDFs go: $CXTERMS_TEST_ARTIFACTS (or $CXTERMS_ARTIFACTS), else ``default``."""
    path = os.environ.get("CXTERMS_TEST_ARTIFACTS") or os.environ.get("CXTERMS_ARTIFACTS") or str(default)
    os.makedirs(path, exist_ok=True)
    return path


def full_page_screenshot(driver, path: str, width: int) -> None:
    """A screenshot of the whole page at ``width`` CSS pixels (device metrics override)."""
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": width, "height": 800, "deviceScaleFactor": 1, "mobile": width < 600})
    height = driver.execute_script("return Math.ceil(document.documentElement.scrollHeight)")
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": width, "height": int(height), "deviceScaleFactor": 1, "mobile": width < 600})
    import base64

    shot = driver.execute_cdp_cmd("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True})
    with open(path, "wb") as fh:
        fh.write(base64.b64decode(shot["data"]))
    driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def print_pdf(driver, path: str, *, letter: bool = False) -> None:
    import base64

    size = (8.5, 11.0) if letter else (8.27, 11.69)
    pdf = driver.execute_cdp_cmd("Page.printToPDF", {"printBackground": True, "paperWidth": size[0],
                                                     "paperHeight": size[1], "preferCSSPageSize": False})
    with open(path, "wb") as fh:
        fh.write(base64.b64decode(pdf["data"]))
