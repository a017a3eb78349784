"""Flashcards: deal cards, hide the answer in the clue, grade answers."""

from __future__ import annotations

import random
import re
from typing import NamedTuple

from . import normalize
from .store import Glossary
from .term import Term

MASK = "____"
TYPO_MIN_LENGTH = 5  # typo tolerance only for names of 5+ letters: "csta" is not "csat"
TYPO_SCORE = 85.0


def deal(glossary: Glossary, indexes: list[int], count: int, seed: int | str | None = None) -> list[Term]:
    """``count`` distinct entries in random order (all of them if fewer).

    >>> from cxterms.glossary.store import Glossary
    """
    rng = random.Random(seed)
    chosen = rng.sample(indexes, min(count, len(indexes)))
    return [glossary.get(i) for i in chosen]


def _name_pattern(names: list[str]) -> re.Pattern | None:
    alts = sorted({n for n in names if len(n) >= 2}, key=len, reverse=True)
    if not alts:
        return None
    parts = []
    for n in alts:
        words = [re.escape(w) for w in re.split(r"[\s\-]+", n.strip()) if w]
        parts.append(r"[\s\-]+".join(words) + r"(?:e?s)?")
    return re.compile(r"(?<![\w])(?:" + "|".join(parts) + r")(?![\w])", re.IGNORECASE)


def mask(text: str, term: Term) -> str:
    """Hide the headword, its aliases and acronyms (and their plurals) in ``text``.

    >>> t = Term("nps", "Net Promoter Score", "M", "s", "d", aliases=("NPS",))
    >>> mask("The Net Promoter Score (NPS) and two NPSs.", t)
    'The ____ (____) and two ____.'
    """
    pattern = _name_pattern([term.term, *term.aliases])
    return pattern.sub(MASK, text) if pattern else text


class Grade(NamedTuple):
    correct: bool
    how: str  # "exact", "alias", "typo", "wrong", "skipped"
    matched: str | None


def grade(answer: str, term: Term) -> Grade:
    """Is ``answer`` the term? Headword, id, any alias, ignoring case and
    punctuation, or a small typo of a name of five letters or more.

    >>> t = Term("promoter", "Promoter", "M", "s", "d")
    >>> grade("promoters", t), grade("promter", t).how, grade("passive", t).correct
    (Grade(correct=True, how='exact', matched='Promoter'), 'typo', False)
    """
    key = normalize.key(answer)
    if not key:
        return Grade(False, "skipped", None)
    if key in (normalize.key(term.term), normalize.key(term.id)):
        return Grade(True, "exact", term.term)
    for alias in term.aliases:
        if key == normalize.key(alias):
            return Grade(True, "alias", alias)
    from rapidfuzz import fuzz

    for name in (term.term, *term.aliases):
        nk = normalize.key(name)
        if len(nk) >= TYPO_MIN_LENGTH and fuzz.ratio(key, nk) >= TYPO_SCORE:
            return Grade(True, "typo", name)
    return Grade(False, "wrong", None)


def category_label(term: Term) -> str:
    """The card's category label, with every word the answer shares masked
    ("Marketing" on the card for "Marketing stack" would give it away).

    >>> category_label(Term("marketing-stack", "Marketing stack", "Marketing", "s", "d"))
    '____'
    >>> category_label(Term("nps", "Net Promoter Score", "Experience metrics", "s", "d", aliases=("NPS",)))
    'Experience metrics'
    >>> category_label(Term("cx", "Customer experience", "Experience metrics", "s", "d"))
    '____ metrics'
    """
    answer = {w for name in (term.term, *term.aliases, term.id) for w in normalize.tokens(name)}

    def hide(m: re.Match) -> str:
        return MASK if normalize.singular(m.group(0).casefold()) in answer else m.group(0)

    label = re.sub(r"[^\W_]+", hide, term.category)
    return re.sub(rf"{MASK}(?:\W+{MASK})+", MASK, label)


def clue(term: Term) -> str:
    """The text shown on a card: summary and first paragraph, answer masked."""
    return mask(f"{term.summary} {term.paragraphs[0]}", term)
