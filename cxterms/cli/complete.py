"""Shell completion callbacks (run by the shell's completion script).

Each returns candidates starting with what was typed, reads as little as it
can, and never prints or fails: any problem means no candidates. This module
is imported by every lookup command, so it imports nothing heavy at the top.
"""

from __future__ import annotations

from typer import Context  # completion callbacks are matched to parameters by annotation

HEADER_BYTES = 64 * 1024
_DELIMITERS = ",;\t|"


def header_names(path: str) -> list[str]:
    """Column names of a CSV/TSV file, from its first line only.

    >>> import tempfile, os
    >>> with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False) as fh:
    ...     _ = fh.write("Score;Region;Survey date\\n9;EU;2024-01-01\\n")
    >>> header_names(fh.name)
    ['Score', 'Region', 'Survey date']
    >>> os.unlink(fh.name)
    """
    import csv
    import io

    with open(path, "rb") as fh:
        data = fh.read(HEADER_BYTES)
    if data.startswith((b"PK\x03\x04", b"PAR1", b"\xd0\xcf\x11\xe0", b"[", b"{")):
        return []  # spreadsheets, Parquet, JSON: no header line to read cheaply
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = data.decode("utf-16", "ignore")
    else:
        text = data.decode("utf-8-sig", "replace")
    first = text.splitlines()[0] if text else ""
    if not first.strip():
        return []
    delimiter = max(_DELIMITERS, key=first.count)
    row = next(csv.reader(io.StringIO(first), delimiter=delimiter), [])
    return [c.strip() for c in row if c.strip()]


def complete_columns(ctx: Context, incomplete: str) -> list[str]:
    """--column/--by/--period: the header names of the FILE already on the line."""
    # while completing, click leaves positional arguments in ctx.args
    path = ctx.params.get("file") or next((a for a in ctx.args if not a.startswith("-")), None)
    if not path or path == "-":
        return []
    try:
        names = header_names(path)
    except Exception:  # noqa: BLE001 - completion must never fail
        return []
    low = incomplete.casefold()
    return [n for n in names if n.casefold().startswith(low)]


def _glossary(ctx):
    from ..errors import CxtermsError
    from .env import Environment
    from .session import Session

    root = ctx.find_root().params
    session = Session(Environment(), glossary=tuple(root.get("glossary") or ()), no_builtin=bool(root.get("no_builtin")))
    try:
        return session.open_glossary(
            tuple(ctx.params.get("glossary") or ()), bool(ctx.params.get("no_builtin")), quiet=True
        )
    except CxtermsError:
        return None


def complete_categories(ctx: Context, incomplete: str) -> list[str]:
    """--category: the glossary's category names."""
    glossary = _glossary(ctx)
    if glossary is None:
        return []
    low = incomplete.casefold()
    return [c for c, _n in glossary.categories() if c.casefold().startswith(low)]


def complete_search_words(ctx: Context, incomplete: str) -> list[str]:
    """search QUERY: words of headwords and aliases, as written there
    (Typer keeps only those starting with exactly what was typed)."""
    glossary = _glossary(ctx)
    if glossary is None:
        return []
    low = incomplete.casefold()
    found: dict[str, None] = {}
    for tid, term, _cat, aliases in glossary.rows:
        for name in (term, *aliases):
            for word in name.split():
                word = word.strip(",.;:()")
                if word and word.casefold().startswith(low):
                    found.setdefault(word, None)
    return sorted(found, key=str.casefold)[:100]
