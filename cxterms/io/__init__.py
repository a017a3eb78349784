"""Input and output: reading term files and tables, writing formats.

Nothing here computes a metric; nothing here prints except the writers,
which are handed the stream to write to.
"""

SHOWN_CHARS = 80


def shown(text: object, limit: int = SHOWN_CHARS) -> str:
    """A cell or argument quoted for an error message: its repr, cut after
    ``limit`` characters (a hostile cell may be megabytes long).

    >>> shown("ten"), shown("x" * 100, 5)
    ("'ten'", "'xxxxx'... (100 characters)")
    """
    text = str(text)
    if len(text) <= limit:
        return repr(text)
    return f"{text[:limit]!r}... ({len(text):,} characters)"
