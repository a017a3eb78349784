"""Token-level fuzzy matching shared by ``define`` (its last tier) and ``search``.

Names and texts are compared as bags of normalised words. Each query word
is matched against the vocabulary once (rapidfuzz ``ratio``, at least
``WORD_MIN``; 90 when a vocabulary word starts with it; 100 when equal), and
the per-word similarities are combined per candidate through inverted
indexes, so the cost grows with the vocabulary, not with the number of
entries times names.

Name score (0-100) of a query against a name::

    0.75 x mean over query words of their best similarity with a word of the name
  + 0.25 x 100 x share of the name's words matched by some query word

so "promotor score" scores 85.6 against "Net Promoter Score" but 45 against
"Customer effort score", and a name that equals the query scores 100.
"""

from __future__ import annotations

from bisect import bisect_left

from . import normalize

WORD_MIN = 70.0
PREFIX_SIM = 90.0
QUERY_WEIGHT = 0.75
STOPWORDS = frozenset(
    "a an and are as at be by for from how in is it its of on or that the this to what when which with".split()
)


def words(text: str) -> list[str]:
    """Normalised words without stopwords (all words if only stopwords).

    >>> words("The voice of the customer")
    ['voice', 'customer']
    """
    toks = normalize.tokens(text)
    return [t for t in toks if t not in STOPWORDS]


def word_similarities(query_words: list[str], vocab: list[str]) -> dict[str, dict[str, float]]:
    """For each query word, {vocabulary word: similarity} above WORD_MIN.

    ``vocab`` must be sorted (prefix matches use bisection).
    """
    from rapidfuzz import fuzz, process

    out: dict[str, dict[str, float]] = {}
    for q in query_words:
        if q in out:
            continue
        sims: dict[str, float] = {}
        if len(q) >= 4:
            for w, score, _ in process.extract(q, vocab, scorer=fuzz.ratio, limit=None, score_cutoff=WORD_MIN):
                sims[w] = score
        if len(q) >= 3:
            i = bisect_left(vocab, q)
            while i < len(vocab) and vocab[i].startswith(q):
                sims[vocab[i]] = max(sims.get(vocab[i], 0.0), PREFIX_SIM)
                i += 1
        i = bisect_left(vocab, q)
        if i < len(vocab) and vocab[i] == q:
            sims[q] = 100.0
        out[q] = sims
    return out


class NameIndex:
    """Inverted index over the names (headword, aliases, id) of every entry."""

    def __init__(self, names: list[tuple[int, str, tuple[str, ...]]]) -> None:
        #: (entry index, display name, name words)
        self.names = names
        postings: dict[str, list[int]] = {}
        for n, (_i, _d, toks) in enumerate(names):
            for t in set(toks):
                postings.setdefault(t, []).append(n)
        self.postings = postings
        self.vocab = sorted(postings)

    @classmethod
    def from_rows(cls, rows) -> NameIndex:
        names = []
        for i, (tid, term, _cat, aliases) in enumerate(rows):
            seen = set()
            for name in (term, *aliases, tid):
                toks = tuple(words(name))
                if toks and toks not in seen:
                    seen.add(toks)
                    names.append((i, name, toks))
        return cls(names)

    def scores(self, query: str, sims: dict[str, dict[str, float]] | None = None) -> list[tuple[float, int, str]]:
        """Best name score per entry, best first: (score, entry index, name).

        ``sims`` (from ``word_similarities`` over a vocabulary that includes
        this index's) saves recomputing the word matches.
        """
        qwords = words(query)
        if not qwords or all(w in STOPWORDS for w in qwords):
            return []
        if sims is None:
            sims = word_similarities(qwords, self.vocab)
        candidates: set[int] = set()
        for q in qwords:
            for w in sims[q]:
                candidates.update(self.postings.get(w, ()))
        qkey = "".join(qwords)
        best: dict[int, tuple[float, str]] = {}
        for n in candidates:
            i, display, toks = self.names[n]
            if "".join(toks) == qkey:
                score = 100.0
            else:
                covered = sum(max((sims[q].get(t, 0.0) for t in toks), default=0.0) for q in qwords) / len(qwords)
                matched = sum(1 for t in toks if any(t in sims[q] for q in qwords)) / len(toks)
                score = QUERY_WEIGHT * covered + (1 - QUERY_WEIGHT) * 100.0 * matched
            if score > best.get(i, (-1.0, ""))[0]:
                best[i] = (score, display)
        return sorted(((s, i, d) for i, (s, d) in best.items()), key=lambda x: (-x[0], x[1]))


class TextIndex:
    """Inverted index of the words of one text field (summary or definition)."""

    def __init__(self, postings: dict[str, list[int]]) -> None:
        self.postings = postings

    @classmethod
    def from_texts(cls, texts: list[str]) -> TextIndex:
        postings: dict[str, list[int]] = {}
        for i, text in enumerate(texts):
            for w in set(words(text)):
                postings.setdefault(w, []).append(i)
        return cls(postings)

    def coverage(self, qwords: list[str], sims: dict[str, dict[str, float]]) -> dict[int, tuple[float, list[str]]]:
        """Per entry: mean over query words of the best similarity found in
        its text, and the words that matched."""
        per_entry: dict[int, dict[str, tuple[float, str]]] = {}
        for q in qwords:
            for w, s in sims[q].items():
                for i in self.postings.get(w, ()):
                    got = per_entry.setdefault(i, {})
                    if s > got.get(q, (0.0, ""))[0]:
                        got[q] = (s, w)
        return {
            i: (sum(s for s, _ in got.values()) / len(qwords), [got[q][1] for q in qwords if q in got])
            for i, got in per_entry.items()
        }
