"""--comments, --topics and --list on nps, csat and ces: a second pass over
the rows (cxterms.text.scan) and the output of themes, topics and lists."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from enum import Enum
from typing import Annotated, Optional

import typer

from .output import TableFormat

COMMENTS = "Comments"


class ListGroup(str, Enum):
    detractors = "detractors"
    passives = "passives"
    promoters = "promoters"
    low = "low"
    high = "high"


CommentsOpt = Annotated[
    Optional[str],
    typer.Option("--comments", metavar="COLUMN", help="Free-text column: the words and phrases most distinctive of each answer group (detractors, passives, promoters; low and high for csat/ces).", rich_help_panel=COMMENTS),
]
TopicsOpt = Annotated[
    Optional[list[str]],
    typer.Option("--topics", metavar="FILE.yaml", help="Topic file (repeatable), layered over the built-in topics: mentions and the score of those who mention each topic. Needs --comments.", rich_help_panel=COMMENTS),
]
NoBuiltinTopicsOpt = Annotated[
    bool,
    typer.Option("--no-builtin-topics", help="Use only the --topics files, not the built-in starter topics.", rich_help_panel=COMMENTS),
]
BuiltinTopicsOpt = Annotated[
    bool,
    typer.Option("--builtin-topics", help="Report the built-in starter topics (price, speed, staff, app, billing, delivery, support). Needs --comments.", rich_help_panel=COMMENTS),
]
ListOpt = Annotated[
    Optional[ListGroup],
    typer.Option("--list", metavar="GROUP", case_sensitive=False, help="Emit the rows of one answer group for follow-up, in file order: detractors, passives, promoters (nps), low or high (csat, ces).", rich_help_panel=COMMENTS),
]
IdOpt = Annotated[
    Optional[str],
    typer.Option("--id", metavar="COLUMN", help="Respondent id column for --list. Default: a column named id, respondent_id, ResponseId, customer_id, email...", rich_help_panel=COMMENTS),
]
TopOpt = Annotated[
    int,
    typer.Option("--top", metavar="N", min=1, max=1000, help="Themes shown per group.", rich_help_panel=COMMENTS),
]


@dataclass
class CommentOptions:
    comments: str | None = None
    topics: list[str] = field(default_factory=list)
    builtin_topics: bool = False
    no_builtin_topics: bool = False
    list_group: ListGroup | None = None
    id_column: str | None = None
    top: int = 10

    @property
    def active(self) -> bool:
        return bool(self.comments or self.topics or self.builtin_topics or self.list_group)

    @property
    def wants_topics(self) -> bool:
        return bool(self.topics or self.builtin_topics)


@dataclass
class Metric:
    """What the comment features need to know of the command."""

    name: str  # nps | csat | ces
    groups: tuple[str, ...]
    group_of: object  # answer -> group name (None: in no group)
    compute: object  # Tally -> result with .as_dict()
    headline: str  # key of the score in the result dict
    measure: object  # metrics.inference.Measure: the two-sample test of the segment tests
    adjust: str = "holm"  # p-value adjustment across topics


def check(opts: CommentOptions, metric: Metric, *, quiet: bool, fmt_) -> None:
    from ..errors import UsageError

    if opts.wants_topics and not opts.comments:
        raise UsageError("--topics and --builtin-topics need --comments COLUMN (the text to tag)")
    if opts.list_group is not None and opts.list_group.value not in metric.groups:
        raise UsageError(
            f"--list {opts.list_group.value} is not a group of {metric.name}: use one of {', '.join(metric.groups)}"
        )
    if opts.list_group is not None and opts.wants_topics:
        raise UsageError("--list emits rows: run it without --topics")
    if fmt_ in (TableFormat.csv, TableFormat.tsv) and opts.comments and opts.wants_topics and opts.list_group is None:
        raise UsageError("CSV/TSV holds one table: choose --comments or --topics output, or use -f json")


def spool_stdin(session) -> str:
    """Copy stdin to a temporary file, for commands that read the rows more
    than once (the comment features, the report): removed at exit, and
    called "<stdin>" in messages."""
    import atexit
    import shutil
    import tempfile

    env = session.env
    stream = getattr(env.stdin, "buffer", None)
    fd, path = tempfile.mkstemp(prefix="cxterms-stdin-", suffix=".csv")
    with os.fdopen(fd, "wb") as fh:
        if stream is None:
            fh.write(env.stdin.read().encode("utf-8"))
        else:
            shutil.copyfileobj(stream, fh)
    atexit.register(remove_quietly, path)
    session.file_names[path] = "<stdin>"
    return path


def remove_quietly(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


def run(session, ans, *, metric: Metric, opts: CommentOptions):
    """A second pass over the rows the answers ``ans`` were read from (the
    same source, columns, answer labels and filters); returns the CommentScan."""
    from ..errors import UsageError
    from ..text.scan import DATE_NAMES, ID_NAMES, find_column, scan_comments
    from ..text.topics import load_topics

    src = ans.source
    if src is None or ans.column_index is None or ans.parse is None:
        raise UsageError("--comments, --topics and --list need a table with columns (not a bare list of answers)")
    comment_col = src.column(opts.comments, what="--comments column") if opts.comments else None
    id_col = None
    if opts.id_column is not None:
        id_col = src.column(opts.id_column, what="--id column")
    elif opts.list_group is not None:
        id_col = find_column(src.table.header, ID_NAMES)
    date_col = find_column(src.table.header, DATE_NAMES) if opts.list_group is not None else None
    topics = []
    if opts.wants_topics:
        out = session.out()
        topics = load_topics(opts.topics, builtin=not opts.no_builtin_topics, warn=out.warn)
    table = src.reopen()
    try:
        scan = scan_comments(
            table, ans.parse, metric.group_of, groups=metric.groups, score_col=ans.column_index, comment_col=comment_col,
            by_cols=list(ans.by_indices), filters=[(int(f.column) - 1, f.keep) for f in ans.filters], topics=topics,
            list_group=opts.list_group.value if opts.list_group is not None else None,
            id_col=id_col, date_col=date_col,
        )
    finally:
        table.close()
    for row in scan.listed:  # the original line (or spreadsheet row), as other messages give it
        row["line"] = src.line_of(row["line"])
    return scan


def themes_json(scan, segment: str, top: int) -> dict:
    counter = scan.themes.get(segment)
    if counter is None:
        return {g: [] for g in scan.groups}
    found = counter.distinctive(top)
    return {g: [t.as_dict() for t in found.get(g, [])] for g in scan.groups}


def topic_rows(scan, metric: Metric) -> list[dict]:
    from ..errors import EmptyDataError

    rows = []
    for name, tally in scan.topics.items():
        mentions = tally.mention.n
        row = {"topic": name, "mentions": mentions,
               "share": 100.0 * mentions / scan.with_text if scan.with_text else None}
        try:
            res = metric.compute(tally.mention).as_dict()
            row.update({metric.headline: res[metric.headline], "n": res["n"], "ci_low": res.get("ci_low"),
                        "ci_high": res.get("ci_high")})
        except EmptyDataError:
            row.update({metric.headline: None, "n": 0, "ci_low": None, "ci_high": None})
        try:
            other = metric.compute(tally.other).as_dict()[metric.headline]
        except EmptyDataError:
            other = None
        row["others"] = other
        d = metric.measure.compare(tally.mention, tally.other)
        row.update(difference=d.difference, std_error=d.std_error, statistic=d.statistic, df=d.df,
                   p_value=d.p_value, test=d.test, note=d.note)
        rows.append(row)
    from ..metrics.inference import adjust_p

    for row, p in zip(rows, adjust_p([r["p_value"] for r in rows], metric.adjust)):
        row["p_adjusted"] = p
        row["significant"] = None if p is None else p < 0.05
    rows.sort(key=lambda r: -r["mentions"])
    return rows


def emit_list(session, scan, fmt_, quiet: bool) -> None:
    from .output import resolve_format
    from .render_metrics import write_rows
    from ..textutil import clean_line

    out = session.out()
    fmt_ = resolve_format(fmt_, session.env)
    rows = scan.listed
    if quiet:
        out.lines(clean_line(str(r["id"] if r["id"] is not None else r["line"])) for r in rows)
    elif fmt_ is TableFormat.json:
        out.json(rows)
    elif fmt_ in (TableFormat.csv, TableFormat.tsv):
        if rows:
            write_rows(out, fmt_, rows)
        else:
            out.write(",".join(["line", "id", "score", "group", "segment", "date", "comment"]) if fmt_ is TableFormat.csv
                      else "\t".join(["line", "id", "score", "group", "segment", "date", "comment"]))
    elif fmt_ is TableFormat.plain:
        keys = ["line", "id", "score", "group", "segment", "date", "comment"]
        out.write("\t".join(keys))
        for r in rows:
            out.write("\t".join("" if r[k] is None else clean_line(str(r[k])) for k in keys))
    else:
        from rich.table import Table
        from rich.text import Text

        t = Table(title=Text(f"{len(rows)} {rows[0]['group'] if rows else 'rows'} to follow up"), title_justify="left")
        for k in ("line", "id", "score", "segment", "date", "comment"):
            t.add_column(k.capitalize(), overflow="fold", justify="right" if k in ("line", "score") else "left")
        for r in rows:
            t.add_row(*[Text("" if r[k] is None else clean_line(str(r[k]))) for k in ("line", "id", "score", "segment", "date", "comment")])
        out.print(t)
    if not rows:
        out.note("note: no rows in that group")


def theme_rows(scan, top: int) -> list[dict]:
    rows = []
    for segment in scan.themes:
        found = scan.themes[segment].distinctive(top)
        for g in scan.groups:
            for rank, t in enumerate(found.get(g, []), 1):
                rows.append({"segment": segment or None, "group": g, "rank": rank, **t.as_dict()})
    return rows


def emit_tables(session, scan, metric: Metric, opts: CommentOptions, fmt_) -> None:
    """Plain, CSV and TSV: the themes table and/or the topics table."""
    from .render_metrics import write_rows
    from ..textutil import clean_line

    out = session.out()
    blocks = []
    if opts.comments and (not opts.wants_topics or fmt_ is TableFormat.plain):
        blocks.append(theme_rows(scan, opts.top))
    if opts.wants_topics:
        blocks.append(topic_rows(scan, metric))
    for i, rows in enumerate(blocks):
        if i:
            out.write("")
        if fmt_ is TableFormat.plain:
            if not rows:
                continue
            keys = list(rows[0])
            out.write("\t".join(keys))
            for r in rows:
                out.write("\t".join("" if r[k] is None else (f"{r[k]:.4g}" if isinstance(r[k], float) else clean_line(str(r[k]))) for k in keys))
        elif rows:
            write_rows(out, fmt_, rows)


def augment(scan, metric: Metric, opts: CommentOptions):
    """A callback adding "themes" and "topics" to the JSON dicts."""
    from ..text.scan import OVERALL

    def add(main: dict, rows: list[dict] | None) -> None:
        if opts.comments:
            main["themes"] = themes_json(scan, OVERALL, opts.top)
            main["comments"] = {"column": scan.comment_column, "with_text": scan.with_text, "answered": scan.answered}
            for r in rows or ():
                if r.get("group") is not None and r.get("period") is None:
                    r["themes"] = themes_json(scan, r["group"], opts.top)
        if opts.wants_topics:
            main["topics"] = topic_rows(scan, metric)

    return add


def rich_blocks(scan, metric: Metric, opts: CommentOptions) -> list:
    from rich.table import Table
    from rich.text import Text

    from ..text.scan import OVERALL

    blocks = []
    if opts.comments:
        found = scan.themes[OVERALL].distinctive(opts.top)
        for g in scan.groups:
            t = Table(title=Text(f"What {g} say most distinctively"), title_justify="left")
            t.add_column("Term", style="bold")
            t.add_column("z", justify="right")
            t.add_column("Comments", justify="right")
            t.add_column("Example", overflow="fold", style="dim")
            for th in found.get(g, []):
                t.add_row(Text(th.term), f"{th.z:.1f}", f"{th.count} ({th.share:.0f}%)", Text(th.example))
            if not found.get(g):
                t.add_row(Text("(no distinctive terms)", style="dim"), "", "", "")
            blocks.append(t)
        blocks.append(Text(
            f"{scan.with_text} of {scan.answered} respondents commented. Ranked by the weighted log-odds "
            "ratio with an informative Dirichlet prior (Monroe, Colaresi & Quinn 2008); z > 1.96 is "
            "unlikely by chance.", style="dim"))
    if opts.wants_topics:
        rows = topic_rows(scan, metric)
        t = Table(title=Text("Topics"), title_justify="left")
        for head in ("Topic", "Mentions", "Share", metric.name.upper(), "Interval", "Others", "Diff.", "p adj."):
            t.add_column(head, justify="left" if head == "Topic" else "right", no_wrap=head != "Topic")
        for r in rows:
            def f(v, spec):
                return "-" if v is None else format(v, spec)
            mark = ""
            if r.get("significant"):
                mark = " ▲" if r["difference"] > 0 else " ▼"
            t.add_row(Text(r["topic"]), str(r["mentions"]), f(r["share"], ".1f") + ("%" if r["share"] is not None else ""),
                      f(r[metric.headline], ".1f"),
                      f"{f(r['ci_low'], '.1f')}…{f(r['ci_high'], '.1f')}" if r["ci_low"] is not None else "-",
                      f(r["others"], ".1f"), f(r.get("difference"), "+.1f") + mark, f(r.get("p_adjusted"), ".3f"))
        blocks.append(t)
        blocks.append(Text(f"▲/▼: those who mention the topic score significantly higher/lower than the other "
                           f"respondents ({rows[0]['test'] if rows else 'two-sample test'}; p adjusted across topics, "
                           f"{metric.adjust}).", style="dim"))
    return blocks
