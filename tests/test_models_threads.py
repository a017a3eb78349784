"""BLAS / OpenMP pools are kept to one thread inside the fits, unless the user chose a count."""

import os
import subprocess
import sys

import pytest

pytest.importorskip("numpy")
pytest.importorskip("scipy")
threadpoolctl = pytest.importorskip("threadpoolctl")

import numpy as np  # noqa: E402

from cxterms.models import _optim, _threads  # noqa: E402


def blas_threads():
    return [p["num_threads"] for p in threadpoolctl.threadpool_info() if p["user_api"] == "blas"]


def test_fits_run_single_threaded(monkeypatch):
    for var in _threads.THREAD_VARS:
        monkeypatch.delenv(var, raising=False)
    seen = []

    def fun(theta):
        seen.extend(blas_threads())
        return float(theta @ theta), 2 * theta

    with threadpoolctl.threadpool_limits(limits=2):
        opt = _optim._minimize(fun, [np.array([1.0, -2.0])], n_total=1.0)
        after = blas_threads()
    assert seen and set(seen) == {1}
    assert opt.converged and np.allclose(opt.theta, 0, atol=1e-6)
    # the limit is lifted afterwards
    assert set(after) == {2}


def test_user_setting_is_respected(monkeypatch):
    monkeypatch.setenv("OMP_NUM_THREADS", "2")
    assert _threads.user_setting()
    with threadpoolctl.threadpool_limits(limits=2):
        before = blas_threads()
        with _threads.single_threaded():
            inside = blas_threads()
    assert inside == before


def test_environment_defaults_without_threadpoolctl(tmp_path):
    # a fresh interpreter in which threadpoolctl cannot be imported: prepare()
    # sets the thread variables to 1 before numpy loads, but keeps a user's value
    code = (
        "import sys; sys.modules['threadpoolctl'] = None\n"
        "import os\n"
        "from cxterms.models import require\n"
        "require()\n"
        "print(os.environ['OPENBLAS_NUM_THREADS'], os.environ['MKL_NUM_THREADS'])\n"
    )
    env = {k: v for k, v in os.environ.items() if k not in _threads.THREAD_VARS}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["1", "1"]
    env["MKL_NUM_THREADS"] = "3"
    code = code.replace("print(os.environ['OPENBLAS_NUM_THREADS'], ", "print(os.environ.get('OPENBLAS_NUM_THREADS'), ")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["None", "3"]
