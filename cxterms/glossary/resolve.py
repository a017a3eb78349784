"""Resolve what the user typed to one entry, in tiers.

1. **exact**: the id or headword, ignoring case and surrounding spaces;
2. **alias**: the normalised key (see ``normalize``) of the id, headword or
   an alias. A key shared by several entries is ambiguous: all of them are
   listed, nothing is picked. A comma-separated list of names ("CXM, CEM")
   resolves when every name in it finds the same entry;
3. **prefix**: the key is the start of the keys of exactly one entry
   ("promot" -> Promoter);
4. **fuzzy**: the words typed appear, in order, in the names of exactly one
   entry ("pick up in store" -> BOPIS), or one entry's name is clearly the
   closest by the token-level name score of ``fuzzy`` ("Net Promotor
   Score"). A fuzzy hit is never silent: the caller shows a "did you mean"
   note.

Anything else is not found, with up to five suggestions.
"""

from __future__ import annotations

from typing import NamedTuple

from ..errors import AmbiguousError, NotFoundError
from . import normalize
from .store import ALIAS, Glossary, owners
from .term import Term

MIN_PREFIX = 3
FUZZY_ACCEPT = 85.0  # name score (see fuzzy) an entry needs to be a fuzzy hit
FUZZY_MARGIN = 5.0  # ... and its lead over the next entry
SUGGEST_MIN = 50.0


class Match(NamedTuple):
    """A resolved lookup: which entry, by which tier and name, with what score."""

    term: Term
    tier: str
    query: str
    matched: str
    score: float

    def as_dict(self) -> dict:
        return {"tier": self.tier, "query": self.query, "matched": self.matched, "score": self.score}


class TermNotFound(NotFoundError):
    """No entry matches; ``suggestions`` holds up to five headwords."""

    def __init__(self, message: str, suggestions: list[str], **kw) -> None:
        super().__init__(message, **kw)
        self.suggestions = suggestions


def _matched_name(term: Term, qkey: str) -> str:
    for name in (term.term, *term.aliases, term.id):
        if normalize.key(name) == qkey:
            return name
    return term.term


def _contains(hay: list[str], needle: list[str]) -> bool:
    n = len(needle)
    return any(hay[i : i + n] == needle for i in range(len(hay) - n + 1))


def _containing(glossary: Glossary, query: str) -> dict[int, str]:
    """Entries with a name in which the query's words appear in order."""
    from .fuzzy import STOPWORDS, _unpack

    qt = normalize.tokens(query)
    if len("".join(qt)) < MIN_PREFIX:
        return {}
    index = glossary.name_index()
    content = {w for w in qt if w not in STOPWORDS}
    if not content:
        return {}
    candidates = set.intersection(*(set(_unpack(index.postings.get(w, b""))) for w in content))
    found: dict[int, str] = {}
    for n in sorted(candidates):
        i, _kind, display, _words = index.record(n)
        if i not in found and _contains(normalize.tokens(display), qt):
            found[i] = display
    return found


def resolve(glossary: Glossary, query: str) -> Match:
    """Find the one entry ``query`` names.

    Raises AmbiguousError (``candidates``: the Terms) when a name is shared,
    TermNotFound (``suggestions``) when nothing matches.
    """
    text = query.strip()
    i = glossary.exact.get(text.casefold())
    if i is not None:
        t = glossary.get(i)
        return Match(t, "exact", query, t.term if text.casefold() == t.term.casefold() else t.id, 100.0)

    qkey = normalize.key(text)
    if not qkey:
        raise TermNotFound(f"no entry for {query!r}", [])
    packed = glossary.keys.get(qkey)
    bucket = owners(packed) if packed is not None else None
    if bucket:
        primary = [j for j, rank in bucket if rank != ALIAS]
        chosen = primary if len(primary) == 1 else [j for j, _ in bucket]
        if len(chosen) == 1:
            t = glossary.get(chosen[0])
            return Match(t, "alias", query, _matched_name(t, qkey), 100.0)
        terms = [glossary.get(j) for j in chosen]
        raise AmbiguousError(f"{query!r} is a name of {len(terms)} entries", terms)

    if "," in text:  # "CXM, CEM": a list of names that all name one entry
        found = set()
        for part in (p.strip() for p in text.split(",")):
            if not part:
                continue
            try:
                found.add(resolve(glossary, part).term.id)
            except NotFoundError:
                found.add(None)
        if len(found) == 1 and None not in found:
            t = glossary.by_id(found.pop())
            return Match(t, "alias", query, t.term, 100.0)

    if len(qkey) >= MIN_PREFIX:
        from bisect import bisect_left

        keys = glossary.sorted_keys
        holders: dict[int, str] = {}
        pos = bisect_left(keys, qkey)
        while pos < len(keys) and keys[pos].startswith(qkey):
            for j, _ in owners(glossary.keys[keys[pos]]):
                holders.setdefault(j, keys[pos])
            pos += 1
        if len(holders) == 1:
            (j, k), = holders.items()
            t = glossary.get(j)
            return Match(t, "prefix", query, _matched_name(t, k), 100.0)

    contained = _containing(glossary, text)
    if len(contained) == 1:
        (j, name), = contained.items()
        return Match(glossary.get(j), "fuzzy", query, name, 90.0)

    scores = glossary.name_index().scores(text)
    if scores:
        top, j, name, _kind = scores[0]
        runner_up = scores[1][0] if len(scores) > 1 else 0.0
        if top >= FUZZY_ACCEPT and top - runner_up >= FUZZY_MARGIN:
            return Match(glossary.get(j), "fuzzy", query, name, top)

    suggestions: list[str] = [glossary.rows[j][1] for j in contained][:5]
    for s, j, _name, _kind in scores:
        if s < SUGGEST_MIN or len(suggestions) >= 5:
            break
        head = glossary.rows[j][1]
        if head not in suggestions:
            suggestions.append(head)
    raise TermNotFound(f"no entry for {query!r}", suggestions)
