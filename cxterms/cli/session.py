"""Per-run state: the environment plus the global options, and the glossary
configuration built from them (config folder, CXTERMS_GLOSSARY_PATH,
``--glossary``)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from contextlib import contextmanager

from .env import Environment
from .output import Out


class Session:
    """What the root callback hands every command through ``ctx.obj``."""

    def __init__(
        self,
        env: Environment,
        *,
        glossary: tuple[str, ...] = (),
        no_builtin: bool = False,
        no_cache: bool = False,
        debug: bool = False,
        no_pager: bool = False,
    ) -> None:
        self.env = env
        self.glossary = glossary
        self.no_builtin = no_builtin
        self.no_cache = no_cache
        self.debug = debug
        self.no_pager = no_pager
        self.file_names: dict[str, str] = {}  # a temporary copy of stdin -> "<stdin>", for messages

    def pager_command(self) -> list[str] | None:
        """The pager to use, or None: only when stdout is a terminal and
        --no-pager is not given; ``CXTERMS_PAGER``, else ``PAGER``, else
        ``less -R``. An empty CXTERMS_PAGER (or PAGER) turns paging off."""
        import shlex

        if self.no_pager or not self.env.stdout_isatty or self.env.dumb_terminal:
            return None
        environ = self.env.environ
        for var in ("CXTERMS_PAGER", "PAGER"):
            if var in environ:
                value = environ[var].strip()
                if not value:
                    return None
                try:
                    return shlex.split(value)
                except ValueError:
                    return None
        return ["less", "-R"]

    @contextmanager
    def paging(self):
        """Collect what the block writes to stdout; if it is taller than the
        terminal, show it through the pager, else print it as it is."""
        command = self.pager_command()
        if command is None:
            yield
            return
        import io
        import shutil

        env = self.env
        real = env.stdout
        buffer = io.StringIO()
        saved = env._stdout, env._tty["stdout"]
        env._stdout, env._tty["stdout"] = buffer, True
        try:
            yield
        finally:
            env._stdout, env._tty["stdout"] = saved
        text = buffer.getvalue()
        height = shutil.get_terminal_size().lines
        if text.count("\n") >= height and _page(command, text, real):
            return
        real.write(text)

    def out(self) -> Out:
        return Out(self.env)

    def user_paths(self, extra: Sequence[str] = ()) -> tuple[str, ...]:
        """User glossary paths in increasing precedence: the config folder,
        CXTERMS_GLOSSARY_PATH entries, then ``--glossary`` options."""
        paths: list[str] = []
        config = os.path.join(self.env.config_dir, "glossary")
        if os.path.isdir(config):
            paths.append(config)
        for entry in self.env.environ.get("CXTERMS_GLOSSARY_PATH", "").split(os.pathsep):
            if not entry:
                continue
            if os.path.exists(entry):
                paths.append(entry)
            else:
                Out(self.env).warn(f"CXTERMS_GLOSSARY_PATH entry not found, skipped: {entry}")
        paths.extend(self.glossary)
        paths.extend(extra)
        return tuple(paths)

    def config(self, extra: Sequence[str] = (), no_builtin: bool = False, no_cache: bool = False):
        from ..glossary.store import GlossaryConfig

        return GlossaryConfig(
            builtin=not (self.no_builtin or no_builtin),
            user_paths=self.user_paths(extra),
            cache_dir=None if (self.no_cache or no_cache) else self.env.cache_dir,
        )

    def open_glossary(self, extra: Sequence[str] = (), no_builtin: bool = False, no_cache: bool = False, *, quiet: bool = False):
        """The configured glossary; one stderr warning per entry or file that
        was skipped because it is broken (not when ``quiet``: completion)."""
        from ..errors import NotFoundError
        from ..glossary.store import open_glossary

        glossary = open_glossary(self.config(extra, no_builtin, no_cache))
        if not quiet and glossary.skipped:
            out = Out(self.env)
            for p in glossary.skipped:
                where = f"{p.file}:{p.line}" if p.line else p.file
                out.warn(f"{where}: {p.message} (run 'cxterms lint' for details)")
        if len(glossary) == 0:
            raise NotFoundError(
                "the glossary is empty",
                hint="--no-builtin needs --glossary PATH or CXTERMS_GLOSSARY_PATH with term files",
            )
        return glossary


def _page(command: list[str], text: str, stdout) -> bool:
    """Show ``text`` through the pager; False when it cannot be started."""
    import subprocess

    try:
        stdout.flush()
    except (OSError, ValueError):
        pass
    try:
        proc = subprocess.Popen(command, stdin=subprocess.PIPE)
    except OSError:
        return False
    try:
        proc.communicate(text.encode("utf-8", "replace"))
    except (BrokenPipeError, KeyboardInterrupt):
        pass  # the reader quit the pager early
    finally:
        if proc.poll() is None:
            proc.wait()
    return True
