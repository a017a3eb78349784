"""The one small exception hierarchy of cxterms, and the exit codes.

The core raises these; the command-line layer turns them into a one-line
message on stderr and an exit code in a single place (``cxterms.cli.app``).
Every error can carry a location (file, line, column) and a hint line.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """Exit statuses of the ``cxterms`` command (documented in the README)."""

    OK = 0
    #: not found, invalid data, nothing to compute
    FAILURE = 1
    #: bad command-line usage (unknown option, bad option value)
    USAGE = 2
    #: interrupted with Ctrl-C
    INTERRUPTED = 130


class CxtermsError(Exception):
    """Base class: a problem to report to the user in one line.

    >>> e = DataError("not a number: 'x'", file="a.csv", line=3, column=2)
    >>> str(e)
    "not a number: 'x' (a.csv:3:2)"
    """

    exit_code: ExitCode = ExitCode.FAILURE

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        column: int | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.line = line
        self.column = column
        self.hint = hint

    @property
    def location(self) -> str | None:
        """``file:line:column`` with the parts that are known, or None."""
        if self.file is None:
            return None
        parts = [self.file]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts)

    def __str__(self) -> str:
        loc = self.location
        return f"{self.message} ({loc})" if loc else self.message

    def __reduce__(self):
        # keep file/line/column/hint when an error crosses a process boundary
        return (_rebuild, (type(self), self.__dict__))


def _rebuild(cls, state: dict) -> CxtermsError:
    err = cls.__new__(cls)
    Exception.__init__(err, state.get("message", ""))
    err.__dict__.update(state)
    return err


class UsageError(CxtermsError, ValueError):
    """The command line asks for something impossible (exit 2)."""

    exit_code = ExitCode.USAGE


class NotFoundError(CxtermsError, LookupError):
    """A term, column or file that the user named does not exist."""


class AmbiguousError(NotFoundError):
    """A name matches several entries; ``candidates`` lists them."""

    def __init__(self, message: str, candidates: list, **kw) -> None:
        super().__init__(message, **kw)
        self.candidates = candidates


class DataError(CxtermsError, ValueError):
    """Input data (a table, a term file) is malformed or out of range."""


class GlossaryError(DataError):
    """A term file is broken: YAML syntax, schema, duplicate keys."""


class EmptyDataError(DataError):
    """Nothing to compute: no valid values were left (like StatisticsError)."""


class ModelError(CxtermsError):
    """A probability model cannot be fitted (too little data, no convergence)."""


class MissingDependencyError(CxtermsError):
    """An optional extra (numpy/scipy for the models) is not installed."""


__all__ = [
    "ExitCode",
    "CxtermsError",
    "UsageError",
    "NotFoundError",
    "AmbiguousError",
    "DataError",
    "GlossaryError",
    "EmptyDataError",
    "ModelError",
    "MissingDependencyError",
]
