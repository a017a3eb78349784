#!/usr/bin/env python3
"""Fitting BG/NBD + Gamma-Gamma: CDNOW-sized and 100,000-customer data.

Simulates customers from known parameters (the published CDNOW estimates:
r = 0.243, alpha = 4.414, a = 0.793, b = 2.426, weeks; spend p = 6.25,
q = 3.74, gamma = 15.44), then times, as medians of several runs:

* the model fits alone (``fit_bgnbd`` + ``fit_gamma_gamma`` on the summary);
* the whole command on a transaction log, ``cxterms clv log.csv --model
  bgnbd -q`` (reading, summarising, fitting, predicting, start-up included);
* the same fits with the lifetimes library (``BetaGeoFitter`` and
  ``GammaGammaFitter``) when it imports, in this interpreter or the one given
  with ``--lifetimes-python``; otherwise it is skipped with a note.

Targets (issue 5): the 2,357-customer fit under 1 s; 100,000 customers at
most 40x that.

Usage: python benchmarks/models.py [--runs N] [--lifetimes-python PATH]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # this checkout's cxterms

import numpy as np  # noqa: E402

from cxterms.models.bgnbd import fit_bgnbd, simulate_bgnbd  # noqa: E402
from cxterms.models.gamma_gamma import fit_gamma_gamma  # noqa: E402

PARAMS = dict(r=0.243, alpha=4.414, a=0.793, b=2.426)
SPEND = dict(p=6.25, q=3.74, gamma=15.44)

LIFETIMES = """
import json, sys, time
import pandas as pd
from lifetimes import BetaGeoFitter, GammaGammaFitter
s = pd.read_csv(sys.argv[1])
runs = int(sys.argv[2])
times, rep = [], s[s.frequency > 0]
for _ in range(runs):
    t = time.perf_counter()
    bg = BetaGeoFitter().fit(s["frequency"], s["recency"], s["T"])
    gg = GammaGammaFitter().fit(rep["frequency"], rep["monetary_value"])
    times.append(time.perf_counter() - t)
print(json.dumps({"seconds": sorted(times)[len(times) // 2], "bgnbd": bg.params_.to_dict(), "gg": gg.params_.to_dict()}))
"""


def simulate(n: int, seed: int):
    """Summary arrays (x, t_x, T, mean repeat spend) for n customers."""
    rng = np.random.default_rng(seed)
    T_each = rng.uniform(27.0, 39.0, n)  # first purchases spread over 12 weeks, 39-week calibration
    x, tx, T = simulate_bgnbd(PARAMS["r"], PARAMS["alpha"], PARAMS["a"], PARAMS["b"], n, T_each, rng)
    nu = rng.gamma(SPEND["q"], 1 / SPEND["gamma"], n)
    m = np.where(x > 0, rng.gamma(SPEND["p"] * np.maximum(x, 1), 1 / nu) / np.maximum(x, 1), 0.0)
    return x, tx, T, m


def write_log(path: Path, x, tx, T, m, seed: int) -> None:
    """A transaction log consistent with the summary (one row per purchase)."""
    rng = np.random.default_rng(seed)
    end = date(1997, 9, 30)
    with open(path, "w") as fh:
        fh.write("customer,date,amount\n")
        for c in range(len(x)):
            first = end - timedelta(days=int(round(7 * T[c])))
            k = int(x[c])
            times = [0.0, *sorted(rng.uniform(0, tx[c], max(k - 1, 0))), tx[c]] if k else [0.0]
            for t in times:
                day = first + timedelta(days=int(round(7 * t)))
                fh.write(f"c{c},{day.isoformat()},{max(0.01, rng.gamma(4.0, max(m[c], 1.0) / 4.0)):.2f}\n")


def median_time(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


BURN = "import time\nend = time.time() + float(__import__('sys').argv[1])\nwhile time.time() < end: pass\n"


def threads_effect(runs: int) -> None:
    """BG/NBD + Gamma-Gamma on 2,357 customers with BLAS limited to one thread
    (what cxterms does) and with the default thread pools, on an idle machine
    and with one busy process per core (bounded: they stop by themselves)."""
    import contextlib

    from cxterms.models import _optim

    x, tx, T, m = simulate(2357, seed=2357)
    limited = _optim.single_threaded

    def fit():
        fit_bgnbd(x, tx, T)
        fit_gamma_gamma(x, m)

    def timed(single: bool) -> float:
        _optim.single_threaded = limited if single else contextlib.nullcontext
        try:
            return median_time(fit, runs)
        finally:
            _optim.single_threaded = limited

    print("BLAS threads inside the fits (2,357 customers, median of %d)" % runs)
    for label, burners in (("idle", 0), ("busy", os.cpu_count() or 2)):
        procs = [subprocess.Popen([sys.executable, "-c", BURN, "20"]) for _ in range(burners)]
        try:
            one, many = timed(True), timed(False)
        finally:
            for p in procs:
                p.kill()
                p.wait()
        print(f"  {label:>4}: one thread {one:.3f} s, default pools {many:.3f} s: {many / one:.1f}x")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--lifetimes-python", default=sys.executable, help="interpreter that has lifetimes installed")
    ap.add_argument("--threads-only", action="store_true", help="only the BLAS thread comparison")
    args = ap.parse_args(argv)
    threads_effect(args.runs)
    if args.threads_only:
        return 0
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for n in (2357, 100_000):
            x, tx, T, m = simulate(n, seed=n)

            def fit():
                bg = fit_bgnbd(x, tx, T)
                gg = fit_gamma_gamma(x, m)
                return bg, gg

            bg, gg = fit()
            fit_s = median_time(fit, args.runs)
            log = Path(tmp) / f"log-{n}.csv"
            write_log(log, x, tx, T, m, seed=n)
            env = dict(os.environ, XDG_CACHE_HOME=os.path.join(tmp, "cache"))
            cmd = [sys.executable, "-m", "cxterms", "clv", str(log), "--model", "bgnbd", "--unit", "week", "-q"]
            subprocess.run(cmd, check=True, capture_output=True, env=env)
            cli_s = median_time(lambda: subprocess.run(cmd, check=True, capture_output=True, env=env), max(3, args.runs // 2))
            summary = Path(tmp) / f"rfm-{n}.csv"
            with open(summary, "w") as fh:
                fh.write("frequency,recency,T,monetary_value\n")
                fh.writelines(f"{int(a)},{float(b)!r},{float(c)!r},{float(d)!r}\n" for a, b, c, d in zip(x, tx, T, m))
            peer = subprocess.run([args.lifetimes_python, "-c", LIFETIMES, str(summary), str(args.runs)], capture_output=True, text=True)
            import json

            results[n] = dict(fit=fit_s, cli=cli_s, bg=bg, gg=gg, rows=sum(1 for _ in open(log)) - 1,
                              lifetimes=json.loads(peer.stdout) if peer.returncode == 0 else None,
                              note=None if peer.returncode == 0 else peer.stderr.strip().splitlines()[-1:])
    print(f"BG/NBD + Gamma-Gamma fits (median of {args.runs}), simulated from the CDNOW estimates")
    print(f"  {'customers':>9}  {'log rows':>9}  {'fit s':>7}  {'cli s':>7}  {'lifetimes s':>11}  params (r, alpha, a, b | p, q, gamma)")
    for n, r in results.items():
        lt = r["lifetimes"]
        bg, gg = r["bg"], r["gg"]
        print(f"  {n:>9,}  {r['rows']:>9,}  {r['fit']:>7.3f}  {r['cli']:>7.3f}  {lt['seconds'] if lt else float('nan'):>11.3f}  "
              f"{bg.r:.3f} {bg.alpha:.3f} {bg.a:.3f} {bg.b:.3f} | {gg.p:.2f} {gg.q:.2f} {gg.gamma:.2f}")
        if lt:
            p = lt["bgnbd"]
            print(f"  {'':>9}  {'':>9}  {'':>7}  {'':>7}  {'':>11}  lifetimes: {p['r']:.3f} {p['alpha']:.3f} {p['a']:.3f} {p['b']:.3f}"
                  f" | {lt['gg']['p']:.2f} {lt['gg']['q']:.2f} {lt['gg']['v']:.2f}")
        elif r["note"]:
            print(f"  lifetimes skipped: {r['note'][0]}")
    small, big = results[2357]["fit"], results[100_000]["fit"]
    print(f"\n  2,357-customer fit: {small:.3f} s (target < 1 s): {'ok' if small < 1 else 'MISSED'}")
    print(f"  100,000 / 2,357 customers: {big / small:.1f}x (target <= 40x): {'ok' if big / small <= 40 else 'MISSED'}")
    for n, r in results.items():
        if r["lifetimes"]:
            print(f"  {n:>7,} customers: lifetimes takes {r['lifetimes']['seconds'] / r['fit']:.1f}x as long as cxterms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
