"""The emitted SQL, for every dialect: it parses back in that dialect, uses
only the allowed aggregates with explicit casts, groups by expressions
(never ordinals), truncates dates the dialect's way, and keeps user text
as identifiers and literals."""

from __future__ import annotations

import subprocess
import sys
from datetime import date

import pytest

sqlglot = pytest.importorskip("sqlglot")
from sqlglot import exp  # noqa: E402

from cxterms.sql.build import churn_query, orders_query, rfm_query, score_query  # noqa: E402
from cxterms.sql.engines import mask_url  # noqa: E402
from cxterms.sql.spec import DIALECTS, ChurnSpec, Filter, RFMSpec, ScoreSpec, parse_where  # noqa: E402

HOSTILE = 'x"; DROP TABLE t; --'
HOSTILE_VALUE = "North'; DELETE FROM t; --"
ALLOWED_AGGREGATES = (exp.Count, exp.Sum, exp.Min, exp.Max)


def queries(dialect: str, name: str = "responses", column: str = "score", value: str = "North"):
    f = (Filter("region", "=", value), Filter("age", ">=", "18"))
    yield "nps", score_query(ScoreSpec(name, column, by=("region", "plan"), period="submitted", every="week",
                                       weight="w", filters=f), dialect)
    yield "nps-quarter", score_query(ScoreSpec(name, column, period="submitted", every="quarter"), dialect)
    yield "churn", churn_query(ChurnSpec(name, "start_date", "end_date", every="month", filters=f), dialect)
    yield "rfm", rfm_query(RFMSpec(name, "customer_id", "order_date", "amount", unit="month",
                                   calibration_end=date(2026, 3, 31), filters=f), dialect)
    yield "rfm-no-amount", rfm_query(RFMSpec(name, "customer_id", "order_date", None), dialect)
    yield "orders", orders_query(RFMSpec(name, "customer_id", "order_date", "amount"), dialect)


CASES = [(d, k, q) for d in DIALECTS for k, q in queries(d)]


@pytest.mark.parametrize("dialect,kind,sql", CASES, ids=[f"{d}-{k}" for d, k, _ in CASES])
def test_query_parses_back_and_follows_the_rules(dialect, kind, sql):
    trees = sqlglot.parse(sql, read=dialect)
    assert len(trees) == 1 and isinstance(trees[0], (exp.Select, exp.Union)), "one SELECT statement"
    tree = trees[0]
    for node in tree.find_all(exp.AggFunc):
        assert isinstance(node, ALLOWED_AGGREGATES), f"{type(node).__name__} is not an allowed aggregate"
    assert not list(tree.find_all(exp.Avg))
    for group in tree.find_all(exp.Group):
        for e in group.expressions:
            assert not (isinstance(e, exp.Literal) and e.is_int), "GROUP BY ordinal"
    for order in tree.find_all(exp.Order):
        for e in order.expressions:
            assert not (isinstance(e.this, exp.Literal) and e.this.is_int), "ORDER BY ordinal"
    for s in tree.find_all(exp.Sum):  # sums of weights and amounts are of explicit casts
        inner = s.this
        if isinstance(inner, exp.Case):
            continue
        assert isinstance(inner, (exp.Cast, exp.TryCast, exp.Column, exp.Sub)), inner.sql(dialect)
    assert "DROP" not in sql.upper() and "DELETE" not in sql.upper()


def test_weights_are_cast_before_summing():
    sql = score_query(ScoreSpec("t", "score", weight="w"), "tsql")
    tree = sqlglot.parse_one(sql, read="tsql")
    weight_sums = [s for s in tree.find_all(exp.Sum) if isinstance(s.this, exp.Case)]
    assert len(weight_sums) == 3
    for s in weight_sums[:2]:
        assert list(s.find_all(exp.Cast)), s.sql("tsql")


@pytest.mark.parametrize("dialect", DIALECTS)
def test_hostile_names_and_values_stay_identifiers_and_literals(dialect):
    for kind, sql in queries(dialect, name=HOSTILE, column=HOSTILE, value=HOSTILE_VALUE):
        tree = sqlglot.parse_one(sql, read=dialect)
        tables = {t.name for t in tree.find_all(exp.Table)}
        assert HOSTILE in tables, (kind, tables)
        if kind.startswith("nps"):
            assert HOSTILE in {c.name for c in tree.find_all(exp.Column)}
        literals = {lit.this for lit in tree.find_all(exp.Literal) if lit.is_string}
        if kind in ("nps", "churn", "rfm"):
            assert HOSTILE_VALUE.casefold() in literals


@pytest.mark.parametrize("dialect,needle", [
    ("sqlite", "'weekday 1'"), ("bigquery", "ISOWEEK"), ("tsql", "DATETRUNC(iso_week"),
    ("spark", "TRUNC("), ("postgres", "DATE_TRUNC('week'"), ("snowflake", "DATE_TRUNC('week'"),
    ("duckdb", "DATE_TRUNC('week'"), ("trino", "DATE_TRUNC('week'"), ("redshift", "DATE_TRUNC('week'"),
])
def test_week_truncation_is_the_dialects_own(dialect, needle):
    assert needle in score_query(ScoreSpec("t", "score", period="d", every="week"), dialect)


def test_output_columns_are_what_counts_read_back():
    sql = score_query(ScoreSpec("t", "score", by=("region",), period="d", weight="w"), "duckdb")
    names = [s.alias_or_name for s in sqlglot.parse_one(sql).expressions]
    assert names == ["region", "period", "score", "count", "weight_sum", "weight_sq_sum", "weight_invalid"]
    names = [s.alias_or_name for s in sqlglot.parse_one(churn_query(ChurnSpec("t", "s", "e"), "duckdb")).expressions]
    assert names == ["period", "start", "new", "lost", "lost_new"]
    names = [s.alias_or_name for s in sqlglot.parse_one(rfm_query(RFMSpec("t", "c", "d", "a"), "duckdb")).expressions]
    assert names == ["customer_id", "frequency", "recency", "T", "monetary_value", "calibration_end"]


def test_the_printed_query_runs_on_duckdb_with_a_hostile_table(run, tmp_path):
    import duckdb

    con = duckdb.connect()
    quoted = '"' + HOSTILE.replace('"', '""') + '"'
    con.execute(f"CREATE TABLE {quoted} (score INTEGER, region VARCHAR)")
    con.execute(f"INSERT INTO {quoted} VALUES (10, ?), (3, 'South')", [HOSTILE_VALUE])
    out = run("sql", "nps", "--table", HOSTILE, "--by", "region", "--where", f"region={HOSTILE_VALUE}")
    assert out.exit_code == 0, out.stderr
    assert con.execute(out.stdout.rstrip().rstrip(";")).fetchall() == [(HOSTILE_VALUE, 10, 1)]
    assert con.execute(f"SELECT COUNT(*) FROM {quoted}").fetchall() == [(2,)]


@pytest.mark.parametrize("text", ["region", "=x", ""])
def test_bad_where_is_a_usage_error(run, text):
    out = run("sql", "nps", "--table", "t", "--where", text)
    assert out.exit_code == 2 and out.stderr.startswith("cxterms: ")


def test_numeric_comparison_needs_a_number():
    with pytest.raises(ValueError):
        parse_where("score>=high")


def test_unknown_dialect_is_a_usage_error(run):
    out = run("sql", "nps", "--table", "t", "--dialect", "oracle9")
    assert out.exit_code == 2 and "hint: choose one of duckdb" in out.stderr


def test_passwords_are_masked():
    assert "s3cret" not in mask_url("postgresql://ann:s3cret@h:5432/db")
    assert mask_url("sqlite:///rel/cx.db") == "sqlite:///rel/cx.db"


def test_connection_errors_do_not_echo_the_password(run):
    pytest.importorskip("psycopg")
    out = run("nps", "--db", "postgresql://ann:s3cret-pw@127.0.0.1:1/cx", "--table", "t")
    assert out.exit_code == 1
    assert "s3cret-pw" not in out.stderr and "***" in out.stderr


@pytest.mark.parametrize("module,url,extra", [
    ("duckdb", "duckdb:", "duckdb"), ("psycopg", "postgresql://h/db", "postgres"), ("pyspark", "spark:local[*]", "spark"),
])
def test_missing_driver_names_the_extra(run, monkeypatch, module, url, extra):
    for name in list(sys.modules):
        if name == module or name.startswith(module + "."):
            monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, module, None)  # makes "import <module>" fail
    out = run("nps", "--db", url, "--table", "t")
    assert out.exit_code == 1
    assert f"hint: pip install 'cxterms[{extra}]'" in out.stderr


def test_sql_path_only_imports_sqlglot_not_the_drivers():
    code = (
        "import sys\nfrom cxterms.cli.app import main\n"
        "sys.argv = ['cxterms', 'sql', 'nps', '--table', 't', '--dialect', 'bigquery']\n"
        "try:\n    main()\nexcept SystemExit as e:\n    assert e.code == 0, e.code\n"
        "sys.stderr.write(repr(sorted(m for m in ('duckdb', 'psycopg', 'pyspark', 'numpy') if m in sys.modules)))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.endswith("[]"), proc.stderr


@pytest.mark.parametrize("args", [["define", "nps"], ["nps", "examples/survey.csv"]])
def test_other_paths_import_no_sql_module(args):
    from .conftest import REPO

    code = (
        "import sys\nfrom cxterms.cli.app import main\n"
        f"sys.argv = ['cxterms', *{args!r}]\n"
        "try:\n    main()\nexcept SystemExit as e:\n    assert e.code == 0, e.code\n"
        "sys.stderr.write(repr(sorted(m for m in sys.modules if m.split('.')[0] in ('sqlglot', 'duckdb', 'psycopg', 'pyspark', 'sqlite3') or m.startswith('cxterms.sql'))))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.endswith("[]"), proc.stderr
