"""The CDNOW sample and the donation data, which ship inside the lifetimes
wheel. They are not part of cxterms: tests that need them skip (with a note)
when lifetimes is not installed. Read with the csv module, not pandas."""

from __future__ import annotations

import csv
import importlib.util
from pathlib import Path

import pytest


def folder() -> Path:
    spec = importlib.util.find_spec("lifetimes")
    if spec is None or not spec.submodule_search_locations:
        pytest.skip("the CDNOW and donation data ship with the lifetimes package, which is not installed")
    path = Path(list(spec.submodule_search_locations)[0]) / "datasets"
    if not (path / "cdnow_customers_summary.csv").exists():
        pytest.skip("this lifetimes installation lacks its datasets folder")
    return path


def cdnow_summary():
    """(x, t_x, T) of the 2,357 CDNOW sample customers, weeks, calibration to 1997-09-30."""
    import numpy as np

    with open(folder() / "cdnow_customers_summary.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    return tuple(np.array([float(r[k]) for r in rows]) for k in ("frequency", "recency", "T"))


def cdnow_log() -> Path:
    """The raw CDNOW sample: id, id, YYYYMMDD, quantity, amount (whitespace separated)."""
    return folder() / "CDNOW_sample.txt"


def donations():
    """(x, t_x, n, count) of the 1995 donor cohort (Fader, Hardie & Berger 2010), 22 patterns."""
    import numpy as np

    with open(folder() / "donations.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    return tuple(np.array([float(r[k]) for r in rows]) for k in ("frequency", "recency", "periods", "weights"))


def donations_path() -> Path:
    return folder() / "donations.csv"
