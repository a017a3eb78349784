"""Dates and times in table cells, with the day/month order decided per column.

Accepted without options:

* ISO dates and datetimes: ``2026-03-28``, ``2026-03-28T16:28:00Z``,
  ``2026-03-28 16:28:00+01:00``;
* ``m/d/Y``, ``d/m/Y`` and ``Y/m/d`` (``/``, ``.`` or ``-`` between the parts),
  each with an optional time ``H:M[:S[.f]]`` and ``AM``/``PM``;
* a zone suffix after the time: ``Z``, ``UTC``, ``GMT``, ``GMT+1``,
  ``GMT-05:00``, ``+0100``, ``-07:00``.

Whether ``03/04/2026`` is March 4 or April 3 is decided from the whole
column: a value with a first part above 12 means day first, a second part
above 12 means month first. When both readings fit every value (and give
different dates) the column is ambiguous and the user decides with
``--dayfirst``/``--monthfirst`` or ``--date-format``.

A datetime with an offset counts on the calendar day of the offset it was
written in (``2026-03-28 23:30 GMT+1`` is March 28); ``--tz ZONE`` converts
every datetime that has an offset to ZONE first.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import date, datetime, timedelta, timezone

from ..errors import DataError, UsageError

_ZONE = r"(?:\s*(?P<zone>Z|UTC|GMT|(?:UTC|GMT)?\s*[+-]\d{1,2}(?::?\d{2})?))?"
_TIME = r"(?:[T ]\s*(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2})(?:[.,](?P<f>\d{1,6}))?)?(?:\s*(?P<ampm>[AaPp]\.?[Mm]\.?))?)?"
_NUMERIC = re.compile(r"\s*(?P<a>\d{1,4})(?P<sep>[/.-])(?P<b>\d{1,2})(?P=sep)(?P<c>\d{1,4})" + _TIME + _ZONE + r"\s*")


def _zone(text: str | None) -> timezone | None:
    if not text:
        return None
    t = text.upper().replace(" ", "")
    for p in ("UTC", "GMT"):
        if t.startswith(p):
            t = t[len(p):]
    if t in ("", "Z"):
        return timezone.utc
    sign = -1 if t[0] == "-" else 1
    digits = t[1:].replace(":", "")
    hours, minutes = (int(digits), 0) if len(digits) <= 2 else (int(digits[:-2]), int(digits[-2:]))
    if hours > 18 or minutes >= 60:
        raise ValueError("bad offset")
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def _build(y: int, mo: int, d: int, m: re.Match) -> datetime:
    hour = int(m.group("H") or 0)
    ampm = (m.group("ampm") or "").replace(".", "").upper()
    if ampm:
        if not 1 <= hour <= 12:
            raise ValueError("hour out of range for AM/PM")
        hour = hour % 12 + (12 if ampm == "PM" else 0)
    frac = m.group("f") or ""
    return datetime(y, mo, d, hour, int(m.group("M") or 0), int(m.group("S") or 0),
                    int(frac.ljust(6, "0")) if frac else 0, tzinfo=_zone(m.group("zone")))


def _orders(m: re.Match) -> set[str]:
    """The readings a numeric date allows: ymd, mdy, dmy."""
    a, b, c = m.group("a"), m.group("b"), m.group("c")
    out = set()
    if len(a) == 4:
        if len(c) <= 2:
            out.add("ymd")
        return out
    if len(c) != 4:
        return out  # two-digit years: only with --date-format
    for order, (mo, d) in (("mdy", (a, b)), ("dmy", (b, a))):
        try:
            date(int(c), int(mo), int(d))
            out.add(order)
        except ValueError:
            pass
    return out


def _iso(text: str) -> datetime | None:
    t = text.strip()
    if not re.match(r"\d{4}-\d{2}-\d{2}|\d{8}(?!\d)", t):
        return None
    t2 = re.sub(r"\s*(UTC|GMT|Z)$", "+00:00", t, flags=re.I)
    t2 = re.sub(r"\s*(?:UTC|GMT)\s*([+-]\d{1,2})(?::?(\d{2}))?$", lambda m: f"{m.group(1)[0]}{int(m.group(1)[1:]):02d}:{m.group(2) or '00'}", t2, flags=re.I)
    try:
        return datetime.fromisoformat(t2)
    except ValueError:
        return None


def parse_with(text: str, order: str | None) -> datetime:
    """One cell under a day/month ``order`` (ymd, mdy, dmy or None for ISO only).

    >>> parse_with("03/28/2026 04:28:00 PM", "mdy"), parse_with("2026/03/28 4:28:00 PM GMT+1", "ymd").utcoffset()
    (datetime.datetime(2026, 3, 28, 16, 28), datetime.timedelta(seconds=3600))
    >>> parse_with("28.03.2026", "dmy").date(), parse_with("2026-03-28T16:28:00Z", None).tzname()
    (datetime.date(2026, 3, 28), 'UTC')
    """
    iso = _iso(text)
    if iso is not None:
        return iso
    m = _NUMERIC.fullmatch(text)
    if not m or order is None:
        raise ValueError("not a date")
    a, b, c = int(m.group("a")), int(m.group("b")), int(m.group("c"))
    if order not in _orders(m):
        raise ValueError("not a date")
    y, mo, d = (a, b, c) if order == "ymd" else (c, a, b) if order == "mdy" else (c, b, a)
    return _build(y, mo, d, m)


ORDER_NAMES = {"mdy": "month/day/year", "dmy": "day/month/year", "ymd": "year/month/day"}


def decide(cells: Iterable[str], *, dayfirst: bool | None = None, column: str = "the date column",
           source: str | None = None) -> str | None:
    """The day/month order of a column from its cells (None: ISO dates only).

    >>> decide(["03/28/2026", "04/01/2026"]), decide(["28/03/2026", "01/04/2026"]), decide(["2026/03/28 4:28:00 PM GMT+1"])
    ('mdy', 'dmy', 'ymd')
    >>> decide(["2026-01-05"]) is None, decide(["03/04/2026", "05/06/2026"], dayfirst=True)
    (True, 'dmy')
    """
    possible = {"mdy", "dmy", "ymd"}
    seen_numeric = False
    differ = False
    for cell in cells:
        if not cell.strip() or _iso(cell) is not None:
            continue
        m = _NUMERIC.fullmatch(cell)
        if not m:
            continue  # reported when read
        orders = _orders(m)
        if not orders:
            continue
        seen_numeric = True
        possible &= orders
        if m.group("a") != m.group("b"):
            differ = True
    if not seen_numeric:
        return None
    if dayfirst is not None:
        want = "dmy" if dayfirst else "mdy"
        return "ymd" if possible == {"ymd"} else want
    if not possible:
        raise DataError(f"{column} mixes day-first and month-first dates", file=source,
                        hint="give the format with --date-format, e.g. %d/%m/%Y")
    if len(possible) == 1:
        return possible.pop()
    if "ymd" in possible:
        return "ymd"
    if not differ:
        return "mdy"  # every value reads the same both ways
    raise DataError(
        f"the dates in {column} read both as month/day/year and as day/month/year", file=source,
        hint="say which with --dayfirst or --monthfirst, or give --date-format (e.g. %d/%m/%Y)",
    )


_SERIAL = re.compile(r"\s*(\d{5})(\.\d+)?\s*")
EXCEL_EPOCH = datetime(1899, 12, 30)


def excel_serial(text: str) -> datetime | None:
    """An Excel serial day number (a date cell without a date format) as a
    datetime, for serials of the years 1954-2119; else None.

    >>> excel_serial("46109"), excel_serial("46109.5").hour, excel_serial("123")
    (datetime.datetime(2026, 3, 28, 0, 0), 12, None)
    """
    m = _SERIAL.fullmatch(text)
    if not m or not 20000 <= int(m.group(1)) <= 80000:
        return None
    return EXCEL_EPOCH + timedelta(days=float(text))


def make_parser(cells: Iterable[str], *, date_format: str | None = None, dayfirst: bool | None = None,
                tz: str | None = None, column: str = "the date column", source: str | None = None,
                serials: bool = False) -> tuple[Callable[[str], date], str | None]:
    """A cell -> date function for a column, and a note naming the order it
    chose when it had to choose (None otherwise). With ``serials`` (cells of
    a spreadsheet) Excel serial day numbers read as dates too."""
    zone = None
    if tz:
        try:
            from zoneinfo import ZoneInfo

            zone = timezone.utc if tz.upper() in ("UTC", "Z") else ZoneInfo(tz)
        except (KeyError, ValueError, OSError, ImportError) as e:
            raise UsageError(f"unknown time zone {tz!r} for --tz", hint="an IANA name such as Europe/Berlin or America/New_York, or UTC") from None

    def local(dt: datetime) -> date:
        if zone is not None and dt.tzinfo is not None:
            dt = dt.astimezone(zone)
        return dt.date()

    if date_format:
        def by_format(text: str) -> date:
            return local(datetime.strptime(text.strip(), date_format))
        return by_format, None
    order = decide(cells, dayfirst=dayfirst, column=column, source=source)

    def parse(text: str) -> date:
        if serials:
            dt = excel_serial(text)
            if dt is not None:
                return dt.date()
        return local(parse_with(text, order))

    note = None
    if order in ("mdy", "dmy") and dayfirst is None:
        note = f"dates in {column} read as {ORDER_NAMES[order]}"
    return parse, note
