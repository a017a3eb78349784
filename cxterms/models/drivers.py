"""Key driver analysis: Johnson's relative weights (2000), with bootstrap
intervals and an importance-performance map.

Relative weights split the R^2 of a linear regression of the outcome on the
drivers into one non-negative share per driver, even when the drivers are
correlated (as attribute ratings always are). With the drivers' correlation
matrix R = V diag(e) V' and their correlations r with the outcome:

    L = V diag(sqrt(e)) V'          (drivers on their orthogonal counterparts)
    b = L^-1 r                      (outcome on the orthogonal counterparts)
    w_j = sum_k L_jk^2 b_k^2        (relative weight of driver j)

and sum_j w_j = r' R^-1 r = R^2. With uncorrelated drivers w_j = r_j^2.

Reference: J. W. Johnson (2000), "A heuristic method for estimating the
relative weight of predictor variables in multiple regression",
Multivariate Behavioral Research 35(1), 1-19.

numpy is needed (the ``models`` extra); it is imported by the functions.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from ..errors import DataError

QUADRANTS = {
    (True, False): "fix first",
    (True, True): "keep up",
    (False, False): "lower priority",
    (False, True): "maybe overdoing",
}
# A correlation matrix whose smallest eigenvalue falls below this share of the
# largest is treated as singular: some driver is (nearly) a linear
# combination of the others and its weight would be arbitrary.
COLLINEAR = 1e-8


@dataclass
class Driver:
    name: str
    weight: float  # relative weight: this driver's part of R^2
    share: float  # weight / R^2, in percent
    correlation: float  # with the outcome
    mean: float  # performance: the driver's mean answer
    performance: float  # the mean on a 0-100 scale (lowest to highest answer seen)
    quadrant: str
    ci_low: float | None = None  # bootstrap percentile interval of ``weight``
    ci_high: float | None = None

    def as_dict(self) -> dict:
        return dict(self.__dict__)


@dataclass
class DriverAnalysis:
    outcome: str
    n: int
    dropped: int  # rows left out for a missing or non-numeric value
    r_squared: float
    drivers: list[Driver]
    bootstrap: int = 0
    seed: int | None = None
    confidence: float = 0.95
    failed_resamples: int = 0  # resamples where a driver was constant (skipped)
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "outcome": self.outcome, "n": self.n, "dropped": self.dropped, "r_squared": self.r_squared,
            "bootstrap": self.bootstrap, "seed": self.seed, "confidence": self.confidence,
            "failed_resamples": self.failed_resamples,
            "drivers": [d.as_dict() for d in self.drivers],
        }


def _numpy():
    from . import require

    require()
    import numpy

    return numpy


def relative_weights(x, y) -> tuple[list[float], float]:
    """Relative weights of the columns of ``x`` (n rows, k drivers) for ``y``.

    Returns (weights, R^2); the weights sum to R^2. Raises DataError when a
    column is constant or the drivers are collinear.

    y = x1 + x2 exactly, so R^2 is 1, shared 0.7 / 0.3 between the drivers:

    >>> w, r2 = relative_weights([[1, 0], [2, 1], [3, 0], [4, 1]], [1, 3, 3, 5])
    >>> [round(v, 4) for v in w], round(r2, 4), abs(sum(w) - r2) < 1e-12
    ([0.7, 0.3], 1.0, True)
    """
    np = _numpy()
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    w, r2 = _weights(np, x, y, names=None)
    return [float(v) for v in w], float(r2)


def _corr(np, x, y):
    xc = x - x.mean(axis=0)
    yc = y - y.mean()
    sx = np.sqrt((xc * xc).sum(axis=0))
    sy = math.sqrt(float((yc * yc).sum()))
    return xc, yc, sx, sy


def _weights(np, x, y, names):
    xc, yc, sx, sy = _corr(np, x, y)
    scale = np.maximum(np.abs(x).max(axis=0), 1.0)
    flat = sx <= 1e-12 * scale * math.sqrt(max(len(x), 1))
    if flat.any():
        which = [names[i] for i in np.flatnonzero(flat)] if names else [str(i + 1) for i in np.flatnonzero(flat)]
        raise DataError(f"constant driver{'s' * (len(which) > 1)}: {', '.join(which)} (every row has the same answer)",
                        hint="leave it out with --driver, or check the column")
    if sy <= 1e-12 * max(float(np.abs(y).max()), 1.0) * math.sqrt(max(len(y), 1)):
        raise DataError("the outcome is constant: there is nothing to explain")
    z = xc / sx
    r_xx = z.T @ z
    r_xy = z.T @ (yc / sy)
    evals, evecs = np.linalg.eigh(r_xx)
    if evals.min() <= COLLINEAR * max(evals.max(), 1e-300):
        # the eigenvector of the smallest eigenvalue names the drivers involved
        v = evecs[:, int(np.argmin(evals))]
        involved = [i for i in np.argsort(-np.abs(v)) if abs(v[i]) > 0.1]
        label = ", ".join(names[i] if names else str(i + 1) for i in involved)
        raise DataError(f"collinear drivers: {label} (one is a linear combination of the others)",
                        hint="leave one of them out with --driver")
    lam = (evecs * np.sqrt(evals)) @ evecs.T
    beta = np.linalg.solve(lam, r_xy)
    raw = (lam ** 2) @ (beta ** 2)
    return raw, float(raw.sum())


def analyse(
    names: Sequence[str],
    x,
    y,
    *,
    outcome: str,
    dropped: int = 0,
    bootstrap: int = 1000,
    seed: int | None = 1,
    confidence: float = 0.95,
) -> DriverAnalysis:
    """Relative weights of each driver, bootstrap intervals, quadrants.

    ``x`` holds one row per respondent and one column per driver (complete
    cases only), ``y`` the outcome. Intervals are bootstrap percentiles over
    ``bootstrap`` resamples of the rows drawn with ``seed`` (0: none).
    """
    np = _numpy()
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    n, k = x.shape
    if n < k + 2:
        raise DataError(f"{n} complete row{'s' * (n != 1)} for {k} driver{'s' * (k != 1)}: need at least {k + 2}")
    raw, r2 = _weights(np, x, y, list(names))
    xc, yc, sx, sy = _corr(np, x, y)
    corr = (xc * (yc / sy)[:, None]).sum(axis=0) / sx

    lows = highs = None
    failed = 0
    if bootstrap:
        rng = np.random.default_rng(seed)
        draws = []
        for _ in range(bootstrap):
            idx = rng.integers(0, n, n)
            try:
                w, _r2 = _weights(np, x[idx], y[idx], list(names))
            except DataError:
                failed += 1
                continue
            draws.append(w)
        if draws:
            d = np.vstack(draws)
            a = (1 - confidence) / 2
            lows, highs = np.quantile(d, a, axis=0), np.quantile(d, 1 - a, axis=0)

    means = x.mean(axis=0)
    lo, hi = float(x.min()), float(x.max())
    perf = 100 * (means - lo) / (hi - lo) if hi > lo else np.full(k, 50.0)
    share = 100 * raw / r2 if r2 > 0 else np.zeros(k)
    imp_cut, perf_cut = 100.0 / k, float(perf.mean())
    drivers = []
    for j, name in enumerate(names):
        quadrant = QUADRANTS[(bool(share[j] >= imp_cut), bool(perf[j] >= perf_cut))]
        drivers.append(Driver(
            name=name, weight=float(raw[j]), share=float(share[j]), correlation=float(corr[j]),
            mean=float(means[j]), performance=float(perf[j]), quadrant=quadrant,
            ci_low=float(lows[j]) if lows is not None else None,
            ci_high=float(highs[j]) if highs is not None else None,
        ))
    drivers.sort(key=lambda d: -d.weight)
    notes = []
    if bootstrap and failed:
        notes.append(f"{failed} of {bootstrap} bootstrap resamples had a constant driver and were skipped")
    return DriverAnalysis(outcome=outcome, n=n, dropped=dropped, r_squared=r2, drivers=drivers,
                          bootstrap=bootstrap, seed=seed if bootstrap else None, confidence=confidence,
                          failed_resamples=failed, notes=notes)
