"""Per-run state: the environment plus the global options, and the glossary
configuration built from them (config folder, CXTERMS_GLOSSARY_PATH,
``--glossary``)."""

from __future__ import annotations

import os
from collections.abc import Sequence
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
    ) -> None:
        self.env = env
        self.glossary = glossary
        self.no_builtin = no_builtin
        self.no_cache = no_cache
        self.debug = debug

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

    def open_glossary(self, extra: Sequence[str] = (), no_builtin: bool = False, no_cache: bool = False):
        from ..errors import NotFoundError
        from ..glossary.store import open_glossary

        glossary = open_glossary(self.config(extra, no_builtin, no_cache))
        for p in getattr(glossary, "skipped", ()):
            Out(self.env).warn(f"{p.file}: {p.message}")
        if len(glossary) == 0:
            raise NotFoundError(
                "the glossary is empty",
                hint="--no-builtin needs --glossary PATH or CXTERMS_GLOSSARY_PATH with term files",
            )
        return glossary
