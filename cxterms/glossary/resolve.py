"""Resolve what the user typed to one entry, in tiers.

1. **exact**: the id or headword, ignoring case and surrounding spaces;
2. **alias**: the normalised key (see ``normalize``) of the id, headword or
   an alias. A key shared by several entries is ambiguous: all of them are
   listed, nothing is picked. A comma-separated list of names ("CXM, CEM")
   resolves when every name in it finds the same entry;
3. **prefix**: the key is the start of the keys of exactly one entry, and
   a plausible reading of it: it covers at least half of that name
   (``PREFIX_SHARE``), and where it stops inside a word it is a truncation
   in the sense of ``fuzzy.align`` ("promot" -> Promoter, but "persona" is
   not Personalization); and no other entry has the words typed in one of
   its names ("journey" is not Customer journey map: Customer journey too);
4. **fuzzy**: the words typed appear, in order, in the names of exactly one
   entry, and they are two or more words (a phrase) or half of that name
   ("pick up in store" -> BOPIS); or every word typed lines up with a word
   of one entry's name (``fuzzy.align``: same word, acronym, typo within
   ``fuzzy.typo_limit`` edits, truncation of the last word; words of the
   glossary's own text are taken as meant) and that entry is clearly the
   closest by the token-level name score of ``fuzzy`` ("Net Promotor
   Score"). "activation rate" is not Churn rate ("activation" is a word,
   not a typo of "attrition").

Prefix and fuzzy hits are never silent: the caller shows a note on stderr.
Anything else is not found, with up to five suggestions, each a name that
loosely lines up with what was typed (``fuzzy.align(loose=True)``), so
"p-value" does not suggest Customer lifetime value.
"""

from __future__ import annotations

from typing import NamedTuple

from ..errors import AmbiguousError, NotFoundError
from . import normalize
from .store import ALIAS, Glossary, owners
from .term import Term

MIN_PREFIX = 3
PREFIX_SHARE = 0.5  # a prefix hit covers at least this share of the name's key
FUZZY_ACCEPT = 75.0  # match score (fuzzy.align) an entry needs to be a fuzzy hit
FUZZY_MARGIN = 5.0  # ... and its lead over the next entry
SUGGEST_MIN = 50.0  # name score (fuzzy.NameIndex) a suggestion needs
CANDIDATE_MIN = 30.0  # name score of the candidates checked with fuzzy.align


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
    # the fuzzy tier reads index sections lazily: a damaged one means rebuild and retry
    return glossary.guarded(lambda: _resolve(glossary, query))


def _resolve(glossary: Glossary, query: str) -> Match:
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
            share = len(qkey) / len(k)
            others = set(_containing(glossary, text)) - {j}
            if share >= PREFIX_SHARE and not others and _ends_plausibly(glossary, text, k):
                t = glossary.get(j)
                return Match(t, "prefix", query, _matched_name(t, k), round(100.0 * share, 1))

    contained = _containing(glossary, text)
    if len(contained) == 1:
        (j, name), = contained.items()
        # a phrase of two words or more ("in CLV", "pick up in store"), or one
        # word that is half the name ("persona" in "buyer persona")
        if len(normalize.tokens(text)) >= 2 or len(qkey) >= PREFIX_SHARE * len(normalize.key(name)):
            return Match(glossary.get(j), "fuzzy", query, name, 90.0)

    qwords = _query_words(text)
    scores = glossary.name_index().scores(text)
    real = _real_words(glossary)
    aligned = []
    for s, j, name, _kind in scores[:60]:
        if s < CANDIDATE_MIN:
            break
        closeness = _best_alignment(glossary, j, qwords, real)
        if closeness is not None:
            aligned.append((closeness[0], j, closeness[1]))
    aligned.sort(key=lambda a: -a[0])
    if aligned:
        top, j, name = aligned[0]
        runner_up = aligned[1][0] if len(aligned) > 1 else 0.0
        if top >= FUZZY_ACCEPT and top - runner_up >= FUZZY_MARGIN:
            return Match(glossary.get(j), "fuzzy", query, name, top)

    suggestions: list[str] = [glossary.rows[j][1] for j in contained][:5]
    for s, j, _name, _kind in scores:
        if s < SUGGEST_MIN or len(suggestions) >= 5:
            break
        head = glossary.rows[j][1]
        if head not in suggestions and _best_alignment(glossary, j, qwords, real, loose=True) is not None:
            suggestions.append(head)
    raise TermNotFound(f"no entry for {query!r}", suggestions)


def _query_words(text: str) -> list[str]:
    from .fuzzy import words

    return words(text)


def _real_words(glossary: Glossary):
    """Is a word part of the glossary's own text (so typed on purpose)?"""
    vocab = glossary.search_index().text
    return lambda w: w in vocab


def _best_alignment(glossary: Glossary, j: int, qwords: list[str], real, *, loose: bool = False):
    """(match score, name) of the name of entry ``j`` that the query lines up with best."""
    from .fuzzy import align, words

    tid, term, _cat, aliases = glossary.rows[j]
    best = None
    for name in (term, *aliases, tid):
        c = align(qwords, words(name), real, loose=loose)
        if c is not None and (best is None or c > best[0]):
            best = (c, name)
    return best


def _ends_plausibly(glossary: Glossary, text: str, name_key: str) -> bool:
    """Does a prefix query stop at a word boundary of the name, or inside a
    word as a truncation (``fuzzy.align``)?"""
    from .fuzzy import TRUNCATION_MIN, TRUNCATION_SHARE

    qt = normalize.tokens(text)
    qkey = "".join(qt)
    pos = 0
    for w in _name_tokens_for_key(glossary, name_key):
        end = pos + len(w)
        if len(qkey) == end:
            return True
        if len(qkey) < end:
            part = len(qkey) - pos
            last = qt[-1] if qt else ""
            return (
                part >= TRUNCATION_MIN and part >= TRUNCATION_SHARE * len(w)
                and w.startswith(last) and not _real_words(glossary)(last)
            )
        pos = end
    return False


def _name_tokens_for_key(glossary: Glossary, name_key: str) -> list[str]:
    for j, _ in owners(glossary.keys[name_key]):
        tid, term, _cat, aliases = glossary.rows[j]
        for name in (term, *aliases, tid):
            if normalize.key(name) == name_key:
                return normalize.tokens(name)
    return [name_key]
