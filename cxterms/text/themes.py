"""Distinctive words and phrases of each group of comments: the weighted
log-odds ratio with an informative Dirichlet prior (Monroe, Colaresi & Quinn
2008, "Fightin' Words", Political Analysis 16(4), section 3.5.1).

For a term w, group i and the other groups j together, with y the number of
comments using w, n the total term count of the comments and a prior that
spreads A0 pseudo-counts over the terms in proportion to their frequency in
all comments (a_w = A0 * y_w(all) / n(all), a0 = A0):

    delta_w = log((y_wi + a_w) / (n_i + a0 - y_wi - a_w))
            - log((y_wj + a_w) / (n_j + a0 - y_wj - a_w))
    var(delta_w) ~ 1 / (y_wi + a_w) + 1 / (y_wj + a_w)
    z_w = delta_w / sqrt(var(delta_w))

Terms are ranked by z: a large z means the group uses the term far more
than the others do, beyond what its frequency and the sample sizes would
give by chance. The prior shrinks rare terms toward zero, so a word used
once does not top the list.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

from ..textutil import clean_line
from .tokens import terms

PRIOR = 500.0  # A0: pseudo-counts of the informative prior
MIN_COUNT = 2  # a theme is used by at least two comments of its group
EXAMPLE_CHARS = 90


@dataclass
class Theme:
    term: str
    z: float
    log_odds: float  # delta: log-odds ratio of the group vs the rest
    count: int  # comments of the group that use the term
    share: float  # percent of the group's comments that use it
    example: str

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def excerpt(text: str, limit: int = EXAMPLE_CHARS) -> str:
    """One line, control characters neutralised, at most ``limit`` characters.

    >>> excerpt("Great\\nservice,\\x1b[31m thanks " + "x" * 100, 30)
    'Great service,\\\\x1b[31m thanks…'
    """
    t = " ".join(clean_line(text).split())
    return t if len(t) <= limit else t[: limit - 1].rstrip() + "…"


class ThemeCounter:
    """Term counts per group of comments, with one example per term.

    Memory grows with the vocabulary, not with the number of comments."""

    def __init__(self) -> None:
        self.counts: dict[str, Counter] = {}
        self.comments: Counter = Counter()  # non-blank comments per group
        self.examples: dict[str, dict[str, str]] = {}

    def add(self, group: str, text: str) -> None:
        if not text.strip():
            return
        found = terms(text)
        self.comments[group] += 1
        if not found:
            return
        counts = self.counts.setdefault(group, Counter())
        counts.update(found)
        ex = self.examples.setdefault(group, {})
        short = None
        for t in found:
            if t not in ex:
                if short is None:
                    short = excerpt(text)
                ex[t] = short

    def distinctive(self, top: int = 10, *, prior: float = PRIOR, min_count: int = MIN_COUNT,
                    dedupe: bool = True) -> dict[str, list[Theme]]:
        """The ``top`` most distinctive terms of each group, best first (with
        ``dedupe``, a term that repeats a better-ranked one is skipped)."""
        total: Counter = Counter()
        for c in self.counts.values():
            total.update(c)
        n_all = sum(total.values())
        out: dict[str, list[Theme]] = {}
        if not n_all:
            return {g: [] for g in self.comments}
        n = {g: sum(c.values()) for g, c in self.counts.items()}
        for g in self.comments:
            mine = self.counts.get(g, Counter())
            n_i = n.get(g, 0)
            n_j = n_all - n_i
            scored = []
            for term, y_i in mine.items():
                if y_i < min_count:
                    continue
                y_j = total[term] - y_i
                z, delta = log_odds_z(y_i, y_j, n_i, n_j, prior * total[term] / n_all, prior)
                if z > 0:
                    scored.append((z, delta, term, y_i))
            # best first; on a tie the phrase before its words
            scored.sort(key=lambda s: (-s[0], -s[2].count(" "), s[2]))
            groups = self.comments[g] or 1
            kept: list[Theme] = []
            for z, delta, term, y in scored:
                if len(kept) >= top:
                    break
                if dedupe and _repeats(term, y, kept):
                    continue
                kept.append(Theme(term, z, delta, y, 100.0 * y / groups, self.examples[g][term]))
            out[g] = kept
        return out


def _repeats(term: str, count: int, kept: list[Theme]) -> bool:
    """True when a kept phrase shares a word with ``term`` and is used by as
    many comments: the two almost surely come from the same comments
    ("app crash", "crash"), so the second adds nothing."""
    mine = set(term.split())
    return any(t.count == count and mine & set(t.term.split()) for t in kept)


def log_odds_z(y_i: float, y_j: float, n_i: float, n_j: float, a_w: float, a0: float) -> tuple[float, float]:
    """(z, delta) of one term: the weighted log-odds ratio of group i vs j.

    >>> z, d = log_odds_z(30, 5, 300, 700, 3.5, 10)
    >>> round(d, 4), round(z, 3)
    (2.3025, 5.995)
    """
    delta = math.log((y_i + a_w) / (n_i + a0 - y_i - a_w)) - math.log((y_j + a_w) / (n_j + a0 - y_j - a_w))
    return delta / math.sqrt(1.0 / (y_i + a_w) + 1.0 / (y_j + a_w)), delta
