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


# -- closeness: when is a near match a plausible reading of the query? ------
#
# ``define`` answers a query that is not a name only when every word typed
# lines up with a word of one entry's name (``align``). A query word lines up
# with a name word when it is
#
# * the same word (after normalisation: case, accents, plural -s);
# * an acronym of two or more consecutive name words ("nps" ~ net promoter score);
# * a typo of it: the same first letter and a Damerau-Levenshtein (OSA)
#   distance of at most 1 for words of 4-7 letters, 2 for 8 letters or more,
#   none for shorter words (``typo_limit``); "pvalue" is not a typo of
#   "value"; or
# * for the last word typed only, a truncation: the start of the name word,
#   3 letters or more and at least half of it ("promot" ~ promoter, but not
#   "persona" ~ personalization).
#
# A word that occurs anywhere in the glossary's own text is taken as meant: it
# lines up only with itself, never as a typo or truncation of another word
# ("activation" is not a typo of "attrition", "persona" not a start of
# "personalization").

TRUNCATION_MIN = 3
TRUNCATION_SHARE = 0.5
#: closeness of each kind of line-up, averaged over the query's words
QUALITY = {"same": 1.0, "acronym": 0.9, "typo1": 0.8, "typo2": 0.65, "truncated": 0.6}


def typo_limit(word: str) -> int:
    """Edits a word of this length may contain and still count as a typo.

    >>> [typo_limit(w) for w in ("nps", "churn", "retension")]
    [0, 1, 2]
    """
    n = len(word)
    return 0 if n < 4 else 1 if n < 8 else 2


def distance(a: str, b: str) -> int:
    """Optimal-string-alignment distance (a swap of neighbours is one edit).

    >>> distance("promotor", "promoter"), distance("teh", "the")
    (1, 1)
    """
    from rapidfuzz.distance import OSA

    return OSA.distance(a, b)


def closest_words(word: str, vocab: list[str]) -> tuple[int, list[str]]:
    """The vocabulary words nearest to ``word`` within its typo limit (and
    with its first letter): ``(distance, words)``; ``(0, [word])`` when it is
    in the vocabulary, ``(-1, [])`` when nothing is near enough."""
    i = bisect_left(vocab, word)
    if i < len(vocab) and vocab[i] == word:
        return 0, [word]
    limit = typo_limit(word)
    if not limit:
        return -1, []
    from rapidfuzz import process
    from rapidfuzz.distance import OSA

    lo, hi = bisect_left(vocab, word[0]), bisect_left(vocab, chr(ord(word[0]) + 1))
    found = process.extract(word, vocab[lo:hi], scorer=OSA.distance, score_cutoff=limit, limit=None)
    if not found:
        return -1, []
    best = min(d for _w, d, _i in found)
    return int(best), [w for w, d, _i in found if d == best]


def _line_up(q: str, name: list[str], *, last: bool, real: bool, loose: bool) -> tuple[float, int, int] | None:
    """Best (quality, first, last name word covered) for query word ``q``."""
    best = None
    for k, w in enumerate(name):
        if q == w:
            return QUALITY["same"], k, k
        if real:
            continue
        limit = typo_limit(q) + (1 if loose and len(q) >= 4 else 0)
        if limit and abs(len(q) - len(w)) <= limit and q[0] == w[0]:
            d = distance(q, w)
            if d <= limit:
                cand = (QUALITY["typo1"] if d <= 1 else QUALITY["typo2"], k, k)
                best = max(best or cand, cand)
        if last and w.startswith(q) and (loose or (len(q) >= TRUNCATION_MIN and len(q) >= TRUNCATION_SHARE * len(w))):
            cand = (QUALITY["truncated"], k, k)
            best = max(best or cand, cand)
    if 2 <= len(q) <= 6:
        for k in range(len(name)):
            for j in range(k + 2, min(len(name), k + len(q)) + 1):
                if "".join(w[0] for w in name[k:j]) == q:
                    cand = (QUALITY["acronym"], k, j - 1)
                    best = max(best or cand, cand)
    return best


def align(query_words: list[str], name_words: list[str], is_real=lambda w: False, *, loose: bool = False) -> float | None:
    """Match score (0-100) of a query against a name when every query word
    lines up with a word of the name (see the comment above), else None::

        75 x mean over query words of the quality of their line-up (QUALITY)
      + 25 x share of the name's words lined up with some query word

    ``loose`` (for suggestions) allows one more edit, any truncation of the
    last word, and one word that lines up with nothing when two others do.

    >>> align(["net", "promotor", "score"], ["net", "promoter", "score"])
    95.0
    >>> align(["activation", "rate"], ["attrition", "rate"], lambda w: w == "activation") is None
    True
    >>> align(["nps", "score"], ["net", "promoter", "score"])
    96.25
    """
    if not query_words or not name_words:
        return None
    total, missed = 0.0, 0
    covered: set[int] = set()
    for n, q in enumerate(query_words):
        got = _line_up(q, name_words, last=n == len(query_words) - 1, real=is_real(q), loose=loose)
        if got is None:
            missed += 1
        else:
            total += got[0]
            covered.update(range(got[1], got[2] + 1))
    if missed and not (loose and missed == 1 and len(query_words) - missed >= 2):
        return None
    return round(75.0 * total / len(query_words) + 25.0 * len(covered) / len(name_words), 2)
