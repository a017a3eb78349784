"""Churn (counts, revenue, per period) and CLV (formula, historic)."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cxterms.errors import DataError, EmptyDataError
from cxterms.metrics.churn import annualize, churn_by_period, churn_from_counts, revenue_churn
from cxterms.metrics.clv import clv, historic_clv
from cxterms.metrics.periods import label, next_start, parse_date, period_start, span


def test_churn_counts():
    r = churn_from_counts(1200, 54, new=80, period="month", annual=True)
    assert r.churn_rate == 0.045 and r.retention_rate == 0.955
    assert r.customers_end == 1226
    assert r.expected_lifetime == pytest.approx(1 / 0.045)
    assert r.annual_churn_rate == pytest.approx(1 - 0.955**12)
    assert r.annual_retention_rate == pytest.approx(0.955**12)


@pytest.mark.parametrize("rate, period, expected", [(0.02, "month", 0.215283), (0.1, "quarter", 0.3439), (0.3, "year", 0.3)])
def test_annualize(rate, period, expected):
    assert annualize(rate, period) == pytest.approx(expected, abs=1e-6)


@pytest.mark.parametrize(
    "args, message",
    [
        ((0, 0), "undefined"),
        ((10, 12, 1), "cannot exceed"),
        ((-1, 0), "negative"),
    ],
)
def test_churn_impossible_counts(args, message):
    with pytest.raises(DataError, match=message):
        churn_from_counts(*args)


def test_zero_churn_has_no_finite_lifetime():
    assert churn_from_counts(10, 0).expected_lifetime is None


def test_revenue_churn():
    r = revenue_churn(100_000, 4_000, contraction=1_000, expansion=8_000)
    assert (r.gross_revenue_churn, r.net_revenue_churn, r.grr, r.nrr, r.mrr_end) == (0.05, -0.03, 0.95, 1.03, 103_000)
    with pytest.raises(DataError):
        revenue_churn(1000, 900, contraction=200)
    with pytest.raises(DataError):
        revenue_churn(0, 0)


def test_churn_by_period_hand_computed():
    customers = [
        (date(2025, 12, 20), None),  # active before the window
        (date(2025, 12, 1), date(2026, 1, 15)),  # lost in January
        (date(2026, 1, 5), None),  # new in January
        (date(2026, 1, 9), date(2026, 1, 20)),  # joined and left in January
        (date(2026, 1, 30), date(2026, 2, 1)),  # lost on the first day of February
        (date(2026, 3, 3), None),
    ]
    rows = churn_by_period(customers, every="month", since=date(2026, 1, 1), until=date(2026, 3, 31))
    got = [(r.period, r.customers_start, r.new, r.lost, r.lost_new, r.customers_end, r.churn_rate) for r in rows]
    assert got == [
        ("2026-01", 2, 3, 1, 1, 3, 0.5),
        ("2026-02", 3, 0, 1, 0, 2, 1 / 3),
        ("2026-03", 2, 1, 0, 0, 3, 0.0),
    ]
    assert rows[0].period_end == date(2026, 1, 31) and rows[1].retention_rate == pytest.approx(2 / 3)


def test_period_with_nobody_at_start_has_no_rate():
    rows = churn_by_period([(date(2026, 5, 2), None)], every="month")
    assert rows[0].churn_rate is None and rows[0].retention_rate is None and rows[0].customers_end == 1


def test_end_before_start_is_an_error():
    with pytest.raises(DataError, match="before start"):
        churn_by_period([(date(2026, 2, 1), date(2026, 1, 1))])


SPANS = st.lists(
    st.tuples(st.dates(date(2025, 1, 1), date(2026, 12, 31)), st.one_of(st.none(), st.integers(0, 400))).map(
        lambda t: (t[0], None if t[1] is None else date.fromordinal(t[0].toordinal() + t[1]))
    ),
    min_size=1, max_size=80,
)


@given(SPANS, st.sampled_from(["week", "month", "quarter"]))
def test_period_table_balances(spans, every):
    rows = churn_by_period(spans, every=every)
    assert rows[0].customers_start == 0
    for prev, row in zip(rows, rows[1:]):
        assert row.customers_start == prev.customers_end
    for r in rows:
        assert r.customers_end == r.customers_start + r.new - r.lost - r.lost_new
        assert r.churn_rate is None or 0.0 <= r.churn_rate <= 1.0
    assert sum(r.new for r in rows) == len(spans)


def test_clv_formula_equals_arpu_margin_over_churn():
    assert clv(50, 0.7, churn=0.05).clv == 700.0
    assert clv(50, 0.7, retention=0.95).clv == pytest.approx(700.0)


@pytest.mark.parametrize("d", [0.0, 0.01, 0.1])
@pytest.mark.parametrize("c", [0.02, 0.05, 0.3, 1.0])
def test_clv_closed_forms_equal_the_discounted_sums(c, d):
    m, r = 35.0, 1 - c
    start = sum(m * r**t / (1 + d) ** t for t in range(0, 4000))
    end = sum(m * r**t / (1 + d) ** t for t in range(1, 4000))
    assert clv(50, 0.7, churn=c, discount_rate=d).clv == pytest.approx(start, rel=1e-9)
    assert clv(50, 0.7, churn=c, discount_rate=d, timing="end").clv == pytest.approx(end, rel=1e-9, abs=1e-9)


@pytest.mark.parametrize("kw", [dict(churn=0.0), dict(churn=1.5), dict(churn=0.1, retention=0.9), dict()])
def test_clv_bad_rates(kw):
    with pytest.raises(DataError):
        clv(10, 0.5, **kw)


def test_historic_clv():
    orders = [
        ("a", date(2026, 1, 1), 30.0), ("a", date(2026, 1, 31), 50.0),
        ("b", date(2026, 1, 10), 20.0), ("c", date(2026, 2, 1), 10.0), ("c", date(2026, 2, 15), 10.0), ("c", date(2026, 3, 3), 10.0),
    ]
    h = historic_clv(orders)
    assert (h.customers, h.orders, h.revenue) == (3, 6, 130.0)
    assert h.average_order_value == pytest.approx(130 / 6) and h.purchase_frequency == 2.0
    assert h.lifespan == pytest.approx((30 + 0 + 30) / 3)
    assert h.clv_mean == pytest.approx(130 / 3) and h.clv_median == 30.0
    assert h.as_dict()["lifespan_days"] == pytest.approx(20.0)
    weeks = historic_clv(orders, unit="week", margin=0.5)
    assert weeks.lifespan == pytest.approx(20 / 7) and weeks.clv_mean == pytest.approx(65 / 3)
    with pytest.raises(EmptyDataError):
        historic_clv([])


def test_periods():
    d = date(2026, 5, 20)
    assert [period_start(d, e) for e in ("day", "week", "month", "quarter", "year")] == [
        d, date(2026, 5, 18), date(2026, 5, 1), date(2026, 4, 1), date(2026, 1, 1)]
    assert next_start(date(2026, 12, 28), "week") == date(2027, 1, 4)
    assert label(date(2024, 12, 30), "week") == "2025-W01"  # ISO week-year
    assert len(span(date(2026, 1, 15), date(2026, 12, 1), "month")) == 12
    assert parse_date("2026-01-15 23:59:59+05:00") == date(2026, 1, 15)
    assert parse_date("20260115") == date(2026, 1, 15)
    with pytest.raises(ValueError):
        parse_date("15/01/2026")
