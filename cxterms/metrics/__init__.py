"""Metric functions: pure Python over counts and iterables, no I/O, no printing.

Each public function states its formula, has a doctest, and raises
``EmptyDataError`` (a ``ValueError``, like ``statistics.StatisticsError``)
when there is nothing to compute.
"""
