"""Words and two-word phrases of a comment, normalised for counting.

Normalisation is deliberately simple and predictable: lower case, letters
and digits only (any script: accents, CJK and other languages pass
through), a plural -s dropped (``prices`` -> ``price``, ``deliveries`` ->
``delivery``), English stop words left out of single words. Negations
(``not``, ``no``, ``never``) are kept inside phrases, where they carry the
meaning (``not helpful``), but are not counted alone. Emoji and symbols are
separators.
"""

from __future__ import annotations

import re

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*", re.UNICODE)
_CLAUSE = re.compile(r"[.,;:!?()\[\]{}\"“”\n\r\t|/…–—]+")

STOP_WORDS = frozenset("""
a about above after again against all am an and any are as at be because been before being below between
both but by can could did do does doing down during each few for from further had has have having he her
here hers herself him himself his how i if in into is it its itself just me more most my myself of off on
once only or other our ours ourselves out over own same she should so some such than that the their theirs
them themselves then there these they this those through to too under until up very was we were what when
where which while who whom why will with would you your yours yourself yourselves also get got im ive
it's i'm i've don't didn't can't won't wasn't isn't aren't couldn't wouldn't shouldn't doesn't haven't
hasn't weren't us one really much even still s t ll re ve d m
""".split())
NEGATIONS = frozenset({"not", "no", "never", "nothing", "nobody", "none", "nor", "cannot", "without",
                       "don't", "didn't", "can't", "won't", "wasn't", "isn't", "aren't", "couldn't",
                       "wouldn't", "shouldn't", "doesn't", "haven't", "hasn't", "weren't"})
_KEEP_S = ("ss", "us", "is", "ous", "'s")


def singular(word: str) -> str:
    """Drop a plural -s the simple way (English words only: ASCII).

    >>> [singular(w) for w in ("prices", "deliveries", "boxes", "bus", "process", "analysis", "was")]
    ['price', 'delivery', 'box', 'bus', 'process', 'analysis', 'was']
    """
    if len(word) <= 3 or not word.endswith("s") or word.endswith(_KEEP_S) or not word.isascii():
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("xes", "ches", "shes", "sses", "zes")):
        return word[:-2]
    return word[:-1]


def words(text: str) -> list[str]:
    """Normalised words of ``text``, stop words included (for phrases and topics).

    >>> words("The PRICES weren't great, delivery was late!! 🙁 Très cher. It does.")
    ['the', 'price', "weren't", 'great', 'delivery', 'was', 'late', 'très', 'cher', 'it', 'does']
    """
    out = []
    for w in _WORD.findall(text.casefold()):
        w = w.replace("’", "'")
        out.append(w if w in STOP_WORDS or w in NEGATIONS else singular(w))
    return out


def terms(text: str) -> set[str]:
    """The distinct terms of one comment: content words, and two-word phrases
    of adjacent words that are content words or negations (a comment counts
    once per term, however often it repeats it).

    >>> sorted(terms("Not helpful at all. The agent was not helpful!"))
    ['agent', 'helpful', 'not helpful']
    """
    out: set[str] = set()
    for clause in _CLAUSE.split(text):  # phrases never span punctuation
        ws = words(clause)
        out.update(w for w in ws if w not in STOP_WORDS and w not in NEGATIONS and not w.isdigit())
        for a, b in zip(ws, ws[1:]):
            if b in STOP_WORDS or b in NEGATIONS or b.isdigit():
                continue
            if (a not in STOP_WORDS or a in NEGATIONS) and not a.isdigit():
                out.add(f"{a} {b}")
    return out
