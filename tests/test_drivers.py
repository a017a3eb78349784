"""Key driver analysis: relative weights against independent computations, the CLI."""

import csv
import json
import sys

import pytest

np = pytest.importorskip("numpy")
scipy_linalg = pytest.importorskip("scipy.linalg")

from cxterms.errors import DataError  # noqa: E402
from cxterms.models.drivers import analyse, relative_weights  # noqa: E402


def independent_weights(x, y):
    """Johnson's weights the long way: rotate the standardised drivers to
    their closest orthonormal counterparts Z = X R^-1/2, regress y on Z,
    and share each coefficient out by the squared loadings of X on Z."""
    xs = (x - x.mean(0)) / x.std(0)
    ys = (y - y.mean()) / y.std()
    r = np.corrcoef(x, rowvar=False)
    root = np.real(scipy_linalg.sqrtm(r))
    z = xs @ np.linalg.inv(root)
    beta, *_ = np.linalg.lstsq(z, ys, rcond=None)
    loadings = np.array([[np.corrcoef(x[:, j], z[:, k])[0, 1] for k in range(x.shape[1])] for j in range(x.shape[1])])
    return (loadings ** 2) @ (beta ** 2)


def r_squared(x, y):
    a = np.column_stack([np.ones(len(x)), x])
    coef, *_ = np.linalg.lstsq(a, y, rcond=None)
    resid = y - a @ coef
    return 1 - resid @ resid / ((y - y.mean()) @ (y - y.mean()))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_weights_match_independent_computation_and_sum_to_r2(seed):
    rng = np.random.default_rng(seed)
    n, k = 300, 4
    base = rng.normal(size=(n, 1))
    x = base + rng.normal(size=(n, k)) * rng.uniform(0.3, 2, k)  # correlated drivers
    y = x @ rng.uniform(-1, 2, k) + rng.normal(size=n) * 2
    w, r2 = relative_weights(x, y)
    assert np.allclose(w, independent_weights(x, y), atol=1e-9)
    assert r2 == pytest.approx(r_squared(x, y), abs=1e-10)
    assert sum(w) == pytest.approx(r2, abs=1e-12) and min(w) >= 0


def test_orthogonal_drivers_get_their_squared_correlations():
    # a 2^3 full factorial design: the three drivers are exactly uncorrelated
    levels = np.array([[a, b, c] for a in (1, 5) for b in (1, 5) for c in (1, 5)] * 5, dtype=float)
    rng = np.random.default_rng(3)
    y = levels @ [0.9, 0.4, 0.1] + rng.normal(size=len(levels))
    assert np.allclose(np.corrcoef(levels, rowvar=False), np.eye(3), atol=1e-12)
    w, _ = relative_weights(levels, y)
    squared = [np.corrcoef(levels[:, j], y)[0, 1] ** 2 for j in range(3)]
    assert np.allclose(w, squared, atol=1e-12)


def test_hand_example():
    w, r2 = relative_weights([[1, 0], [2, 1], [3, 0], [4, 1]], [1, 3, 3, 5])
    assert w == pytest.approx([0.7, 0.3]) and r2 == pytest.approx(1.0)


@pytest.mark.parametrize(
    "x, y, message",
    [
        ([[1, 3], [2, 3], [3, 3], [4, 3], [5, 3]], [1, 2, 2, 4, 5], "constant driver"),
        ([[1, 2], [2, 4], [3, 6], [4, 8], [5, 10]], [1, 2, 2, 4, 5], "collinear drivers"),
        ([[1, 2], [2, 1], [3, 5], [4, 2], [5, 1]], [3, 3, 3, 3, 3], "outcome is constant"),
    ],
)
def test_degenerate_inputs_are_clear_errors(x, y, message):
    with pytest.raises(DataError, match=message):
        relative_weights(x, y)


def test_bootstrap_is_reproducible_and_brackets_the_estimate():
    rng = np.random.default_rng(7)
    x = rng.integers(1, 6, size=(200, 3)).astype(float)
    y = x @ [1.0, 0.5, 0.0] + rng.normal(size=200)
    a = analyse(["a", "b", "c"], x, y, outcome="y", bootstrap=200, seed=11)
    b = analyse(["a", "b", "c"], x, y, outcome="y", bootstrap=200, seed=11)
    c = analyse(["a", "b", "c"], x, y, outcome="y", bootstrap=200, seed=12)
    assert a.as_dict() == b.as_dict() and a.as_dict() != c.as_dict()
    for d in a.drivers:
        assert d.ci_low <= d.weight <= d.ci_high
    assert [d.name for d in a.drivers] == ["a", "b", "c"]  # by importance
    assert sum(d.share for d in a.drivers) == pytest.approx(100)


def test_quadrants():
    rng = np.random.default_rng(9)
    n = 500
    # "speed" matters most and scores low; "decor" barely matters and scores high
    speed = rng.integers(1, 4, n)
    decor = rng.integers(4, 6, n)
    staff = rng.integers(3, 6, n)
    y = 2 * speed + 1.5 * staff + 0.05 * decor + rng.normal(size=n)
    res = analyse(["speed", "decor", "staff"], np.column_stack([speed, decor, staff]), y, outcome="y", bootstrap=0)
    q = {d.name: d.quadrant for d in res.drivers}
    assert q == {"speed": "fix first", "staff": "keep up", "decor": "maybe overdoing"}
    assert all(d.ci_low is None for d in res.drivers) and res.seed is None


# -- CLI ----------------------------------------------------------------------

@pytest.fixture
def ratings(tmp_path):
    rng = np.random.default_rng(5)
    n = 300
    speed = rng.integers(1, 6, n)
    staff = np.clip(speed + rng.integers(-1, 2, n), 1, 5)
    price = rng.integers(1, 6, n)
    y = np.clip(np.round(1.2 * speed + 0.8 * staff + 0.2 * price + rng.normal(0, 1.5, n) - 1), 0, 10).astype(int)
    p = tmp_path / "ratings.csv"
    with open(p, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "speed", "staff", "price", "score", "comment"])
        for i in range(n):
            w.writerow([1000 + i, f"{speed[i]} - label" if i == 3 else speed[i], staff[i] if i % 37 else "N/A", price[i], y[i], "fine, thanks"])
    return p


def test_cli_json_defaults_to_rating_columns(run, ratings):
    r = run("drivers", ratings, "--outcome", "score", "-f", "json", "--bootstrap", "50")
    assert r.exit_code == 0, r.stderr
    d = json.loads(r.stdout)
    assert {x["name"] for x in d["drivers"]} == {"speed", "staff", "price"}  # not id, not comment
    assert d["dropped"] == 9 and d["n"] == 291 and d["bootstrap"] == 50 and d["seed"] == 1
    assert sum(x["weight"] for x in d["drivers"]) == pytest.approx(d["r_squared"])
    assert "drivers: speed, staff, price" in r.stderr and "9 rows with a missing answer" in r.stderr


@pytest.mark.parametrize("fmt", ["plain", "csv", "tsv", "rich"])
def test_cli_formats(run, ratings, fmt):
    r = run("drivers", ratings, "-o", "score", "--driver", "speed", "--driver", "price", "-f", fmt, "--bootstrap", "20")
    assert r.exit_code == 0, r.stderr and r.stdout
    assert "speed" in r.stdout and "staff" not in r.stdout
    if fmt == "csv":
        rows = list(csv.DictReader(r.stdout.splitlines()))
        assert [row["driver"] for row in rows][0] == "speed" and rows[0]["quadrant"]


@pytest.mark.parametrize(
    "args, code, text",
    [
        (["-o", "nope"], 1, "no --outcome column 'nope'"),
        (["-o", "score", "--driver", "score"], 2, "cannot also be a driver"),
        (["-o", "score", "--driver", "comment"], 1, "not a rating"),
        (["-o", "comment"], 1, "not a rating"),
        (["-o", "score", "--confidence", "2"], 2, "--confidence"),
    ],
)
def test_cli_errors(run, ratings, args, code, text):
    r = run("drivers", ratings, *args)
    assert r.exit_code == code and r.stdout == "" and text in r.stderr


def test_cli_without_numpy_gives_install_hint(run, ratings, monkeypatch):
    monkeypatch.setitem(sys.modules, "numpy", None)  # import numpy now raises ImportError
    r = run("drivers", ratings, "-o", "score")
    assert r.exit_code == 1 and "pip install 'cxterms[models]'" in r.stderr
