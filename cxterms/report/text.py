"""Data text made safe for the page: control characters and bidi overrides
shown visibly (never acted on), then HTML-escaped for text and attributes."""

from __future__ import annotations

import html

from ..textutil import clean_line

# explicit directional embeddings, overrides and isolates: shown, never applied
_BIDI = str.maketrans({c: f"\\u{c:04x}" for c in [*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F]})


def plain(text) -> str:
    r"""One visible line of data text.

    >>> plain("a\x1b[31mb\u202ec\nd")
    'a\\x1b[31mb\\u202ec d'
    """
    return clean_line("" if text is None else str(text)).translate(_BIDI)


def h(text) -> str:
    """Data text for HTML text and (quoted) attribute values.

    >>> h('<script>"x"</script>')
    '&lt;script&gt;&quot;x&quot;&lt;/script&gt;'
    """
    return html.escape(plain(text), quote=True)
