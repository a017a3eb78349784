"""``--where`` row filters: a tiny parser, no eval.

========================  ==================================================
``col=value``             the cell equals value (case-insensitive, trimmed)
``col!=value``            it does not
``col>=value`` ``col>``   numeric comparison when both sides are numbers,
``col<=value`` ``col<``   else date comparison when both are dates, else
                          text comparison
``col~text``              the cell contains text (case-insensitive)
``col in a|b|c``          the cell is one of the values
========================  ==================================================
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from ..errors import UsageError

_OPS = ("!=", ">=", "<=", "=", ">", "<", "~")
_IN = re.compile(r"\s*(.+?)\s+in\s+(.+)", re.I | re.S)


@dataclass(frozen=True)
class Where:
    column: str
    op: str
    value: str | tuple[str, ...]
    text: str

    def keep(self) -> Callable[[str], bool]:
        return make_keep(self.op, self.value)


def parse_where(text: str) -> Where:
    """One ``--where`` expression.

    >>> parse_where("region=North"), parse_where("plan in pro|team").value
    (Where(column='region', op='=', value='North', text='region=North'), ('pro', 'team'))
    >>> parse_where("score >= 7").op, parse_where("comment~late").op
    ('>=', '~')
    """
    m = _IN.fullmatch(text)
    if m and not any(op in m.group(1) for op in _OPS):
        values = tuple(v.strip() for v in m.group(2).split("|"))
        return Where(m.group(1).strip(), "in", values, text)
    best = None
    for op in _OPS:
        i = text.find(op)
        if i > 0 and (best is None or i < best[0] or (i == best[0] and len(op) > len(best[1]))):
            best = (i, op)
    if best is None or not text[: best[0]].strip():
        raise UsageError(
            f"--where takes COLUMN OP VALUE with OP one of = != >= <= > < ~, or 'COLUMN in a|b', not {text!r}",
            hint="e.g. --where region=North --where 'plan in pro|team' --where score>=7",
        )
    i, op = best
    return Where(text[:i].strip(), op, text[i + len(op):].strip(), text)


def _number(text: str) -> Decimal | None:
    t = text.strip()
    if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", t):
        return None
    try:
        return Decimal(t)
    except InvalidOperation:
        return None


def _date(text: str):
    from .dates import _iso

    dt = _iso(text)
    return dt.replace(tzinfo=None) if dt is not None else None


def make_keep(op: str, value) -> Callable[[str], bool]:
    """A predicate over cell text.

    >>> k = make_keep(">=", "7"); [k(c) for c in ("7", "10", "6", "x", "")]
    [True, True, False, False, False]
    >>> k = make_keep("in", ("North", "East")); [k(c) for c in ("north", " East ", "West")]
    [True, True, False]
    >>> make_keep("<", "2026-04-01")("2026-03-31T23:00:00")
    True
    """
    if op == "in":
        wanted = {v.casefold() for v in value}
        return lambda cell: cell.strip().casefold() in wanted
    if op == "=":
        v = value.casefold()
        return lambda cell: cell.strip().casefold() == v
    if op == "!=":
        v = value.casefold()
        return lambda cell: cell.strip().casefold() != v
    if op == "~":
        v = value.casefold()
        return lambda cell: v in cell.casefold()
    num, day = _number(value), _date(value)
    compare = {">=": lambda a, b: a >= b, "<=": lambda a, b: a <= b, ">": lambda a, b: a > b, "<": lambda a, b: a < b}[op]

    def keep(cell: str) -> bool:
        if num is not None:
            x = _number(cell)
            return x is not None and compare(x, num)
        if day is not None:
            x = _date(cell)
            if x is None:
                return False
            if len(value.strip()) == 10:  # a date bound compares calendar days
                return compare(x.date(), day.date())
            return compare(x, day)
        return compare(cell.strip().casefold(), value.casefold())

    return keep
