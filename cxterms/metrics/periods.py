"""Calendar periods for trends and churn tables: day, week (ISO, Monday
start), month, quarter, year; and date parsing for table cells."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from ..errors import UsageError

EVERY = ("day", "week", "month", "quarter", "year")
#: most periods one table may span (a row each): 10000 days is 27 years, 10000 months 833
MAX_PERIODS = 10_000


def check_every(every: str) -> str:
    if every not in EVERY:
        raise UsageError(f"--every must be one of {', '.join(EVERY)}, not {every!r}")
    return every


def period_start(d: date, every: str) -> date:
    """First day of the period containing ``d``.

    >>> period_start(date(2026, 5, 20), "quarter"), period_start(date(2026, 5, 20), "week")
    (datetime.date(2026, 4, 1), datetime.date(2026, 5, 18))
    """
    if every == "day":
        return d
    if every == "week":
        return d - timedelta(days=d.weekday())
    if every == "month":
        return d.replace(day=1)
    if every == "quarter":
        return date(d.year, 3 * ((d.month - 1) // 3) + 1, 1)
    if every == "year":
        return date(d.year, 1, 1)
    raise UsageError(f"unknown period {every!r}")


def next_start(start: date, every: str) -> date:
    """First day of the following period.

    Raises OverflowError after the last period of year 9999.

    >>> next_start(date(2026, 12, 1), "month"), next_start(date(2026, 10, 1), "quarter")
    (datetime.date(2027, 1, 1), datetime.date(2027, 1, 1))
    """
    try:
        if every == "day":
            return start + timedelta(days=1)
        if every == "week":
            return start + timedelta(days=7)
        months = {"month": 1, "quarter": 3, "year": 12}[every]
        m = start.month - 1 + months
        return date(start.year + m // 12, m % 12 + 1, 1)
    except (OverflowError, ValueError):  # past 9999-12-31
        raise OverflowError("date past the year 9999") from None


def last_day(start: date, every: str) -> date:
    """Last day of the period starting on ``start`` (9999-12-31 at the end of time).

    >>> last_day(date(2026, 2, 1), "month"), last_day(date(9999, 12, 1), "month")
    (datetime.date(2026, 2, 28), datetime.date(9999, 12, 31))
    """
    try:
        return next_start(start, every) - timedelta(days=1)
    except OverflowError:
        return date.max


def label(start: date, every: str) -> str:
    """Display label of the period starting on ``start``.

    >>> [label(date(2026, 1, 1), e) for e in EVERY]
    ['2026-01-01', '2026-W01', '2026-01', '2026-Q1', '2026']
    """
    if every == "day":
        return start.isoformat()
    if every == "week":
        y, w, _ = start.isocalendar()
        return f"{y}-W{w:02d}"
    if every == "month":
        return f"{start.year}-{start.month:02d}"
    if every == "quarter":
        return f"{start.year}-Q{(start.month - 1) // 3 + 1}"
    return str(start.year)


def span(first: date, last: date, every: str) -> list[date]:
    """Starts of every period from the one containing ``first`` to the one
    containing ``last``; more than MAX_PERIODS is an error (a row each)."""
    from ..errors import DataError

    out = []
    cur, end = period_start(first, every), period_start(last, every)
    while cur <= end:
        if len(out) >= MAX_PERIODS:
            raise DataError(
                f"{first} to {last} spans more than {MAX_PERIODS} periods of a {every}",
                hint="choose a longer --every, or narrow the range with --from and --to",
            )
        out.append(cur)
        try:
            cur = next_start(cur, every)
        except OverflowError:
            break
    return out


def parse_date(text: str, fmt: str | None = None) -> date:
    """A date from an ISO date or datetime (``2026-01-15``, ``2026-01-15T10:30:00Z``,
    ``2026-01-15 10:30:00+02:00``), or with ``fmt`` a strptime format.

    Raises ValueError when the text is not a date.

    >>> parse_date("2026-01-15T23:10:00Z"), parse_date("15/01/2026", "%d/%m/%Y")
    (datetime.date(2026, 1, 15), datetime.date(2026, 1, 15))
    """
    text = text.strip()
    if fmt:
        return datetime.strptime(text, fmt).date()
    if len(text) == 10:
        return date.fromisoformat(text)
    return datetime.fromisoformat(text).date()
