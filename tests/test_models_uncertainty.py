"""Standard errors from the observed information, and parametric-bootstrap intervals."""

from __future__ import annotations

import pytest

pytest.importorskip("numpy")
pytest.importorskip("scipy")

import numpy as np  # noqa: E402

from cxterms.errors import ModelError, UsageError  # noqa: E402
from cxterms.models import registry  # noqa: E402
from cxterms.models.bgnbd import fit_bgnbd, log_likelihood_terms, simulate_bgnbd  # noqa: E402
from cxterms.models.bootstrap import bootstrap_intervals, simulate_spend  # noqa: E402
from cxterms.models.gamma_gamma import GammaGammaFit, fit_gamma_gamma  # noqa: E402
from cxterms.models.gamma_gamma import log_likelihood_terms as gg_terms  # noqa: E402
from cxterms.models.sbg import _objective as sbg_objective  # noqa: E402
from cxterms.models.sbg import fit_sbg  # noqa: E402

TRUE = (0.25, 4.0, 0.8, 2.5)


@pytest.fixture(scope="module")
def data():
    return simulate_bgnbd(*TRUE, 3000, np.random.default_rng(11).uniform(26, 39, 3000), rng=12)


def natural_scale_se(loglik, params, rel=1e-4):
    """Direct check: Hessian of the total log-likelihood in the *natural*
    parameters by second differences of function values (no gradient, no log
    scale), inverted; sqrt of the diagonal."""
    p = np.asarray(params, dtype=float)
    k = p.size
    h = rel * p
    H = np.empty((k, k))
    for i in range(k):
        for j in range(k):
            ei, ej = np.eye(k)[i] * h[i], np.eye(k)[j] * h[j]
            H[i, j] = (loglik(p + ei + ej) - loglik(p + ei - ej) - loglik(p - ei + ej) + loglik(p - ei - ej)) / (4 * h[i] * h[j])
    return np.sqrt(np.diag(np.linalg.inv(-H)))


def test_bgnbd_standard_errors_match_a_direct_numerical_hessian(data):
    x, tx, T = data
    fit = fit_bgnbd(x, tx, T)
    se = fit.standard_errors
    direct = natural_scale_se(lambda p: float(log_likelihood_terms(tuple(p), x, tx, T).sum()), fit.values)
    assert [se[n] for n in ("r", "alpha", "a", "b")] == pytest.approx(direct, rel=2e-3)
    assert fit.as_dict()["standard_errors"] == se


def test_gamma_gamma_and_sbg_standard_errors_match_direct_check():
    rng = np.random.default_rng(5)
    x = rng.integers(1, 8, 1500).astype(float)
    m = simulate_spend(GammaGammaFit(6.0, 4.0, 15.0), x, rng)
    gg = fit_gamma_gamma(x, m)
    direct = natural_scale_se(lambda p: float(gg_terms(tuple(p), x, m).sum()), gg.values)
    assert list(gg.standard_errors.values()) == pytest.approx(direct, rel=2e-3)
    counts = [1000, 631, 468, 382, 326, 289, 262, 241]
    fit = fit_sbg(counts)
    fun = sbg_objective(np.asarray(counts, dtype=float))
    direct = natural_scale_se(lambda p: -fun(np.log(p))[0] * 1000, [fit.alpha, fit.beta])
    assert list(fit.standard_errors.values()) == pytest.approx(direct, rel=2e-3)


def test_standard_errors_shrink_like_one_over_root_n():
    small = fit_bgnbd(*simulate_bgnbd(*TRUE, 2000, 39.0, rng=1))
    big = fit_bgnbd(*simulate_bgnbd(*TRUE, 32000, 39.0, rng=2))
    ratio = np.array([small.standard_errors[n] / big.standard_errors[n] for n in ("r", "alpha", "a", "b")])
    assert np.all((ratio > 2.5) & (ratio < 6.5))  # sqrt(16) = 4


def test_given_parameters_have_no_standard_errors():
    from cxterms.models.bgnbd import BGNBDFit

    assert BGNBDFit(0.243, 4.414, 0.793, 2.426).standard_errors is None


# ---------------------------------------------------------------- bootstrap


def test_bootstrap_is_reproducible_with_a_seed(data):
    x, tx, T = data
    spec = registry.get("bgnbd")
    fit = spec.fit(x, tx, T)
    one = bootstrap_intervals(spec, fit, x, tx, T, horizon=39, replicates=20, seed=7)
    two = bootstrap_intervals(spec, fit, x, tx, T, horizon=39, replicates=20, seed=7)
    other = bootstrap_intervals(spec, fit, x, tx, T, horizon=39, replicates=20, seed=8)
    assert one.as_dict() == two.as_dict() and one.seed == 7
    assert np.array_equal(one.per_customer["expected_transactions"][0], two.per_customer["expected_transactions"][0])
    assert one.aggregate != other.aggregate


def test_bootstrap_intervals_cover_truth_and_estimates(data):
    x, tx, T = data
    spec = registry.get("bgnbd")
    fit = spec.fit(x, tx, T)
    rng = np.random.default_rng(3)
    m = simulate_spend(GammaGammaFit(6.0, 4.0, 15.0), x, rng)
    gg = fit_gamma_gamma(x, m)
    res = bootstrap_intervals(spec, fit, x, tx, T, horizon=39, replicates=60, seed=1, spend_fit=gg, monetary_value=m)
    for name, true in zip(spec.names, TRUE):
        lo, hi = res.params[name]
        assert lo < fit.params[name] < hi
        assert lo < true < hi
    lo, hi = res.aggregate["expected_transactions_total"]
    total = float(np.sum(spec.expected(fit, 39, x, tx, T)))
    assert lo < total < hi
    for key in ("expected_transactions", "probability_alive", "clv"):
        low, high = res.per_customer[key]
        assert low.shape == x.shape and np.all(low <= high)
    p_lo, p_hi = res.per_customer["probability_alive"]
    assert np.all((p_lo >= 0) & (p_hi <= 1))
    # width of the interval for the aggregate is close to +-1.96 bootstrap SDs (roughly normal)
    assert res.replicates + res.failed == 60


@pytest.mark.parametrize("kwargs", [dict(replicates=5), dict(level=1.5), dict(level=0.0)])
def test_bootstrap_argument_errors(data, kwargs):
    x, tx, T = data
    spec = registry.get("bgnbd")
    with pytest.raises(UsageError):
        bootstrap_intervals(spec, spec.fit(x, tx, T), x, tx, T, horizon=39, **({"replicates": 20} | kwargs))


def test_bootstrap_refuses_when_too_many_refits_fail(data):
    import dataclasses

    x, tx, T = data
    spec = registry.get("bgnbd")
    fit = spec.fit(x, tx, T)
    calls = []

    def flaky(x, tx, T, initial=None):  # every other refit fails
        calls.append(1)
        if len(calls) % 2:
            raise ModelError("no")
        return spec.fit(x, tx, T, initial=initial)

    with pytest.raises(ModelError):
        bootstrap_intervals(dataclasses.replace(spec, fit=flaky), fit, x, tx, T, horizon=39, replicates=10, seed=1)
