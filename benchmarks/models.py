#!/usr/bin/env python3
"""Customer-base models side by side with lifetimes: BG/NBD (+ Gamma-Gamma),
Pareto/NBD, MBG/NBD and BG/BB.

1. BLAS threads: the BG/NBD + Gamma-Gamma fit with BLAS limited to one thread
   (what cxterms does inside every fit) and with the default thread pools,
   on the machine as it is and with one busy process per core.
2. For each model, on the CDNOW sample and the donation data (when the
   lifetimes package ships them) and on simulated summaries of 100,000 and
   1,000,000 customers: ``cxterms clv FILE --rfm --model M`` run in-process
   (reading the table, fitting, predicting expected purchases and P(alive),
   Gamma-Gamma CLV where there are amounts; imports excluded by a warm-up
   run), and the same with lifetimes in its own interpreter (pandas read,
   fit, the same predictions; imports excluded). Prints medians and the
   ratio lifetimes / cxterms.

Targets (issue 13): lifetimes takes at least 5x as long as cxterms for every
model and size it finishes; 1,000,000 customers BG/NBD + Gamma-Gamma under
10 s on a 2-core machine. The machine may be shared: say so with the figures.

Data sets under 100,000 customers take milliseconds per run: they are timed
``--small-runs`` times (default 15, both sides) so that a burst of load from
other jobs does not decide the median.

Usage: python benchmarks/models.py [--runs N] [--small-runs N] [--sizes 100000,1000000]
       [--lifetimes-python PATH] [--peer-timeout S] [--threads-only]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
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


PEER = r"""
import json, sys, time, warnings
warnings.filterwarnings("ignore")
import numpy as np
import pandas as pd
import lifetimes
from lifetimes import BetaGeoFitter, GammaGammaFitter, ParetoNBDFitter, ModifiedBetaGeoFitter, BetaGeoBetaBinomFitter
model, path, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
def once():
    t = time.perf_counter()
    s = pd.read_csv(path)
    if model == "bgbb":
        f = BetaGeoBetaBinomFitter().fit(s["frequency"], s["recency"], s["n"], s["count"] if "count" in s else np.ones(len(s)))
        f.conditional_expected_number_of_purchases_up_to_time(5, s["frequency"], s["recency"], s["n"])
        f.conditional_probability_alive(1, s["frequency"], s["recency"], s["n"])
        return time.perf_counter() - t, f.params_.to_dict()
    F = {"bgnbd": BetaGeoFitter, "pareto": ParetoNBDFitter, "mbgnbd": ModifiedBetaGeoFitter}[model]
    f = F().fit(s["frequency"], s["recency"], s["T"])
    f.conditional_expected_number_of_purchases_up_to_time(52, s["frequency"], s["recency"], s["T"])
    f.conditional_probability_alive(s["frequency"], s["recency"], s["T"])
    if "monetary_value" in s:  # cxterms clv fits Gamma-Gamma and predicts CLV whenever there are amounts
        rep = s[s.frequency > 0]
        g = GammaGammaFitter().fit(rep["frequency"], rep["monetary_value"])
        g.customer_lifetime_value(f, s["frequency"], s["recency"], s["T"], s["monetary_value"].where(s.frequency > 0, 1.0),
                                  time=12, discount_rate=0.0, freq="W")
    return time.perf_counter() - t, f.params_.to_dict()
times = []
for _ in range(runs):
    sec, params = once()
    times.append(sec)
print(json.dumps({"seconds": sorted(times)[len(times) // 2], "params": params}))
"""


def write_summary(path: Path, cols: dict) -> None:
    names = list(cols)
    arrays = [np.asarray(cols[n]) for n in names]
    with open(path, "w") as fh:
        fh.write(",".join(names) + "\n")
        for row in zip(*arrays):
            fh.write(",".join(repr(float(v)) if not float(v).is_integer() else str(int(v)) for v in row) + "\n")


def cxterms_time(args: list[str], runs: int) -> tuple[float, str]:
    """In-process: the clv command on a summary file (read + fit + predict + print), imports excluded."""
    import contextlib
    import io

    from cxterms.cli.app import app
    from cxterms.cli.env import Environment

    def once() -> str:
        buf = io.StringIO()
        with contextlib.redirect_stdout(buf), contextlib.redirect_stderr(io.StringIO()):
            try:
                app(args=args, prog_name="cxterms", standalone_mode=False, obj=Environment(stdout_isatty=False, stderr_isatty=False, stdin_isatty=False))
            except SystemExit:
                pass
        return buf.getvalue().strip()

    out = once()  # warm: imports and first-call set-up
    return median_time(once, runs), out


def peer_time(python: str, model: str, path: Path, runs: int, timeout: float):
    try:
        res = subprocess.run([python, "-c", PEER, model, str(path), str(runs)], capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return None, f"over {timeout:.0f} s, stopped"
    if res.returncode != 0:
        return None, (res.stderr.strip().splitlines() or ["failed"])[-1]
    return json.loads(res.stdout), None


def datasets(tmp: Path, sizes: list[int]):
    """(label, model, path) for every model and size; CDNOW and donations when lifetimes ships them."""
    import importlib.util

    out = []
    spec = importlib.util.find_spec("lifetimes")
    if spec and spec.submodule_search_locations:
        folder = Path(list(spec.submodule_search_locations)[0]) / "datasets"
        if (folder / "cdnow_customers_summary.csv").exists():
            for m in ("bgnbd", "pareto", "mbgnbd"):
                out.append(("CDNOW 2,357", m, folder / "cdnow_customers_summary.csv"))
            rows = (folder / "donations.csv").read_text().replace("periods", "n").replace("weights", "count")
            (tmp / "donations.csv").write_text(rows)
            out.append(("donations 11,104", "bgbb", tmp / "donations.csv"))
    from cxterms.models.bgbb import simulate_bgbb

    for n in sizes:
        x, tx, T, m = simulate(n, seed=n)
        path = tmp / f"rfm-{n}.csv"
        write_summary(path, {"frequency": x, "recency": tx, "T": T, "monetary_value": m})
        for model in ("bgnbd", "pareto", "mbgnbd"):
            out.append((f"simulated {n:,}", model, path))
        bx, btx, bn = simulate_bgbb(1.204, 0.750, 0.657, 2.783, n, 6, rng=n)
        bpath = tmp / f"bgbb-{n}.csv"
        write_summary(bpath, {"frequency": bx, "recency": btx, "n": bn})
        out.append((f"simulated {n:,}", "bgbb", bpath))
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--sizes", default="100000,1000000", help="comma-separated synthetic customer counts")
    ap.add_argument("--small-runs", type=int, default=15,
                    help="runs (both sides) for data sets under 100,000 customers, whose runs last milliseconds and "
                         "whose medians a few runs would leave to the moment's load")
    ap.add_argument("--lifetimes-python", default=sys.executable, help="interpreter that has lifetimes installed")
    ap.add_argument("--peer-timeout", type=float, default=300.0, help="seconds before a lifetimes run is given up")
    ap.add_argument("--threads-only", action="store_true", help="only the BLAS thread comparison")
    ap.add_argument("--pareto-1m", action="store_true", help="also fit Pareto/NBD on 1,000,000 customers")
    ap.add_argument("--models", default="bgnbd,pareto,mbgnbd,bgbb", help="comma-separated models to time")
    ap.add_argument("--no-cdnow", action="store_true", help="skip the CDNOW and donation data")
    args = ap.parse_args(argv)
    threads_effect(args.runs)
    if args.threads_only:
        return 0
    sizes = [int(v) for v in args.sizes.split(",") if v]
    print(f"\nIn-process read + fit + predict (median of {args.runs}, of {max(args.runs, args.small_runs)} under 100,000 "
          "customers; lifetimes in its own interpreter, import excluded)")
    print(f"  {'data':<18} {'model':<7} {'cxterms s':>10} {'lifetimes s':>12} {'ratio':>7}  params (cxterms | lifetimes)")
    with tempfile.TemporaryDirectory() as tmp:
        for label, model, path in datasets(Path(tmp), sizes):
            if model not in args.models.split(",") or (args.no_cdnow and not label.startswith("simulated")):
                continue
            if model == "pareto" and "1,000,000" in label and not args.pareto_1m:
                print(f"  {label:<18} {model:<7} {'not run':>10}  (a Pareto/NBD fit of 1M distinct customers took 20 s here "
                      "and lifetimes' over 2 minutes: --pareto-1m runs it)")
                continue
            cli = ["clv", str(path), "--rfm", "--model", model, "-f", "json"]
            if model == "bgbb":
                cli += ["--horizon", "5"]
            small = not any(size in label for size in ("100,000", "1,000,000"))
            runs = max(args.runs, args.small_runs) if small else args.runs
            sec, out = cxterms_time(cli, runs)
            ours = json.loads(out)["params"]
            big = "1,000,000" in label
            peer, note = peer_time(args.lifetimes_python, model, path, 1 if big else runs, args.peer_timeout)
            ptxt = f"{peer['seconds']:>12.3f} {peer['seconds'] / sec:>6.1f}x" if peer else f"{'-':>12} {'-':>7}"
            fmt = lambda p: " ".join(f"{v:.3f}" for v in p.values())  # noqa: E731
            print(f"  {label:<18} {model:<7} {sec:>10.3f} {ptxt}  {fmt(ours)} | {fmt(peer['params']) if peer else note}")
    print("\nTargets: lifetimes / cxterms >= 5x for every model and size it finishes; "
          "1,000,000 customers BG/NBD + Gamma-Gamma < 10 s.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
