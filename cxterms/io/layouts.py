"""Survey platforms' export layouts, recognised from their first rows.

=============  ==============================================================
Qualtrics      Row 1 short names (``StartDate``, ``Status``, ``Finished``,
               ``ResponseId``, ``Q1``...), row 2 question texts, row 3
               ``{"ImportId":...}`` (older exports have rows 1-2 only).
               Preview, test and spam responses (``Status``) are left out;
               unfinished ones (``Finished`` false) too unless
               ``--include-partial``.
SurveyMonkey   Row 1 questions (``Respondent ID``, ``Collector ID``...), row 2
               sub-headers (``Response``, ``Open-Ended Response``, or the rows
               of a matrix question under a blank row-1 cell): a matrix
               column is named by its sub-header (``-c Quality``) and also
               answers to "question - sub-header".
Google Forms   ``Timestamp`` first (``2026/03/28 4:28:00 PM GMT+1``).
Typeform       ``#`` first, ``Submitted At`` / ``Submit Date (UTC)``.
Delighted      ``Response ID``, ``Score``, ``Created At`` (``Score`` is 0-10).
Zendesk        ``Ticket ID`` and a ``Satisfaction`` column of Good / Bad /
               Offered / Unoffered: the CSAT is the share of Good, and the
               response rate is Good+Bad over Good+Bad+Offered.
=============  ==============================================================
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from .labels import norm


@dataclass
class Layout:
    name: str  # "Qualtrics export", "" for none
    header_rows: int = 1
    names: list[str] = field(default_factory=list)
    questions: list[str] = field(default_factory=list)  # per column, "" when none
    status_col: int | None = None  # Qualtrics Status
    finished_col: int | None = None  # Qualtrics Finished
    score_hint: tuple[str, ...] = ()  # column names to prefer as the score column
    date_hint: tuple[str, ...] = ()  # column names of the response date

    @property
    def multi_row(self) -> bool:
        return self.header_rows > 1


def _names(row: Sequence[str]) -> list[str]:
    return [c.strip() for c in row]


def _is_import_row(row: Sequence[str]) -> bool:
    cells = [c.strip() for c in row if c.strip()]
    return bool(cells) and sum(c.startswith("{") and "importid" in c.casefold() for c in cells) >= len(cells) / 2


def detect(rows: Sequence[Sequence[str]]) -> Layout:
    """The layout of a table from its first raw rows (before any header handling).

    >>> detect([["StartDate", "Status", "Finished", "ResponseId", "Q1"], ["Start Date", "Response Type", "Finished", "Response ID", "How likely...?"], ['{"ImportId":"startDate"}', '{"ImportId":"status"}', '{"ImportId":"finished"}', '{"ImportId":"_recordId"}', '{"ImportId":"QID1"}']]).header_rows
    3
    >>> detect([["Timestamp", "Score"], ["2026/03/28 4:28:00 PM GMT+1", "9"]]).name
    'Google Forms export'
    >>> detect([["score"], ["9"]]).name
    ''
    """
    if not rows:
        return Layout("")
    first = _names(rows[0])
    low = {norm(c) for c in first}
    width = len(first)
    if {"responseid", "status"} <= low or {"startdate", "enddate", "finished"} <= low or {"responseid", "finished"} <= low:
        questions = _names(rows[1]) if len(rows) > 1 else []
        header_rows = 1
        if len(rows) > 1 and not any(c.strip().isdigit() for c in rows[1][: min(width, 8)] if c):
            header_rows = 2
            if len(rows) > 2 and _is_import_row(rows[2]):
                header_rows = 3
        if header_rows == 1:
            questions = []
        idx = {norm(c): i for i, c in enumerate(first)}
        return Layout(
            "Qualtrics export", header_rows, first, (questions + [""] * width)[:width],
            status_col=idx.get("status"), finished_col=idx.get("finished"),
            date_hint=("RecordedDate", "EndDate", "StartDate"),
        )
    if {"respondent id", "collector id"} <= low:
        if len(rows) > 1:
            sub = (_names(rows[1]) + [""] * width)[:width]
            if any(norm(c) in ("response", "open-ended response") for c in sub) or (
                sum(bool(c) for c in sub) and not any(c.strip().isdigit() for c in sub)
            ):
                names, questions = [], []
                current = ""
                for j in range(width):
                    top = first[j]
                    if top:
                        current = top
                    s = sub[j]
                    if not s or norm(s) in ("response", "open-ended response"):
                        names.append(top or current or f"column {j + 1}")
                        questions.append(top or current)
                    else:
                        names.append(s)
                        questions.append(f"{current} - {s}" if current else s)
                return Layout("SurveyMonkey export", 2, names, questions, date_hint=("End Date", "Start Date"))
        return Layout("SurveyMonkey export", 1, first, [""] * width, date_hint=("End Date", "Start Date"))
    if first and norm(first[0]) == "timestamp":
        return Layout("Google Forms export", 1, first, [""] * width, date_hint=("Timestamp",))
    if first and first[0] == "#" and (low & {"submitted at", "submit date (utc)", "start date (utc)", "network id"}):
        return Layout("Typeform export", 1, first, [""] * width, date_hint=("Submit Date (UTC)", "Submitted At"))
    if {"response id", "score", "created at"} <= low or {"score", "survey type", "created at"} <= low:
        return Layout("Delighted export", 1, first, [""] * width, score_hint=("Score",), date_hint=("Created At",))
    if ("ticket id" in low or "id" in low) and (low & {"satisfaction", "satisfaction score", "satisfaction rating"}):
        hint = tuple(c for c in first if norm(c) in ("satisfaction", "satisfaction score", "satisfaction rating"))
        return Layout("Zendesk export", 1, first, [""] * width, score_hint=hint,
                      date_hint=("Satisfaction Updated At", "Solved At", "Created At", "Updated At"))
    return Layout("", 1, first, [""] * width)


# Qualtrics Status: text or the numeric codes of "export values" (0 IP Address,
# 1 Survey Preview, 2 Survey Test, 4 Imported, 8 Spam, 9 Preview Spam,
# 12 Imported Spam, 16 Offline, 17 Offline Survey Preview)
_EXCLUDED_CODES = {"1", "2", "8", "9", "12", "17"}
_EXCLUDED_WORDS = re.compile(r"preview|test|spam", re.I)


def excluded_status(cell: str) -> str | None:
    """'preview' (preview, test or spam) for a Qualtrics Status to leave out, else None.

    >>> [excluded_status(c) for c in ("IP Address", "Survey Preview", "1", "0", "Spam", "Survey Test")]
    [None, 'preview', 'preview', None, 'preview', 'preview']
    """
    t = cell.strip()
    if t in _EXCLUDED_CODES or _EXCLUDED_WORDS.search(t):
        return "preview"
    return None


def unfinished(cell: str) -> bool:
    """Whether a Qualtrics Finished cell says false.

    >>> [unfinished(c) for c in ("True", "FALSE", "0", "1", "")]
    [False, True, True, False, False]
    """
    return cell.strip().casefold() in ("false", "0", "no")
