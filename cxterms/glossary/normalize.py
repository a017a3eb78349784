"""Name normalisation for term lookup.

``define`` must find "C-SAT", "csat", "Net promoter scores" and "voice of
customer" without the user typing the headword exactly. Two strings name the
same thing when their *keys* are equal. The key ignores:

* case and accents ("Café" = "cafe"),
* spaces, hyphens, dots, slashes and other punctuation ("c-sat" = "CSAT"),
* "&" versus "and" ("service & support" = "service and support"),
* the article "the" ("voice of customer" = "voice of the customer"),
* a plural "-s" on any word of four letters or more, so "CES" keeps its S
  but "scores" becomes "score"; "-ies" and "-ie" both become "-y", so
  "strategies" = "strategy" and "cookies" = "cookie".
"""

from __future__ import annotations

import re
import unicodedata

_WORD = re.compile(r"[a-z0-9]+")
_DROP = frozenset({"the"})


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return plain.casefold().replace("&", " and ")


def singular(word: str) -> str:
    """Strip a plural ending from one lower-case word.

    >>> [singular(w) for w in ["scores", "strategies", "ces", "business", "kpis", "cookie"]]
    ['score', 'strategy', 'ces', 'business', 'kpi', 'cooky']
    """
    if len(word) >= 5 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) >= 4 and word.endswith("ie"):
        return word[:-2] + "y"
    if len(word) >= 4 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def tokens(text: str) -> list[str]:
    """The normalised words of ``text``.

    >>> tokens("Voice of the Customer")
    ['voice', 'of', 'customer']
    >>> tokens("Customer service & support")
    ['customer', 'service', 'and', 'support']
    """
    words = _WORD.findall(_fold(text))
    kept = [singular(w) for w in words if w not in _DROP]
    return kept or [singular(w) for w in words]


def key(text: str) -> str:
    """The lookup key: normalised words joined without separators.

    >>> key("C-SAT") == key("csat") == key("C.S.A.T.")
    True
    >>> key("Net promoter scores") == key("net-promoter-score")
    True
    >>> key("voice of customer") == key("Voice of the Customer")
    True
    """
    return "".join(tokens(text))


def spaced(text: str) -> str:
    """Normalised words joined by single spaces (for fuzzy matching).

    >>> spaced("  A/B   testing ")
    'a b testing'
    """
    return " ".join(tokens(text))
