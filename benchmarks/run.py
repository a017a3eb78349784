#!/usr/bin/env python3
"""Every performance comparison of cxterms, side by side in one run.

Generates its own data under benchmarks/_data/ (git-ignored), runs each
command several times interleaved with its references, and prints medians
and ratios against the targets:

1. start-up: ``cxterms define nps`` against ``python -c pass`` and a minimal
   app of the installed Typer (target <= 1.3x the Typer app);
2. glossary at scale: ``define`` and ``search`` with a generated 10,000-term
   user glossary against the built-ins alone (targets <= 1.5x and <= 2x);
3. big CSVs: ``cxterms nps`` on 100k, 1M and 10M-row exports (date, segment,
   score, plus a variant with a quoted free-text column), rows per second
   and peak memory, against GNU datamash, Miller and a pandas one-liner
   (peers that are not installed are skipped with a note). Targets: faster
   than datamash and Miller on the 1M and 10M-row files, plain and quoted
   (at 100k rows the Python interpreter's start-up alone exceeds their
   whole run); at most
   1.5x pandas at 10M rows; faster than pandas at 100k rows; peak memory at
   10M rows at most 1.2x that at 100k.

Every command is checked once (output compared where the peers compute the
same thing) before it is timed; a failing command stops the run.

Usage: python benchmarks/run.py [--runs N] [--quick] [--python PATH]
  --quick   skips the 10M-row files (about a minute instead of several)
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE / "_data"
sys.path.insert(0, str(HERE))

from startup import MINIMAL_TYPER  # noqa: E402

MAXRSS = (
    "import resource, subprocess, sys\n"
    "p = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)\n"
    "if p.returncode: sys.exit(p.stderr.decode())\n"
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
)


# -- helpers -----------------------------------------------------------------

def run_once(cmd: list[str], env: dict) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    return time.perf_counter() - start


def output_of(cmd: list[str], env: dict) -> str:
    p = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if p.returncode != 0:
        sys.exit(f"benchmark command failed (exit {p.returncode}): {' '.join(cmd)}\n{p.stderr}")
    return p.stdout


def medians(commands: dict[str, list[str]], runs: int, env: dict) -> dict[str, float]:
    """Median wall time of each command, run round-robin after one warm-up."""
    for cmd in commands.values():
        output_of(cmd, env)
    samples: dict[str, list[float]] = {k: [] for k in commands}
    for _ in range(runs):
        for name, cmd in commands.items():
            samples[name].append(run_once(cmd, env))
    return {k: statistics.median(v) for k, v in samples.items()}


def peak_kb(cmd: list[str], py: str, env: dict) -> int:
    """Peak resident memory (KiB) of a command and the processes it waits for."""
    return int(output_of([py, "-c", MAXRSS, *cmd], env).strip())


def verdict(value: float, limit: float, below: bool = True) -> str:
    ok = value <= limit if below else value >= limit
    return "ok" if ok else "MISSED"


def table(rows: list[tuple], header: tuple) -> None:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    for r in [header, *rows]:
        print("  " + "  ".join(str(c).rjust(w) if i else str(c).ljust(w) for i, (c, w) in enumerate(zip(r, widths))))


# -- data ----------------------------------------------------------------------

def make_csv(path: Path, rows: int, quoted: bool) -> Path:
    """id, date, segment, score (and a quoted free-text comment)."""
    if path.exists():
        return path
    rng = random.Random(rows + quoted)
    segments = ["North", "South", "East", "West", "Online", "Retail"]
    weights = [3, 1, 2, 2, 3, 5, 7, 12, 16, 18, 14]
    comments = ['"Fine, thanks"', '"Slow, but ""ok"" in the end"', '"Great; would recommend"', '""']
    tmp = path.with_suffix(".tmp")
    with open(tmp, "w") as fh:
        fh.write("id,date,segment,score" + (",comment" if quoted else "") + "\n")
        block = 100_000
        for start in range(0, rows, block):
            n = min(block, rows - start)
            scores = rng.choices(range(11), weights, k=n)
            if quoted:
                fh.write("".join(
                    f"{start + i},2026-{1 + i % 12:02d}-{1 + i % 28:02d},{segments[i % 6]},{s},{comments[i % 4]}\n"
                    for i, s in enumerate(scores)
                ))
            else:
                fh.write("".join(
                    f"{start + i},2026-{1 + i % 12:02d}-{1 + i % 28:02d},{segments[i % 6]},{s}\n"
                    for i, s in enumerate(scores)
                ))
    tmp.rename(path)
    return path


def make_glossary(path: Path, n: int = 10_000) -> Path:
    if path.exists():
        return path
    rng = random.Random(3)
    words = ("customer journey value churn retention loyalty survey score service support data platform analytics "
             "segment campaign revenue margin channel agent contact metric model cohort funnel lead account brand "
             "product market experience digital feedback insight").split()
    with open(path, "w") as fh:
        for i in range(n):
            w = rng.sample(words, 3)
            definition = " ".join(rng.choice(words) for _ in range(70)) + ". " + " ".join(rng.choice(words) for _ in range(20)) + "."
            fh.write(
                f"- id: user-term-{i}\n  term: {w[0].title()} {w[1]} {w[2]} {i}\n  aliases: [UT{i}]\n"
                f"  category: User {i % 7}\n  summary: A generated entry number {i} about {w[0]}.\n"
                f"  definition: {definition}\n  related: [net-promoter-score, user-term-{(i + 1) % n}]\n"
            )
    return path


# -- sections --------------------------------------------------------------------

def startup(py: str, runs: int, env: dict, tmp: str) -> None:
    mini = os.path.join(tmp, "mini_typer.py")
    Path(mini).write_text(MINIMAL_TYPER)
    med = medians({
        "python -c pass": [py, "-c", "pass"],
        "minimal Typer app": [py, mini],
        "cxterms define nps": [py, "-m", "cxterms", "define", "nps"],
        "cxterms define (fuzzy)": [py, "-m", "cxterms", "define", "net promotor score"],
    }, runs, env)
    base, typer_app = med["python -c pass"], med["minimal Typer app"]
    print("\n1. Start-up (median wall time)")
    table([(k, f"{v * 1000:.1f}", f"{v / base:.2f}", f"{v / typer_app:.2f}") for k, v in med.items()],
          ("command", "ms", "x python", "x typer"))
    ratio = med["cxterms define nps"] / typer_app
    print(f"  define nps / minimal Typer app = {ratio:.2f} (target <= 1.30): {verdict(ratio, 1.3)}")


def glossary_scale(py: str, runs: int, env: dict) -> None:
    big = str(make_glossary(DATA / "glossary-10k.yaml"))
    med = medians({
        "define nps (built-ins)": [py, "-m", "cxterms", "define", "nps"],
        "define nps (+10k terms)": [py, "-m", "cxterms", "define", "nps", "-g", big],
        "search (built-ins)": [py, "-m", "cxterms", "search", "promotor", "score"],
        "search (+10k terms)": [py, "-m", "cxterms", "search", "promotor", "score", "-g", big],
    }, runs, env)
    print("\n2. Glossary at scale: a 10,000-term user glossary (compiled index warm)")
    table([(k, f"{v * 1000:.1f}") for k, v in med.items()], ("command", "ms"))
    d = med["define nps (+10k terms)"] / med["define nps (built-ins)"]
    s = med["search (+10k terms)"] / med["search (built-ins)"]
    print(f"  define: {d:.2f}x the built-ins alone (target <= 1.5): {verdict(d, 1.5)}")
    print(f"  search: {s:.2f}x the built-ins alone (target <= 2.0): {verdict(s, 2.0)}")


def peers(path: Path, py: str, env: dict, have_pandas: bool) -> dict[str, list[str]]:
    cmds = {"cxterms nps": [py, "-m", "cxterms", "nps", str(path), "-c", "score", "-q"]}
    if shutil.which("datamash"):
        # datamash has no NPS: the cheapest equivalent is the count of each answer
        cmds["datamash (count by score)"] = ["sh", "-c", f"datamash -t, -H -s -g 4 count 4 < {path}"]
    if shutil.which("mlr"):
        cmds["miller (count by score)"] = ["mlr", "--icsv", "--ojson", "count", "-g", "score", str(path)]
    if have_pandas:
        cmds["pandas one-liner"] = [py, "-c", (
            "import pandas as pd, sys; s = pd.read_csv(sys.argv[1], usecols=['score'])['score']; "
            "print(round(100 * ((s >= 9).mean() - (s <= 6).mean()), 1))"), str(path)]
    return cmds


def big_csv(py: str, runs: int, env: dict, quick: bool) -> None:
    have_pandas = subprocess.run([py, "-c", "import pandas"], capture_output=True).returncode == 0
    notes = []
    if not shutil.which("datamash"):
        notes.append("GNU datamash not installed (apt install datamash): skipped")
    if not shutil.which("mlr"):
        notes.append("Miller not installed (apt install miller): skipped")
    if not have_pandas:
        notes.append(f"pandas not importable by {py}: skipped")
    sizes = [100_000, 1_000_000] + ([] if quick else [10_000_000])
    print("\n3. Big CSVs: cxterms nps against its peers (median wall time, rows per second, peak memory)")
    for n in notes:
        print(f"  note: {n}")
    results: dict[tuple, dict[str, tuple[float, int]]] = {}
    for quoted in (False, True):
        for rows in sizes:
            path = make_csv(DATA / f"survey-{rows}{'-quoted' if quoted else ''}.csv", rows, quoted)
            cmds = peers(path, py, env, have_pandas)
            ours = output_of(cmds["cxterms nps"], env).strip()
            if "pandas one-liner" in cmds:
                theirs = output_of(cmds["pandas one-liner"], env).strip()
                if float(theirs) != float(ours):
                    sys.exit(f"cxterms and pandas disagree on {path}: {ours} vs {theirs}")
            med = medians(cmds, runs, env)
            mem = {k: peak_kb(c, py, env) for k, c in cmds.items()}
            results[(quoted, rows)] = {k: (med[k], mem[k]) for k in cmds}
            label = f"{rows:,} rows{' with a quoted free-text column' if quoted else ''} ({path.stat().st_size / 1e6:.0f} MB), NPS {ours}"
            print(f"\n  {label}")
            t0 = med["cxterms nps"]
            table([(k, f"{t:.2f}", f"{rows / t / 1e6:.2f}", f"{kb / 1024:.0f}", f"{t / t0:.2f}") for k, (t, kb) in results[(quoted, rows)].items()],
                  ("command", "seconds", "M rows/s", "peak MiB", "x cxterms"))
    for quoted in (False, True):
        print(f"\n  targets ({'quoted free-text column' if quoted else 'plain file'}):")
        for rows in sizes:
            r = results[(quoted, rows)]
            ours = r["cxterms nps"][0]
            for peer in ("datamash (count by score)", "miller (count by score)"):
                if peer in r and rows >= 1_000_000:  # below that, process start-up dominates
                    print(f"    {rows:>10,} rows: cxterms is {r[peer][0] / ours:.2f}x faster than {peer.split()[0]} "
                          f"(target >= 1): {verdict(r[peer][0] / ours, 1.0, below=False)}")
            if quoted or "pandas one-liner" not in r:
                continue
            ratio = ours / r["pandas one-liner"][0]
            if rows == 100_000:
                print(f"    {rows:>10,} rows: cxterms / pandas = {ratio:.2f} (target < 1): {verdict(ratio, 1.0)}")
            if rows == 10_000_000:
                print(f"    {rows:>10,} rows: cxterms / pandas = {ratio:.2f} (target <= 1.5): {verdict(ratio, 1.5)}")
    if not quick:
        m = results[(False, 10_000_000)]["cxterms nps"][1] / results[(False, 100_000)]["cxterms nps"][1]
        print(f"    peak memory 10M / 100k rows = {m:.2f} (target <= 1.2): {verdict(m, 1.2)}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5, help="timed runs per command (medians are reported)")
    ap.add_argument("--quick", action="store_true", help="skip the 10M-row files")
    ap.add_argument("--python", default=sys.executable, help="interpreter with cxterms installed")
    args = ap.parse_args(argv)
    DATA.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, XDG_CACHE_HOME=os.path.join(tmp, "cache"), XDG_CONFIG_HOME=os.path.join(tmp, "config"))
        for var in ("CXTERMS_GLOSSARY_PATH", "PYTHONDONTWRITEBYTECODE"):
            env.pop(var, None)
        version = output_of([args.python, "-m", "cxterms", "--version"], env).strip()
        print(f"{version}, Python {sys.version.split()[0]}, {os.cpu_count()} CPUs")
        startup(args.python, max(args.runs * 4, 11), env, tmp)
        glossary_scale(args.python, max(args.runs * 2, 7), env)
        big_csv(args.python, args.runs, env, args.quick)
    return 0


if __name__ == "__main__":
    sys.exit(main())
