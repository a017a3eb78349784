"""Input and output: reading term files and tables, writing formats.

Nothing here computes a metric; nothing here prints except the writers,
which are handed the stream to write to.
"""
