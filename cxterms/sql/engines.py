"""Database URLs -> connections that run one query and return its rows.

=====================================  ======================================
URL                                    engine (extra)
=====================================  ======================================
``duckdb:``                            in-process DuckDB (``duckdb``); with
                                       FILE, DuckDB reads the CSV/Parquet/JSON
``duckdb:///path.db``                  a DuckDB database file
``sqlite:///path.db``                  SQLite (standard library)
``postgresql://user@host:port/db``     PostgreSQL through psycopg 3
                                       (``postgres``); libpq's PG* variables
                                       and ~/.pgpass fill what the URL omits
``spark:local[*]``, ``spark://h:7077``  Spark through pyspark (``spark``)
``sc://host:15002``                    Spark Connect
=====================================  ======================================

Drivers are imported only when their URL is used. Passwords never reach an
error message: URLs are shown masked and driver messages are scrubbed.
"""

from __future__ import annotations

import os
import re
from urllib.parse import urlsplit, urlunsplit

from ..errors import CxtermsError, DataError, NotFoundError, UsageError

INSTALL = {
    "duckdb": "pip install 'cxterms[duckdb]'",
    "postgres": "pip install 'cxterms[postgres]'",
    "spark": "pip install 'cxterms[spark]' (and a Java runtime)",
}
FILE_KINDS = {".csv": "csv", ".tsv": "csv", ".txt": "csv", ".parquet": "parquet", ".pq": "parquet",
              ".json": "json", ".jsonl": "json", ".ndjson": "json"}
VIEW = "cx_input"


def mask_url(url: str) -> str:
    """The URL with its password replaced by ***.

    >>> mask_url("postgresql://ann:s3cret@db.example:5432/cx")
    'postgresql://ann:***@db.example:5432/cx'
    >>> mask_url("postgresql://db/cx?password=s3cret&sslmode=require")
    'postgresql://db/cx?password=***&sslmode=require'
    """
    if not _secrets(url):
        return url
    try:
        parts = urlsplit(url)
    except ValueError:
        return re.sub(r"(?<=:)[^:@/]+(?=@)", "***", url)
    netloc = parts.netloc
    if "@" in netloc:
        user, host = netloc.rsplit("@", 1)
        if ":" in user:
            user = user.split(":", 1)[0] + ":***"
        netloc = f"{user}@{host}"
    query = re.sub(r"(?i)(password=)[^&]*", r"\1***", parts.query)
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def _secrets(url: str) -> list[str]:
    out = []
    try:
        parts = urlsplit(url)
        if parts.password:
            out.append(parts.password)
        out += re.findall(r"(?i)password=([^&]+)", parts.query)
    except ValueError:
        pass
    return [s for s in out if s]


def _scrub(text: str, url: str) -> str:
    for s in _secrets(url):
        text = text.replace(s, "***")
    return text.replace(url, mask_url(url)).strip().splitlines()[0] if text.strip() else text


def _missing(kind: str, what: str) -> CxtermsError:
    return CxtermsError(f"{what} needs the {kind} driver, which is not installed", hint=INSTALL[kind])


def _local_path(url: str, scheme: str) -> str:
    """``scheme:///rel.db`` -> rel.db, ``scheme:////abs.db`` -> /abs.db (SQLAlchemy's form)."""
    rest = url[len(scheme) + 1:]
    if rest.startswith("///"):
        return rest[3:]
    if rest.startswith("//"):
        raise UsageError(f"{scheme} URLs have three slashes before a path: {scheme}:///path.db")
    return rest


class Engine:
    """One connection: ``columns(table)`` and ``query(sql) -> (names, rows)``."""

    dialect = "duckdb"
    text = False  # the table's columns are text (a file read by the engine)

    def __init__(self, url: str) -> None:
        self.url = url
        self.label = mask_url(url)

    def columns(self, table_sql: str) -> list[str]:
        names, _rows = self.query(f"SELECT * FROM {table_sql} WHERE 1 = 0")
        return names

    def query(self, sql: str, *, per_customer: bool = False) -> tuple[list[str], list[tuple]]:
        """The rows of ``sql``; ``per_customer``: one group per customer or
        order (an engine may need more memory for it)."""
        raise NotImplementedError

    def sample(self, sql: str) -> tuple[list[str], list[tuple]]:
        """A query whose rows only guide a guess (which column holds the
        answers): the engine may answer before its checks of the source end."""
        return self.query(sql)

    def fail(self, e: Exception, doing: str) -> CxtermsError:
        msg = _scrub(str(e) or type(e).__name__, self.url)
        return DataError(f"{doing} on {self.label} failed: {msg}")

    def close(self) -> None:
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class _DBAPI(Engine):
    errors: tuple = ()

    def query(self, sql, *, per_customer: bool = False):
        try:
            cur = self.con.cursor()
            cur.execute(sql)
            names = [d[0] for d in cur.description or ()]
            rows = cur.fetchall()
        except self.errors as e:
            raise self.fail(e, "the query") from None
        return names, rows

    def close(self) -> None:
        try:
            self.con.close()
        except Exception:  # noqa: BLE001 - closing must not mask the result
            pass


class DuckDBEngine(_DBAPI):
    dialect = "duckdb"

    def __init__(self, url: str, path: str | None = None) -> None:
        super().__init__(url)
        try:
            import duckdb
        except ImportError:
            raise _missing("duckdb", "a duckdb: URL or --engine duckdb") from None
        self.errors = (duckdb.Error,)
        target = _local_path(url, "duckdb") or ":memory:"
        if target != ":memory:" and not os.path.exists(target):
            raise NotFoundError(f"no such DuckDB database: {target}")
        try:
            self.con = duckdb.connect(target, read_only=target != ":memory:")
            _set_utc(self.con)
            if target == ":memory:":
                # an in-memory database spills to ./.tmp: to a folder of its
                # own instead, removed at close, never the user's folder
                import shutil
                import tempfile
                import weakref

                self._spill = tempfile.mkdtemp(prefix="cxterms-duckdb-")
                # removed at close, or when the engine is dropped or Python exits
                self._remove_spill = weakref.finalize(self, shutil.rmtree, self._spill, True)
                self._set_spill(self._spill)
        except duckdb.Error as e:
            self.close()
            raise self.fail(e, "opening the database") from None

    delimiter: str | None = ","
    file: str | None = None

    _check = None  # the thread checking a CSV file (see csvfile.verify)
    _capped = False  # DuckDB's memory is capped while it scans a CSV file (see attach_file)
    _spill: str | None = None  # the folder an in-memory database spills to
    _remove_spill = None

    def _execute(self, sql, *, cap: bool = True):
        # on the connection itself: a cursor is another session, without the
        # temporary view of the file and the session settings
        import duckdb

        if self._capped and not cap:
            self._lift_cap()
        try:
            cur = self.con.execute(sql)
            names = [d[0] for d in cur.description or ()]
            rows = cur.fetchall()
        except duckdb.OutOfMemoryException as e:
            if not self._capped:
                raise self.fail(e, "the query") from None
            # an aggregate with more groups than the cap holds (--by a
            # column of customer ids): once more without it
            self._lift_cap()
            return self._execute(sql)
        except self.errors as e:
            raise self.fail(e, "the query") from None
        return names, rows

    def _lift_cap(self) -> None:
        self.con.execute("RESET memory_limit").fetchall()
        self._set_spill(self._spill)
        self._capped = False

    def _set_spill(self, folder: str | None) -> None:
        if folder is None:
            self.con.execute("RESET temp_directory").fetchall()
        else:
            self.con.execute("SET temp_directory = '{}'".format(folder.replace("'", "''"))).fetchall()

    def close(self) -> None:
        super().close()  # without a connection too: closing never raises
        if self._remove_spill is not None:
            self._remove_spill()

    def columns(self, table_sql: str) -> list[str]:
        return self._execute(f"SELECT * FROM {table_sql} WHERE 1 = 0")[0]

    def sample(self, sql):
        return self._execute(sql)

    def query(self, sql, *, per_customer: bool = False):
        names, rows = self._execute(sql, cap=not per_customer)  # an error: DuckDB's verdict stands
        if self._check is not None:
            plan = self._check.result()  # the whole-file check's verdict first
            self._check = None
            if plan.empty_records:
                self._view(plan)
                names, rows = self._execute(sql, cap=not per_customer)
        return names, rows

    def _view(self, plan) -> None:
        self.con.execute(f"CREATE OR REPLACE TEMP VIEW {VIEW} AS {plan.sql()}").fetchall()

    def attach_file(self, path: str, *, delimiter: str | None = None, header: bool | None = None,
                    encoding: str | None = None) -> str:
        """Make FILE a view (every column of a CSV file text, read with the
        built-in reader's dialect: see cxterms.sql.csvfile); returns the view name."""
        import duckdb

        kind = FILE_KINDS.get(os.path.splitext(path)[1].lower(), "csv")
        if not os.path.exists(path):
            raise NotFoundError(f"no such file: {path}")
        self.file = path
        try:
            if kind == "csv":
                from .csvfile import plan, verify

                p = plan(path, delimiter=delimiter, header=header, encoding=encoding)
                self.delimiter = p.delimiter
                # DuckDB's parallel CSV scan keeps the buffers it has read
                # until memory runs short, so its peak grew with rows: a cap
                # keeps it flat (lifted for per-customer aggregates)
                # (and nothing spills: an aggregate the cap cannot hold runs
                # again in memory, which is faster than spilling it)
                self.con.execute(f"SET memory_limit = '{scan_memory(self.con)}'").fetchall()
                self._set_spill("")
                self._capped = True
                self._view(p)
                # the whole-file check runs on another core from now on: while
                # cxterms builds the query (one thread), then while DuckDB counts
                self._check = _Background(verify, p)
            else:
                rel = self.con.read_parquet(path) if kind == "parquet" else self.con.read_json(path)
                rel.create_view(VIEW, replace=True)
        except duckdb.Error as e:
            raise self.fail(e, "reading the file") from None
        self.text = kind == "csv"
        return VIEW

    def fail(self, e: Exception, doing: str) -> CxtermsError:
        if self.file is not None:
            from .csvfile import HINT, duckdb_error

            err = duckdb_error(_scrub_all(str(e), self.url), self.file)
            if err is not None:
                return err
            if doing == "reading the file":
                return DataError(f"DuckDB cannot read {self.file}: {_scrub(str(e), self.url)}", hint=HINT)
        return super().fail(e, doing)


def scan_memory(con) -> str:
    """DuckDB's memory cap while it scans a CSV file: two read buffers per
    thread and room for the counts."""
    from .csvfile import BUFFER

    threads = int(con.execute("SELECT current_setting('threads')").fetchone()[0])
    return f"{(16 << 20) + 2 * BUFFER * threads}B"


class _Background:
    """``fn(*args)`` in a daemon thread (an error is re-raised by result());
    DuckDB releases the GIL while it counts, so both run at once."""

    def __init__(self, fn, *args) -> None:
        import threading

        self._out: tuple = (None, None)

        def work():
            try:
                self._out = (fn(*args), None)
            except BaseException as e:  # noqa: BLE001 - handed to result()
                self._out = (None, e)

        self._thread = threading.Thread(target=work, name="cxterms-csv-check", daemon=True)
        self._thread.start()

    def result(self):
        self._thread.join()
        value, err = self._out
        if err is not None:
            raise err
        return value


def _scrub_all(text: str, url: str) -> str:
    for s in _secrets(url):
        text = text.replace(s, "***")
    return text


def _set_utc(con) -> None:
    """Dates of time-zoned timestamps in UTC, whatever the machine's zone;
    aggregates need no row order, which keeps DuckDB's memory flat."""
    for setting in ("preserve_insertion_order = false", "enable_progress_bar = false"):
        try:  # no row order needed; nothing but cxterms' output on the terminal
            con.execute(f"SET {setting}").fetchall()
        except Exception:  # noqa: BLE001 - an older DuckDB without the setting
            pass
    try:
        con.execute("SET TimeZone = 'UTC'").fetchall()
    except Exception:  # noqa: BLE001 - without ICU there are no time zones to set
        pass


class SQLiteEngine(_DBAPI):
    dialect = "sqlite"

    def __init__(self, url: str) -> None:
        super().__init__(url)
        import sqlite3

        self.errors = (sqlite3.Error,)
        path = _local_path(url, "sqlite")
        if not path or not os.path.exists(path):
            raise NotFoundError(f"no such SQLite database: {path or '(none given)'}",
                                hint="sqlite:///relative/path.db or sqlite:////absolute/path.db")
        try:
            self.con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        except sqlite3.Error as e:
            raise self.fail(e, "opening the database") from None


class PostgresEngine(_DBAPI):
    dialect = "postgres"

    def __init__(self, url: str) -> None:
        super().__init__(url)
        try:
            import psycopg
        except ImportError:
            raise _missing("postgres", "a postgresql:// URL") from None
        self.errors = (psycopg.Error,)
        conninfo = "postgresql" + url[url.index(":"):] if url.startswith("postgres:") else url
        try:
            self.con = psycopg.connect(conninfo, connect_timeout=15)
            self.con.read_only = True
        except psycopg.Error as e:
            raise self.fail(e, "connecting") from None


class SparkEngine(Engine):
    dialect = "spark"

    def __init__(self, url: str, session=None) -> None:
        super().__init__(url)
        if session is None:
            try:
                from pyspark.sql import SparkSession
            except ImportError:
                raise _missing("spark", "a Spark URL") from None
            try:
                if url.startswith("sc://"):
                    session = SparkSession.builder.remote(url).getOrCreate()
                else:
                    master = url[len("spark:"):] if not url.startswith("spark://") else url
                    session = (SparkSession.builder.master(master or "local[*]").appName("cxterms")
                               .config("spark.sql.session.timeZone", "UTC")
                               .config("spark.ui.enabled", "false").getOrCreate())
            except Exception as e:  # noqa: BLE001 - py4j/Java start-up errors have many types
                raise self.fail(e, "starting Spark") from None
        self.spark = session

    def attach_file(self, path: str, *, delimiter=None, header=None, encoding=None) -> str:
        kind = FILE_KINDS.get(os.path.splitext(path)[1].lower(), "csv")
        if not os.path.exists(path):
            raise NotFoundError(f"no such file: {path}")
        try:
            reader = self.spark.read
            if kind == "csv":
                df = reader.csv(os.path.abspath(path), header=True if header is None else header,
                                sep=delimiter or ",", multiLine=True, escape='"',
                                encoding=encoding or "UTF-8", inferSchema=False)
            elif kind == "parquet":
                df = reader.parquet(os.path.abspath(path))
            else:
                df = reader.json(os.path.abspath(path))
            df.createOrReplaceTempView(VIEW)
        except Exception as e:  # noqa: BLE001
            raise DataError(f"Spark cannot read {path}: {_scrub(str(e), self.url)}") from None
        self.text = kind == "csv"
        return VIEW

    def columns(self, table_sql: str) -> list[str]:
        try:
            return list(self.spark.sql(f"SELECT * FROM {table_sql} WHERE 1 = 0").columns)
        except Exception as e:  # noqa: BLE001
            raise self.fail(e, "reading the table") from None

    def query(self, sql, *, per_customer: bool = False):
        try:
            df = self.spark.sql(sql)
            names = list(df.columns)
            rows = [tuple(r) for r in df.collect()]
        except Exception as e:  # noqa: BLE001
            raise self.fail(e, "the query") from None
        return names, rows


def connect(url: str) -> Engine:
    """The engine for a database URL (see the module docstring)."""
    u = url.strip()
    low = u.lower()
    if low.startswith("duckdb:"):
        return DuckDBEngine(u)
    if low.startswith("sqlite:"):
        return SQLiteEngine(u)
    if low.startswith(("postgresql:", "postgres:")):
        return PostgresEngine(u)
    if low.startswith(("spark:", "sc://")):
        return SparkEngine(u)
    raise UsageError(
        f"unknown database URL {mask_url(u)!r}",
        hint="use duckdb:, duckdb:///file.db, sqlite:///file.db, postgresql://user@host:port/db, spark:local[*] or sc://host:port",
    )
