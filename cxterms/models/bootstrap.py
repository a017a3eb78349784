"""Parametric-bootstrap intervals for a fitted purchase model (and spend model).

Each replicate simulates a new data set from the *fitted* model, with every
customer keeping their own observation time T (and, for the spend model,
their own number of repeat purchases x), refits the model(s), and predicts
for the real customers with the refitted parameters. Percentiles of those
predictions over the replicates give intervals that reflect the uncertainty
of the parameter estimates: they are intervals for the *expected* number of
purchases, P(alive) and CLV of each customer, not for the purchases the
customer will actually make (which vary much more).

Replicates whose refit fails (ModelError) are left out and counted. The
random stream is numpy's PCG64 seeded with ``seed``: the same seed, data and
options give the same intervals.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

import numpy as np

from cxterms.errors import DataError, ModelError, UsageError
from cxterms.models._threads import single_threaded
from cxterms.models.bgnbd import _compress
from cxterms.models.clv import predicted_clv
from cxterms.models.gamma_gamma import GammaGammaFit, fit_gamma_gamma
from cxterms.models.registry import ModelSpec

__all__ = ["Intervals", "bootstrap_intervals", "simulate_spend"]

#: a bootstrap where more than this share of refits fail is not reported
MAX_FAILED_SHARE = 0.2


@dataclass(frozen=True, eq=False)
class Intervals:
    """Percentile intervals from ``replicates`` successful refits.

    ``params``: name -> (lower, upper) for the model (and spend) parameters;
    ``aggregate``: ``expected_transactions_total``, ``probability_alive_mean``
    and, with spend, ``clv_total`` -> (lower, upper); ``per_customer``: the
    same names without the aggregate suffix -> (lower array, upper array),
    aligned with the input customers.
    """

    level: float
    replicates: int
    failed: int
    seed: int
    params: dict
    aggregate: dict
    per_customer: dict

    def as_dict(self) -> dict:
        """JSON-ready summary (no per-customer arrays)."""
        return {
            "level": self.level,
            "method": "parametric bootstrap",
            "replicates": self.replicates,
            "failed": self.failed,
            "seed": self.seed,
            "params": {k: list(v) for k, v in self.params.items()},
            "aggregate": {k: list(v) for k, v in self.aggregate.items()},
        }


def simulate_spend(fit: GammaGammaFit, frequency, rng) -> np.ndarray:
    """Mean repeat spend m_x for customers with the given x under the Gamma-Gamma model (0 where x = 0).

    nu ~ Gamma(q, rate gamma) per customer; the sum of x spends ~ Gamma(p x, rate nu).

    >>> m = simulate_spend(GammaGammaFit(6.0, 4.0, 15.0), [0, 2, 5], np.random.default_rng(0))
    >>> float(m[0]), bool((m[1:] > 0).all())
    (0.0, True)
    """
    x = np.asarray(frequency, dtype=float)
    gen = np.random.default_rng(rng)
    nu = gen.gamma(fit.q, 1.0 / fit.gamma, x.shape[0])
    xs = np.maximum(x, 1.0)
    total = gen.gamma(fit.p * xs, 1.0 / nu)
    return np.where(x > 0, total / xs, 0.0)


def bootstrap_intervals(
    spec: ModelSpec,
    fit,
    frequency,
    recency,
    T,
    *,
    horizon: float,
    replicates: int = 200,
    seed: int | None = None,
    level: float = 0.95,
    spend_fit: GammaGammaFit | None = None,
    monetary_value=None,
    discount_rate: float = 0.0,
    margin: float = 1.0,
    chunk: int = 20_000,
) -> Intervals:
    """Parametric-bootstrap intervals (see the module doc).

    ``replicates`` >= 10 and 0 < ``level`` < 1, else UsageError. ``seed``
    None draws one (reported in the result). More than 20% failed refits ->
    ModelError (the fit is too fragile for intervals to mean much).

    >>> from cxterms.models import registry
    >>> from cxterms.models.bgnbd import simulate_bgnbd
    >>> x, tx, T = simulate_bgnbd(0.25, 4.0, 0.8, 2.5, 400, 39.0, rng=3)
    >>> spec = registry.get("bgnbd")
    >>> res = bootstrap_intervals(spec, spec.fit(x, tx, T), x, tx, T, horizon=39, replicates=20, seed=1)
    >>> lo, hi = res.aggregate["expected_transactions_total"]
    >>> bool(lo < hi), res.replicates + res.failed
    (True, 20)
    """
    n_boot = int(replicates)
    if n_boot < 10:
        raise UsageError(f"the bootstrap needs at least 10 replicates, not {replicates!r}")
    if not (0.0 < level < 1.0):
        raise UsageError(f"the interval level must be between 0 and 1, not {level!r}")
    if seed is None:
        seed = secrets.randbelow(2**32)
    x = np.asarray(frequency, dtype=float)
    tx = np.asarray(recency, dtype=float)
    age = np.asarray(T, dtype=float)
    money = None if monetary_value is None else np.asarray(monetary_value, dtype=float)
    if spend_fit is not None and money is None:
        raise DataError("spend intervals need the customers' monetary values")
    rng = np.random.default_rng(seed)
    fits, spends, failed = [], [], 0
    repeat = x > 0
    with single_threaded():
        for _ in range(n_boot):
            try:
                xb, txb, _ = spec.simulate(fit.values, age, rng)
                fb = spec.fit(xb, txb, age, initial=fit.values)
                gb = None
                if spend_fit is not None:
                    gb = fit_gamma_gamma(x[repeat], simulate_spend(spend_fit, x[repeat], rng))
                    if gb.q <= 1.0:
                        raise ModelError("q <= 1")
            except (ModelError, DataError):
                failed += 1
                continue
            fits.append(fb)
            spends.append(gb)
        if len(fits) < 2 or failed > MAX_FAILED_SHARE * n_boot:
            raise ModelError(
                f"{failed} of {n_boot} bootstrap refits failed: the fit is too fragile for intervals",
                hint="more customers, or a longer calibration period, give a better-determined fit",
            )
        lo_q, hi_q = (1.0 - level) / 2.0, 1.0 - (1.0 - level) / 2.0

        def interval(values) -> tuple[float, float]:
            lo, hi = np.quantile(np.asarray(values, dtype=float), [lo_q, hi_q])
            return float(lo), float(hi)

        params = {n: interval([f.values[i] for f in fits]) for i, n in enumerate(spec.names)}
        if spend_fit is not None:
            params.update({n: interval([getattr(g, n) for g in spends]) for n in ("p", "q", "gamma")})

        # per-customer predictions, on distinct summary rows, a chunk at a time
        cols = [x, tx, age] + ([money] if money is not None else [])
        uniq, weights, inverse = _compress(*cols)
        ux, utx, ut = uniq[:3]
        um = uniq[3] if money is not None else None
        names = ["expected_transactions", "probability_alive"] + (["clv"] if spend_fit is not None else [])
        lower = {k: np.empty(ux.shape[0]) for k in names}
        upper = {k: np.empty(ux.shape[0]) for k in names}
        totals = {k: np.zeros(len(fits)) for k in names}
        for start in range(0, ux.shape[0], chunk):
            sl = slice(start, start + chunk)
            w = weights[sl]
            per = {k: np.empty((len(fits), w.shape[0])) for k in names}
            for b, fb in enumerate(fits):
                per["expected_transactions"][b] = spec.expected(fb, horizon, ux[sl], utx[sl], ut[sl])
                per["probability_alive"][b] = spec.alive(fb, ux[sl], utx[sl], ut[sl])
                if spend_fit is not None:
                    per["clv"][b] = predicted_clv(
                        fb, spends[b], ux[sl], utx[sl], ut[sl], um[sl], horizon=horizon,
                        discount_rate=discount_rate, margin=margin, expected=spec.expected,
                    ).clv
            for k in names:
                lo, hi = np.quantile(per[k], [lo_q, hi_q], axis=0)
                lower[k][sl], upper[k][sl] = lo, hi
                totals[k] += per[k] @ w
    n = float(x.shape[0])
    aggregate = {"expected_transactions_total": interval(totals["expected_transactions"]),
                 "probability_alive_mean": interval(totals["probability_alive"] / n)}
    if spend_fit is not None:
        aggregate["clv_total"] = interval(totals["clv"])
    per_customer = {k: (lower[k][inverse], upper[k][inverse]) for k in names}
    for k, (lo, hi) in per_customer.items():
        if not (np.all(np.isfinite(lo)) and np.all(np.isfinite(hi))):
            raise ModelError(f"the bootstrap intervals for {k} are not finite")
    return Intervals(level=float(level), replicates=len(fits), failed=failed, seed=int(seed),
                     params=params, aggregate=aggregate, per_customer=per_customer)
