"""Keep BLAS / OpenMP thread pools to one thread while the models compute.

The fits evaluate small vectors and 4x4 matrices thousands of times; a
threaded BLAS hands each tiny call to its worker threads, and on a busy
machine the hand-offs cost far more than the arithmetic (a 0.02 s fit took
0.7 s). So, unless the user has set a thread count themselves:

* with threadpoolctl installed, the fits run inside ``limit(limits=1)``;
* without it, :func:`prepare` (called before numpy is first imported) sets the
  usual environment variables to 1 with ``os.environ.setdefault``.

An explicit setting of any of the variables below wins: then nothing is
changed.
"""

from __future__ import annotations

import contextlib
import os
import sys

#: environment variables through which a user chooses BLAS / OpenMP thread counts
THREAD_VARS = (
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "BLIS_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS",
    "NUMEXPR_NUM_THREADS",
)

_controller = None
_we_set_env = False


def user_setting() -> bool:
    """True when the user chose a thread count through the environment."""
    return not _we_set_env and any(os.environ.get(v, "").strip() for v in THREAD_VARS)


def _have_threadpoolctl() -> bool:
    try:
        import threadpoolctl  # noqa: F401
    except ImportError:
        return False
    return True


def prepare() -> None:
    """Before numpy loads: without threadpoolctl, default the thread variables to 1."""
    global _we_set_env
    if "numpy" in sys.modules or user_setting() or _have_threadpoolctl():
        return
    for var in THREAD_VARS:
        os.environ.setdefault(var, "1")
    _we_set_env = True


def single_threaded():
    """Context manager limiting BLAS / OpenMP pools to one thread (see the module doc).

    >>> with single_threaded():
    ...     pass
    """
    global _controller
    if user_setting():
        return contextlib.nullcontext()
    if _controller is None:
        try:
            from threadpoolctl import ThreadpoolController
        except ImportError:
            return contextlib.nullcontext()
        _controller = ThreadpoolController()
    return _controller.limit(limits=1)
