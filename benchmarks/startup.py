#!/usr/bin/env python3
"""Start-up cost of a lookup, as ratios against references run side by side.

Runs, interleaved round-robin so machine noise hits every command alike:

* ``python -c pass``                      (the interpreter floor)
* a minimal app of the installed Typer    (one command that prints a word)
* ``cxterms define nps``                  (exact hit, compiled index warm)
* ``cxterms define "net promotor score"`` (fuzzy tier: pays for rapidfuzz)

and prints the median wall time of each and the ratio of ``define nps`` to
the two references. Target (issue 2): at most 1.3x the minimal Typer app.

Usage: python benchmarks/startup.py [--runs N] [--python PATH]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

MINIMAL_TYPER = """\
import typer

app = typer.Typer()


@app.command()
def main(name: str = "world") -> None:
    print(name)


app()
"""


def timed(cmd: list[str], env: dict) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, check=False)
    return time.perf_counter() - start


def check(cmd: list[str], env: dict) -> None:
    """Run once (warming caches) and stop if the command fails: timing a
    failure would be meaningless."""
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if proc.returncode != 0:
        sys.exit(f"benchmark command failed (exit {proc.returncode}): {' '.join(cmd)}\n{proc.stderr}")


def measure(commands: dict[str, list[str]], runs: int, env: dict) -> dict[str, float]:
    samples: dict[str, list[float]] = {name: [] for name in commands}
    for cmd in commands.values():  # warm-up: .pyc files, the compiled index, the OS cache
        check(cmd, env)
    for _ in range(runs):
        for name, cmd in commands.items():
            samples[name].append(timed(cmd, env))
    return {name: statistics.median(v) for name, v in samples.items()}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=21)
    ap.add_argument("--python", default=sys.executable, help="interpreter that has cxterms installed")
    args = ap.parse_args(argv)
    py = args.python
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, XDG_CACHE_HOME=os.path.join(tmp, "cache"), XDG_CONFIG_HOME=os.path.join(tmp, "config"))
        env.pop("CXTERMS_GLOSSARY_PATH", None)
        env.pop("PYTHONDONTWRITEBYTECODE", None)  # let every side use cached bytecode
        mini = os.path.join(tmp, "mini_typer.py")
        with open(mini, "w") as fh:
            fh.write(MINIMAL_TYPER)
        commands = {
            "python -c pass": [py, "-c", "pass"],
            "minimal Typer app": [py, mini],
            "cxterms define nps": [py, "-m", "cxterms", "define", "nps"],
            "cxterms define (fuzzy)": [py, "-m", "cxterms", "define", "net promotor score"],
        }
        med = measure(commands, args.runs, env)
    base, typer_app, define = med["python -c pass"], med["minimal Typer app"], med["cxterms define nps"]
    print(f"{'command':28} {'median ms':>10} {'x python':>9} {'x typer':>8}")
    for name, t in med.items():
        print(f"{name:28} {t * 1000:10.1f} {t / base:9.2f} {t / typer_app:8.2f}")
    ratio = define / typer_app
    print(f"\ndefine nps / minimal Typer app = {ratio:.2f} (target <= 1.30): {'ok' if ratio <= 1.3 else 'OVER'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
