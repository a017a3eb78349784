"""Output helpers shared by every command: formats, safe text, JSON, Rich.

* ``--format auto`` is Rich on a capable terminal and plain otherwise.
* Data goes to stdout; notes, warnings and errors to stderr.
* Text from files is *neutralised* before it reaches a terminal: control
  characters and ANSI escapes become visible ``\\x1b``-style escapes, and
  Rich never interprets markup in data (we only hand it ``Text`` objects).
* JSON is one document, UTF-8, no NaN/Infinity, numbers unrounded.
"""

from __future__ import annotations

from enum import Enum

from .env import Environment


class Format(str, Enum):
    auto = "auto"
    rich = "rich"
    plain = "plain"
    markdown = "markdown"
    json = "json"


class TableFormat(str, Enum):
    auto = "auto"
    rich = "rich"
    plain = "plain"
    json = "json"
    csv = "csv"
    tsv = "tsv"


class PipeClosed(Exception):
    """The reader of stdout went away (``| head -1``); end quietly."""


from ..errors import CxtermsError  # noqa: E402


class OutputError(CxtermsError):
    """stdout cannot take the output: closed, a full disk, an I/O error (exit 1)."""

    @classmethod
    def of(cls, error: BaseException | None = None) -> OutputError:
        if error is None:
            return cls("cannot write the output: stdout is closed")
        return cls(f"cannot write the output: {getattr(error, 'strerror', None) or error}")


from ..textutil import clean, clean_line  # noqa: F401  (re-exported for the renderers)


def resolve_format(fmt, env: Environment):
    """Turn ``auto`` into ``rich`` or ``plain`` for this environment."""
    if fmt.value == "auto":
        return type(fmt)("rich" if env.rich_stdout else "plain")
    return fmt


class Out:
    """Writes data to stdout and messages to stderr for one command run."""

    def __init__(self, env: Environment) -> None:
        self.env = env
        self._console = None

    def write(self, text: str = "", end: str = "\n") -> None:
        stream = self.env.stdout
        if stream is None:
            raise OutputError.of()
        try:
            stream.write(text + end)
        except BrokenPipeError:
            raise PipeClosed() from None
        except (OSError, ValueError) as e:  # ENOSPC, EIO; ValueError: a closed file
            raise OutputError.of(e) from None

    def lines(self, lines) -> None:
        for line in lines:
            self.write(line)

    def json(self, data) -> None:
        import json

        from ..textutil import json_safe

        try:
            text = json.dumps(data, ensure_ascii=False, indent=2, allow_nan=False)
        except ValueError:  # NaN or infinity: a result no number should ever be
            from ..errors import DataError

            raise DataError("the result is not a finite number (overflow or undefined)") from None
        self.write(json_safe(text))

    def json_array(self, items) -> None:
        """A JSON array written element by element (the same text as
        ``json(list(items))``), so a long iterator is never held in memory."""
        import json

        from ..textutil import json_safe

        parts, first = ["["], True
        for item in items:
            try:
                text = json.dumps(item, ensure_ascii=False, indent=2, allow_nan=False)
            except ValueError:
                from ..errors import DataError

                raise DataError("a result is not a finite number (overflow or undefined)") from None
            parts.append(("\n" if first else ",\n") + "  " + text.replace("\n", "\n  "))
            first = False
            if len(parts) >= 512:
                self.write(json_safe("".join(parts)), end="")
                parts = []
        parts.append("]" if first else "\n]")
        self.write(json_safe("".join(parts)))

    def console(self):
        """A Rich console on stdout that never interprets markup or emoji."""
        if self._console is None:
            from rich.console import Console

            self._console = Console(
                file=self.env.stdout,
                force_terminal=self.env.rich_stdout or None,
                no_color=self.env.no_color or None,
                color_system="auto" if not self.env.dumb_terminal else None,
                markup=False,
                emoji=False,
                highlight=False,
            )
        return self._console

    def print(self, *renderables) -> None:
        if self.env.stdout is None:
            raise OutputError.of()
        try:
            self.console().print(*renderables)
        except BrokenPipeError:
            raise PipeClosed() from None
        except (OSError, ValueError) as e:
            raise OutputError.of(e) from None

    def note(self, message: str) -> None:
        """A one-line note on stderr, prefixed with the program name."""
        self.env.stderr.write(f"cxterms: {clean_line(message)}\n")

    def warn(self, message: str) -> None:
        self.note(f"warning: {message}")
