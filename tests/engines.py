"""Real database engines for the SQL tests: DuckDB and SQLite in-process, a
PostgreSQL server started for the session (initdb in a temporary folder, a
free loopback port, stopped at the end), Spark in local mode.

Each engine loads the shipped example CSVs as typed tables (whole numbers
INTEGER, decimals DOUBLE, ISO dates DATE, ISO date-times TIMESTAMP, the rest
text), as a warehouse would hold them. A missing engine skips its tests with
the reason, except under CI=true, where it fails them.
"""

from __future__ import annotations

import csv
import glob
import os
import re
import shutil
import socket
import subprocess
import tempfile
from datetime import date, datetime
from pathlib import Path

import pytest

REPO = Path(__file__).parent.parent
EXAMPLES = REPO / "examples"
_INT = re.compile(r"[-+]?\d+")
_FLOAT = re.compile(r"[-+]?(\d+\.\d*|\.\d+|\d+)([eE][-+]?\d+)?")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_STAMP = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?")


def unavailable(reason: str):
    """Skip, or fail when CI=true (CI must run every engine)."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason} (CI=true: engines must not be skipped)")
    pytest.skip(reason)


def read_csv(path: Path) -> tuple[list[str], list[list[str]]]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    return rows[0], [r for r in rows[1:] if any(c.strip() for c in r)]


def column_types(header, rows) -> list[str]:
    kinds = []
    for i in range(len(header)):
        cells = [r[i].strip() for r in rows if i < len(r) and r[i].strip()]
        if cells and all(_INT.fullmatch(c) for c in cells) and not any(c.startswith("0") and len(c) > 1 for c in cells):
            kinds.append("int")
        elif cells and all(_FLOAT.fullmatch(c) for c in cells):
            kinds.append("float")
        elif cells and all(_DATE.fullmatch(c) for c in cells):
            kinds.append("date")
        elif cells and all(_STAMP.fullmatch(c) for c in cells):
            kinds.append("timestamp")
        else:
            kinds.append("text")
    return kinds


def typed_rows(header, rows, kinds):
    out = []
    for r in rows:
        vals = []
        for i, k in enumerate(kinds):
            c = r[i].strip() if i < len(r) else ""
            if not c:
                vals.append(None)
            elif k == "int":
                vals.append(int(c))
            elif k == "float":
                vals.append(float(c))
            elif k == "date":
                vals.append(date.fromisoformat(c))
            elif k == "timestamp":  # the wall-clock time as written (the file reader's date)
                vals.append(datetime.fromisoformat(c[:19].replace(" ", "T")))
            else:
                vals.append(r[i] if i < len(r) else None)
        out.append(tuple(vals))
    return out


SQL_TYPES = {
    "duckdb": {"int": "BIGINT", "float": "DOUBLE", "date": "DATE", "timestamp": "TIMESTAMP", "text": "VARCHAR"},
    "sqlite": {"int": "INTEGER", "float": "REAL", "date": "TEXT", "timestamp": "TEXT", "text": "TEXT"},
    "postgres": {"int": "BIGINT", "float": "DOUBLE PRECISION", "date": "DATE", "timestamp": "TIMESTAMP", "text": "TEXT"},
}


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def create_sql(dialect: str, table: str, header, kinds) -> str:
    cols = ", ".join(f"{_quote(h)} {SQL_TYPES[dialect][k]}" for h, k in zip(header, kinds))
    return f"CREATE TABLE {_quote(table)} ({cols})"


def _sqlite_value(v):
    if isinstance(v, datetime):
        return v.isoformat()
    if isinstance(v, date):
        return v.isoformat()
    return v


class Loaded:
    """An engine with tables loaded: ``url`` for --db, ``table(name)``."""

    def __init__(self, name: str, url: str) -> None:
        self.name = name
        self.url = url


def load_dbapi(dialect: str, con, tables: dict[str, Path], placeholder: str) -> None:
    cur = con.cursor()
    for table, path in tables.items():
        header, rows = read_csv(path)
        kinds = column_types(header, rows)
        cur.execute(f"DROP TABLE IF EXISTS {_quote(table)}")
        cur.execute(create_sql(dialect, table, header, kinds))
        values = typed_rows(header, rows, kinds)
        if dialect == "sqlite":
            values = [tuple(_sqlite_value(v) for v in r) for r in values]
        marks = ", ".join([placeholder] * len(header))
        cur.executemany(f"INSERT INTO {_quote(table)} VALUES ({marks})", values)
    con.commit()


# -- PostgreSQL ------------------------------------------------------------------

def _pg_bin() -> str | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if found:
        return os.path.dirname(found[-1])
    initdb = shutil.which("initdb")
    return os.path.dirname(initdb) if initdb else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PostgresServer:
    """initdb + pg_ctl start in a temporary folder; stop() removes it all."""

    def __init__(self) -> None:
        bindir = _pg_bin()
        if bindir is None:
            unavailable("PostgreSQL server binaries (initdb, pg_ctl) not found; apt-get install postgresql")
        self.bindir = bindir
        self.root = tempfile.mkdtemp(prefix="cxterms-pg-")
        self.data = os.path.join(self.root, "data")
        self.port = _free_port()
        self.prefix: list[str] = []
        if os.geteuid() == 0:  # the server refuses to run as root: use the postgres system user
            import pwd

            try:
                pw = pwd.getpwnam("postgres")
            except KeyError:
                unavailable("running as root and there is no 'postgres' system user to run the server")
            os.chown(self.root, pw.pw_uid, pw.pw_gid)
            runuser = shutil.which("runuser")
            self.prefix = [runuser, "-u", "postgres", "--"] if runuser else ["su", "postgres", "-s", "/bin/sh", "-c"]
        self._run("initdb", "-D", self.data, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync", "--locale=C")
        opts = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off"
        self._run("pg_ctl", "-D", self.data, "-o", opts, "-l", os.path.join(self.root, "log"), "-w", "-t", "60", "start")
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, tool: str, *args: str) -> None:
        cmd = [os.path.join(self.bindir, tool), *args]
        if self.prefix and self.prefix[-1] == "-c":
            import shlex

            cmd = [*self.prefix, " ".join(shlex.quote(c) for c in cmd)]
        else:
            cmd = [*self.prefix, *cmd]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        if proc.returncode != 0:
            log = ""
            try:
                log = Path(self.root, "log").read_text()[-2000:]
            except OSError:
                pass
            raise RuntimeError(f"{tool} failed ({proc.returncode}): {proc.stderr[-2000:]}\n{log}")

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", self.data, "-m", "immediate", "-w", "stop")
        except Exception:  # noqa: BLE001 - clean up whatever happened
            pass
        shutil.rmtree(self.root, ignore_errors=True)


# -- Spark -------------------------------------------------------------------------

def spark_session():
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        unavailable("pyspark is not installed (pip install 'cxterms[spark]')")
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        unavailable("Spark needs a Java runtime (apt-get install default-jre-headless)")
    return (SparkSession.builder.master("local[*]").appName("cxterms")
            .config("spark.sql.session.timeZone", "UTC").config("spark.ui.enabled", "false")
            .config("spark.sql.shuffle.partitions", "2").getOrCreate())


def load_spark(spark, tables: dict[str, Path]) -> None:
    from pyspark.sql import types as T

    st = {"int": T.LongType(), "float": T.DoubleType(), "date": T.DateType(), "timestamp": T.TimestampNTZType(),
          "text": T.StringType()}
    for table, path in tables.items():
        header, rows = read_csv(path)
        kinds = column_types(header, rows)
        schema = T.StructType([T.StructField(h, st[k], True) for h, k in zip(header, kinds)])
        spark.createDataFrame(typed_rows(header, rows, kinds), schema).createOrReplaceTempView(table)
