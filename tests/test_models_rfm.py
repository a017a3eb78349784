"""Transaction log -> RFM summary, the table validator, and the optional-dependency gate."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("numpy")
pytest.importorskip("scipy")

import numpy as np  # noqa: E402
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from cxterms.errors import DataError, EmptyDataError, MissingDependencyError, UsageError  # noqa: E402
from cxterms.models import require  # noqa: E402
from cxterms.models.rfm import UNIT_DAYS, RFMData, summarize_transactions, validate_columns  # noqa: E402

D = dt.date


def summary_of(rows, **kw):
    d = summarize_transactions(rows, **kw)
    m = None if d.monetary_value is None else d.monetary_value.tolist()
    return dict(zip(d.customer_ids, zip(d.frequency.tolist(), d.recency.tolist(), d.T.tolist(), m or [None] * d.n_customers)))


# ---------------------------------------------------------------- require()


def test_require_passes_when_installed():
    assert require() is None


@pytest.mark.parametrize("missing", ["numpy", "scipy"])
def test_require_raises_with_install_hint(monkeypatch, missing):
    monkeypatch.setitem(sys.modules, missing, None)  # makes "import <missing>" fail
    with pytest.raises(MissingDependencyError) as info:
        require()
    assert info.value.message == "the probability models need numpy and scipy"
    assert info.value.hint == "install them with: pip install 'cxterms[models]'"


def test_package_import_does_not_load_numpy():
    code = "import sys, cxterms.models; print('numpy' in sys.modules, 'scipy' in sys.modules)"
    root = Path(__file__).resolve().parent.parent
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=root)
    assert out.stdout.split() == ["False", "False"]


# ---------------------------------------------------------------- hand-computed summaries


@pytest.mark.parametrize(
    "rows, kw, expected",
    [
        # one purchase: no repeat, recency 0, T to the last date of the log
        ([("a", D(2024, 1, 1), 5.0), ("b", D(2024, 1, 15), 1.0)], {}, {"a": (0, 0, 2, 0), "b": (0, 0, 0, 0)}),
        # same-day purchases are one transaction and their amounts add up
        (
            [("a", D(2024, 1, 1), 5.0), ("a", D(2024, 1, 8), 3.0), ("a", D(2024, 1, 8), 4.0), ("a", D(2024, 1, 22), 9.0)],
            {},
            {"a": (2, 3, 3, 8.0)},
        ),
        # the first transaction's amount is not part of the monetary value
        ([("a", D(2024, 1, 1), 100.0), ("a", D(2024, 1, 8), 10.0)], {}, {"a": (1, 1, 1, 10.0)}),
        # order of rows does not matter
        ([("a", D(2024, 1, 8), 10.0), ("a", D(2024, 1, 1), 100.0)], {}, {"a": (1, 1, 1, 10.0)}),
        # calibration end: later rows ignored, T runs to the end date
        (
            [("a", D(2024, 1, 1), 1.0), ("a", D(2024, 1, 8), 2.0), ("a", D(2024, 2, 1), 50.0)],
            {"calibration_end": D(2024, 1, 15)},
            {"a": (1, 1, 2, 2.0)},
        ),
        # customers first seen after the calibration end are dropped
        (
            [("a", D(2024, 1, 1), 1.0), ("b", D(2024, 1, 20), 2.0)],
            {"calibration_end": D(2024, 1, 15)},
            {"a": (0, 0, 2, 0.0)},
        ),
        # a purchase on the calibration end date counts
        ([("a", D(2024, 1, 1), 1.0), ("a", D(2024, 1, 15), 3.0)], {"calibration_end": D(2024, 1, 15)}, {"a": (1, 2, 2, 3.0)}),
        # units: 60 days
        ([("a", D(2024, 1, 1), 1.0), ("a", D(2024, 3, 1), 1.0)], {"unit": "day"}, {"a": (1, 60, 60, 1.0)}),
        ([("a", D(2024, 1, 1), 1.0), ("a", D(2024, 3, 1), 1.0)], {"unit": "week"}, {"a": (1, 60 / 7, 60 / 7, 1.0)}),
        ([("a", D(2024, 1, 1), 1.0), ("a", D(2024, 3, 1), 1.0)], {"unit": "month"}, {"a": (1, 60 / 30.4375, 60 / 30.4375, 1.0)}),
        # datetimes are reduced to their date
        (
            [("a", dt.datetime(2024, 1, 1, 9), 1.0), ("a", dt.datetime(2024, 1, 1, 18), 2.0), ("a", dt.datetime(2024, 1, 2, 1), 4.0)],
            {"unit": "day"},
            {"a": (1, 1, 1, 4.0)},
        ),
        # ids are kept as strings
        ([(7, D(2024, 1, 1), 1.0), ("7", D(2024, 1, 2), 2.0)], {"unit": "day"}, {"7": (1, 1, 1, 2.0)}),
    ],
)
def test_summary_table(rows, kw, expected):
    got = summary_of(rows, **kw)
    assert got.keys() == expected.keys()
    for cid, (f, r, t, m) in expected.items():
        assert got[cid] == pytest.approx((f, r, t, m))


def test_month_is_a_fixed_30_4375_days_not_a_day():
    assert UNIT_DAYS == {"day": 1.0, "week": 7.0, "month": 365.25 / 12}
    d = summarize_transactions([("a", D(2023, 1, 1), 1.0), ("a", D(2024, 1, 1), 1.0)], unit="month")
    assert d.recency[0] == pytest.approx(365 / 30.4375)  # about 12, not 365


def test_counts_and_metadata():
    rows = [
        ("a", D(2024, 1, 1), 1.0),
        ("a", D(2024, 1, 1), 1.0),  # merged
        ("a", D(2024, 1, 9), 1.0),
        ("b", D(2024, 1, 3), 1.0),
        ("b", D(2024, 2, 1), 1.0),  # after end
        ("c", D(2024, 3, 1), 1.0),  # after end, customer dropped
    ]
    d = summarize_transactions(rows, calibration_end=D(2024, 1, 10))
    assert (d.rows, d.transactions, d.ignored_after_end, d.n_customers) == (6, 3, 2, 2)
    assert d.calibration_end == D(2024, 1, 10)
    assert d.customer_ids == ["a", "b"]  # order of first appearance
    assert d.repeat_customers == 1
    info = d.as_dict()
    assert json.loads(json.dumps(info)) == info
    assert info["calibration_end"] == "2024-01-10" and info["ignored_after_end"] == 2


def test_default_calibration_end_is_last_date():
    d = summarize_transactions([("a", D(2024, 1, 1), None), ("b", D(2024, 1, 29), None)])
    assert d.calibration_end == D(2024, 1, 29)
    assert d.T.tolist() == [4.0, 0.0]


@pytest.mark.parametrize("rows", [[("a", D(2024, 1, 1), None), ("a", D(2024, 1, 8), None)], [("a", D(2024, 1, 1)), ("a", D(2024, 1, 8))]])
def test_no_amounts(rows):
    d = summarize_transactions(rows)
    assert d.monetary_value is None and not d.has_amounts
    assert d.frequency.tolist() == [1.0]
    assert next(d.records())["monetary_value"] is None


def test_arrays_are_read_only():
    d = summarize_transactions([("a", D(2024, 1, 1), 1.0), ("a", D(2024, 1, 2), 1.0)])
    with pytest.raises(ValueError):
        d.frequency[0] = 5


def test_streaming_input_is_consumed_once():
    gen = (("c%d" % (i % 3), D(2024, 1, 1) + dt.timedelta(days=i), 1.0) for i in range(30))
    d = summarize_transactions(gen, unit="day")
    assert d.rows == 30 and d.frequency.tolist() == [9.0, 9.0, 9.0]


@pytest.mark.parametrize(
    "rows, kw, error, text",
    [
        ([], {}, EmptyDataError, "no transactions"),
        ([("a", D(2024, 2, 1), 1.0)], {"calibration_end": D(2024, 1, 1)}, EmptyDataError, "calibration end"),
        ([("a", "2024-01-01", 1.0)], {}, DataError, "row 1: '2024-01-01' is not a date"),
        ([("a", D(2024, 1, 1), 1.0), ("a", D(2024, 1, 2), float("nan"))], {}, DataError, "row 2"),
        ([("a", D(2024, 1, 1), 1.0), ("a", D(2024, 1, 2), "x")], {}, DataError, "row 2: amount 'x' is not a number"),
        ([("a", D(2024, 1, 1), 1.0), ("a", D(2024, 1, 2), None)], {}, DataError, "row 2: amount is missing"),
        ([("a", D(2024, 1, 1), None), ("a", D(2024, 1, 2), 3.0)], {}, DataError, "row 2: has an amount"),
        ([("a",)], {}, DataError, "row 1"),
        ([("a", D(2024, 1, 1), 1.0)], {"unit": "year"}, UsageError, "unknown time unit 'year'"),
        ([("a", D(2024, 1, 1), 1.0)], {"calibration_end": "2024-02-01"}, UsageError, "calibration end must be a date"),
    ],
)
def test_summary_errors(rows, kw, error, text):
    with pytest.raises(error) as info:
        summarize_transactions(rows, **kw)
    assert text in str(info.value)


# ---------------------------------------------------------------- from_columns / validate_columns


def test_from_columns_defaults():
    d = RFMData.from_columns([0, 2], [0, 5], [10, 10], [0, 12.5], unit="month")
    assert d.customer_ids == ["1", "2"] and d.unit == "month" and d.has_amounts
    assert d.monetary_value.tolist() == [0.0, 12.5]


def test_first_purchase_on_calibration_end_is_allowed():
    # T == 0 happens for a customer first seen on the last day
    x, tx, t, _ = validate_columns([0], [0], [0])
    assert t.tolist() == [0.0]


@pytest.mark.parametrize(
    "cols, ids, text",
    [
        (([1, -1], [1, 0], [2, 2]), None, "row 2: frequency -1 is negative"),
        (([1.5], [1], [2]), None, "row 1: frequency 1.5 is not a whole number"),
        (([1], [-1], [2]), None, "row 1: recency -1 is negative"),
        (([1], [3], [2]), ["x"], "customer 'x': recency 3 is greater than T 2"),
        (([0, 0], [0, 1], [2, 2]), ["a", "b"], "customer 'b': recency 1 should be 0"),
        (([1], [0], [0]), None, "row 1: T is 0 for a customer with repeat transactions"),
        (([1], [1], [-2]), None, "row 1: T -2 is negative"),
        (([1], [float("inf")], [2]), None, "row 1: recency is not a finite number"),
        (([0, 1], [0, 1], [2, 2], [0, 0]), ["a", "b"], "customer 'b': monetary value 0 is not positive"),
        (([1, 2], [1], [2, 2]), None, "recency has 1 values but frequency has 2"),
        (([["a"]], [1], [2]), None, "frequency must be numbers"),
    ],
)
def test_validate_columns_names_the_offender(cols, ids, text):
    with pytest.raises(DataError) as info:
        RFMData.from_columns(*cols, customer_ids=ids)
    assert text in str(info.value)


def test_validate_columns_empty():
    with pytest.raises(EmptyDataError):
        validate_columns([], [], [])


# ---------------------------------------------------------------- invariants


def reference(rows, end):
    """Straightforward re-implementation used as an oracle."""
    per: dict[str, dict[dt.date, float]] = {}
    for cid, day, amount in rows:
        if day <= end:
            per.setdefault(cid, {}).setdefault(day, 0.0)
            per[cid][day] += amount
    out = {}
    for cid, days in per.items():
        ordered = sorted(days)
        x = len(ordered) - 1
        money = sum(days[d] for d in ordered[1:]) / x if x else 0.0
        out[cid] = (x, (ordered[-1] - ordered[0]).days / 7, (end - ordered[0]).days / 7, money)
    return out


transaction = st.tuples(
    st.sampled_from(["a", "b", "c", "d"]),
    st.dates(min_value=D(2024, 1, 1), max_value=D(2024, 3, 31)),
    st.floats(min_value=0.5, max_value=500, allow_nan=False),
)


@settings(max_examples=60, deadline=None)
@given(rows=st.lists(transaction, min_size=1, max_size=40), end_offset=st.integers(0, 90), seed=st.integers(0, 10**6))
def test_matches_reference_and_ignores_order(rows, end_offset, seed):
    end = D(2024, 1, 1) + dt.timedelta(days=end_offset)
    if not any(day <= end for _, day, _ in rows):
        with pytest.raises(EmptyDataError):
            summarize_transactions(rows, calibration_end=end)
        return
    expected = reference(rows, end)
    got = summary_of(rows, calibration_end=end)
    shuffled = list(rows)
    np.random.default_rng(seed).shuffle(shuffled)
    got_shuffled = summary_of(shuffled, calibration_end=end)
    assert got.keys() == expected.keys() == got_shuffled.keys()
    for cid in expected:
        assert got[cid] == pytest.approx(expected[cid], rel=1e-12)
        assert got_shuffled[cid] == pytest.approx(expected[cid], rel=1e-12)
        f, r, t, _ = got[cid]
        assert 0 <= r <= t and f >= 0 and (f > 0 or r == 0)
    d = summarize_transactions(rows, calibration_end=end)
    assert d.ignored_after_end == sum(day > end for _, day, _ in rows)
    # the summary always passes its own validator
    validate_columns(d.frequency, d.recency, d.T, np.where(d.frequency > 0, d.monetary_value, 0.0))


@settings(max_examples=40, deadline=None)
@given(rows=st.lists(transaction, min_size=1, max_size=30), parts=st.integers(2, 4))
def test_splitting_a_purchase_on_the_same_day_changes_nothing(rows, parts):
    split = [(c, d, a / parts) for c, d, a in rows for _ in range(parts)]
    a = summary_of(rows)
    b = summary_of(split)
    assert a.keys() == b.keys()
    for cid in a:
        assert b[cid] == pytest.approx(a[cid], rel=1e-9)
