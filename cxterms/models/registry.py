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


#: name -> (title, parameter names, discrete). Each model lives in the module
#: of its name, with ``fit_<name>``, ``simulate_<name>``,
#: ``expected_transactions``, ``probability_alive`` and
#: ``expected_transactions_unconditional``.
_TABLE: dict[str, tuple[str, tuple[str, ...], bool]] = {
    "bgnbd": ("BG/NBD", ("r", "alpha", "a", "b"), False),
    "pareto": ("Pareto/NBD", ("r", "alpha", "s", "beta"), False),
    "mbgnbd": ("MBG/NBD", ("r", "alpha", "a", "b"), False),
    "bgbb": ("BG/BB", ("alpha", "beta", "gamma", "delta"), True),
}
#: the continuous-time models that ``--model auto`` compares
CONTINUOUS: tuple[str, ...] = ("bgnbd", "pareto", "mbgnbd")
MODELS: tuple[str, ...] = tuple(_TABLE)


def get(name: str) -> ModelSpec:
    """The :class:`ModelSpec` called ``name`` (KeyError if unknown).

    >>> get("bgnbd").title
    'BG/NBD'
    """
    import importlib

    title, names, discrete = _TABLE[name]
    m = importlib.import_module(f"cxterms.models.{name}")
    simulate = getattr(m, f"simulate_{name}")
    return ModelSpec(
        name=name,
        title=title,
        names=names,
        fit=getattr(m, f"fit_{name}"),
        expected=m.expected_transactions,
        alive=m.probability_alive,
        unconditional=m.expected_transactions_unconditional,
        simulate=lambda v, T, rng: simulate(*v, len(T), T, rng),
        discrete=discrete,
    )
