"""Predictive CLV: discounting by time unit, horizon handling, consistency with the parts."""

from __future__ import annotations

import json
import math

import pytest

pytest.importorskip("numpy")
pytest.importorskip("scipy")

import numpy as np  # noqa: E402
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from cxterms.errors import DataError, ModelError, UsageError  # noqa: E402
from cxterms.models.bgnbd import BGNBDFit, expected_transactions  # noqa: E402
from cxterms.models.clv import convert_rate, predicted_clv  # noqa: E402
from cxterms.models.gamma_gamma import GammaGammaFit, expected_average_value  # noqa: E402

BG = BGNBDFit(r=0.243, alpha=4.414, a=0.793, b=2.426)
GG = GammaGammaFit(p=6.25, q=3.74, gamma=15.44)
X = np.array([0.0, 2.0, 5.0, 1.0, 0.0])
TX = np.array([0.0, 30.43, 10.0, 38.0, 0.0])
T = np.array([38.86, 38.86, 39.0, 38.5, 2.0])
M = np.array([0.0, 20.0, 35.0, 12.0, 0.0])


def manual_clv(i, horizon, d):
    """Straight loop over time steps for one customer."""
    value = expected_average_value(GG, X[i], M[i])
    total, previous = 0.0, 0.0
    k = 1
    while True:
        t = min(float(k), horizon)
        current = expected_transactions(BG, t, X[i], TX[i], T[i])
        total += (current - previous) / (1 + d) ** k
        previous = current
        if t >= horizon:
            break
        k += 1
    return value * total


@pytest.mark.parametrize("horizon", [1, 2.5, 13, 52])
@pytest.mark.parametrize("d", [0.0, 0.002, 0.05])
def test_matches_manual_step_loop(horizon, d):
    res = predicted_clv(BG, GG, X, TX, T, M, horizon=horizon, discount_rate=d)
    expected = [manual_clv(i, horizon, d) for i in range(X.size)]
    assert res.clv == pytest.approx(expected, rel=1e-12)


def test_undiscounted_clv_is_value_times_transactions():
    res = predicted_clv(BG, GG, X, TX, T, M, horizon=39)
    ey = expected_transactions(BG, 39, X, TX, T)
    em = expected_average_value(GG, X, M)
    assert res.expected_transactions == pytest.approx(ey, rel=1e-12)
    assert res.expected_average_value == pytest.approx(em, rel=1e-12)
    assert res.clv == pytest.approx(ey * em, rel=1e-12)
    # the paper's worked example customer: 1.226 transactions x E[M]
    assert res.expected_transactions[1] == pytest.approx(1.226, abs=5e-4)
    # customers without repeat purchases get the population mean spend
    assert res.expected_average_value[0] == pytest.approx(GG.population_mean)


def test_fractional_last_step_is_discounted_as_step_ceil_h():
    # horizon 1.5, one customer: step 1 discounted once, the half step twice
    d = 0.1
    res = predicted_clv(BG, GG, [2], [30.43], [38.86], [20.0], horizon=1.5, discount_rate=d)
    e1 = expected_transactions(BG, 1.0, 2, 30.43, 38.86)
    e15 = expected_transactions(BG, 1.5, 2, 30.43, 38.86)
    value = expected_average_value(GG, 2, 20.0)
    assert res.clv[0] == pytest.approx(value * (e1 / 1.1 + (e15 - e1) / 1.1**2), rel=1e-12)


def test_discounting_lowers_value_and_units_matter():
    weekly = convert_rate(0.10, 52)
    undiscounted = predicted_clv(BG, GG, X, TX, T, M, horizon=52).total_clv
    right = predicted_clv(BG, GG, X, TX, T, M, horizon=52, discount_rate=weekly).total_clv
    wrong = predicted_clv(BG, GG, X, TX, T, M, horizon=52, discount_rate=0.10).total_clv
    assert wrong < right < undiscounted
    # a 10 % yearly rate costs only a few percent of one year's value...
    assert right / undiscounted > 0.93
    # ...while using it as a weekly rate wipes out most of it
    assert wrong / undiscounted < 0.4


def test_convert_rate():
    assert convert_rate(0.10, 52) == pytest.approx(1.1 ** (1 / 52) - 1)
    assert (1 + convert_rate(0.12, 12)) ** 12 == pytest.approx(1.12)
    with pytest.raises(UsageError):
        convert_rate(-1.0, 12)


def test_result_as_dict_is_json_ready():
    res = predicted_clv(BG, GG, X, TX, T, M, horizon=10, discount_rate=0.01)
    info = res.as_dict()
    assert json.loads(json.dumps(info)) == info
    assert info["customers"] == 5 and len(info["clv"]) == 5
    assert info["total_clv"] == pytest.approx(sum(info["clv"]))


@pytest.mark.parametrize(
    "kw, error",
    [
        ({"horizon": 0}, UsageError),
        ({"horizon": -5}, UsageError),
        ({"horizon": float("inf")}, UsageError),
        ({"horizon": 10, "discount_rate": -1.0}, UsageError),
        ({"horizon": 10, "discount_rate": float("nan")}, UsageError),
    ],
)
def test_argument_errors(kw, error):
    with pytest.raises(error):
        predicted_clv(BG, GG, X, TX, T, M, **kw)


def test_data_errors():
    with pytest.raises(DataError):
        predicted_clv(BG, GG, [1], [5], [4], [10.0], horizon=10)  # recency > T
    with pytest.raises(DataError):
        predicted_clv(BG, GG, [1], [1], [4], [0.0], horizon=10)  # no spend for a repeat buyer
    with pytest.raises(DataError):
        predicted_clv(BG, GG, [1, 2], [1, 1], [4, 4], [10.0, 5.0, 3.0], horizon=10)  # wrong length
    with pytest.raises(ModelError):
        predicted_clv(BG, GammaGammaFit(2.0, 0.9, 5.0), [1], [1], [4], [10.0], horizon=10)


@settings(max_examples=30, deadline=None)
@given(
    seed=st.integers(0, 10**6),
    horizon=st.floats(0.5, 60.0),
    d=st.floats(0.0, 0.05),
)
def test_permutation_invariance_and_monotonicity(seed, horizon, d):
    # duplicated rows are computed once internally; the mapping back must be exact
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, X.size, 12)
    x, tx, t, m = X[idx], TX[idx], T[idx], M[idx]
    res = predicted_clv(BG, GG, x, tx, t, m, horizon=horizon, discount_rate=d)
    order = rng.permutation(idx.size)
    again = predicted_clv(BG, GG, x[order], tx[order], t[order], m[order], horizon=horizon, discount_rate=d)
    assert again.clv == pytest.approx(res.clv[order], rel=1e-12)
    assert np.all(res.clv >= 0)
    longer = predicted_clv(BG, GG, x, tx, t, m, horizon=horizon + 5, discount_rate=d)
    assert np.all(longer.clv >= res.clv * (1 - 1e-12))
    steeper = predicted_clv(BG, GG, x, tx, t, m, horizon=horizon, discount_rate=d + 0.01)
    assert np.all(steeper.clv <= res.clv * (1 + 1e-12))
    assert math.isclose(res.horizon, horizon) and math.isclose(res.discount_rate, d)


def test_margin_multiplies_clv():
    from cxterms.errors import UsageError
    from cxterms.models.bgnbd import BGNBDFit
    from cxterms.models.clv import predicted_clv
    from cxterms.models.gamma_gamma import GammaGammaFit

    bg = BGNBDFit(r=0.243, alpha=4.414, a=0.793, b=2.426)
    gg = GammaGammaFit(p=6.25, q=3.74, gamma=15.44)
    args = (bg, gg, [2, 0], [30.43, 0.0], [38.86, 38.86], [20.0, 0.0])
    full = predicted_clv(*args, horizon=39, discount_rate=0.01)
    part = predicted_clv(*args, horizon=39, discount_rate=0.01, margin=0.25)
    assert part.clv == pytest.approx(0.25 * full.clv, rel=1e-14) and part.as_dict()["margin"] == 0.25
    for bad in (0.0, 1.5, float("nan")):
        with pytest.raises(UsageError):
            predicted_clv(*args, horizon=39, margin=bad)
