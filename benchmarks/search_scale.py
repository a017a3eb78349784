#!/usr/bin/env python3
"""Search at scale: ``cxterms search`` with a 10,000-entry user glossary
against the built-ins alone, as ratios.

Generates a glossary of N entries (default 10,000) whose headwords, aliases,
summaries and definitions are drawn from a large vocabulary of random words
(default 50,000), builds the compiled index once (not timed), then runs, in
turns so machine noise hits both alike:

* ``cxterms search QUERY``                 (built-ins only)
* ``cxterms -g big.yaml search QUERY``     (built-ins + N entries)

for a few queries (an exact word, a typo, two words), and prints the median
wall time of each and the peak memory (maximum resident set size, from
``/usr/bin/time -v`` when it exists, else ``resource.getrusage`` of the
children), with the ratios. Target (issue 14): at most 2x time and 2x memory.

Usage: python benchmarks/search_scale.py [--entries N] [--vocab V] [--runs R] [--python PATH]
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

QUERIES = ["retention", "retension", "customer journey"]
LETTERS = "abcdefghijklmnopqrstuvwxyz"


def random_words(rng: random.Random, count: int) -> list[str]:
    words: set[str] = set()
    while len(words) < count:
        words.add("".join(rng.choice(LETTERS) for _ in range(rng.randint(4, 11))))
    return sorted(words)


def write_glossary(path: str, entries: int, vocab_size: int, seed: int = 14) -> None:
    rng = random.Random(seed)
    vocab = random_words(rng, vocab_size)

    def text(n: int) -> str:
        return " ".join(rng.choice(vocab) for _ in range(n))

    with open(path, "w", encoding="utf-8") as fh:
        for i in range(entries):
            head = text(rng.randint(1, 3)).capitalize()
            fh.write(f"- id: bench-{i}\n")
            fh.write(f"  term: {head} {i}\n")
            fh.write(f"  aliases: [{text(2)}]\n")
            fh.write(f"  category: Bench {i % 12}\n")
            fh.write(f"  summary: {text(rng.randint(6, 14)).capitalize()}.\n")
            fh.write("  definition: >-\n")
            fh.write(f"    {text(rng.randint(40, 120)).capitalize()}.\n")


def measure(cmd: list[str], env: dict, timer: list[str] | None) -> tuple[float, int]:
    """(wall seconds, max RSS in KiB) of one run."""
    start = time.perf_counter()
    if timer:
        proc = subprocess.run([*timer, *cmd], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, text=True)
        wall = time.perf_counter() - start
        m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", proc.stderr)
        return wall, int(m.group(1)) if m else 0
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return wall, max(after, before)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--entries", type=int, default=10_000)
    ap.add_argument("--vocab", type=int, default=50_000)
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--python", default=sys.executable)
    args = ap.parse_args()

    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    work = tempfile.mkdtemp(prefix="cxterms-search-bench-")
    try:
        big = os.path.join(work, "big.yaml")
        write_glossary(big, args.entries, args.vocab)
        env = dict(os.environ, XDG_CACHE_HOME=os.path.join(work, "cache"), XDG_CONFIG_HOME=os.path.join(work, "config"),
                   PYTHONPATH=repo, NO_COLOR="1")
        env.pop("CXTERMS_GLOSSARY_PATH", None)
        timer = ["/usr/bin/time", "-v"] if os.path.exists("/usr/bin/time") else None
        base = [args.python, "-m", "cxterms"]
        build = time.perf_counter()
        for cmd in ([*base, "search", "nps"], [*base, "-g", big, "search", "nps"]):
            proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, text=True)
            if proc.returncode != 0:
                print(f"failed: {' '.join(cmd)}\n{proc.stderr}", file=sys.stderr)
                return 1
        build = time.perf_counter() - build
        print(f"glossary: {args.entries} entries, {args.vocab} random words; index built in {build:.1f} s (not timed below)")
        print(f"{'query':20} {'builtin ms':>10} {'big ms':>8} {'x time':>7} {'builtin MB':>10} {'big MB':>7} {'x mem':>6}")
        worst_t = worst_m = 0.0
        for q in QUERIES:
            small_t, big_t, small_m, big_m = [], [], [], []
            for _ in range(args.runs):
                t, m = measure([*base, "search", *q.split()], env, timer)
                small_t.append(t)
                small_m.append(m)
                t, m = measure([*base, "-g", big, "search", *q.split()], env, timer)
                big_t.append(t)
                big_m.append(m)
            st, bt = statistics.median(small_t), statistics.median(big_t)
            sm, bm = max(small_m) / 1024, max(big_m) / 1024
            rt, rm = bt / st, (bm / sm if sm else float("nan"))
            worst_t, worst_m = max(worst_t, rt), max(worst_m, rm)
            print(f"{q:20} {st * 1000:10.1f} {bt * 1000:8.1f} {rt:7.2f} {sm:10.1f} {bm:7.1f} {rm:6.2f}")
        verdict = "ok" if worst_t <= 2 and worst_m <= 2 else "over target"
        print(f"\nworst ratio: time {worst_t:.2f}x, memory {worst_m:.2f}x (target <= 2.00): {verdict}")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
