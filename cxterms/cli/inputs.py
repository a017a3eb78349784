"""Opening the input table of a metric command (file or stdin)."""

from __future__ import annotations

from ..errors import UsageError


def open_input(session, file: str | None, *, delimiter: str | None, header: bool | None, encoding: str | None):
    """The Table for FILE, or for stdin when FILE is None or '-'.

    A terminal on stdin means the user forgot the input: usage error, exit 2,
    instead of waiting silently.
    """
    from ..io.table import open_table, parse_delimiter

    env = session.env
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


def open_any(session, file: str | None, opts):
    """A Source (``cxterms.io.sources``) for FILE or stdin, whatever its format."""
    from ..io.sources import open_source

    env = session.env
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
