"""Text safety helpers shared by every renderer and writer.

Text from data (term files, table cells, group names) must never drive a
terminal or a spreadsheet:

* C0 controls except TAB and LF, DEL and the C1 controls U+0080-U+009F
  (ESC, CSI, OSC... start every escape sequence) become visible ``\\x1b``
  escapes, so OSC 52 clipboard writes, OSC 8 links, title changes and screen
  clears are shown as text, never run;
* bidi overrides and isolates (U+202A-U+202E, U+2066-U+2069, U+061C), zero-width
  characters (U+200B-U+200F, U+2060, U+FEFF) and the Unicode line and
  paragraph separators become visible ``<U+202E>`` tags, so text cannot
  reorder or hide itself;
* CSV cells that a spreadsheet would run as a formula are prefixed with
  ``'`` (``csv_cell``), in every CSV cxterms writes;
* JSON keeps the data exactly but writes those characters as ``\\uXXXX``
  escapes (``json_safe``).
"""

from __future__ import annotations

import re

_CONTROL_CODES = [*range(0x00, 0x09), *range(0x0B, 0x20), 0x7F, *range(0x80, 0xA0)]
_INVISIBLE_CODES = [
    0x061C, *range(0x200B, 0x2010), 0x2028, 0x2029, *range(0x202A, 0x202F), 0x2060, *range(0x2066, 0x206A), 0xFEFF,
]
_TABLE = str.maketrans(
    {**{c: f"\\x{c:02x}" for c in _CONTROL_CODES}, **{c: f"<U+{c:04X}>" for c in _INVISIBLE_CODES}}
)
_MD_SPECIAL = str.maketrans({c: "\\" + c for c in "\\`*_[]<>|#"})
_JSON_UNSAFE = re.compile("[" + "".join(chr(c) for c in [*range(0x7F, 0xA0), *_INVISIBLE_CODES]) + "]")

#: first characters that make a spreadsheet evaluate a cell (CSV injection)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")
_PLAIN_NUMBER = re.compile(r"[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?")


def clean(text: str) -> str:
    r"""Neutralise control characters (ANSI escapes included) and show bidi
    and zero-width characters visibly, for a terminal or a document.

    >>> clean("ok\x1b[31mred\x07")
    'ok\\x1b[31mred\\x07'
    >>> clean("two\nlines\tand tabs")
    'two\nlines\tand tabs'
    >>> clean("abc\u202edcba\u200b\x9b")
    'abc<U+202E>dcba<U+200B>\\x9b'
    """
    return text.translate(_TABLE)


def clean_line(text: str) -> str:
    """Like clean(), and also keep a value on one line (for plain/TSV rows)."""
    return clean(text).replace("\n", " ").replace("\t", " ")


def md(text: str) -> str:
    """Escape inline Markdown so data text renders literally.

    >>> md("a *b* [c](d) <e>")
    'a \\\\*b\\\\* \\\\[c\\\\](d) \\\\<e\\\\>'
    """
    return clean_line(text).translate(_MD_SPECIAL)


def csv_cell(text: str, *, one_line: bool = True) -> str:
    """A text cell for any CSV/TSV cxterms writes: cleaned like clean_line()
    (or clean() with ``one_line=False``), and prefixed with ``'`` when a
    spreadsheet would run it as a formula. Plain numbers such as ``-5`` are
    left alone: they cannot be formulas.

    >>> [csv_cell(x) for x in ("=1+1", "-x", "@SUM(A1)", "plain", "+cmd", "-5", "\\t=1", " =1")]
    ["'=1+1", "'-x", "'@SUM(A1)", 'plain', "'+cmd", '-5', "' =1", "' =1"]
    """
    text = clean_line(text) if one_line else clean(text)
    if text.startswith(FORMULA_START) and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    if text[:1].isspace() and text.lstrip().startswith(FORMULA_START):
        return "'" + text
    return text


def json_safe(document: str) -> str:
    r"""Rewrite a JSON document so that C1 controls, DEL, bidi and zero-width
    characters appear as ``\uXXXX`` escapes (``json.dumps`` already escapes
    C0 controls). The decoded data is unchanged.

    >>> json_safe('"a\u202eb\x9b"')
    '"a\\u202eb\\u009b"'
    """
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", document)
