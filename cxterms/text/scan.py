"""One pass over the rows of a survey table for the comment features:
themes per answer group (and segment), topic tallies, follow-up lists.

The score tallies themselves come from ``io.scores.read_scores``; this pass
applies the same cell rules (blank and invalid answers are left out, row
filters apply) so both passes see the same respondents.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from ..metrics.tally import Tally
from .themes import ThemeCounter, excerpt
from .topics import Topic
from .tokens import words

ID_NAMES = ("id", "respondent_id", "respondentid", "response_id", "responseid", "response id", "respondent id",
            "ticket_id", "ticket id", "customer_id", "customer id", "customer", "email", "e-mail")
DATE_NAMES = ("date", "submitted", "submitted_at", "created", "created_at", "closed", "closed_at", "solved_at", "timestamp", "recordeddate",
              "enddate", "end date", "completed", "date submitted", "response date")
COMMENT_WORDS = ("comment", "comments", "feedback", "reason", "verbatim", "why", "open-ended", "text")
OVERALL = ""  # segment key of the whole sample


@dataclass
class TopicTally:
    mention: Tally = field(default_factory=Tally)
    other: Tally = field(default_factory=Tally)


@dataclass
class CommentScan:
    comment_column: str
    groups: tuple[str, ...]  # answer groups in display order
    themes: dict[str, ThemeCounter] = field(default_factory=dict)  # segment -> counter (OVERALL: all)
    topics: dict[str, TopicTally] = field(default_factory=dict)
    with_text: int = 0  # respondents with a non-blank comment
    answered: int = 0  # respondents with a valid answer
    listed: list[dict] = field(default_factory=list)


def find_column(header: Sequence[str] | None, names: Sequence[str]) -> int | None:
    if not header:
        return None
    folded = [h.strip().casefold() for h in header]
    for name in names:
        if name in folded:
            return folded.index(name)
    return None


def find_comment_column(header: Sequence[str] | None) -> int | None:
    """A column whose header names free text (comment, feedback, reason...)."""
    import re

    if not header:
        return None
    for i, h in enumerate(header):
        if any(re.search(rf"\b{re.escape(w)}\b", h, re.I) for w in COMMENT_WORDS):
            return i
    return None


def scan_comments(
    table,
    parse: Callable[[str], int],
    group_of: Callable[[int], str | None],
    *,
    groups: Sequence[str],
    score_col: int,
    comment_col: int | None,
    by_cols: Sequence[int] = (),
    filters: Sequence[tuple[int, Callable[[str], bool]]] = (),
    topics: Sequence[Topic] = (),
    list_group: str | None = None,
    id_col: int | None = None,
    date_col: int | None = None,
    blank_group: str = "(blank)",
) -> CommentScan:
    """Walk the rows once; see the module docstring."""
    label = table.column_label(comment_col) if comment_col is not None else ""
    out = CommentScan(label, tuple(groups))
    if comment_col is not None:
        out.themes[OVERALL] = ThemeCounter()
    list_text_col = comment_col if comment_col is not None else (
        find_comment_column(table.header) if list_group is not None else None)
    for t in topics:
        out.topics[t.name] = TopicTally()
    parsed: dict[str, int | None] = {}
    for line, row in table.rows():
        def cell(i):
            return row[i] if i is not None and i < len(row) else ""

        if any(not keep(cell(i)) for i, keep in filters):
            continue
        raw = cell(score_col)
        if raw in parsed:
            answer = parsed[raw]
        else:
            try:
                answer = parse(raw) if raw.strip() else None
            except ValueError:
                answer = None
            if len(parsed) < 10_000:
                parsed[raw] = answer
        if answer is None:
            continue
        out.answered += 1
        group = group_of(answer)
        text = cell(comment_col)
        segment = " / ".join(cell(i).strip() or blank_group for i in by_cols) if by_cols else OVERALL
        if text.strip():
            out.with_text += 1
            if comment_col is not None and group is not None:
                out.themes[OVERALL].add(group, text)
                if by_cols:
                    out.themes.setdefault(segment, ThemeCounter()).add(group, text)
            if topics:
                ws = words(text)
                for t in topics:
                    tally = out.topics[t.name]
                    (tally.mention if t.matches(ws) else tally.other).add(answer)
        elif topics:
            for t in topics:
                out.topics[t.name].other.add(answer)
        if list_group is not None and group == list_group:
            out.listed.append({
                "line": line,
                "id": cell(id_col) if id_col is not None else None,
                "score": answer,
                "group": group,
                "segment": segment if by_cols else None,
                "date": cell(date_col) if date_col is not None else None,
                "comment": excerpt(cell(list_text_col), 2000) if list_text_col is not None else None,
            })
    return out
