"""The full-text index behind ``search``: BM25F postings read lazily.

Four fields are indexed per entry: the headword (``term``), the aliases
(``alias``), the ``summary`` and the ``definition``, as normalised words
(``fuzzy.words``: lower case, accents folded, plural -s stripped, stopwords
dropped).

The index is two parts:

* the **vocabulary**: every word, sorted (one string and an offset per
  word, ``Vocab``), with its document frequency and
  where its posting list lies, plus the length of every field of every
  entry. Typo candidates for a query word are found in the vocabulary alone;
* the **postings**: per word, the entries containing it with the count of
  the word in each field (``<I4B``: entry, then term/alias/summary/definition
  counts, capped at 255), each list with its own crc32. Only the lists of the
  query's words (and their typo candidates) are read from the index file.

So a search costs a vocabulary scan plus a few small reads, whatever the
number of entries; see ``benchmarks/search_scale.py``.
"""

from __future__ import annotations

import marshal
import struct
import zlib
from array import array
from bisect import bisect_left
from collections.abc import Callable, Sequence

from . import fuzzy

FIELDS = ("term", "alias", "summary", "definition")
_POSTING = struct.Struct("<I4B")
_WHERE = struct.Struct("<QII")  # offset in the postings blob, length, crc32


def _field_words(t) -> tuple[list[str], list[str], list[str], list[str]]:
    aliases: list[str] = []
    for a in t.aliases:
        aliases.extend(fuzzy.words(a))
    return fuzzy.words(t.term), aliases, fuzzy.words(t.summary), fuzzy.words(t.definition)


def build(terms: Sequence) -> tuple[bytes, bytes]:
    """The two index sections for ``terms`` (in glossary order):
    ``(vocabulary, postings)``; see the module docstring."""
    counts: dict[str, dict[int, list[int]]] = {}
    lengths = [array("I") for _ in FIELDS]
    for i, t in enumerate(terms):
        for f, ws in enumerate(_field_words(t)):
            lengths[f].append(len(ws))
            for w in ws:
                per = counts.setdefault(w, {})
                tf = per.get(i)
                if tf is None:
                    tf = per[i] = [0, 0, 0, 0]
                if tf[f] < 255:
                    tf[f] += 1
    vocab = sorted(counts)
    blob = bytearray()
    where = bytearray()
    dfs = array("I")
    for w in vocab:
        per = counts[w]
        chunk = b"".join(_POSTING.pack(i, *tf) for i, tf in sorted(per.items()))
        where += _WHERE.pack(len(blob), len(chunk), zlib.crc32(chunk))
        blob += chunk
        dfs.append(len(per))
    avg = tuple((sum(a) / len(a)) if len(a) else 0.0 for a in lengths)
    starts, pos = array("I", [0]), 0
    for w in vocab:
        pos += len(w)
        starts.append(pos)
    head = marshal.dumps((len(terms), "".join(vocab), starts.tobytes(), dfs.tobytes(), bytes(where),
                          tuple(a.tobytes() for a in lengths), avg))
    return head, bytes(blob)


class Vocab:
    """The sorted vocabulary as one string plus word offsets: a read-only
    sequence of str (``bisect`` works on it) that costs a few bytes per word
    instead of a Python object each."""

    def __init__(self, text: str, starts: array) -> None:
        self._text = text
        self._starts = starts

    def __len__(self) -> int:
        return len(self._starts) - 1

    def __getitem__(self, i):
        if isinstance(i, slice):
            lo, hi, step = i.indices(len(self))
            return [self[k] for k in range(lo, hi, step)]
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError("vocabulary index out of range")
        return self._text[self._starts[i] : self._starts[i + 1]]


class Bm25Index:
    """The vocabulary in memory; posting lists fetched by ``read(offset, length)``."""

    def __init__(self, head: bytes, read: Callable[[int, int], bytes]) -> None:
        n, words, starts, dfs, where, lengths, avg = marshal.loads(head)
        self.size = n
        offsets = array("I")
        offsets.frombytes(starts)
        self.vocab = Vocab(words, offsets)
        self._dfs = array("I")
        self._dfs.frombytes(dfs)
        self._where = where
        self.lengths = []
        for raw in lengths:
            a = array("I")
            a.frombytes(raw)
            self.lengths.append(a)
        self.avg: tuple[float, ...] = avg
        self._read = read
        self._cache: dict[str, list[tuple[int, tuple[int, int, int, int]]]] = {}

    @classmethod
    def in_memory(cls, terms: Sequence) -> Bm25Index:
        head, blob = build(terms)
        return cls(head, lambda off, n: blob[off : off + n])

    def position(self, word: str) -> int:
        """Index of ``word`` in the vocabulary, or -1."""
        i = bisect_left(self.vocab, word)
        return i if i < len(self.vocab) and self.vocab[i] == word else -1

    def __contains__(self, word: str) -> bool:
        return self.position(word) >= 0

    def df(self, word: str) -> int:
        p = self.position(word)
        return self._dfs[p] if p >= 0 else 0

    def postings(self, word: str) -> list[tuple[int, tuple[int, int, int, int]]]:
        """[(entry, (term, alias, summary, definition counts))] of ``word``."""
        got = self._cache.get(word)
        if got is not None:
            return got
        p = self.position(word)
        if p < 0:
            return []
        offset, length, crc = _WHERE.unpack_from(self._where, p * _WHERE.size)
        data = self._read(offset, length)
        if len(data) != length or zlib.crc32(data) != crc:
            raise ValueError("index postings are damaged")
        out = [(e, tuple(tf)) for e, *tf in _POSTING.iter_unpack(data)]
        self._cache[word] = out
        return out

    def completions(self, prefix: str) -> list[str]:
        """Vocabulary words starting with ``prefix`` (sorted)."""
        i = bisect_left(self.vocab, prefix)
        out = []
        while i < len(self.vocab) and self.vocab[i].startswith(prefix):
            out.append(self.vocab[i])
            i += 1
        return out
