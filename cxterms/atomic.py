"""The one way cxterms writes a file: atomically.

``write_atomic`` writes to a temporary file in the target's folder, flushes
it to disk (fsync), and renames it over the target, so a reader sees either
the old file or the new one, never a half-written one, and a failure (a
full disk, a file-size limit, an I/O error) leaves the old file as it was
and no temporary file behind.

A target that exists and is not a regular file (``/dev/stdout``, a FIFO, a
terminal) cannot be replaced by a rename (and must not be: renaming over
``/dev/null`` would replace the device), so it is written in place.
"""

from __future__ import annotations

import os
import stat

__all__ = ["write_atomic"]


def _fsync_folder(folder: str) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # not every file system can sync a folder
    finally:
        os.close(fd)


def write_atomic(path: str | os.PathLike, data: bytes | str, *, encoding: str = "utf-8") -> None:
    """Replace ``path`` with ``data`` atomically (see the module docstring).

    A symbolic link is followed: the file it points to is replaced. An
    existing file keeps its permission bits; a new one gets the usual
    ``0o666`` less the umask. Raises OSError (the old file intact) on failure.

    >>> import tempfile, pathlib
    >>> folder = tempfile.mkdtemp()
    >>> target = pathlib.Path(folder, "a.txt")
    >>> write_atomic(target, "one"); write_atomic(target, "two")
    >>> target.read_text(), sorted(p.name for p in pathlib.Path(folder).iterdir())
    ('two', ['a.txt'])
    """
    if isinstance(data, str):
        data = data.encode(encoding)
    target = os.path.realpath(os.fspath(path))
    try:
        st = os.stat(target)
    except FileNotFoundError:
        st = None
    if st is not None and stat.S_ISDIR(st.st_mode):
        raise IsADirectoryError(21, "Is a directory", os.fspath(path))
    if st is not None and not stat.S_ISREG(st.st_mode):
        with open(target, "wb") as fh:  # a device or a pipe: nothing to replace
            fh.write(data)
        return
    folder = os.path.dirname(target) or "."
    base = os.path.basename(target)
    tmp = os.path.join(folder, f".{base}.{os.getpid()}.{os.urandom(4).hex()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o666)
    try:
        with os.fdopen(fd, "wb") as fh:
            if st is not None:
                os.fchmod(fh.fileno(), stat.S_IMODE(st.st_mode))
            view = memoryview(data)
            while view:  # write() may be partial on some file systems
                n = fh.write(view)
                view = view[n:]
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    _fsync_folder(folder)
