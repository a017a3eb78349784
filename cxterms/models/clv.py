"""Predictive customer lifetime value: BG/NBD transactions x Gamma-Gamma spend.

Time-unit convention, stated plainly: ``horizon`` and ``discount_rate`` are in
the time unit the BG/NBD model was fitted in (the ``unit`` of the RFM summary,
see :mod:`cxterms.models.rfm`). With weekly data, ``horizon=52`` is a year and
``discount_rate`` is a *weekly* rate: a 10 % yearly rate is about
``1.10 ** (1 / 52) - 1 = 0.00183`` per week, not 0.10. Passing a monthly or
yearly rate with weekly units over-discounts enormously.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from cxterms.errors import DataError, UsageError
from cxterms.models.bgnbd import BGNBDFit, _compress, _prediction_columns, expected_transactions
from cxterms.models.gamma_gamma import GammaGammaFit, expected_average_value

__all__ = ["CLVPrediction", "predicted_clv", "convert_rate"]


def convert_rate(rate: float, periods: float) -> float:
    """Turn a rate per long period into the equivalent rate per short unit.

    ``(1 + rate) ** (1 / periods) - 1``, e.g. a yearly rate to a weekly one with
    ``periods=52``. A rate <= -1 or periods <= 0 -> UsageError.

    >>> round(convert_rate(0.10, 52), 6)
    0.001835
    """
    if not (math.isfinite(rate) and rate > -1.0 and math.isfinite(periods) and periods > 0):
        raise UsageError("convert_rate needs rate > -1 and periods > 0")
    return (1.0 + rate) ** (1.0 / periods) - 1.0


@dataclass(frozen=True, eq=False)
class CLVPrediction:
    """Per-customer predictions over ``horizon`` time units.

    ``expected_transactions``: E[Y(horizon) | x, t_x, T] (undiscounted);
    ``expected_average_value``: E[M | x, m_x]; ``clv``: discounted value
    (see :func:`predicted_clv`). Arrays are aligned with the input customers.
    """

    expected_transactions: np.ndarray
    expected_average_value: np.ndarray
    clv: np.ndarray
    horizon: float
    discount_rate: float
    margin: float = 1.0

    @property
    def total_clv(self) -> float:
        """Sum of CLV over customers."""
        return float(self.clv.sum())

    def as_dict(self) -> dict:
        """Plain JSON-ready dict: settings, totals and per-customer lists."""
        return {
            "horizon": float(self.horizon),
            "discount_rate": float(self.discount_rate),
            "margin": float(self.margin),
            "customers": int(self.clv.shape[0]),
            "total_clv": self.total_clv,
            "total_expected_transactions": float(self.expected_transactions.sum()),
            "expected_transactions": self.expected_transactions.tolist(),
            "expected_average_value": self.expected_average_value.tolist(),
            "clv": self.clv.tolist(),
        }


def predicted_clv(
    bgnbd_fit: BGNBDFit,
    gg_fit: GammaGammaFit,
    frequency,
    recency,
    T,
    monetary_value,
    *,
    horizon: float,
    discount_rate: float = 0.0,
    margin: float = 1.0,
    expected=None,
) -> CLVPrediction:
    """CLV of each customer over ``horizon`` time units, discounted per unit.

    With E[Y(t)] the conditional expected transactions of
    :func:`~cxterms.models.bgnbd.expected_transactions`, E[M] the expected
    average value of :func:`~cxterms.models.gamma_gamma.expected_average_value`,
    d = ``discount_rate`` (per time unit) and t_k = min(k, horizon)::

        CLV = margin * E[M] * sum_{k=1}^{ceil(horizon)} (E[Y(t_k)] - E[Y(t_{k-1})]) / (1 + d)^k

    i.e. the transactions expected in unit k are discounted to the end of that
    unit (the last, partial unit is clipped at the horizon). With d = 0 this is
    margin * E[M] * E[Y(horizon)]; ``margin`` (0 < margin <= 1, default 1)
    turns revenue into profit. ``expected`` is the conditional-expectation
    function of the purchase model (default: BG/NBD's; any model of
    :mod:`cxterms.models.registry` works). The time unit is the one the BG/NBD model was fitted
    in: a weekly fit needs a weekly discount rate (see :func:`convert_rate`).

    horizon <= 0, discount_rate <= -1 or margin outside (0, 1] -> UsageError; invalid customer data
    (including a monetary_value column of the wrong length) -> DataError;
    q <= 1 in the spend fit -> ModelError. The work grows with ceil(horizon)
    when d > 0 (one forecast per time unit), so daily units over many years
    are slower than weekly or monthly ones.

    >>> bg = BGNBDFit(r=0.243, alpha=4.414, a=0.793, b=2.426)
    >>> gg = GammaGammaFit(p=6.25, q=3.74, gamma=15.44)
    >>> res = predicted_clv(bg, gg, [2, 0], [30.43, 0.0], [38.86, 38.86], [20.0, 0.0], horizon=39)
    >>> [round(float(v), 2) for v in res.clv]
    [27.88, 6.87]
    """
    h = float(horizon)
    d = float(discount_rate)
    if not (math.isfinite(h) and h > 0):
        raise UsageError(f"the CLV horizon must be a positive number of time units, not {horizon!r}")
    if not (math.isfinite(d) and d > -1.0):
        raise UsageError(f"the discount rate must be greater than -1, not {discount_rate!r}")
    g = float(margin)
    if not (math.isfinite(g) and 0.0 < g <= 1.0):
        raise UsageError(f"the margin must be in (0, 1], not {margin!r}")
    x, tx, age = _prediction_columns(frequency, recency, T)
    x, tx, age = x.ravel(), tx.ravel(), age.ravel()
    try:
        spend = np.broadcast_to(np.asarray(monetary_value, dtype=float), x.shape)
    except ValueError:
        raise DataError("monetary_value must have one value per customer") from None
    value = np.asarray(expected_average_value(gg_fit, x, spend), dtype=float).reshape(x.shape)
    expect = expected_transactions if expected is None else expected
    # Identical (x, t_x, T) rows share their transaction forecast.
    (ux, utx, ut), _, inverse = _compress(x, tx, age)

    def forecast(t: float) -> np.ndarray:
        return np.asarray(expect(bgnbd_fit, t, ux, utx, ut), dtype=float).reshape(ux.shape)

    if d == 0.0:
        previous = discounted = forecast(h)
    else:
        # one evaluation per time unit: the cost grows with ceil(horizon)
        previous = np.zeros(ux.shape[0])
        discounted = np.zeros(ux.shape[0])
        for k in range(1, math.ceil(h) + 1):
            current = forecast(min(float(k), h))
            discounted = discounted + (current - previous) / (1.0 + d) ** k
            previous = current
    transactions = previous[inverse]
    clv = g * value * discounted[inverse]
    return CLVPrediction(
        expected_transactions=transactions,
        expected_average_value=value,
        clv=clv,
        horizon=h,
        discount_rate=d,
        margin=g,
    )
