"""Shifted-beta-geometric retention model: published fits, identities, DERL, errors."""

from __future__ import annotations

import json
import math

import pytest

pytest.importorskip("numpy")
pytest.importorskip("scipy")

import numpy as np  # noqa: E402
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from scipy import integrate, stats  # noqa: E402
from scipy.special import betaln  # noqa: E402

from cxterms.errors import DataError, ModelError, UsageError  # noqa: E402
from cxterms.models.sbg import (  # noqa: E402
    SBGFit,
    _objective,
    churn_probability,
    discounted_expected_residual_lifetime,
    expected_lifetime,
    fit_sbg,
    project,
    retention_rate,
    survival,
)

# Fader & Hardie (2007), "How to Project Customer Retention", Table 1: % of
# each segment still active at the start of years 0-12. The fits use years
# 0-7 (as the paper does); years 8-12 are the holdout it projects.
REGULAR_ALL = [1000, 631, 468, 382, 326, 289, 262, 241, 223, 207, 194, 183, 173]
HIGH_END_ALL = [1000, 869, 743, 653, 593, 551, 517, 491, 468, 445, 427, 409, 394]
REGULAR = REGULAR_ALL[:8]
HIGH_END = HIGH_END_ALL[:8]


def log_likelihood(alpha, beta, survivors):
    value, _ = _objective(np.asarray(survivors, dtype=float))(np.log([alpha, beta]))
    return -value * survivors[0]


# ---------------------------------------------------------------- published fits


def test_high_end_segment_matches_published_fit():
    fit = fit_sbg(HIGH_END)
    assert round(fit.alpha, 3) == 0.668
    assert round(fit.beta, 3) == 3.806
    assert fit.periods == 7 and fit.cohort_size == 1000.0 and fit.converged


def test_regular_segment_matches_published_fit():
    # Published: alpha = 0.704, beta = 1.182 (three significant figures)
    fit = fit_sbg(REGULAR)
    assert round(fit.alpha, 3) == 0.704
    assert round(fit.beta, 3) == 1.182
    assert fit.log_likelihood == pytest.approx(log_likelihood(fit.alpha, fit.beta, REGULAR), rel=1e-12)
    assert fit.log_likelihood >= log_likelihood(0.704, 1.182, REGULAR)


@pytest.mark.parametrize("observed", [REGULAR_ALL, HIGH_END_ALL], ids=["regular", "high-end"])
def test_projection_tracks_the_published_later_years(observed):
    # the paper's point: fitted on years 0-7, the sBG projection tracks years 8-12
    fit = fit_sbg(observed[:8])
    projected = project(fit, 1000, 12)[8:]
    assert projected == pytest.approx(observed[8:], rel=0.05)


@pytest.mark.parametrize("alpha, beta", [(0.704, 1.182), (0.668, 3.806), (2.5, 6.0), (0.3, 0.9)])
def test_fit_recovers_parameters_from_expected_counts(alpha, beta):
    # survivors equal to their expectation: the maximum-likelihood estimate is the truth
    truth = SBGFit(alpha, beta)
    counts = project(truth, 10_000, 10)
    fit = fit_sbg(counts)
    assert (fit.alpha, fit.beta) == pytest.approx((alpha, beta), rel=1e-5)


def test_fit_on_simulated_cohort():
    rng = np.random.default_rng(8)
    theta = rng.beta(1.2, 3.0, 20_000)
    periods = rng.geometric(theta)  # period in which each customer churns
    survivors = [int((periods > t).sum()) for t in range(10)]
    fit = fit_sbg(survivors)
    assert (fit.alpha, fit.beta) == pytest.approx((1.2, 3.0), rel=0.15)
    info = fit.as_dict()
    assert json.loads(json.dumps(info)) == info
    assert info["params"] == {"alpha": fit.alpha, "beta": fit.beta}


def test_objective_gradient_matches_finite_differences():
    fun = _objective(np.asarray(REGULAR, dtype=float))
    theta = np.log([0.9, 1.7])
    _, grad = fun(theta)
    h = 1e-6
    numeric = [(fun(theta + h * e)[0] - fun(theta - h * e)[0]) / (2 * h) for e in np.eye(2)]
    assert grad == pytest.approx(numeric, rel=1e-6)


# ---------------------------------------------------------------- identities

FIT = SBGFit(alpha=0.704, beta=1.182)


def test_survival_and_churn_by_recursion():
    # P(T = 1) = alpha / (alpha + beta); P(T = t) = P(T = t - 1) (beta + t - 2) / (alpha + beta + t - 1)
    a, b = FIT.alpha, FIT.beta
    p = [a / (a + b)]
    for t in range(2, 15):
        p.append(p[-1] * (b + t - 2) / (a + b + t - 1))
    assert churn_probability(FIT, np.arange(1, 15)) == pytest.approx(p, rel=1e-12)
    assert survival(FIT, np.arange(0, 15)) == pytest.approx(1 - np.concatenate([[0.0], np.cumsum(p)]), rel=1e-12)
    assert retention_rate(FIT, np.arange(1, 15)) == pytest.approx(
        survival(FIT, np.arange(1, 15)) / survival(FIT, np.arange(0, 14)), rel=1e-12
    )


def test_project():
    assert project(FIT, 500, 0).tolist() == [500.0]
    out = project(FIT, 1000, 5)
    assert out.shape == (6,) and out[0] == 1000
    assert out == pytest.approx(1000 * survival(FIT, np.arange(6)))


@pytest.mark.parametrize("alpha, beta", [(3.0, 4.0), (1.5, 0.5), (10.0, 20.0)])
def test_expected_lifetime_equals_sum_of_survival(alpha, beta):
    fit = SBGFit(alpha, beta)
    t = np.arange(0, 400_000)
    total = survival(fit, t).sum()
    # S(t) decays like t^-alpha, so the missing tail is about S(N) N / (alpha - 1)
    tail = survival(fit, 400_000) * 400_000 / (alpha - 1)
    assert expected_lifetime(fit) == pytest.approx(total + tail, rel=1e-3)
    assert expected_lifetime(fit) >= total


@pytest.mark.parametrize("alpha", [0.2, 0.704, 1.0])
def test_expected_lifetime_infinite_for_alpha_at_most_one(alpha):
    assert expected_lifetime(SBGFit(alpha, 2.0)) == math.inf


@settings(max_examples=80, deadline=None)
@given(alpha=st.floats(0.05, 20.0), beta=st.floats(0.05, 20.0), t=st.integers(1, 500))
def test_invariants(alpha, beta, t):
    fit = SBGFit(alpha, beta)
    s_prev, s_now = survival(fit, t - 1), survival(fit, t)
    assert 0.0 < s_now <= s_prev <= 1.0
    # (the subtraction loses digits when S(t-1) and S(t) are close; the recursion test is exact)
    assert churn_probability(fit, t) == pytest.approx(s_prev - s_now, rel=1e-6, abs=1e-300)
    # retention rises with tenure: the fickle customers leave first
    assert retention_rate(fit, t) <= retention_rate(fit, t + 1)
    assert 0.0 < retention_rate(fit, t) < 1.0


# ---------------------------------------------------------------- DERL


def derl_brute_force(fit, n, d, terms=20_000):
    # sum_{k>=0} E[(1 - theta)^(k+1) | n renewals] / (1 + d)^k, posterior Beta(alpha, beta + n)
    k = np.arange(terms)
    b = fit.beta + n
    log_terms = betaln(fit.alpha, b + k + 1) - betaln(fit.alpha, b) - k * math.log1p(d)
    return float(np.exp(log_terms).sum())


@pytest.mark.parametrize("fit", [SBGFit(0.704, 1.182), SBGFit(0.668, 3.806), SBGFit(2.5, 6.0)])
@pytest.mark.parametrize("n", [0, 1, 4, 20])
@pytest.mark.parametrize("d", [0.01, 0.1, 0.5])
def test_derl_matches_brute_force_sum(fit, n, d):
    assert discounted_expected_residual_lifetime(fit, n, d) == pytest.approx(derl_brute_force(fit, n, d), rel=1e-9)


@pytest.mark.parametrize("n, d", [(0, 0.1), (3, 0.05)])
def test_derl_matches_posterior_integral(n, d):
    # E[(1 - theta)(1 + d) / (d + theta)] with theta ~ Beta(alpha, beta + n)
    fit = SBGFit(0.704, 1.182)
    post = stats.beta(fit.alpha, fit.beta + n)
    value, _ = integrate.quad(lambda th: (1 - th) * (1 + d) / (d + th) * post.pdf(th), 0, 1, limit=200)
    assert discounted_expected_residual_lifetime(fit, n, d) == pytest.approx(value, rel=1e-7)


def test_derl_without_discounting():
    assert discounted_expected_residual_lifetime(SBGFit(3.0, 4.0), 2, 0.0) == pytest.approx(6.0 / 2.0)
    assert discounted_expected_residual_lifetime(SBGFit(0.7, 1.2), 2, 0.0) == math.inf


def test_derl_grows_with_tenure():
    values = [discounted_expected_residual_lifetime(FIT, n, 0.1) for n in range(10)]
    assert values == sorted(values)


# ---------------------------------------------------------------- errors


@pytest.mark.parametrize(
    "survivors, error, text",
    [
        ([1000], DataError, "periods 0, 1 and 2 at least"),
        ([], DataError, "periods 0, 1 and 2 at least"),
        # one period: any (alpha, beta) with the same churn share fits equally well
        ([1000, 400], DataError, "periods 0, 1 and 2 at least"),
        ([0, 0, 0], DataError, "period 0"),
        ([1000, 600, 700], DataError, "period 2: 700 survivors is more than the 600 of period 1"),
        ([1000, -5, -6], DataError, "period 1"),
        ([1000, float("nan"), 3], DataError, "period 1"),
        ([1000, 1000, 1000], DataError, "no customer churned"),
        (["a", "b", "c"], DataError, "must be numbers"),
        # everyone gone after one period: churn probability 1, alpha / beta runs off
        ([1000, 0, 0], ModelError, None),
        # the same small churn every period: no heterogeneity, alpha and beta -> infinity
        ([1000, 999, 998, 997], ModelError, None),
    ],
)
def test_fit_errors(survivors, error, text):
    # data errors name the offending period; optimiser failures are checked by class only
    with pytest.raises(error) as info:
        fit_sbg(survivors)
    if text is not None:
        assert text in str(info.value)


@pytest.mark.parametrize(
    "call",
    [
        lambda: survival(FIT, -1),
        lambda: survival(FIT, 1.5),
        lambda: churn_probability(FIT, 0),
        lambda: retention_rate(FIT, 0),
        lambda: project(FIT, -1, 3),
        lambda: project(FIT, 10, 2.5),
        lambda: discounted_expected_residual_lifetime(FIT, -1, 0.1),
        lambda: discounted_expected_residual_lifetime(FIT, 1, -0.1),
    ],
)
def test_argument_errors(call):
    with pytest.raises(UsageError):
        call()


def test_parameter_validation():
    with pytest.raises(ModelError):
        SBGFit(0.0, 1.0)


# ---------------------------------------------------------------- cohorts


def test_pooled_fit_of_identical_cohorts_equals_the_single_fit():
    from cxterms.models.sbg import fit_sbg_pooled

    one = fit_sbg(REGULAR)
    both = fit_sbg_pooled([REGULAR, REGULAR])
    assert (both.alpha, both.beta) == pytest.approx((one.alpha, one.beta), rel=1e-6)
    assert both.log_likelihood == pytest.approx(2 * one.log_likelihood, rel=1e-9)
    assert both.cohort_size == 2000 and both.periods == 7


def test_pooled_fit_of_triangular_cohorts_recovers_parameters():
    from cxterms.models.sbg import fit_sbg_pooled

    truth = SBGFit(0.9, 4.5)
    cohorts = [list(project(truth, 10_000, k)) for k in (3, 6, 9, 12, 15)]
    fit = fit_sbg_pooled(cohorts)
    assert (fit.alpha, fit.beta) == pytest.approx((0.9, 4.5), rel=1e-5)
    # a cohort with only two values still contributes
    assert fit_sbg_pooled(cohorts + [[1000, 800]]).alpha != fit.alpha


def test_project_active_uses_the_posterior_after_n_renewals():
    from cxterms.models.sbg import project_active

    fit = fit_sbg(REGULAR)
    ahead = project_active(fit, 241, 7, 5)
    assert ahead == pytest.approx(project(fit, 1000, 12)[8:] * 241 / project(fit, 1000, 7)[7], rel=1e-12)
    assert ahead == pytest.approx(REGULAR_ALL[8:], rel=0.05)
