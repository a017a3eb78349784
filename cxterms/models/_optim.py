"""Maximum-likelihood machinery shared by the BG/NBD, Gamma-Gamma and sBG fits:
a bounded L-BFGS-B search on log parameters from several starts, Newton
polishing, and checks that turn an estimate the data do not pin down into a
ModelError instead of a number."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize

from cxterms.errors import ModelError
from cxterms.models._threads import single_threaded

# Parameters are optimised as log values inside [-_LOG_BOUND, _LOG_BOUND]
# (about 1.5e-8 to 6.6e7); an estimate that ends on that edge means the data do
# not identify the parameter, and is reported as a ModelError.
_LOG_BOUND = 18.0


# --------------------------------------------------------------------------
# Shared optimiser (also used by the Gamma-Gamma and sBG fits)
# --------------------------------------------------------------------------


@dataclass
class _Optimum:
    theta: np.ndarray
    value: float
    iterations: int
    converged: bool
    message: str
    flat: np.ndarray | None = None  # a direction along which the likelihood stays flat
    #: Hessian of ``fun`` at ``theta`` (from the gradient), for the covariance; None with a given ``hessian``
    hess: np.ndarray | None = None


def _hessian(fun: Callable, theta: np.ndarray, h: float = 1e-6) -> np.ndarray:
    """Finite-difference Hessian from the analytic gradient (symmetrised)."""
    k = theta.size
    hess = np.empty((k, k))
    for j in range(k):
        e = np.zeros(k)
        e[j] = h
        hess[:, j] = (fun(theta + e)[1] - fun(theta - e)[1]) / (2 * h)
    return 0.5 * (hess + hess.T)


# Newton steps reuse a gradient-difference Hessian computed within this distance
# (in log parameters; after L-BFGS-B the polish moves about 1e-8): the steps still
# converge, and the Hessian stands for the one at the estimate far inside its
# own finite-difference error. Saves 8 gradient evaluations per reuse.
_HESS_REUSE = 1e-6


def _newton_polish(fun: Callable, theta: np.ndarray, steps: int = 6, hessian: Callable | None = None):
    """A few damped Newton steps with a finite-difference Hessian of the analytic gradient
    (or ``hessian(theta)`` when given). Returns (theta, value, gradient, Hessian at theta
    or None); a gradient-difference Hessian is reused while theta stays within
    ``_HESS_REUSE`` of where it was taken (a given ``hessian`` is called at every step)."""
    reuse = hessian is None
    hess = hessian or (lambda th: _hessian(fun, th))
    value, grad = fun(theta)
    last = at = None

    def current(th):
        nonlocal last, at
        if not reuse or last is None or np.max(np.abs(th - at)) > _HESS_REUSE:
            last, at = hess(th), np.array(th, dtype=float)
        return last

    for _ in range(steps):
        if np.max(np.abs(grad)) < 1e-12:
            break
        try:
            step = np.linalg.solve(current(theta), grad)
        except np.linalg.LinAlgError:
            break
        if not np.all(np.isfinite(step)):
            break
        improved = False
        for scale in (1.0, 0.5, 0.25, 0.125):
            cand = np.clip(theta - scale * step, -_LOG_BOUND, _LOG_BOUND)
            v, g = fun(cand)
            if np.isfinite(v) and v <= value + 1e-15 * abs(value):
                theta, value, grad = cand, v, g
                improved = True
                break
        if not improved:
            break
    final = current(theta) if reuse and np.isfinite(value) else None
    return theta, value, grad, final


def _flat_direction(fun: Callable, theta: np.ndarray, value: float, n_total: float, hessian: Callable | None = None) -> np.ndarray | None:
    """Direction in which the maximum is not pinned down, or None.

    Moves 3 log-units (a factor of 20 in the parameters) both ways along the
    least-curved direction of the Hessian. If the *total* log-likelihood drops
    by less than 0.01 either way, the data cannot tell the parameters apart
    (a ridge running off to 0 or infinity, e.g. no heterogeneity in the data).
    Only values are needed there: ``fun.value(theta)``, when ``fun`` has it, gives
    the value alone (for objectives whose gradient costs much more at such points).
    """
    value_at = getattr(fun, "value", None) or (lambda th: fun(th)[0])
    try:
        eigval, eigvec = np.linalg.eigh(hessian(theta) if hessian is not None else _hessian(fun, theta))
    except np.linalg.LinAlgError:
        return None
    v = eigvec[:, 0]
    tol = 0.01 / n_total
    for sign in (1.0, -1.0):
        direction = sign * v
        # go up to 3 log-units, but stay inside the bounds (clipping would bend the path)
        room = np.where(direction > 0, (_LOG_BOUND - theta) / np.maximum(direction, 1e-300),
                        np.where(direction < 0, (-_LOG_BOUND - theta) / np.minimum(direction, -1e-300), np.inf))
        step = min(3.0, float(np.min(room)))
        other = value_at(theta + step * direction)
        if np.isfinite(other) and other - value < tol:
            return direction
    if not eigval[0] > 0:
        return v
    return None


def _minimize(fun: Callable, starts: Sequence[np.ndarray], *, n_total: float, grad_tol: float = 1e-7,
              hessian: Callable | None = None, first_success: bool = False, coarse: Callable | None = None) -> _Optimum:
    """Minimise ``fun(theta) -> (value, gradient)`` from several starts; keep the best.

    ``fun`` should be a *mean* negative log-likelihood (total / ``n_total``)
    so that ``grad_tol`` does not depend on the sample size. BLAS runs on one
    thread meanwhile (see :mod:`cxterms.models._threads`). ``first_success``
    stops at the first start from which L-BFGS-B reports success (for costly
    likelihoods that are known to be well behaved); the others are fallbacks.

    ``coarse``, when given, is the same kind of objective on a random subsample
    of the data (for large data sets): the starts are first tried on it, and
    the full objective is then searched from the best of them, by Newton steps
    with the subsample's Hessian (see :func:`_chord_steps`) or, should they not
    get there, by L-BFGS-B. Should that search not end in a finite, interior,
    successful optimum, every start is tried on the full objective, as without
    ``coarse``. The result is the
    optimum of ``fun`` either way; the subsample only chooses where to begin.
    """
    with single_threaded():
        if coarse is not None:
            with np.errstate(all="ignore"):
                pre = _lbfgsb(coarse, starts, first_success=first_success)[0]
                chord = None if pre is None else _chord_steps(fun, coarse, np.asarray(pre.x, dtype=float))
            if chord is not None:
                opt = _finish(fun, chord, int(chord.nit), n_total=n_total, grad_tol=grad_tol, hessian=hessian)
                if opt.converged:
                    return opt
            if pre is not None:
                best, total_iter = _lbfgsb(fun, [pre.x], first_success=False)
                if best is not None and np.all(np.abs(best.x) < _LOG_BOUND - 1e-6):
                    opt = _finish(fun, best, total_iter, n_total=n_total, grad_tol=grad_tol, hessian=hessian)
                    if opt.converged:
                        return opt
        return _minimize_inner(fun, starts, n_total=n_total, grad_tol=grad_tol, hessian=hessian,
                               first_success=first_success)


def _chord_steps(fun: Callable, coarse: Callable, theta: np.ndarray, max_steps: int = 40):
    """Newton steps on ``fun`` from ``theta`` (the optimum of ``coarse``, the same mean
    objective on a subsample) with the Hessian of ``coarse`` there, kept fixed.

    The subsample's curvature is within a few per cent of the full one, so each step
    gains a digit or more, for one evaluation of ``fun`` where L-BFGS-B, which starts
    without curvature, needs as many iterations as from afar. Returns an
    L-BFGS-B-like result (``x``, ``fun``, ``nit``, ``message``) once the largest
    gradient component is below 1e-10, or None (not positive definite, no descent,
    less than a digit gained in three steps, not there within ``max_steps``, or at
    a bound): then L-BFGS-B takes over.
    """
    from types import SimpleNamespace

    try:
        hess = _hessian(coarse, theta)
        np.linalg.cholesky(hess)
    except np.linalg.LinAlgError:
        return None
    if not np.all(np.isfinite(hess)):
        return None
    value, grad = fun(theta)
    sizes = []
    for k in range(max_steps + 1):
        if not (np.isfinite(value) and np.all(np.isfinite(grad))):
            return None
        sizes.append(float(np.max(np.abs(grad))))
        if sizes[-1] < 1e-10:
            return SimpleNamespace(x=theta, fun=value, nit=k, message="Newton steps with the subsample's Hessian")
        if k >= 3 and sizes[-1] > sizes[-4] / 8:  # not a digit in three steps: the curvatures differ too much
            return None
        step = np.linalg.solve(hess, grad)
        for scale in (1.0, 0.5, 0.25, 0.125):
            cand = theta - scale * step
            if np.any(np.abs(cand) >= _LOG_BOUND - 1e-6):
                continue
            v, g = fun(cand)
            if np.isfinite(v) and v <= value + 1e-15 * abs(value):
                theta, value, grad = cand, v, g
                break
        else:
            return None
    return None


# Above this many distinct rows, the starts are tried on a subsample first (see _minimize).
COARSE_ROWS = 50_000
_COARSE_SIZE = 20_000


def subsample(n: int, rows: int | None = None, size: int | None = None) -> np.ndarray | None:
    """Sorted indices of a fixed pseudo-random subsample of ``n`` rows (``size``, default
    20,000) for the coarse multi-start search, or None when ``n`` is at most ``rows``
    (default ``COARSE_ROWS``), small enough to search in full."""
    rows = COARSE_ROWS if rows is None else rows
    size = _COARSE_SIZE if size is None else size
    if n <= max(rows, size):
        return None
    return np.sort(np.random.default_rng(20_000).choice(n, size, replace=False))


def memo_hessian(hessian: Callable) -> Callable:
    """``hessian`` remembering its last result: the flat-direction check and the
    covariance both want the Hessian at the final estimate."""
    last: list = [None, None]

    def cached(theta):
        key = np.asarray(theta, dtype=float).tobytes()
        if last[0] != key:
            last[0], last[1] = key, hessian(theta)
        return last[1].copy()

    return cached


def _lbfgsb(fun: Callable, starts: Sequence[np.ndarray], *, first_success: bool):
    """(best L-BFGS-B result over the starts or None, total iterations)."""
    best = None
    total_iter = 0
    k = len(starts[0])
    bounds = [(-_LOG_BOUND, _LOG_BOUND)] * k
    for start in starts:
        with np.errstate(all="ignore"):
            res = minimize(
                fun,
                np.asarray(start, dtype=float),
                jac=True,
                method="L-BFGS-B",
                bounds=bounds,
                options={"maxiter": 2000, "ftol": 1e-15, "gtol": 1e-10, "maxcor": 20},
            )
        total_iter += int(res.nit)
        if np.isfinite(res.fun) and np.all(np.isfinite(res.x)) and (best is None or res.fun < best.fun):
            best = res
            if first_success and res.success and np.all(np.abs(res.x) < _LOG_BOUND - 1e-6):
                break
    return best, total_iter


def _minimize_inner(fun: Callable, starts: Sequence[np.ndarray], *, n_total: float, grad_tol: float,
                    hessian: Callable | None, first_success: bool) -> _Optimum:
    best, total_iter = _lbfgsb(fun, starts, first_success=first_success)
    if best is None:
        raise ModelError("the optimiser found no finite log-likelihood")
    return _finish(fun, best, total_iter, n_total=n_total, grad_tol=grad_tol, hessian=hessian)


def _finish(fun: Callable, best, total_iter: int, *, n_total: float, grad_tol: float,
            hessian: Callable | None) -> _Optimum:
    """Newton polish and the checks, from the best L-BFGS-B result."""
    with np.errstate(all="ignore"):
        # with a value-based Hessian (costly models, noisy gradients) two steps are plenty
        theta, value, grad, hess = _newton_polish(fun, np.asarray(best.x, dtype=float), hessian=hessian,
                                                  steps=6 if hessian is None else 2)
        known = hessian if hess is None else (lambda th: hess)  # the polish's Hessian is at theta
        flat = _flat_direction(fun, theta, value, n_total, known) if np.isfinite(value) else None
    at_bound = np.abs(theta) >= _LOG_BOUND - 1e-6
    ok = bool(
        np.isfinite(value)
        and np.all(np.isfinite(grad))
        and np.max(np.abs(grad)) < grad_tol
        and not at_bound.any()
        and flat is None
    )
    return _Optimum(
        theta=theta, value=float(value), iterations=total_iter, converged=ok, message=str(best.message), flat=flat,
        hess=hess,
    )


def _check_optimum(opt: _Optimum, names: Sequence[str], model: str) -> np.ndarray:
    params = np.exp(opt.theta)
    if not np.all(np.isfinite(params)) or not math.isfinite(opt.value):
        raise ModelError(f"the {model} fit produced non-finite estimates")
    at_bound = np.abs(opt.theta) >= _LOG_BOUND - 1e-6
    if at_bound.any():
        which = ", ".join(
            f"{n} -> {'0' if t < 0 else 'infinity'}" for n, t, b in zip(names, opt.theta, at_bound) if b
        )
        raise ModelError(
            f"the {model} fit did not converge: the estimates run off to the edge ({which})",
            hint="the data do not identify the model; more customers or a longer calibration period may help",
        )
    if opt.flat is not None:
        loose = [n for n, c in zip(names, opt.flat) if abs(c) > 0.3]
        which = loose[0] if len(loose) == 1 else ", ".join(loose[:-1]) + " and " + loose[-1]
        raise ModelError(
            f"the {model} fit did not converge: the data do not pin down {which}",
            hint="the likelihood is flat along a ridge; more data, or more variation between customers, is needed",
        )
    if not opt.converged:
        raise ModelError(f"the {model} fit did not converge ({opt.message})")
    return params


def _scalar_or_array(value: np.ndarray, *inputs) -> float | np.ndarray:
    if value.ndim == 0 or (value.size == 1 and all(np.ndim(i) == 0 for i in inputs)):
        return float(value.reshape(()))
    return value


def _log_covariance(fun: Callable, theta: np.ndarray, n_total: float, h: float = 1e-5,
                    hess: np.ndarray | None = None) -> np.ndarray | None:
    """Covariance of the log-parameter estimates from the observed information.

    ``fun`` is the mean negative log-likelihood with its analytic gradient on
    the log scale; the observed information is ``n_total`` times its Hessian
    at the maximum, taken by central finite differences of the gradient. Its
    inverse is the asymptotic covariance of log(params). None when the
    Hessian is not positive definite (the maximum is not a proper peak).
    ``hess``, when given, is that Hessian of ``fun`` at ``theta`` already
    computed (an optimum's ``hess``), so the gradient is not differenced again.
    """
    with single_threaded(), np.errstate(all="ignore"):
        if hess is None:
            hess = _hessian(fun, np.asarray(theta, dtype=float), h)
        info = np.asarray(hess, dtype=float) * float(n_total)
        if not np.all(np.isfinite(info)):
            return None
        try:
            np.linalg.cholesky(info)
            cov = np.linalg.inv(info)
        except np.linalg.LinAlgError:
            return None
    cov = 0.5 * (cov + cov.T)
    if not np.all(np.isfinite(cov)) or np.any(np.diag(cov) <= 0):
        return None
    return cov


def _standard_errors(params: dict[str, float], covariance) -> dict[str, float] | None:
    """Delta method: se(p) = p * se(log p) = p * sqrt(cov_log[i, i])."""
    if covariance is None:
        return None
    cov = np.asarray(covariance, dtype=float)
    return {name: float(value * math.sqrt(cov[i, i])) for i, (name, value) in enumerate(params.items())}


def _as_tuple(cov: np.ndarray | None):
    return None if cov is None else tuple(tuple(float(v) for v in row) for row in cov)


class FitMixin:
    """Shared behaviour of the fitted-parameter dataclasses.

    Subclasses are frozen dataclasses with one field per parameter (named in
    ``_names``), and ``log_likelihood``, ``converged``, ``iterations``,
    ``n_customers`` and ``covariance`` (of the log parameters, or None).
    """

    _names: tuple[str, ...] = ()
    _model: str = ""
    _title: str = ""

    @classmethod
    def coerce(cls, params) -> tuple[float, ...]:
        """Checked parameter values from a fit, a dict by name or a sequence in order."""
        if isinstance(params, cls):
            return params.values
        if isinstance(params, dict):
            params = tuple(params[n] for n in cls._names)
        return cls(*(float(v) for v in params)).values

    def _validate(self) -> None:
        for name in self._names:
            value = getattr(self, name)
            if not (isinstance(value, (int, float, np.floating, np.integer)) and math.isfinite(value) and value > 0):
                raise ModelError(f"{self._title} parameter {name} must be a positive number, not {value!r}")

    @property
    def params(self) -> dict[str, float]:
        """The parameters as plain floats."""
        return {n: float(getattr(self, n)) for n in self._names}

    @property
    def values(self) -> tuple[float, ...]:
        """The parameters as a tuple, in the model's order."""
        return tuple(float(getattr(self, n)) for n in self._names)

    @property
    def standard_errors(self) -> dict[str, float] | None:
        """Asymptotic standard errors (observed information, delta method); None if unavailable."""
        return _standard_errors(self.params, self.covariance)

    def as_dict(self) -> dict:
        """Plain JSON-ready dict: model, params, standard_errors, log_likelihood, converged, iterations, n_customers."""
        return {
            "model": self._model,
            "params": self.params,
            "standard_errors": self.standard_errors,
            "log_likelihood": None if self.log_likelihood is None else float(self.log_likelihood),
            "converged": bool(self.converged),
            "iterations": int(self.iterations),
            "n_customers": int(self.n_customers),
        }


def _value_objective(loglik: Callable, cols: Sequence[np.ndarray], w: np.ndarray, k: int, h: float = 1e-5):
    """(mean negative log-likelihood, central-difference gradient) on the log scale, for
    models whose gradient has no convenient closed form. ``loglik(params, *cols)`` gives
    per-row log-likelihoods; ``w`` the row weights. Also returns the value function."""
    wsum = float(w.sum())

    def value(theta) -> float:
        with np.errstate(all="ignore"):
            ll = loglik(np.exp(theta), *cols)
            v = -float(np.multiply(w, ll).sum()) / wsum
        return v if math.isfinite(v) else math.inf

    def fun(theta):
        theta = np.asarray(theta, dtype=float)
        v = value(theta)
        if not math.isfinite(v):
            return np.inf, np.zeros(k)
        g = np.empty(k)
        for j in range(k):
            e = np.zeros(k)
            e[j] = h
            g[j] = (value(theta + e) - value(theta - e)) / (2 * h)
        if not np.all(np.isfinite(g)):
            return np.inf, np.zeros(k)
        return v, g

    return fun, value


def _value_hessian(value: Callable, theta: np.ndarray, h: float = 1e-4) -> np.ndarray:
    """Hessian of ``value`` by second differences of function values."""
    theta = np.asarray(theta, dtype=float)
    k = theta.size
    H = np.empty((k, k))
    with np.errstate(all="ignore"):
        f0 = value(theta)
        for i in range(k):
            ei = np.eye(k)[i] * h
            H[i, i] = (value(theta + ei) - 2 * f0 + value(theta - ei)) / h**2
            for j in range(i):
                ej = np.eye(k)[j] * h
                H[i, j] = H[j, i] = (value(theta + ei + ej) - value(theta + ei - ej) - value(theta - ei + ej)
                                     + value(theta - ei - ej)) / (4 * h * h)
    return H


def _log_covariance_values(value: Callable, theta: np.ndarray, n_total: float, h: float = 1e-4,
                           hessian: Callable | None = None) -> np.ndarray | None:
    """As :func:`_log_covariance`, from second differences of the mean negative log-likelihood values
    (``hessian(theta)``, when given, is that Hessian with step ``h``, e.g. a cached one)."""
    with np.errstate(all="ignore"):
        info = (_value_hessian(value, theta, h) if hessian is None else hessian(theta)) * float(n_total)
        if not np.all(np.isfinite(info)):
            return None
        try:
            np.linalg.cholesky(info)
            cov = np.linalg.inv(info)
        except np.linalg.LinAlgError:
            return None
    cov = 0.5 * (cov + cov.T)
    if not np.all(np.isfinite(cov)) or np.any(np.diag(cov) <= 0):
        return None
    return cov
