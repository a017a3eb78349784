"""One description per purchase model, so that the commands, the bootstrap,
the holdout validation and the model comparison treat them alike.

Every model works on the same per-customer summary: x = repeat transactions,
t_x = time of the last one, T = time observed since the first (for BG/BB,
x transactions in T = n discrete opportunities, t_x = the last one's index).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["ModelSpec", "MODELS", "get"]


@dataclass(frozen=True)
class ModelSpec:
    """What the generic code needs to know about one purchase model."""

    name: str  #: command-line name, e.g. "bgnbd"
    title: str  #: display name, e.g. "BG/NBD"
    names: tuple[str, ...]  #: parameter names in order
    fit: Callable  #: (x, t_x, T, *, initial=None) -> fit object (``params``, ``values``, ``log_likelihood``...)
    expected: Callable  #: (fit, t, x, t_x, T) -> E[Y(t) | x, t_x, T]
    alive: Callable  #: (fit, x, t_x, T) -> P(alive | x, t_x, T)
    unconditional: Callable  #: (fit, t) -> E[X(t)] for a customer just acquired
    simulate: Callable  #: (values, T array, rng) -> (x, t_x, T)
    discrete: bool = False  #: True for BG/BB (whole periods)

    @property
    def n_params(self) -> int:
        return len(self.names)


def _bgnbd() -> ModelSpec:
    from cxterms.models import bgnbd as m

    return ModelSpec(
        name="bgnbd",
        title="BG/NBD",
        names=("r", "alpha", "a", "b"),
        fit=m.fit_bgnbd,
        expected=m.expected_transactions,
        alive=m.probability_alive,
        unconditional=m.expected_transactions_unconditional,
        simulate=lambda v, T, rng: m.simulate_bgnbd(*v, len(T), T, rng),
    )


def _pareto() -> ModelSpec:
    from cxterms.models import pareto as m

    return ModelSpec(
        name="pareto",
        title="Pareto/NBD",
        names=("r", "alpha", "s", "beta"),
        fit=m.fit_pareto,
        expected=m.expected_transactions,
        alive=m.probability_alive,
        unconditional=m.expected_transactions_unconditional,
        simulate=lambda v, T, rng: m.simulate_pareto(*v, len(T), T, rng),
    )


def _mbgnbd() -> ModelSpec:
    from cxterms.models import mbgnbd as m

    return ModelSpec(
        name="mbgnbd",
        title="MBG/NBD",
        names=("r", "alpha", "a", "b"),
        fit=m.fit_mbgnbd,
        expected=m.expected_transactions,
        alive=m.probability_alive,
        unconditional=m.expected_transactions_unconditional,
        simulate=lambda v, T, rng: m.simulate_mbgnbd(*v, len(T), T, rng),
    )


def _bgbb() -> ModelSpec:
    from cxterms.models import bgbb as m

    return ModelSpec(
        name="bgbb",
        title="BG/BB",
        names=("alpha", "beta", "gamma", "delta"),
        fit=m.fit_bgbb,
        expected=m.expected_transactions,
        alive=m.probability_alive,
        unconditional=m.expected_transactions_unconditional,
        simulate=lambda v, T, rng: m.simulate_bgbb(*v, len(T), T, rng),
        discrete=True,
    )


_FACTORIES: dict[str, Callable[[], ModelSpec]] = {"bgnbd": _bgnbd, "pareto": _pareto, "mbgnbd": _mbgnbd, "bgbb": _bgbb}
#: the continuous-time models that ``--model auto`` compares
CONTINUOUS: tuple[str, ...] = ("bgnbd", "pareto", "mbgnbd")
MODELS: tuple[str, ...] = tuple(_FACTORIES)


def get(name: str) -> ModelSpec:
    """The :class:`ModelSpec` called ``name`` (KeyError if unknown).

    >>> get("bgnbd").title
    'BG/NBD'
    """
    return _FACTORIES[name]()
