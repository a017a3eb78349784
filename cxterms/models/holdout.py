"""Calibration / holdout validation of a purchase model (the Fader-Hardie protocol).

Split a transaction log at ``calibration_end``: fit on the calibration
period, predict each customer's repeat purchases over the holdout period
(``calibration_end`` < day <= ``holdout_end``) and compare with what they did:

* **by frequency**: per number of calibration repeat purchases (0, 1, ...,
  7+), the mean predicted and the mean actual holdout purchases;
* **tracking**: per time unit since the first date in the log, the actual
  repeat purchases of the calibration customers and the model's expectation
  sum_i E[X(t - s_i)] (s_i = customer i's first purchase), incremental and
  cumulative, over calibration and holdout;
* **errors**: per-customer MAE and RMSE of predicted vs actual holdout
  purchases, the aggregate bias in % (sum predicted / sum actual - 1), and
  the Pearson correlation.

Customers whose first purchase falls in the holdout period are not part of
the calibration cohort: they are left out and counted.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from cxterms.errors import DataError, EmptyDataError, UsageError
from cxterms.models.bgnbd import _compress
from cxterms.models.rfm import RFMData, _Log, _readonly, unit_days

__all__ = ["SplitLog", "split_log", "validate", "Validation", "FREQUENCY_CAP"]

#: the by-frequency table groups 7 or more calibration repeat purchases
FREQUENCY_CAP = 7


@dataclass(frozen=True, eq=False)
class SplitLog:
    """A log split at the calibration end.

    ``calibration``: the RFM summary of the calibration period (customers
    first seen on or before ``calibration_end``); ``holdout``: each of those
    customers' transactions (distinct purchase days) in the holdout period;
    ``first_day`` and ``repeat_days``: day ordinals of each customer's first
    purchase and of all repeat purchases up to ``holdout_end`` (for tracking).
    """

    calibration: RFMData
    holdout: np.ndarray
    first_day: np.ndarray
    repeat_days: np.ndarray
    origin: int
    calibration_end: datetime.date
    holdout_end: datetime.date
    new_in_holdout: int
    ignored_after_holdout: int

    @property
    def holdout_length(self) -> float:
        """Length of the holdout period in the summary's unit."""
        return (self.holdout_end - self.calibration_end).days / unit_days(self.calibration.unit)


def split_log(rows: Iterable[Sequence], *, unit: str, calibration_end: datetime.date,
              holdout_end: datetime.date) -> SplitLog:
    """Split ``(customer, day, amount)`` rows (amount may be None) at ``calibration_end``.

    holdout_end <= calibration_end -> UsageError; no customer in the
    calibration period -> EmptyDataError; a non-date day or a non-finite
    amount -> DataError naming the row. Summaries follow
    :func:`cxterms.models.rfm.summarize_transactions`.

    >>> from datetime import date
    >>> log = [("a", date(2024, 1, 1), 5.0), ("a", date(2024, 1, 8), 5.0), ("a", date(2024, 1, 20), 5.0),
    ...        ("b", date(2024, 1, 3), 7.0), ("c", date(2024, 1, 16), 1.0)]
    >>> s = split_log(log, unit="week", calibration_end=date(2024, 1, 14), holdout_end=date(2024, 1, 28))
    >>> s.calibration.customer_ids, s.calibration.frequency.tolist(), s.holdout.tolist(), s.new_in_holdout
    (['a', 'b'], [1.0, 0.0], [1.0, 0.0], 1)
    """
    u = unit_days(unit)
    for name, value in (("calibration end", calibration_end), ("holdout end", holdout_end)):
        if not isinstance(value, datetime.date):
            raise UsageError(f"the {name} must be a date, not {value!r}")
    end, hend = calibration_end.toordinal(), holdout_end.toordinal()
    if hend <= end:
        raise UsageError(f"the holdout end {holdout_end} must be after the calibration end {calibration_end}")
    days: dict[str, dict[int, float]] = {}
    ignored = 0
    log = _Log(rows)
    for cid, d, value in log:
        if d > hend:
            ignored += 1
            continue
        per = days.setdefault(cid, {})
        per[d] = per.get(d, 0.0) + value
    with_amounts, n_rows = log.with_amounts, log.rows
    if n_rows == 0:
        raise EmptyDataError("no transactions to summarise")
    ids, freq, rec, age, money, hold, first, repeats = [], [], [], [], [], [], [], []
    new = 0
    for cid, per in days.items():
        f = min(per)
        if f > end:
            new += 1
            continue
        cal = [d for d in per if d <= end]
        last = max(cal)
        ids.append(cid)
        freq.append(len(cal) - 1)
        rec.append((last - f) / u)
        age.append((end - f) / u)
        if with_amounts:
            money.append(math.fsum(per[d] for d in cal if d != f) / (len(cal) - 1) if len(cal) > 1 else 0.0)
        hold.append(len(per) - len(cal))
        first.append(f)
        repeats.extend(d for d in per if d != f)
    if not ids:
        raise EmptyDataError(f"no customer made a purchase on or before the calibration end {calibration_end}")
    n_cal = sum(freq) + len(freq)
    calibration = RFMData(
        customer_ids=ids,
        frequency=_readonly(np.asarray(freq, dtype=float)),
        recency=_readonly(np.asarray(rec, dtype=float)),
        T=_readonly(np.asarray(age, dtype=float)),
        monetary_value=_readonly(np.asarray(money, dtype=float)) if with_amounts else None,
        unit=unit,
        calibration_end=calibration_end,
        ignored_after_end=0,
        rows=n_rows,
        transactions=int(n_cal),
    )
    first_arr = np.asarray(first, dtype=np.int64)
    return SplitLog(
        calibration=calibration,
        holdout=np.asarray(hold, dtype=float),
        first_day=first_arr,
        repeat_days=np.asarray(repeats, dtype=np.int64),
        origin=int(first_arr.min()),
        calibration_end=calibration_end,
        holdout_end=holdout_end,
        new_in_holdout=new,
        ignored_after_holdout=ignored,
    )


@dataclass(frozen=True, eq=False)
class Validation:
    """Holdout comparison (see the module doc); ``predicted`` is per customer."""

    predicted: np.ndarray
    actual: np.ndarray
    by_frequency: list[dict]
    tracking: list[dict]
    errors: dict

    def as_dict(self) -> dict:
        return {"errors": self.errors, "by_frequency": self.by_frequency, "tracking": self.tracking}


def _errors(pred: np.ndarray, actual: np.ndarray) -> dict:
    diff = pred - actual
    total = float(actual.sum())
    corr = None
    if pred.size > 1 and np.ptp(pred) > 0 and np.ptp(actual) > 0:
        value = float(np.corrcoef(pred, actual)[0, 1])
        corr = value if math.isfinite(value) else None
    return {
        "customers": int(pred.size),
        "actual_total": total,
        "predicted_total": float(pred.sum()),
        "mae": float(np.abs(diff).mean()),
        "rmse": float(math.sqrt(float((diff * diff).mean()))),
        "bias_percent": 100.0 * (float(pred.sum()) / total - 1.0) if total > 0 else None,
        "correlation": corr,
    }


def validate(spec, fit, split: SplitLog) -> Validation:
    """Compare ``fit`` (of model ``spec``, fitted on ``split.calibration``) with the holdout."""
    cal = split.calibration
    u = unit_days(cal.unit)
    x, tx, T = cal.frequency, cal.recency, cal.T
    pred = np.asarray(spec.expected(fit, split.holdout_length, x, tx, T), dtype=float).reshape(-1)
    actual = split.holdout
    if not np.all(np.isfinite(pred)):
        raise DataError("the holdout predictions are not finite")
    by_freq = []
    for k in range(FREQUENCY_CAP + 1):
        mask = (x == k) if k < FREQUENCY_CAP else (x >= k)
        n = int(mask.sum())
        by_freq.append({
            "repeat_purchases": f"{k}+" if k == FREQUENCY_CAP else str(k),
            "customers": n,
            "actual_mean": float(actual[mask].mean()) if n else None,
            "predicted_mean": float(pred[mask].mean()) if n else None,
        })
    # tracking: periods of the unit from the first date in the log to the holdout end
    origin, end, hend = split.origin, split.calibration_end.toordinal(), split.holdout_end.toordinal()
    n_periods = math.ceil((hend - origin + 1) / u)
    bounds = np.minimum(origin + np.round(np.arange(1, n_periods + 1) * u).astype(np.int64), hend + 1)  # exclusive
    actual_cum = np.searchsorted(np.sort(split.repeat_days), bounds, side="left").astype(float)
    (starts,), weights, _ = _compress(split.first_day.astype(float))
    pred_cum = np.zeros(n_periods)
    for k, b in enumerate(bounds):
        elapsed = np.maximum((b - 1 - starts) / u, 0.0)
        pred_cum[k] = float(np.asarray(spec.unconditional(fit, elapsed), dtype=float).reshape(-1) @ weights)
    tracking = []
    prev_a = prev_p = 0.0
    for k, b in enumerate(bounds):
        period_start = origin if k == 0 else int(bounds[k - 1])
        tracking.append({
            "period": k + 1,
            "start": datetime.date.fromordinal(period_start).isoformat(),
            "phase": "calibration" if b - 1 <= end else "holdout",
            "actual_incremental": float(actual_cum[k] - prev_a),
            "predicted_incremental": float(pred_cum[k] - prev_p),
            "actual_cumulative": float(actual_cum[k]),
            "predicted_cumulative": float(pred_cum[k]),
        })
        prev_a, prev_p = actual_cum[k], pred_cum[k]
    return Validation(predicted=pred, actual=actual, by_frequency=by_freq, tracking=tracking,
                      errors=_errors(pred, actual))
