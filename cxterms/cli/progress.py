"""A progress bar on stderr for long reads, only on a terminal.

Piped stderr, ``TERM=dumb`` or a small file: no bar at all (and Rich is not
even imported).
"""

from __future__ import annotations

from contextlib import contextmanager

PROGRESS_BYTES = 16 << 20  # files under this read in well under a second


@contextmanager
def reading(session, table, label: str = "Reading"):
    """Yield a ``progress(bytes_read)`` callback, or None when no bar is due."""
    env = session.env
    size = table.size
    if not env.rich_stderr or size is None or size < PROGRESS_BYTES:
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

    console = Console(file=env.stderr, force_terminal=True, no_color=env.no_color or None)
    with Progress(
        TextColumn("{task.description}", markup=False), BarColumn(), DownloadColumn(), TimeRemainingColumn(),
        console=console, transient=True,
    ) as bar:
        from ..textutil import clean_line

        task = bar.add_task(f"{label} {clean_line(table.name)}", total=size)

        def update(done: int) -> None:
            bar.update(task, completed=min(done, size))

        yield update
