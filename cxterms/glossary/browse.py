"""Browsing: categories, letters, random and daily picks (pure functions)."""

from __future__ import annotations

import random
from datetime import date

from ..errors import NotFoundError, UsageError
from . import normalize
from .store import Glossary, letter_of


def find_category(glossary: Glossary, name: str) -> str:
    """The category ``name`` refers to: same key ("contact-center" = "Contact
    center"), else the only category whose key starts with it.

    Raises NotFoundError listing the categories.
    """
    wanted = normalize.key(name)
    names = [c for c, _ in glossary.categories()]
    exact = [c for c in names if normalize.key(c) == wanted]
    if exact:
        return exact[0]
    starts = [c for c in names if wanted and normalize.key(c).startswith(wanted)]
    if len(starts) == 1:
        return starts[0]
    raise NotFoundError(
        f"no category {name!r}" if not starts else f"{name!r} matches several categories: {', '.join(starts)}",
        hint="categories: " + ", ".join(names),
    )


def check_letter(letter: str) -> str:
    """Normalise a --letter value: one letter A-Z, or '#'/'0-9' for digits.

    >>> check_letter("n"), check_letter("0-9")
    ('N', '#')
    """
    text = letter.strip()
    if text in ("#", "0-9") or (len(text) == 1 and text.isdigit()):
        return "#"
    if len(text) == 1 and text.isalpha():
        return letter_of(text)
    raise UsageError(f"--letter takes one letter A-Z or '#' for digits, not {letter!r}")


def select(glossary: Glossary, *, category: str | None = None, letter: str | None = None) -> list[int]:
    """Indexes of entries (alphabetical order) in ``category`` and under ``letter``."""
    cat = find_category(glossary, category) if category else None
    let = check_letter(letter) if letter else None
    return [
        i
        for i, (_id, term, c, _a) in enumerate(glossary.rows)
        if (cat is None or c == cat) and (let is None or letter_of(term) == let)
    ]


def pick(indexes: list[int], seed: int | str | None) -> int:
    """One of ``indexes``; the same seed always picks the same entry.

    >>> pick([3, 5, 8], seed=1) == pick([3, 5, 8], seed=1)
    True
    """
    if not indexes:
        raise NotFoundError("no entries to choose from")
    return random.Random(seed).choice(indexes)


def daily_seed(day: date) -> str:
    """Seed of the term of the day: stable for the whole calendar date."""
    return f"cxterms-term-of-the-day-{day.isoformat()}"
