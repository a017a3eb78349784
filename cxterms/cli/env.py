"""The I/O environment of one run, as one object (the httpie pattern).

Commands never touch ``sys.stdin``/``sys.stdout``/``os.environ`` directly;
they use the ``Environment`` the root callback put in ``ctx.obj``. Tests pass
their own (``CliRunner().invoke(app, args, obj=Environment(...))``) to fake a
terminal, a config folder or today's date.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from datetime import date
from typing import IO


def _isatty(stream) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


class Environment:
    """Streams, terminal flags, environment variables and today's date.

    Whatever is not given is read from the running process *when used*, so an
    Environment made before ``CliRunner`` swaps the streams still sees them.
    (A plain class, not a dataclass: this module is on every command's
    start-up path.)
    """

    def __init__(
        self,
        stdin: IO | None = None,
        stdout: IO | None = None,
        stderr: IO | None = None,
        *,
        stdin_isatty: bool | None = None,
        stdout_isatty: bool | None = None,
        stderr_isatty: bool | None = None,
        environ: Mapping[str, str] | None = None,
        today: date | None = None,
    ) -> None:
        self._stdin, self._stdout, self._stderr = stdin, stdout, stderr
        self._tty = {"stdin": stdin_isatty, "stdout": stdout_isatty, "stderr": stderr_isatty}
        self._environ = environ
        self.today = today

    @property
    def stdin(self) -> IO:
        return self._stdin if self._stdin is not None else sys.stdin

    @property
    def stdout(self) -> IO:
        return self._stdout if self._stdout is not None else sys.stdout

    @property
    def stderr(self) -> IO:
        return self._stderr if self._stderr is not None else sys.stderr

    def _isatty_of(self, name: str) -> bool:
        forced = self._tty[name]
        return _isatty(getattr(self, name)) if forced is None else forced

    @property
    def stdin_isatty(self) -> bool:
        return self._isatty_of("stdin")

    @property
    def stdout_isatty(self) -> bool:
        return self._isatty_of("stdout")

    @property
    def stderr_isatty(self) -> bool:
        return self._isatty_of("stderr")

    @property
    def environ(self) -> Mapping[str, str]:
        return self._environ if self._environ is not None else os.environ

    # -- settings derived from the environment --------------------------
    def _home_dir(self, var: str, default: str) -> str:
        base = self.environ.get(var) or os.path.join(os.path.expanduser("~"), default)
        return os.path.join(base, "cxterms")

    @property
    def config_dir(self) -> str:
        """``$XDG_CONFIG_HOME/cxterms``, default ``~/.config/cxterms``."""
        return self._home_dir("XDG_CONFIG_HOME", ".config")

    @property
    def cache_dir(self) -> str:
        """``$XDG_CACHE_HOME/cxterms``, default ``~/.cache/cxterms``."""
        return self._home_dir("XDG_CACHE_HOME", ".cache")

    @property
    def no_color(self) -> bool:
        """NO_COLOR set to anything non-empty (https://no-color.org)."""
        return bool(self.environ.get("NO_COLOR"))

    @property
    def dumb_terminal(self) -> bool:
        return self.environ.get("TERM", "") in ("dumb", "unknown")

    @property
    def rich_stdout(self) -> bool:
        """Whether ``--format auto`` means Rich: stdout is a capable terminal."""
        return bool(self.stdout_isatty) and not self.dumb_terminal

    @property
    def rich_stderr(self) -> bool:
        return bool(self.stderr_isatty) and not self.dumb_terminal

    @property
    def debug(self) -> bool:
        return self.environ.get("CXTERMS_DEBUG", "") not in ("", "0")

    def date_today(self) -> date:
        return self.today or date.today()
