"""Text safety helpers shared by renderers and exporters."""

from __future__ import annotations

# C0 controls except TAB and LF, DEL, and C1 controls -> visible escapes.
_CONTROL = {c: f"\\x{c:02x}" for c in [*range(0x00, 0x09), *range(0x0B, 0x20), 0x7F, *range(0x80, 0xA0)]}
_CONTROL_TABLE = str.maketrans(_CONTROL)
_MD_SPECIAL = str.maketrans({c: "\\" + c for c in "\\`*_[]<>|#"})


def clean(text: str) -> str:
    r"""Neutralise control characters (ANSI escapes included) for a terminal.

    >>> clean("ok\x1b[31mred\x07")
    'ok\\x1b[31mred\\x07'
    >>> clean("two\nlines\tand tabs")
    'two\nlines\tand tabs'
    """
    return text.translate(_CONTROL_TABLE)


def clean_line(text: str) -> str:
    """Like clean(), and also keep a value on one line (for plain/TSV rows)."""
    return clean(text).replace("\n", " ").replace("\t", " ")


def md(text: str) -> str:
    """Escape inline Markdown so data text renders literally.

    >>> md("a *b* [c](d) <e>")
    'a \\\\*b\\\\* \\\\[c\\\\](d) \\\\<e\\\\>'
    """
    return clean_line(text).translate(_MD_SPECIAL)
