"""The fast paths behind `clv --rfm` and the model fits give the same answers as the
plain ones: the C-speed summary reader against the cell-by-cell reader, and the
pattern-aggregated / analytic-gradient likelihoods against per-customer sums and
finite differences."""

import json
import math

import pytest

np = pytest.importorskip("numpy")
pytest.importorskip("scipy")


def js(r):
    assert r.exit_code == 0, r.stderr
    return json.loads(r.stdout)


def _summary(n, seed, ids=False):
    from cxterms.models.bgnbd import simulate_bgnbd

    rng = np.random.default_rng(seed)
    x, tx, T = simulate_bgnbd(0.243, 4.414, 0.793, 2.426, n, rng.uniform(27, 39, n), rng)
    m = np.where(x > 0, rng.gamma(3, 10, n), 0.0)
    head = ("id," if ids else "") + "frequency,recency,T,monetary_value\n"
    body = "".join((f"c{i}," if ids else "") + f"{int(a)},{b!r},{c!r},{d!r}\n"
                   for i, (a, b, c, d) in enumerate(zip(x.tolist(), tx.tolist(), T.tolist(), m.tolist())))
    return head + body


def _per_customer(run, path):
    return js(run("clv", path, "--rfm", "--per-customer", "-f", "json"))


@pytest.mark.parametrize("ids", [False, True])
def test_fast_reader_matches_cell_by_cell(run, tmp_path, ids):
    text = _summary(400, 7, ids)
    plain = tmp_path / "plain.csv"
    plain.write_text(text)
    # a quote anywhere sends the file through the cell-by-cell reader; same numbers, same result
    quoted = tmp_path / "quoted.csv"
    quoted.write_text(text.replace("frequency", '"frequency"', 1))
    a, b = _per_customer(run, plain), _per_customer(run, quoted)
    assert a == b and len(a) == 400
    if ids:
        assert a[3]["customer"] == "c3"


def test_fast_reader_columns_equal_float(tmp_path):
    """Both C parsers round every cell as float() does, skip blank lines, and refuse what is not plain."""
    from cxterms.cli.models import _arrow_columns, _numpy_columns

    rng = np.random.default_rng(3)
    vals = np.concatenate([rng.standard_normal(300) * 10.0 ** rng.integers(-300, 300, 300), [0.1, 5e-324, 1e308]])
    cells = [repr(float(v)) for v in vals] + ["1.", ".5", "+2", "1E-3"]
    data = ("\n".join(f"{c},{c},x{i}" for i, c in enumerate(cells)) + "\n\n").encode()
    expect = np.array([float(c) for c in cells])
    (va, vb), ids = _arrow_columns(data, ",", 3, [0, 1], 2)
    assert np.array_equal(va, expect) and np.array_equal(vb, expect) and ids[5] == "x5"
    (vn,), _ = _numpy_columns(data, ",", 3, [1])
    assert np.array_equal(vn, expect)
    for bad in (b"1,2,3\n1,,3\n", b"1,2,3\nNA,2,3\n", b"1,2,3\n 1 , ,3\n"):
        try:
            assert _arrow_columns(bad, ",", 3, [0, 1], None) is None
        except Exception:  # arrow refuses: the caller falls back to the cell-by-cell reader
            pass
        assert _numpy_columns(bad, ",", 3, [0, 1]) is None


def test_fast_reader_bad_cell_still_named(run, tmp_path):
    text = _summary(50, 1).splitlines()
    text[10] = "2,abc,30,5"
    f = tmp_path / "bad.csv"
    f.write_text("\n".join(text) + "\n")
    r = run("clv", f, "--rfm")
    assert r.exit_code == 1 and "bad.csv:11" in r.stderr and "'abc'" in r.stderr


def _bgnbd_data(n, seed):
    from cxterms.models.bgnbd import simulate_bgnbd

    rng = np.random.default_rng(seed)
    x, tx, T = simulate_bgnbd(0.243, 4.414, 0.793, 2.426, n, np.round(rng.uniform(27, 39, n)), rng)
    return x, np.round(tx), T  # whole weeks: many customers share a pattern


def test_bgnbd_pattern_aggregated_likelihood_equals_per_customer():
    from cxterms.models.bgnbd import _compress, _make_objective, log_likelihood_terms

    x, tx, T = _bgnbd_data(3000, 11)
    (ux, utx, ut), w, inverse = _compress(x, tx, T)
    assert w.shape[0] < 1500 and w.sum() == 3000
    assert np.array_equal(ux[inverse], x) and np.array_equal(utx[inverse], tx) and np.array_equal(ut[inverse], T)
    grouped = _make_objective(ux, utx, ut, w)
    single = _make_objective(x, tx, T, np.ones(3000))
    for p in ((0.243, 4.414, 0.793, 2.426), (2.0, 0.3, 5.0, 0.4), (0.01, 300.0, 0.05, 40.0)):
        th = np.log(p)
        direct = -float(np.mean(log_likelihood_terms(p, x, tx, T)))
        (vg, gg), (vs, gs) = grouped(th), single(th)
        assert vg == pytest.approx(direct, rel=1e-12) and vs == pytest.approx(direct, rel=1e-12)
        assert np.allclose(gg, gs, rtol=1e-10, atol=1e-14)


def test_bgnbd_gradient_matches_finite_differences():
    from cxterms.models.bgnbd import _compress, _make_objective

    x, tx, T = _bgnbd_data(40_000, 5)  # more rows than one block of the blocked sums
    (ux, utx, ut), w, _ = _compress(x, tx, T)
    fun = _make_objective(x, tx, T, np.ones(x.shape[0]))
    for p in ((0.243, 4.414, 0.793, 2.426), (1.5, 0.7, 3.0, 0.6)):
        th = np.log(p)
        _, g = fun(th)
        h = 1e-4  # values are means over 40,000 customers: smaller steps drown in rounding
        fd = np.array([(fun(th + h * e)[0] - fun(th - h * e)[0]) / (2 * h) for e in np.eye(4)])
        assert np.allclose(g, fd, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("size", [3000, 500])
def test_coarse_start_search_gives_the_same_fit(monkeypatch, size):
    """Above COARSE_ROWS distinct rows the starts are screened on a subsample and the full
    optimum is reached by Newton steps with the subsample's Hessian (half of the rows:
    they get there; 500 rows: their curvature is too far off, and L-BFGS-B takes over).
    Either way the optimum is the full one."""
    from cxterms.models import _optim
    from cxterms.models.bgnbd import expected_transactions, fit_bgnbd, probability_alive, simulate_bgnbd
    from cxterms.models.gamma_gamma import fit_gamma_gamma
    from cxterms.models.mbgnbd import fit_mbgnbd

    rng = np.random.default_rng(2)
    x, tx, T = simulate_bgnbd(0.243, 4.414, 0.793, 2.426, 6000, rng.uniform(27, 39, 6000), rng)
    m = np.where(x > 0, rng.gamma(6.0 * np.maximum(x, 1), 1 / (rng.gamma(4.0, 1 / 20.0, 6000) * np.maximum(x, 1))), 0.0)
    full, full_m, full_gg = fit_bgnbd(x, tx, T), fit_mbgnbd(x, tx, T), fit_gamma_gamma(x, m)
    monkeypatch.setattr(_optim, "COARSE_ROWS", 1000)
    monkeypatch.setattr(_optim, "_COARSE_SIZE", size)
    assert _optim.subsample(6000) is not None
    used = []
    chord = _optim._chord_steps
    monkeypatch.setattr(_optim, "_chord_steps", lambda *a, **k: used.append(chord(*a, **k)) or used[-1])
    quick, quick_m = fit_bgnbd(x, tx, T), fit_mbgnbd(x, tx, T)
    monkeypatch.setattr(_optim, "_COARSE_SIZE", size // 2)  # Gamma-Gamma: the 2,400 repeat buyers
    quick_gg = fit_gamma_gamma(x, m)
    assert len(used) == 3
    if size == 3000:
        assert all(u is not None for u in used)
        assert quick.iterations < full.iterations and quick_m.iterations < full_m.iterations
    else:
        assert None in used, [u if u is None else u.nit for u in used]  # a fallback ran
    for a, b in ((quick, full), (quick_m, full_m), (quick_gg, full_gg)):
        assert a.converged and np.allclose(a.values, b.values, rtol=1e-8)
        assert a.log_likelihood == pytest.approx(b.log_likelihood, rel=1e-12)
        assert np.allclose(a.covariance, b.covariance, rtol=1e-4)
    assert np.allclose(expected_transactions(quick, 52, x, tx, T), expected_transactions(full, 52, x, tx, T), rtol=1e-8, atol=1e-10)
    assert np.allclose(probability_alive(quick, x, tx, T), probability_alive(full, x, tx, T), rtol=1e-8, atol=1e-10)


def test_mbgnbd_blocked_objective_equals_per_customer_and_finite_differences():
    from cxterms.models.bgnbd import _compress
    from cxterms.models.mbgnbd import _objective, log_likelihood_terms

    x, tx, T = _bgnbd_data(40_000, 9)
    (ux, utx, ut), w, _ = _compress(x, tx, T)
    grouped, single = _objective(ux, utx, ut, w), _objective(x, tx, T, np.ones(x.shape[0]))
    for p in ((0.525, 6.183, 0.891, 1.614), (2.0, 0.5, 4.0, 0.3)):
        th = np.log(p)
        direct = -float(np.mean(log_likelihood_terms(p, x, tx, T)))
        (vg, gg), (vs, gs) = grouped(th), single(th)
        assert vg == pytest.approx(direct, rel=1e-12) and vs == pytest.approx(direct, rel=1e-12)
        assert np.allclose(gg, gs, rtol=1e-10, atol=1e-14)
        h = 1e-4  # values are means over 40,000 customers: smaller steps drown in rounding
        fd = np.array([(single(th + h * e)[0] - single(th - h * e)[0]) / (2 * h) for e in np.eye(4)])
        assert np.allclose(gs, fd, rtol=1e-6, atol=1e-9)


def test_pareto_pattern_grouped_likelihood_equals_per_customer():
    """log H computed once per distinct (x, t_x) and (x, T) pair gives the per-customer log-likelihood,
    with or without the gradient, weighted rows or one row per customer."""
    from cxterms.models.bgnbd import _compress
    from cxterms.models.pareto import _loglik, _objective

    x, tx, T = _bgnbd_data(5000, 4)
    (ux, utx, ut), w, _ = _compress(x, tx, T)
    grouped, single = _objective(ux, utx, ut, w), _objective(x, tx, T, np.ones(x.shape[0]))
    for p in ((0.553, 10.578, 0.606, 11.669), (0.8, 20.0, 1.5, 5.0)):  # both branches of H (alpha >= beta and <)
        th = np.log(p)
        direct = -float(np.mean(_loglik(p, x, tx, T)))
        (vg, gg), (vs, gs) = grouped(th), single(th)
        assert vg == pytest.approx(direct, rel=1e-13) and vs == pytest.approx(direct, rel=1e-13)
        assert grouped.value(th) == pytest.approx(direct, rel=1e-13)
        assert np.allclose(gg, gs, rtol=1e-10, atol=1e-14)


def test_memo_hessian_returns_fresh_copies():
    from cxterms.models._optim import memo_hessian

    calls = []

    def hess(th):
        calls.append(1)
        return np.outer(th, th)

    h = memo_hessian(hess)
    th = np.array([1.0, 2.0])
    first = h(th)
    first[0, 0] = 99.0
    assert h(th.copy())[0, 0] == 1.0 and len(calls) == 1
    h(th + 1.0)
    assert len(calls) == 2


def test_clv_reuses_known_expected_transactions():
    from cxterms.models.bgnbd import BGNBDFit, expected_transactions
    from cxterms.models.clv import predicted_clv
    from cxterms.models.gamma_gamma import GammaGammaFit

    bg, gg = BGNBDFit(r=0.243, alpha=4.414, a=0.793, b=2.426), GammaGammaFit(p=6.25, q=3.74, gamma=15.44)
    x, tx, T = _bgnbd_data(500, 3)
    m = np.where(x > 0, 20.0 + x, 0.0)
    known = expected_transactions(bg, 39, x, tx, T)
    fresh = predicted_clv(bg, gg, x, tx, T, m, horizon=39)
    reused = predicted_clv(bg, gg, x, tx, T, m, horizon=39, transactions=known)
    assert np.allclose(reused.clv, fresh.clv, rtol=1e-12, atol=0) and np.array_equal(reused.expected_transactions, known)
    # with discounting the per-unit forecasts are needed, so the given total is not used
    disc = predicted_clv(bg, gg, x, tx, T, m, horizon=39, discount_rate=0.01, transactions=known * 0)
    assert np.all(disc.clv[x > 0] > 0)


def _bgbb_grid():
    """Every (x, t_x) pattern for n = 1..7, plus extreme customers: long histories with no,
    every and one early transaction, and a late last one."""
    rows = [(0, 0, n) for n in range(1, 8)]
    rows += [(x, t, n) for n in range(1, 8) for t in range(1, n + 1) for x in range(1, t + 1)]
    rows += [(0, 0, 300), (300, 300, 300), (1, 1, 300), (150, 299, 300), (2, 300, 300), (299, 300, 300)]
    x, tx, n = (np.array(c, dtype=float) for c in zip(*rows))
    w = 1.0 + np.arange(x.size) % 5
    return x, tx, n, w


@pytest.mark.parametrize("params", [(1.204, 0.750, 0.657, 2.783), (0.01, 40.0, 0.02, 90.0), (25.0, 0.05, 6.0, 0.1),
                                    (1.0, 1.0, 1.0, 1.0), (1e-4, 1e-4, 500.0, 500.0), (300.0, 200.0, 0.003, 0.004)])
def test_bgbb_gradient_matches_central_differences(params):
    from cxterms.models.bgbb import _loglik, _objective

    x, tx, n, w = _bgbb_grid()
    fun = _objective(x, tx, n, w)
    th = np.log(params)
    value, grad = fun(th)
    assert value == pytest.approx(-float(w @ _loglik(params, x, tx, n)) / w.sum(), rel=1e-12)
    # Richardson-extrapolated central differences: error O(h^4), so h can stay large enough for rounding
    def central(h):
        return np.array([(fun(th + h * e)[0] - fun(th - h * e)[0]) / (2 * h) for e in np.eye(4)])
    fd = (4 * central(1e-4) - central(2e-4)) / 3
    assert np.all(np.isfinite(grad))
    assert np.allclose(grad, fd, rtol=1e-6, atol=1e-8 * max(1.0, abs(value))), (grad, fd)
    # and per customer: each extreme row on its own
    for i in (-6, -5, -4, -3, -2, -1):
        one = _objective(x[i:i + 1] if i < -1 else x[i:], tx[i:i + 1] if i < -1 else tx[i:],
                         n[i:i + 1] if i < -1 else n[i:], np.ones(1))
        v1, g1 = one(th)
        fd1 = np.array([(one(th + 1e-5 * e)[0] - one(th - 1e-5 * e)[0]) / 2e-5 for e in np.eye(4)])
        assert math.isfinite(v1) and np.allclose(g1, fd1, rtol=1e-5, atol=1e-7 * max(1.0, abs(v1))), (i, g1, fd1)


def test_bgbb_predictions_per_pattern_equal_per_customer():
    from cxterms.models.bgbb import BGBBFit, expected_transactions, probability_alive

    fit = BGBBFit(1.204, 0.750, 0.657, 2.783)
    x, tx, n, _ = _bgbb_grid()
    rep = np.repeat(np.arange(x.size), 3)[::-1]  # every pattern three times, shuffled: the grouped path
    many_e = expected_transactions(fit, 5, x[rep], tx[rep], n[rep])
    many_a = probability_alive(fit, x[rep], tx[rep], n[rep])
    for j, i in enumerate(rep[:40]):  # one customer at a time: the direct path
        assert many_e[j] == pytest.approx(expected_transactions(fit, 5, x[i], tx[i], n[i]), rel=1e-12)
        assert many_a[j] == pytest.approx(probability_alive(fit, x[i], tx[i], n[i]), rel=1e-12)
    # a horizon per customer still broadcasts
    hor = np.arange(rep.size) % 4
    each = expected_transactions(fit, hor, x[rep], tx[rep], n[rep])
    assert each[0] == 0.0 and each[1] == pytest.approx(expected_transactions(fit, 1, x[rep[1]], tx[rep[1]], n[rep[1]]))


def test_compress_shortcut_when_the_last_column_has_no_ties():
    from cxterms.models.bgnbd import _compress

    x = np.array([2.0, 0.0, 2.0, 1.0])
    T = np.array([30.5, 31.0, 29.0, 33.25])
    (ux, uT), w, inv = _compress(x, T)
    assert np.array_equal(ux, x) and np.array_equal(uT, T) and np.array_equal(w, np.ones(4)) and np.array_equal(inv, np.arange(4))
    T[2] = 30.5  # now rows 0 and 2 are equal: grouped
    (ux, uT), w, inv = _compress(x, T)
    assert ux.size == 3 and w.sum() == 4 and np.array_equal(ux[inv], x) and np.array_equal(uT[inv], T)
    assert inv[0] == inv[2]


def test_covariance_from_the_shared_hessian_equals_a_fresh_one():
    """The fits take the covariance from the Hessian of the Newton polish (taken within 1e-6 of
    the estimate); a Hessian taken afresh at the estimate gives the same standard errors."""
    from cxterms.models import _optim
    from cxterms.models.bgbb import _objective as bgbb_objective
    from cxterms.models.bgbb import fit_bgbb, simulate_bgbb
    from cxterms.models.bgnbd import _compress, _make_objective, fit_bgnbd
    from cxterms.models.mbgnbd import _objective as mbg_objective
    from cxterms.models.mbgnbd import fit_mbgnbd

    x, tx, T = _bgnbd_data(4000, 8)
    (ux, utx, ut), w, _ = _compress(x, tx, T)
    for fit, make in ((fit_bgnbd(x, tx, T), _make_objective), (fit_mbgnbd(x, tx, T), mbg_objective)):
        fresh = _optim._log_covariance(make(ux, utx, ut, w), np.log(fit.values), float(w.sum()))
        assert np.allclose(fit.covariance, fresh, rtol=1e-5, atol=0)
    bx, btx, bn = simulate_bgbb(1.2, 0.75, 0.66, 2.8, 3000, 8, rng=4)
    bfit = fit_bgbb(bx, btx, bn)
    (ux, utx, un), w, _ = _compress(bx, btx, bn)
    fresh = _optim._log_covariance(bgbb_objective(ux, utx, un, w), np.log(bfit.values), 3000.0)
    assert np.allclose(bfit.covariance, fresh, rtol=1e-5, atol=0)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_bgnbd_first_converged_start_is_the_best_of_all(seed):
    """BG/NBD stops at the first start that converges; trying every start finds no better maximum."""
    from cxterms.models import _optim
    from cxterms.models.bgnbd import _compress, _make_objective, _starts, fit_bgnbd, simulate_bgnbd

    rng = np.random.default_rng(seed)
    params = [(0.243, 4.414, 0.793, 2.426), (2.0, 8.0, 0.3, 5.0), (0.5, 1.0, 3.0, 1.0)][seed - 1]
    x, tx, T = simulate_bgnbd(*params, 3000, rng.uniform(10, 52, 3000), rng)
    fit = fit_bgnbd(x, tx, T)
    (ux, utx, ut), w, _ = _compress(x, tx, T)
    every = _optim._minimize(_make_objective(ux, utx, ut, w), _starts(ux, ut, w, None), n_total=3000.0)
    assert every.converged
    assert fit.log_likelihood >= -every.value * 3000.0 - 1e-7
    assert np.allclose(fit.values, np.exp(every.theta), rtol=1e-6)
