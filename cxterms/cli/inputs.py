"""Opening the input table of a metric command (file or stdin)."""

from __future__ import annotations

import math

from ..errors import UsageError

#: largest count accepted from an option (--start, --promoters...): exact in a float
MAX_COUNT = 10**15
#: largest money amount accepted from an option (--arpu, --mrr-start...)
MAX_AMOUNT = 1e18
#: longest --project and --horizon
MAX_PROJECT = 10_000


def open_input(session, file: str | None, *, delimiter: str | None, header: bool | None, encoding: str | None):
    """The Table for FILE, or for stdin when FILE is None or '-'.

    A terminal on stdin means the user forgot the input: usage error, exit 2,
    instead of waiting silently.
    """
    from ..io.table import open_table, parse_delimiter

    env = session.env
    check_encoding(encoding)
    if file in (None, "-"):
        if env.stdin_isatty:
            raise UsageError(
                "no input: give a FILE, or pipe scores into stdin",
                hint="e.g. cxterms nps survey.csv, or: echo 10 9 3 7 | cxterms nps",
            )
        stream = getattr(env.stdin, "buffer", None)
        if stream is None:  # a text stream without bytes underneath
            import io

            stream = io.BytesIO(env.stdin.read().encode("utf-8"))
        return open_table(None, stream, delimiter=parse_delimiter(delimiter), header=header, encoding=encoding)
    return open_table(file, None, delimiter=parse_delimiter(delimiter), header=header, encoding=encoding)


def check_encoding(encoding: str | None) -> str | None:
    """``--encoding``: a known text encoding (rot13 or base64 are codecs, not encodings).

    >>> check_encoding("rot13")
    Traceback (most recent call last):
    ...
    cxterms.errors.UsageError: --encoding 'rot13' is not a text encoding
    """
    if encoding is None:
        return None
    import codecs

    try:
        info = codecs.lookup(encoding)
    except (LookupError, ValueError, TypeError):
        raise UsageError(f"--encoding {encoding[:40]!r} is not a known encoding", hint="e.g. utf-8, utf-16, latin-1, cp1252") from None
    if not getattr(info, "_is_text_encoding", True):
        raise UsageError(f"--encoding {encoding[:40]!r} is not a text encoding", hint="e.g. utf-8, utf-16, latin-1, cp1252")
    return encoding


def check_confidence(confidence: float) -> float:
    if not 0.0 < confidence < 1.0:
        raise UsageError(f"--confidence must be between 0 and 1 (exclusive), e.g. 0.95, not {confidence:g}")
    return confidence


def parse_fraction(text: str, option: str, *, allow_zero: bool = True) -> float:
    """A rate given as a fraction (0.7) or a percentage (70%).

    A bare number above 1 is refused: "70" could mean 70% or 7000%.

    >>> parse_fraction("70%", "--margin"), parse_fraction("0.05", "--churn")
    (0.7, 0.05)
    """
    t = text.strip()
    try:
        value = float(t[:-1]) / 100.0 if t.endswith("%") else float(t)
    except ValueError:
        raise UsageError(f"{option} takes a fraction like 0.05 or a percentage like 5%, not {text!r}") from None
    if not (0.0 <= value <= 1.0) or (value == 0.0 and not allow_zero):
        raise UsageError(
            f"{option} must be {'above 0 and at most' if not allow_zero else 'between 0 and'} 1 (100%), not {text!r}",
            hint="write percentages with a % sign, e.g. 70%",
        )
    return value


def _shown(value) -> str:
    text = repr(value) if isinstance(value, float) else str(value)
    return text if len(text) <= 40 else f"a number of {len(text)} digits"


def check_count(value: int | None, option: str, *, high: int = MAX_COUNT) -> int | None:
    """A count from an option: a whole number from 0 to ``high``.

    >>> check_count(10**16, "--promoters")
    Traceback (most recent call last):
    ...
    cxterms.errors.UsageError: --promoters must be at most 1000000000000000, not 10000000000000000
    """
    if value is None:
        return None
    if value < 0 or value > high:
        raise UsageError(f"{option} must be {'at least 0' if value < 0 else f'at most {high}'}, not {_shown(value)}")
    return value


def check_number(value: float | None, option: str, *, low: float = 0.0, high: float = MAX_AMOUNT) -> float | None:
    """A number from an option: finite (no nan or inf) and within [low, high].

    >>> check_number(float("nan"), "--arpu")
    Traceback (most recent call last):
    ...
    cxterms.errors.UsageError: --arpu must be a finite number, not nan
    """
    if value is None:
        return None
    if not math.isfinite(value):
        raise UsageError(f"{option} must be a finite number, not {value!r}")
    if value < low or value > high:
        raise UsageError(f"{option} must be between {low:g} and {high:g}, not {_shown(value)}")
    return value


def open_any(session, file: str | None, opts):
    """A Source (``cxterms.io.sources``) for FILE or stdin, whatever its format."""
    from ..io.sources import open_source

    env = session.env
    check_encoding(getattr(opts, "encoding", None))
    if file in (None, "-"):
        if env.stdin_isatty:
            raise UsageError(
                "no input: give a FILE, or pipe scores into stdin",
                hint="e.g. cxterms nps survey.csv, or: echo 10 9 3 7 | cxterms nps",
            )
        stream = getattr(env.stdin, "buffer", None)
        if stream is None:  # a text stream without bytes underneath
            import io

            stream = io.BytesIO(env.stdin.read().encode("utf-8"))
        return open_source(None, stream, opts)
    shown_as = getattr(session, "file_names", {}).get(file)
    if shown_as is not None and getattr(opts, "name", None) is None:
        import dataclasses

        opts = dataclasses.replace(opts, name=shown_as)
    return open_source(file, None, opts)


def user_labels(map_text: str | None, labels_file: str | None) -> dict[str, int] | None:
    """The --map / --labels mapping (both: --map wins on shared labels)."""
    from ..io.labels import load_labels, parse_map

    out: dict[str, int] = {}
    if labels_file:
        out.update(load_labels(labels_file))
    if map_text:
        out.update(parse_map(map_text))
    return out or None


def float_column(table, col: int, what: str, rows):
    """The column's cells as floats; a DataError names the first cell that is not a number."""
    from ..errors import DataError

    texts = [row[col] if col < len(row) else "" for _line, row in rows]
    try:
        import numpy as np

        values = np.asarray(texts, dtype=float)  # numpy parses the whole column at C speed
        if values.shape == (len(texts),):
            return values.tolist()
    except (ImportError, ValueError, TypeError):
        pass
    out = []
    for (line, _row), text in zip(rows, texts):
        text = text.strip()
        try:
            out.append(float(text))
        except ValueError:
            raise DataError(f"{what} {text!r} is not a number", file=table.name, line=line, column=col + 1) from None
    return out
