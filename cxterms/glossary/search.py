"""Ranked, typo-tolerant search: BM25F over headword, aliases, summary and
definition.

**Query words.** Each normalised query word (``fuzzy.words``) stands for
vocabulary words of the index (``bm25``):

* itself, when it is in the vocabulary (weight 1), and nothing else: a
  word of the glossary is taken as meant ("likert" never matches "like");
* otherwise its nearest vocabulary words within its typo limit
  (``fuzzy.closest_words``: OSA distance 1 for 4-7 letters, 2 for 8+),
  weight ``TYPO_WEIGHT[d]``; only the nearest ones, so "retension" means
  "retention", not "extension";
* and, for the last word typed, vocabulary words it is the start of (at
  least ``PREFIX_MIN`` letters, weight ``PREFIX_WEIGHT``).

**Score.** BM25F (Robertson & Zaragoza, "The Probabilistic Relevance
Framework: BM25 and Beyond", 2009): per entry and candidate word ``w``::

    tf(w) = sum over fields f of  WEIGHT[f] x count_f(w) / (1 - B[f] + B[f] x len_f / avglen_f)
    idf(w) = ln(1 + (N - df(w) + 0.5) / (df(w) + 0.5))
    part(q) = max over the candidates w of q of  weight(w) x idf(w) x tf(w) / (K1 + tf(w))
    score = 100 x sum over query words of part(q) / sum over query words of idf(best candidate)

so a score is the share of the query's information an entry matches (0-100),
a headword hit counting about three times a mention in a definition.

**Order and floor.** Best score first; ties by the best field matched
(headword, alias, summary, definition), then closeness (exact before typo
before prefix), then the headword of fewer words: never alphabetical. An entry
that the query names exactly (a headword, alias or id, normalised as
``define`` does) scores 100. Hits under
``MIN_SCORE`` or under ``RELATIVE_FLOOR`` x the best score are dropped.
"""

from __future__ import annotations

import math
from typing import NamedTuple

from . import fuzzy
from .bm25 import FIELDS
from .store import Glossary
from .term import Term

WEIGHT = (4.0, 3.0, 1.5, 1.0)  # term, alias, summary, definition
B = (0.5, 0.5, 0.75, 0.75)
K1 = 1.2
TYPO_WEIGHT = {1: 0.8, 2: 0.6}
PREFIX_MIN = 4
PREFIX_WEIGHT = 0.5
MIN_SCORE = 15.0
RELATIVE_FLOOR = 0.35


class Hit(NamedTuple):
    term: Term
    score: float
    field: str  # "term", "alias", "summary", "definition"
    matched: str  # the alias, or the words of the text that matched

    @property
    def where(self) -> str:
        return self.field if self.field in ("term", "id") else f"{self.field}: {self.matched}"

    def as_dict(self) -> dict:
        return {
            "id": self.term.id,
            "term": self.term.term,
            "category": self.term.category,
            "summary": self.term.summary,
            "score": self.score,
            "field": self.field,
            "matched": self.matched,
        }


def candidates(index, qwords: list[str]) -> list[list[tuple[str, float, int]]]:
    """For each query word: [(vocabulary word, weight, closeness rank)]
    (rank 0 exact, 1-2 typo distance, 3 prefix)."""
    out = []
    for n, q in enumerate(qwords):
        dist, near = fuzzy.closest_words(q, index.vocab)
        cands = [(w, 1.0 if dist == 0 else TYPO_WEIGHT[dist], dist) for w in near] if dist >= 0 else []
        if dist != 0 and n == len(qwords) - 1 and len(q) >= PREFIX_MIN:
            have = {w for w, _, _ in cands}
            cands += [(w, PREFIX_WEIGHT, 3) for w in index.completions(q) if w not in have]
        out.append(cands)
    return out


def _idf(n: int, df: int) -> float:
    return math.log(1.0 + (n - df + 0.5) / (df + 0.5))


def search(glossary: Glossary, query: str, *, limit: int | None = 10) -> list[Hit]:
    """Entries matching ``query``, best first (see the module docstring).

    A query of stopwords only ("the", "of") matches nothing.
    """
    return glossary.guarded(lambda: _search(glossary, query, limit))


def _search(glossary: Glossary, query: str, limit: int | None) -> list[Hit]:
    qwords = [w for w in fuzzy.words(query) if w not in fuzzy.STOPWORDS]
    if not qwords:
        return []
    qwords = list(dict.fromkeys(qwords))
    index = glossary.search_index().text
    n = index.size
    if not n:
        return []
    unseen = _idf(n, 0)
    parts: dict[int, list] = {}  # entry -> per query word (score, field rank, closeness, word)
    ideal = 0.0
    for qi, cands in enumerate(candidates(index, qwords)):
        ideal += max((_idf(n, index.df(w)) for w, _, _ in cands), default=unseen)
        for w, weight, rank in cands:
            idf = _idf(n, index.df(w))
            for entry, counts in index.postings(w):
                tf = 0.0
                best_field = None
                for f, c in enumerate(counts):
                    if c:
                        length = index.lengths[f][entry]
                        avg = index.avg[f] or 1.0
                        tf += WEIGHT[f] * c / (1.0 - B[f] + B[f] * length / avg)
                        if best_field is None:
                            best_field = f
                part = weight * idf * tf / (K1 + tf)
                slots = parts.setdefault(entry, [None] * len(qwords))
                cur = slots[qi]
                if cur is None or part > cur[0]:
                    slots[qi] = (part, best_field, rank, w)
    # an entry the query names exactly (headword, alias or id, as define
    # normalises them) is a perfect hit
    from .normalize import key
    from .store import ALIAS, owners

    named = glossary.keys.get(key(query))
    exact = dict(owners(named)) if named is not None else {}
    scored = []
    for entry, slots in parts.items():
        if entry in exact:
            continue
        got = [s for s in slots if s is not None]
        score = 100.0 * sum(s[0] for s in got) / ideal
        field = min(s[1] for s in got)
        closeness = max(s[2] for s in got)
        scored.append((score, field, closeness, entry, [s[3] for s in got]))
    for entry, rank in exact.items():
        scored.append((100.0, 1 if rank == ALIAS else 0, 0, entry, qwords))
    if not scored:
        return []
    top = max(s[0] for s in scored)
    floor = max(MIN_SCORE, RELATIVE_FLOOR * top)
    kept = [s for s in scored if s[0] >= floor]
    head_words = index.lengths[0]
    kept.sort(key=lambda s: (-round(s[0], 6), s[1], s[2], head_words[s[3]], s[3]))
    if limit is not None:
        kept = kept[:limit]
    hits = []
    for score, field, _closeness, entry, words in kept:
        term = glossary.get(entry)
        name = FIELDS[field]
        matched = " ".join(words)
        if name == "alias":
            matched = next((a for a in term.aliases if set(fuzzy.words(a)) & set(words)), matched)
        hits.append(Hit(term, round(score, 1), name, matched))
    return hits
