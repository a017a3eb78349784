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

from array import array
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


def _pack(numbers) -> bytes:
    return array("I", numbers).tobytes()


def _unpack(data: bytes) -> array:
    out = array("I")
    out.frombytes(data)
    return out


_SEP = "\x1f"
KINDS = {"t": "term", "a": "alias", "i": "id"}


class NameIndex:
    """Inverted index over the names (headword, aliases, id) of every entry.

    Compact so that the compiled index loads it quickly: each name is one
    string record ``entry<US>kind<US>display<US>words`` and each posting list
    is packed bytes of name numbers.
    """

    def __init__(self, records: list[str], postings: dict[str, bytes], vocab: list[str]) -> None:
        self.records = records
        self.postings = postings
        self.vocab = vocab

    @classmethod
    def from_rows(cls, rows) -> NameIndex:
        records: list[str] = []
        lists: dict[str, list[int]] = {}
        for i, (tid, term, _cat, aliases) in enumerate(rows):
            seen = set()
            for kind, name in (("t", term), *(("a", a) for a in aliases), ("i", tid)):
                toks = tuple(words(name))
                if toks and toks not in seen:
                    seen.add(toks)
                    for t in set(toks):
                        lists.setdefault(t, []).append(len(records))
                    records.append(_SEP.join((str(i), kind, name, " ".join(toks))))
        return cls(records, {t: _pack(v) for t, v in lists.items()}, sorted(lists))

    def record(self, n: int) -> tuple[int, str, str, list[str]]:
        """(entry index, kind: term/alias/id, display name, words) of name ``n``."""
        i, kind, display, toks = self.records[n].split(_SEP)
        return int(i), KINDS[kind], display, toks.split()

    def scores(self, query: str, sims: dict[str, dict[str, float]] | None = None) -> list[tuple[float, int, str, str]]:
        """Best name score per entry, best first: (score, entry index, name, kind).

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
                packed = self.postings.get(w)
                if packed:
                    candidates.update(_unpack(packed))
        qkey = "".join(qwords)
        best: dict[int, tuple[float, str, str]] = {}
        for n in candidates:
            i, kind, display, toks = self.record(n)
            if "".join(toks) == qkey:
                score = 100.0
            else:
                covered = sum(max((sims[q].get(t, 0.0) for t in toks), default=0.0) for q in qwords) / len(qwords)
                matched = sum(1 for t in toks if any(t in sims[q] for q in qwords)) / len(toks)
                score = QUERY_WEIGHT * covered + (1 - QUERY_WEIGHT) * 100.0 * matched
            if score > best.get(i, (-1.0, "", ""))[0]:
                best[i] = (score, display, kind)
        return sorted(((s, i, d, k) for i, (s, d, k) in best.items()), key=lambda x: (-x[0], x[1]))


class TextIndex:
    """Inverted index of the words of one text field (summary or definition),
    posting lists packed as bytes of entry indexes."""

    def __init__(self, postings: dict[str, bytes]) -> None:
        self.postings = postings

    @classmethod
    def from_texts(cls, texts: list[str]) -> TextIndex:
        lists: dict[str, list[int]] = {}
        for i, text in enumerate(texts):
            for w in set(words(text)):
                lists.setdefault(w, []).append(i)
        return cls({w: _pack(v) for w, v in lists.items()})

    def coverage(self, qwords: list[str], sims: dict[str, dict[str, float]]) -> dict[int, tuple[float, list[str]]]:
        """Per entry: mean over query words of the best similarity found in
        its text, and the words that matched."""
        per_entry: dict[int, dict[str, tuple[float, str]]] = {}
        for q in qwords:
            for w, s in sims[q].items():
                packed = self.postings.get(w)
                if not packed:
                    continue
                for i in _unpack(packed):
                    got = per_entry.setdefault(i, {})
                    if s > got.get(q, (0.0, ""))[0]:
                        got[q] = (s, w)
        return {
            i: (sum(s for s, _ in got.values()) / len(qwords), [got[q][1] for q in qwords if q in got])
            for i, got in per_entry.items()
        }
