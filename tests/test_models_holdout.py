"""Calibration / holdout validation: splitting a log, the comparison tables and errors."""

from __future__ import annotations

import csv
from datetime import date, timedelta

import pytest

pytest.importorskip("numpy")
pytest.importorskip("scipy")

import numpy as np  # noqa: E402

from cxterms.errors import UsageError  # noqa: E402
from cxterms.models import registry  # noqa: E402
from cxterms.models.holdout import split_log, validate  # noqa: E402

from .conftest import REPO  # noqa: E402

CAL, HOLD = date(2025, 9, 30), date(2026, 6, 30)


def shipped_rows():
    with open(REPO / "examples" / "purchases.csv", newline="") as fh:
        return [(c, date.fromisoformat(d), float(a)) for c, d, a in list(csv.reader(fh))[1:]]


@pytest.fixture(scope="module")
def checked():
    rows = shipped_rows()
    split = split_log(rows, unit="week", calibration_end=CAL, holdout_end=HOLD)
    spec = registry.get("bgnbd")
    cal = split.calibration
    fit = spec.fit(cal.frequency, cal.recency, cal.T)
    return rows, split, spec, fit, validate(spec, fit, split)


def test_split_counts_match_the_log(checked):
    rows, split, _, _, _ = checked
    days = {}
    for c, d, _ in rows:
        days.setdefault(c, set()).add(d)
    cal = split.calibration
    assert cal.n_customers == len(days) == 2000 and split.new_in_holdout == 0
    by_id = dict(zip(cal.customer_ids, zip(cal.frequency, split.holdout)))
    for c, ds in days.items():
        x, h = by_id[c]
        assert x == sum(d <= CAL for d in ds) - 1 and h == sum(CAL < d <= HOLD for d in ds)
    assert split.holdout_length == 39.0


def test_tables_and_errors_are_consistent(checked):
    _, split, spec, fit, v = checked
    cal = split.calibration
    direct = spec.expected(fit, 39.0, cal.frequency, cal.recency, cal.T)
    assert v.predicted == pytest.approx(direct, rel=1e-12)
    assert sum(r["customers"] for r in v.by_frequency) == cal.n_customers
    seven = cal.frequency >= 7
    assert v.by_frequency[-1]["repeat_purchases"] == "7+"
    assert v.by_frequency[-1]["actual_mean"] == pytest.approx(split.holdout[seven].mean())
    diff = v.predicted - v.actual
    e = v.errors
    assert e["mae"] == pytest.approx(np.abs(diff).mean()) and e["rmse"] == pytest.approx(np.sqrt((diff**2).mean()))
    assert e["bias_percent"] == pytest.approx(100 * (v.predicted.sum() / v.actual.sum() - 1))
    assert e["correlation"] == pytest.approx(np.corrcoef(v.predicted, v.actual)[0, 1])


def test_tracking_series(checked):
    _, split, spec, fit, v = checked
    tr = v.tracking
    assert len(tr) == 78 and [r["phase"] for r in tr].count("calibration") == 39
    cal = split.calibration
    # actual cumulative repeat purchases: the calibration total at week 39, plus the holdout at the end
    assert tr[38]["actual_cumulative"] == cal.frequency.sum()
    assert tr[-1]["actual_cumulative"] == cal.frequency.sum() + split.holdout.sum()
    assert sum(r["actual_incremental"] for r in tr) == tr[-1]["actual_cumulative"]
    # predicted: sum over customers of E[X(t - s_i)] at the end of week 20, customer by customer
    end20 = split.origin + 20 * 7 - 1
    each = [float(spec.unconditional(fit, max(end20 - s, 0) / 7.0)) for s in split.first_day]
    assert tr[19]["predicted_cumulative"] == pytest.approx(sum(each), rel=1e-10)
    # the model was fitted on this kind of process: the holdout is tracked within 10%
    assert abs(v.errors["bias_percent"]) < 10 and v.errors["correlation"] > 0.5


def test_customers_new_in_the_holdout_are_left_out():
    d = date(2024, 1, 1)
    rows = [("a", d, 1.0), ("a", d + timedelta(days=9), 1.0), ("b", d + timedelta(days=20), 1.0),
            ("a", d + timedelta(days=400), 1.0)]
    s = split_log(rows, unit="week", calibration_end=d + timedelta(days=13), holdout_end=d + timedelta(days=27))
    assert s.calibration.customer_ids == ["a"] and s.new_in_holdout == 1 and s.ignored_after_holdout == 1


def test_holdout_must_follow_calibration():
    with pytest.raises(UsageError):
        split_log([("a", CAL, 1.0)], unit="week", calibration_end=CAL, holdout_end=CAL)
