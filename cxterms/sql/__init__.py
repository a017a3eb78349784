"""Tallies from SQL engines: the aggregate queries (built with sqlglot) and
the runners (DuckDB, SQLite, PostgreSQL, Spark).

The engine does the counting, cxterms the statistics: every survey metric
needs only counts per answer value (per group and period) and the sums of
weights and squared weights; churn needs new/lost counts per period; the
customer models one RFM row per customer. ``spec`` (no dependencies) holds
what a query asks for; ``build`` (sqlglot, the ``sql`` extra) turns it into
SQL for a dialect; ``engines`` connects to a database URL (each driver its
own extra) and ``run`` feeds the result to the same readers as ``--counts``.
Nothing here is imported on the other command paths.
"""
