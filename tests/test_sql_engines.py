"""Every metric through every real engine equals the file path.

The shipped examples are loaded as typed tables into DuckDB, SQLite,
PostgreSQL (a server started for the session) and Spark (local mode, marker
``spark``); each command runs with ``--db URL --table T`` and its JSON must
equal the same command on the CSV. Counts are compared exactly; floating
sums (weights, amounts, fitted parameters) to 1e-9 relative, 1e-6 for the
fitted models, whose optimiser sees customers in another order.
"""

from __future__ import annotations

import csv
import json
import math
import os

import pytest

from cxterms.io.scores import make_parser, read_scores
from cxterms.io.table import open_table
from cxterms.metrics.scales import Scale
from cxterms.sql.spec import parse_where

from .engines import EXAMPLES, PostgresServer, load_dbapi, load_spark, spark_session

TABLES = {
    "survey": EXAMPLES / "survey.csv",
    "csat": EXAMPLES / "support-csat.csv",
    "effort": EXAMPLES / "effort.csv",
    "customers": EXAMPLES / "customers.csv",
    "orders": EXAMPLES / "orders.csv",
}


@pytest.fixture(scope="session")
def weighted_csv(tmp_path_factory):
    """survey.csv plus a weight column (some blank, one negative) and a blank score."""
    path = tmp_path_factory.mktemp("weighted") / "weighted.csv"
    with open(EXAMPLES / "survey.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    out = [rows[0] + ["weight"]]
    for i, r in enumerate(rows[1:]):
        w = "" if i % 97 == 5 else "-1" if i == 13 else f"{0.25 + (i * 37 % 11) / 4:g}"
        out.append(r + [w])
    with open(path, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(out)
    return path


def _tables(weighted_csv):
    return {**TABLES, "weighted": weighted_csv}


ENGINES = ["duckdb", "sqlite", "postgres", pytest.param("spark", marks=pytest.mark.spark)]


@pytest.fixture(scope="session", params=ENGINES)
def engine(request, tmp_path_factory, weighted_csv):
    """(name, URL) of an engine holding every example table."""
    name = request.param
    tables = _tables(weighted_csv)
    if name == "duckdb":
        import duckdb

        path = tmp_path_factory.mktemp("duckdb") / "cx.duckdb"
        con = duckdb.connect(str(path))
        load_dbapi("duckdb", con, tables, "?")
        con.close()
        yield name, f"duckdb:///{path}"
    elif name == "sqlite":
        import sqlite3

        path = tmp_path_factory.mktemp("sqlite") / "cx.db"
        con = sqlite3.connect(path)
        load_dbapi("sqlite", con, tables, "?")
        con.close()
        yield name, f"sqlite:///{path}"
    elif name == "postgres":
        import psycopg

        server = PostgresServer()
        try:
            with psycopg.connect(server.url) as con:
                load_dbapi("postgres", con, tables, "%s")
            yield name, server.url
        finally:
            server.stop()
    else:
        spark = spark_session()
        load_spark(spark, tables)
        yield name, "spark:local[*]"


def close(a, b, rel=1e-9, path="") -> None:
    """Equal JSON documents, floats to ``rel``."""
    if isinstance(a, dict):
        assert isinstance(b, dict) and a.keys() == b.keys(), f"{path}: keys {sorted(a)} != {sorted(b)}"
        for k in a:
            close(a[k], b[k], rel, f"{path}.{k}")
    elif isinstance(a, list):
        assert isinstance(b, list) and len(a) == len(b), f"{path}: lengths differ"
        for i, (x, y) in enumerate(zip(a, b)):
            close(x, y, rel, f"{path}[{i}]")
    elif isinstance(a, float) and not isinstance(a, bool):
        assert isinstance(b, (int, float)) and math.isclose(a, b, rel_tol=rel, abs_tol=1e-9), f"{path}: {a} != {b}"
    else:
        assert a == b, f"{path}: {a!r} != {b!r}"


def by_customer(doc):
    if isinstance(doc, list) and doc and isinstance(doc[0], dict) and "customer" in doc[0]:
        return sorted(doc, key=lambda r: r["customer"])
    return doc


CASES = [
    ("nps", "survey", []),
    ("nps", "survey", ["--by", "region"]),
    ("nps", "survey", ["--by", "region", "--by", "channel", "--period", "submitted"]),
    ("nps", "survey", ["--period", "submitted", "--every", "week"]),
    ("nps", "survey", ["--period", "submitted", "--every", "quarter", "--interval", "adjusted-wald"]),
    ("csat", "csat", ["--by", "channel", "--period", "closed"]),
    ("csat", "csat", ["--satisfied", "5", "--confidence", "0.9"]),
    ("ces", "effort", ["--by", "channel"]),
    ("ces", "effort", ["--period", "date", "--every", "day"]),
    ("ces", "effort", ["--period", "date", "--every", "year"]),
    ("churn", "customers", ["--every", "month"]),
    ("churn", "customers", ["--every", "quarter", "--from", "2025-04-01", "--to", "2026-03-31"]),
    ("churn", "customers", ["--every", "week"]),
    ("clv", "orders", []),
    ("clv", "orders", ["--per-customer", "--unit", "month"]),
    ("clv", "orders", ["--model", "bgnbd", "--unit", "week"]),
    ("clv", "orders", ["--model", "bgnbd", "--unit", "month", "--calibration-end", "2026-03-31", "--per-customer"]),
]


_FILE_RESULTS: dict = {}


def file_result(run, command, table, args):
    """The command on the CSV (computed once per case, not once per engine)."""
    key = (command, table, tuple(args))
    if key not in _FILE_RESULTS:
        want = run(command, TABLES[table], *args, "-f", "json")
        assert want.exit_code == 0, want.stderr
        _FILE_RESULTS[key] = want
    return _FILE_RESULTS[key]


@pytest.mark.parametrize("command,table,args", CASES, ids=[f"{c}-{t}-{'_'.join(a) or 'plain'}" for c, t, a in CASES])
def test_command_on_engine_equals_file(run, engine, command, table, args):
    _name, url = engine
    want = file_result(run, command, table, args)
    got = run(command, "--db", url, "--table", table, *args, "-f", "json")
    assert got.exit_code == 0, got.stderr
    rel = 1e-6 if "--model" in args else 1e-9
    close(by_customer(json.loads(want.stdout)), by_customer(json.loads(got.stdout)), rel)


FILTERS = [
    (),
    (parse_where("region=North"),),
    (parse_where("channel!=email"), parse_where("respondent_id>=100100")),
]


@pytest.mark.parametrize("filters", FILTERS, ids=["none", "equal", "two"])
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
def test_tallies_with_weights_and_filters_equal_file(engine, weighted_csv, filters, weighted):
    from cxterms.sql.engines import connect
    from cxterms.sql.run import Source, score_data

    parse = make_parser(Scale(0, 10))
    opts = dict(by=["region"], period="submitted", every="month", weight="weight" if weighted else None, skip_invalid=True)
    want = read_scores(open_table(str(weighted_csv), None), parse, filters=[f.row_filter() for f in filters], **opts)
    with connect(engine[1]) as eng:
        got = score_data(Source(eng, "weighted"), parse, filters=filters, **opts)
    assert got.overall.counts == want.overall.counts
    assert (got.overall.blank, got.overall.invalid) == (want.overall.blank, want.overall.invalid)
    assert got.filtered == want.filtered
    assert got.cells.keys() == want.cells.keys()
    for key, t in want.cells.items():
        assert got.cells[key].counts == t.counts and got.cells[key].blank == t.blank, key
        if weighted:
            for v in t.counts:
                assert math.isclose(got.cells[key].wsum[v], t.wsum[v], rel_tol=1e-12)
                assert math.isclose(got.cells[key].wsq[v], t.wsq[v], rel_tol=1e-12)
    if weighted:
        assert math.isclose(got.overall.effective_n, want.overall.effective_n, rel_tol=1e-12)
        assert want.overall.invalid > 0  # the blank and negative weights were met


def _execute(engine, sql: str):
    """Run a printed query on the engine: (column names, rows)."""
    from cxterms.sql.engines import connect

    with connect(engine[1]) as eng:
        return eng.query(sql.rstrip().rstrip(";"))


def _write(path, names, rows):
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(names)
        for r in rows:
            w.writerow(["" if v is None else v.isoformat() if hasattr(v, "isoformat") else v for v in r])
    return path


def test_printed_queries_round_trip_through_counts(run, engine, tmp_path):
    """cxterms sql ... | engine | cxterms ... --counts/--rfm == the file path."""
    name, _url = engine
    dialect = {"postgres": "postgres"}.get(name, name)
    # survey metric, grouped and dated
    q = run("sql", "nps", "--dialect", dialect, "--table", "survey", "--by", "region", "--period", "submitted", "--every", "quarter")
    assert q.exit_code == 0, q.stderr
    counts = _write(tmp_path / "counts.csv", *_execute(engine, q.stdout))
    want = run("nps", TABLES["survey"], "--by", "region", "--period", "submitted", "--every", "quarter", "-f", "json")
    got = run("nps", counts, "--counts", "--by", "region", "--period", "period", "--every", "quarter", "-f", "json")
    assert got.exit_code == 0, got.stderr
    close(json.loads(want.stdout), json.loads(got.stdout))
    # churn per period
    q = run("sql", "churn", "--dialect", dialect, "--table", "customers", "--every", "month")
    counts = _write(tmp_path / "churn.csv", *_execute(engine, q.stdout))
    want = run("churn", TABLES["customers"], "--every", "month", "-f", "json")
    got = run("churn", counts, "--counts", "--every", "month", "-f", "json")
    assert got.exit_code == 0, got.stderr
    close(json.loads(want.stdout), json.loads(got.stdout))
    # the RFM summary for the models
    q = run("sql", "rfm", "--dialect", dialect, "--table", "orders", "--unit", "week")
    summary = _write(tmp_path / "rfm.csv", *_execute(engine, q.stdout))
    want = run("clv", TABLES["orders"], "--model", "bgnbd", "--unit", "week", "-f", "json")
    got = run("clv", summary, "--rfm", "--model", "bgnbd", "--unit", "week", "-f", "json")
    assert got.exit_code == 0, got.stderr
    w, g = json.loads(want.stdout), json.loads(got.stdout)
    w.pop("calibration_end"), g.pop("calibration_end")  # an RFM file does not carry it
    close(w, g, 1e-6)


def test_hostile_names_stay_names(run, engine):
    """A table name that is an injection attempt is looked up as a name."""
    got = run("nps", "--db", engine[1], "--table", 'survey"; DROP TABLE survey; --', "-f", "json")
    assert got.exit_code == 1
    assert "cxterms:" in got.stderr and "Traceback" not in got.stderr
    again = run("nps", "--db", engine[1], "--table", "survey", "-q")
    assert again.exit_code == 0 and again.stdout.strip()


LOCAL = [
    ("nps", "survey.csv", []),
    ("nps", "survey.csv", ["--by", "region", "--by", "channel", "--period", "submitted", "--every", "week"]),
    ("csat", "survey.csv", ["--scale", "0-10", "--by", "channel"]),
    ("nps", "survey-eu.csv", ["-c", "Empfehlung", "--by", "Filiale", "--period", "Datum", "--date-format", "%d/%m/%Y"]),
    ("nps", "surveymonkey-export.csv", []),
    ("nps", "surveymonkey-export.csv", ["--period", "End Date", "--date-format", "%m/%d/%Y %I:%M:%S %p"]),
    ("csat", "support-csat.csv", ["--by", "channel", "--period", "closed"]),
    ("ces", "effort.csv", ["--period", "date", "--every", "week", "--by", "channel"]),
    ("churn", "customers.csv", ["--every", "quarter"]),
    ("clv", "orders.csv", ["--per-customer"]),
    ("clv", "orders.csv", ["--model", "bgnbd", "--unit", "day", "--per-customer"]),
    ("nps", "survey.parquet", ["--by", "region"]),
    ("nps", "typeform.csv", []),
    ("nps", "delighted.csv", []),
]


@pytest.mark.parametrize("command,name,args", LOCAL, ids=[f"{c}-{n}-{len(a)}" for c, n, a in LOCAL])
def test_engine_duckdb_on_shipped_files_equals_builtin_reader(run, command, name, args):
    pytest.importorskip("duckdb")
    if name.endswith(".parquet"):
        pytest.importorskip("pyarrow")  # the built-in reader's Parquet support (the parquet extra)
    want = run(command, EXAMPLES / name, *args, "-f", "json")
    got = run(command, EXAMPLES / name, "--engine", "duckdb", *args, "-f", "json")
    assert want.exit_code == 0, want.stderr
    assert got.exit_code == 0, got.stderr
    close(by_customer(json.loads(want.stdout)), by_customer(json.loads(got.stdout)), 1e-6 if "--model" in args else 1e-9)


def test_engine_duckdb_says_clearly_what_it_cannot_read(run):
    pytest.importorskip("duckdb")
    got = run("nps", EXAMPLES / "survey-utf16.txt", "--engine", "duckdb")
    assert got.exit_code == 1
    assert got.stderr.startswith("cxterms: DuckDB cannot read") and "hint: leave out --engine duckdb" in got.stderr
    assert run("nps", EXAMPLES / "survey-utf16.txt").exit_code == 0  # the built-in reader can


def test_engine_refuses_platform_layouts_it_would_misread(run):
    pytest.importorskip("duckdb")
    got = run("nps", EXAMPLES / "qualtrics.csv", "--engine", "duckdb")
    assert got.exit_code == 2 and "Qualtrics" in got.stderr and "hint: leave out --engine" in got.stderr
    assert run("nps", EXAMPLES / "qualtrics.csv").exit_code == 0


def test_engine_duckdb_reads_parquet_and_json(run, tmp_path):
    duckdb = pytest.importorskip("duckdb")
    con = duckdb.connect()
    src = str(EXAMPLES / "survey.csv")
    con.read_csv(src).write_parquet(str(tmp_path / "s.parquet"))
    con.execute(f"COPY (SELECT * FROM read_csv('{src}')) TO '{tmp_path / 's.json'}' (FORMAT json)")
    want = run("nps", src, "--by", "region", "-f", "json")
    for name in ("s.parquet", "s.json"):
        got = run("nps", tmp_path / name, "--engine", "duckdb", "--by", "region", "-f", "json")
        assert got.exit_code == 0, got.stderr
        close(json.loads(want.stdout), json.loads(got.stdout))


def test_duckdb_csv_scan_is_capped_and_an_aggregate_too_big_for_the_cap_is_rerun(run, tmp_path, monkeypatch):
    """A CSV file is scanned under a memory cap (flat peak memory); a count
    with more groups than the cap holds runs again without it, same answer."""
    duckdb = pytest.importorskip("duckdb")
    from cxterms.sql import engines

    path = tmp_path / "ids.csv"
    path.write_text("id,score\n" + "".join(f"customer-{i:06d},{i % 11}\n" for i in range(4000)))
    with engines.DuckDBEngine("duckdb:") as eng:
        view = eng.attach_file(str(path))
        limit = eng.con.execute("SELECT current_setting('memory_limit')").fetchone()[0]
        default = duckdb.connect().execute("SELECT current_setting('memory_limit')").fetchone()[0]
        assert eng._capped and limit != default
        eng.query(f'SELECT "score", COUNT(*) AS n FROM {view} GROUP BY "score"')
        assert eng._capped  # a few groups: the cap holds
        assert eng.con.execute("SELECT current_setting('temp_directory')").fetchone()[0] == ""  # capped: no spilling
        eng.query(f'SELECT "id", COUNT(*) AS n FROM {view} GROUP BY "id"', per_customer=True)
        assert not eng._capped  # a group per customer: no cap
        spill = eng.con.execute("SELECT current_setting('temp_directory')").fetchone()[0]
        assert "cxterms-duckdb-" in spill and not spill.startswith(str(tmp_path))  # its own folder, never ./.tmp
    assert not os.path.exists(spill)  # removed at close
    dropped = engines.DuckDBEngine("duckdb:")
    spill = dropped._spill
    assert os.path.isdir(spill)
    del dropped  # never closed: removed when the engine goes
    import gc

    gc.collect()
    assert not os.path.exists(spill)
    monkeypatch.setattr(engines, "scan_memory", lambda con: "1MB")
    with engines.DuckDBEngine("duckdb:") as eng:
        view = eng.attach_file(str(path))
        names, rows = eng.query(f'SELECT "id", "score", COUNT(*) AS n FROM {view} GROUP BY "id", "score"')
        assert not eng._capped and len(rows) == 4000 and {r[2] for r in rows} == {1}
    want = run("nps", path, "--by", "id", "-f", "csv")
    got = run("nps", path, "--by", "id", "-f", "csv", "--engine", "duckdb")
    assert want.exit_code == got.exit_code == 0, got.stderr
    assert got.stdout == want.stdout and len(got.stdout.splitlines()) > 4000
