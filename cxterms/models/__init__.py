"""Probability models for customer-base analysis (the optional ``models`` extra).

* :mod:`cxterms.models.rfm` - transaction log -> frequency / recency / T summary
* :mod:`cxterms.models.bgnbd` - BG/NBD purchase model (Fader, Hardie & Lee 2005)
* :mod:`cxterms.models.gamma_gamma` - Gamma-Gamma spend model
* :mod:`cxterms.models.clv` - predictive CLV combining the two
* :mod:`cxterms.models.sbg` - shifted-beta-geometric retention model (contractual)

The submodules need numpy and scipy, which are an optional extra
(``pip install 'cxterms[models]'``). This package file imports neither, so
``import cxterms.models`` is always safe; call :func:`require` before importing
a submodule to turn a missing dependency into a one-line user message.
"""

from __future__ import annotations

from cxterms.errors import MissingDependencyError

__all__ = ["require"]


def require() -> None:
    """Check that numpy and scipy can be imported; return None if they can.

    Raises :class:`~cxterms.errors.MissingDependencyError` (with an install
    hint) when either is missing or broken.

    >>> require() is None
    True
    """
    from cxterms.models._threads import prepare

    prepare()  # before numpy loads: one BLAS thread unless the user chose otherwise
    try:
        import numpy  # noqa: F401
        import scipy  # noqa: F401
    except ImportError as exc:
        raise MissingDependencyError(
            "the probability models need numpy and scipy",
            hint="install them with: pip install 'cxterms[models]'",
        ) from exc
    return None
