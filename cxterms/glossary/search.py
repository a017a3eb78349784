"""Ranked, typo-tolerant search over headwords, aliases and text.

Every entry gets a score from 0 to 100, the best of:

* **name**: the token-level name score of ``fuzzy`` between the query and
  the headword, an alias or the id ("promotor score" -> Net Promoter Score);
* **summary** (x 0.85) and **definition** (x 0.75): the mean over the
  query's words of their best similarity with a word of that text, so an
  entry that mentions every word ranks first and a typo still counts
  ("retension" ~ "retention").

Hits under ``MIN_SCORE`` are dropped; each hit says where it matched.
"""

from __future__ import annotations

from typing import NamedTuple

from . import fuzzy
from .store import Glossary
from .term import Term

MIN_SCORE = 55.0
SUMMARY_WEIGHT = 0.85
DEFINITION_WEIGHT = 0.75


class Hit(NamedTuple):
    term: Term
    score: float
    field: str  # "term", "alias", "id", "summary", "definition"
    matched: str  # the name, or the words of the text that matched

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


def search(glossary: Glossary, query: str, *, limit: int | None = 10) -> list[Hit]:
    """Entries matching ``query``, best first (ties by headword).

    A query of stopwords only ("the", "of") matches nothing.
    """
    qwords = fuzzy.words(query)
    if not qwords or all(w in fuzzy.STOPWORDS for w in qwords):
        return []
    index = glossary.search_index()
    sims = fuzzy.word_similarities(qwords, index.vocab)
    best: dict[int, tuple[float, str, str]] = {}

    def offer(i: int, score: float, field: str, matched: str) -> None:
        if score >= MIN_SCORE and score > best.get(i, (-1.0,))[0]:
            best[i] = (score, field, matched)

    for score, i, name, kind in index.names.scores(query, sims):
        offer(i, score, kind, name)
    for field, text_index, weight in (
        ("summary", index.summaries, SUMMARY_WEIGHT),
        ("definition", index.definitions, DEFINITION_WEIGHT),
    ):
        for i, (cov, found) in text_index.coverage(qwords, sims).items():
            offer(i, weight * cov, field, " ".join(found))
    # best first; ties broken by headword, which needs only the tied entries
    ranked = sorted(best.items(), key=lambda kv: (-kv[1][0], kv[0]))
    if limit is not None and len(ranked) > limit:
        cutoff = ranked[limit - 1][1][0]
        ranked = [kv for kv in ranked if kv[1][0] >= cutoff]
    terms = {i: glossary.get(i) for i, _ in ranked}
    ranked.sort(key=lambda kv: (-kv[1][0], terms[kv[0]].term.casefold()))
    if limit is not None:
        ranked = ranked[:limit]
    return [Hit(terms[i], round(s, 1), f, m) for i, (s, f, m) in ranked]
