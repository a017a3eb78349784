"""Numbers in table cells: answers on a scale, and money amounts.

Answers are read exactly (no float rounding): ``9``, ``9.0``, ``+9``, `` 9 ``
and, with a decimal comma, ``9,0`` are 9; ``1e1``, ``0x9``, ``inf``, ``1_0``,
``8.99999999999999999`` and ``1e-400`` are not answers. Amounts accept
currency symbols and codes, thousands separators and accounting negatives;
the decimal mark is decided per column from its values (``decide_decimal``),
and a column where both readings fit every value is left to the user.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal

# a whole or decimal number, optional sign, no exponent, no hex, no underscores
_SCORE = re.compile(r"[+-]?(\d+)(?:([.,])(\d*))?|[+-]?[.,](\d+)")


def parse_whole(text: str, *, decimal_comma: bool = False) -> int:
    """The whole number a cell holds, exactly; ValueError says why not.

    >>> [parse_whole(t) for t in ("9", "9.0", "+9", " 9 ", "-0", "10.00")]
    [9, 9, 9, 9, 0, 10]
    >>> parse_whole("9,0", decimal_comma=True), parse_whole("9.0", decimal_comma=True)
    (9, 9)
    >>> for bad in ("1e1", "0x9", "inf", "nan", "8.99999999999999999", "1e-400", "7.5", "1_0", "9,0", "1.000", ""):
    ...     try:
    ...         parse_whole(bad)
    ...     except ValueError as e:
    ...         print(repr(bad), "->", e)
    '1e1' -> not a number
    '0x9' -> not a number
    'inf' -> not a number
    'nan' -> not a number
    '8.99999999999999999' -> not a whole number
    '1e-400' -> not a number
    '7.5' -> not a whole number
    '1_0' -> not a number
    '9,0' -> not a number
    '1.000' -> not a number (a thousands separator or a decimal mark?)
    '' -> not a number
    """
    t = text.strip()
    m = _SCORE.fullmatch(t)
    if not m or not t.isascii():
        raise ValueError("not a number")
    if m.group(4) is not None:  # ".5"
        if t.lstrip("+-")[0] == "," and not decimal_comma:
            raise ValueError("not a number")
        if m.group(4).strip("0"):
            raise ValueError("not a whole number")
        return 0
    mark = m.group(2)
    if mark == "," and not decimal_comma:
        raise ValueError("not a number")
    if mark is not None and len(m.group(3)) == 3:
        # "1,000" / "1.000": a thousands separator or a decimal mark? Read as
        # a decimal it is a valid answer (1), as thousands it is 1000: refuse.
        raise ValueError("not a number (a thousands separator or a decimal mark?)")
    if m.group(3) and m.group(3).strip("0"):
        raise ValueError("not a whole number")
    value = int(m.group(1))
    return -value if t.startswith("-") else value


# -- amounts --------------------------------------------------------------

CURRENCY_SIGNS = "$€£¥₹₩₽₺₪₫฿₱₦₴₲₵₡"
CURRENCY_CODES = (
    "USD", "EUR", "GBP", "JPY", "CHF", "CAD", "AUD", "NZD", "SEK", "NOK", "DKK", "PLN", "CZK", "HUF", "INR",
    "CNY", "RMB", "BRL", "MXN", "ZAR", "SGD", "HKD", "KRW", "TRY", "RUB", "ILS", "AED", "SAR", "US$", "CA$", "A$", "R$",
)
_CODES = "|".join(re.escape(c) for c in sorted(CURRENCY_CODES, key=len, reverse=True))
_CURRENCY = re.compile(rf"(?:{_CODES}|[{CURRENCY_SIGNS}]|kr|zł|Fr\.?)", re.I)
# digits with optional group separators (, . space NBSP thin space ') and one decimal part
_AMOUNT = re.compile(r"\d{1,3}(?:([,. \u00a0\u202f'])\d{3})(?:\1\d{3})*(?:[.,]\d+)?|\d+(?:[.,]\d+)?|[.,]\d+")


class Ambiguous(ValueError):
    """The decimal mark of a column cannot be told from its values."""


def _strip_amount(text: str) -> tuple[bool, str]:
    """(negative, bare number text) of an amount cell; ValueError if no amount."""
    t = text.strip()
    negative = False
    if t.startswith("(") and t.endswith(")"):  # accounting negative: (15.00)
        negative, t = True, t[1:-1].strip()
    if t.endswith("-") and not t.startswith("-"):  # 15.00- (some ledgers)
        negative, t = True, t[:-1].strip()
    t = _CURRENCY.sub("", t, count=2).strip()
    if t[:1] in "+-" and t:
        negative ^= t[0] == "-"
        t = t[1:].strip()
    t = _CURRENCY.sub("", t, count=1).strip()  # "-$5"
    if not t or not _AMOUNT.fullmatch(t):
        raise ValueError("not an amount")
    return negative, t


def amount_marks(text: str) -> set[str]:
    """The decimal marks under which an amount cell reads: {'point'},
    {'comma'}, both, or none (ValueError).

    >>> sorted(amount_marks("$2,110.50")), sorted(amount_marks("1.234,56")), sorted(amount_marks("1,000"))
    (['point'], ['comma'], ['comma', 'point'])
    >>> sorted(amount_marks("12.5")), sorted(amount_marks("1 234,56")), sorted(amount_marks("42"))
    (['point'], ['comma'], ['comma', 'point'])
    """
    _neg, t = _strip_amount(text)
    marks = set()
    for mark in ("point", "comma"):
        try:
            _read(t, mark)
            marks.add(mark)
        except ValueError:
            pass
    if not marks:
        raise ValueError("not an amount")
    return marks


def _read(t: str, mark: str) -> Decimal:
    dec, other = (".", ",") if mark == "point" else (",", ".")
    if t.count(dec) > 1:
        raise ValueError("two decimal marks")
    whole, _, frac = t.partition(dec)
    groups = re.split(rf"[{re.escape(other)} \u00a0\u202f']", whole)
    if len(groups) > 1 and (not 1 <= len(groups[0]) <= 3 or any(len(g) != 3 for g in groups[1:])):
        raise ValueError("misplaced thousands separator")
    if frac and not frac.isdigit():
        raise ValueError("not an amount")
    return Decimal("".join(groups) + ("." + frac if frac else "") or "0")


def parse_amount(text: str, mark: str = "point") -> Decimal:
    """An amount under the decimal ``mark`` ('point' or 'comma').

    >>> parse_amount("$2,110.50"), parse_amount("€1.234,56", "comma"), parse_amount("(15.00)")
    (Decimal('2110.50'), Decimal('1234.56'), Decimal('-15.00'))
    >>> parse_amount("1 234,56", "comma"), parse_amount("USD 99"), parse_amount("-$5.25"), parse_amount("12,50 €", "comma")
    (Decimal('1234.56'), Decimal('99'), Decimal('-5.25'), Decimal('12.50'))
    """
    negative, t = _strip_amount(text)
    value = _read(t, mark)
    return -value if negative else value


def decide_decimal(cells: Iterable[str]) -> str | None:
    """'point' or 'comma' for a column of amounts; None when no value tells
    (every cell reads both ways and at least one reads differently, e.g.
    ``1,000`` and ``2,500``); ValueError for a cell that is no amount.

    >>> decide_decimal(["12.50", "1,000"]), decide_decimal(["12,50", "3"]), decide_decimal(["1,000", "2,500"])
    ('point', 'comma', None)
    >>> decide_decimal(["3", "42"])
    'point'
    """
    possible = {"point", "comma"}
    telling = False  # a cell whose value depends on the mark
    for cell in cells:
        if not cell.strip():
            continue
        marks = amount_marks(cell)
        if len(marks) == 2:
            _n, t = _strip_amount(cell)
            if _read(t, "point") != _read(t, "comma"):
                telling = True
        possible &= marks
        if not possible:
            raise Ambiguous("the column mixes decimal points and decimal commas")
    if len(possible) == 1:
        return possible.pop()
    return None if telling else "point"
