"""Where the tallies come from: a file of answers (the io readers), a file
of counts (``--counts``), or a database (``--db`` / ``--engine``). Every
path ends in the same ScoreData / CustomerCounter / RFMData, so everything
after this step is shared."""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import UsageError


@dataclass(frozen=True)
class SourceOpts:
    counts: bool = False
    count_column: str | None = None
    weight_sum_column: str | None = None
    weight_sq_column: str | None = None
    db: str | None = None
    table: str | None = None
    engine: str | None = None

    @property
    def kind(self) -> str:
        if self.counts:
            return "counts"
        if self.db is not None or self.engine is not None:
            return "db"
        return "file"

    def check(self, file: str | None, *, counts_ok: bool = True) -> None:
        if self.counts and (self.db or self.engine):
            raise UsageError("--counts reads a file of counts; it does not go with --db or --engine")
        if not self.counts and (self.count_column or self.weight_sum_column or self.weight_sq_column):
            raise UsageError("--count-column, --weight-sum-column and --weight-sq-column go with --counts")
        if self.counts and not counts_ok:
            raise UsageError("--counts is not available here")
        if self.engine is not None:
            if self.engine.lower() != "duckdb":
                raise UsageError(f"--engine takes duckdb, not {self.engine!r}", hint="for other engines use --db URL")
            if self.db is not None:
                raise UsageError("--engine duckdb is short for --db duckdb: with FILE; give one of them")
            if file in (None, "-"):
                raise UsageError("--engine duckdb reads a FILE (CSV, Parquet or JSON), not stdin")
            if self.table is not None:
                raise UsageError("--table goes with --db")
        elif self.db is not None:
            url = self.db.strip().lower()
            if file not in (None, "-") and self.table is not None:
                raise UsageError("give FILE or --table, not both")
            if file in (None, "-") and self.table is None:
                raise UsageError("--db needs --table NAME (or FILE with duckdb: or spark:)")
            if file not in (None, "-") and not url.startswith(("duckdb:", "spark:", "sc://")):
                raise UsageError("only duckdb: and spark URLs read a FILE; give --table for this database")
        elif self.table is not None:
            raise UsageError("--table goes with --db URL")


def open_source(opts: SourceOpts, file: str | None, *, delimiter=None, header=None, encoding=None):
    """Connect and return a sql.run.Source for the table or the FILE."""
    from ..sql.engines import connect
    from ..sql.run import Source

    url = "duckdb:" if opts.engine is not None else opts.db
    engine = connect(url)
    try:
        if opts.table is not None:
            return Source(engine, opts.table)
        if file is None or file == "-":
            raise UsageError("--db needs --table NAME")
        if not hasattr(engine, "attach_file"):
            raise UsageError(f"{engine.label} cannot read a FILE; give --table")
        view = engine.attach_file(file, delimiter=_delim(delimiter), header=header, encoding=encoding)
        return Source(engine, view, file)
    except BaseException:
        engine.close()
        raise


def _plain_table_only(session, opts: SourceOpts, file, *, delimiter, header, encoding) -> None:
    """An engine reads FILE as one plain table: platform exports with extra
    header rows or preview/unfinished responses must go through the built-in
    reader, which knows their layout."""
    if opts.table is not None or file in (None, "-"):
        return
    from ..errors import CxtermsError
    from ..io.sources import ReadOptions
    from ..io.table import parse_delimiter
    from .inputs import open_any

    try:
        src = open_any(session, file, ReadOptions(delimiter=parse_delimiter(delimiter), header=header, encoding=encoding))
    except CxtermsError:
        return  # the engine will say what it cannot read
    try:
        lay = src.layout
        if lay.name and (lay.multi_row or lay.status_col is not None or lay.finished_col is not None):
            raise UsageError(f"{file} is a {lay.name} (extra header rows, preview or unfinished responses); "
                             "an engine would read it as a plain table",
                             hint="leave out --engine/--db: the built-in reader knows this layout")
        import os

        from ..sql.engines import FILE_KINDS

        by_name = FILE_KINDS.get(os.path.splitext(str(file))[1].lower(), "csv")
        if by_name == "csv" and src.kind != "text":
            raise UsageError(f"{file} is {src.kind}, but an engine would read it as CSV by its name",
                             hint="rename it to its format, or leave out --engine/--db")
    finally:
        src.table.close()


def _delim(text):
    from ..io.table import parse_delimiter

    return parse_delimiter(text)


def read_score_data(session, file, opts: SourceOpts, *, parse_for, column, by, period, every, date_format, delimiter,
                    header, encoding, skip_invalid, weight=None, filters=()):
    """ScoreData from --counts FILE or from a database (not from answers)."""
    if opts.kind == "counts":
        from ..io.counts import read_counts
        from .inputs import open_input

        if filters:
            raise UsageError("--where filters answers; a counts table is already aggregated")
        if weight is not None:
            raise UsageError("--weight names a column of answers; counts carry weight_sum and weight_sq_sum columns")
        table = open_input(session, file, delimiter=delimiter, header=header, encoding=encoding)
        return read_counts(
            table, parse_for(table.delimiter not in (",", None)), column=column, count=opts.count_column, by=by or (),
            period=period, every=every.value, date_format=date_format, weight_sum=opts.weight_sum_column,
            weight_sq_sum=opts.weight_sq_column, skip_invalid=skip_invalid,
        )
    from ..sql.run import score_data

    _plain_table_only(session, opts, file, delimiter=delimiter, header=header, encoding=encoding)
    src = open_source(opts, file, delimiter=delimiter, header=header, encoding=encoding)
    try:
        decimal_comma = getattr(src.engine, "delimiter", ",") not in (",", None)
        return score_data(
            src, parse_for(decimal_comma), column=column, by=by or (), period=period, every=every.value,
            date_format=date_format, weight=weight, filters=_structured(filters), skip_invalid=skip_invalid,
        )
    finally:
        src.engine.close()


FILE_ONLY = {"sheet": "--sheet", "header_rows": "--header-rows", "skip_rows": "--skip-rows",
             "include_partial": "--include-partial", "map": "--map", "labels": "--labels", "date_from": "--from",
             "date_to": "--to", "dayfirst": "--dayfirst/--monthfirst", "tz": "--tz", "max_invalid": "--max-invalid"}


def read_answers_from(session, file, opts: SourceOpts, *, scale, column, by, period, every, date_format, delimiter,
                      header, encoding, skip_invalid, weight=None, filters=(), inp=None):
    """Answers (as cli.survey._read returns them) from --counts or a database."""
    from ..io.answers import Answers
    from ..io.labels import make_reader
    from ..io.scores import make_parser
    from ..sql.spec import parse_where

    inp = inp or {}
    used = [flag for key, flag in FILE_ONLY.items() if inp.get(key) not in (None, False, 0, (), [])]
    if used:
        raise UsageError(f"{', '.join(used)} read{'s' * (len(used) == 1)} answer files; not with --counts, --db or --engine")
    wheres = tuple(inp.get("where") or ())
    if wheres and opts.kind == "counts":
        raise UsageError("--where filters answers; a counts table is already aggregated")
    structured = tuple(parse_where(w) for w in wheres) + tuple(filters or ())
    data = read_score_data(
        session, file, opts, parse_for=lambda dc: make_reader(make_parser(scale, decimal_comma=dc), None), column=column, by=by,
        period=period, every=every, date_format=date_format, delimiter=delimiter, header=header, encoding=encoding,
        skip_invalid=skip_invalid, weight=weight, filters=structured,
    )
    _check_invalid_share(data, scale)
    extra = {"filtered_out": data.filtered_out} if data.filtered else {}
    notes = [f"{n} row{'s' * (n != 1)} left out by {name}" for name, n in data.filtered.items()]
    return Answers(data=data, scale=scale, notes=notes, extra=extra)


def _check_invalid_share(data, scale) -> None:
    """--skip-invalid leaves invalid cells out up to 5% of the non-blank
    ones, whatever the source (as io.answers does for files): more means a
    wrong column or scale, not a few typos."""
    from ..errors import DataError
    from ..io.answers import MAX_INVALID

    bad = data.invalid_total
    nonblank = data.overall.n + bad
    if bad and bad / nonblank > MAX_INVALID:
        share = bad / nonblank
        raise DataError(
            f"{100 * share:.0f}% of the answers in {data.source}, {data.column} are not {scale} answers "
            f"({bad} of {nonblank}): wrong column or scale?",
            hint="the file path allows more with --max-invalid; here fix the column or the scale",
        )


def _structured(filters):
    """Filters the SQL builder can express (cxterms.sql.spec.Filter)."""
    from ..sql.spec import Filter

    out = []
    for f in filters or ():
        if not isinstance(f, Filter):
            raise UsageError("this filter cannot run in a database", hint="leave out --db/--engine for it")
        out.append(f)
    return tuple(out)
