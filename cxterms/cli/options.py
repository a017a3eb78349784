"""Option types shared by several commands (one definition, many commands)."""

from typing import Annotated, Optional

import typer

from .output import Format

GlossaryOpt = Annotated[
    Optional[list[str]],
    typer.Option(
        "--glossary", "-g", metavar="PATH",
        help="Extra term file or folder layered over the built-ins (repeatable).",
    ),
]
NoBuiltinOpt = Annotated[bool, typer.Option("--no-builtin", help="Use only user glossaries.")]
NoCacheOpt = Annotated[bool, typer.Option("--no-cache", help="Bypass the compiled index.")]
NoPagerOpt = Annotated[bool, typer.Option("--no-pager", help="Print long output directly instead of through the pager.")]
FormatOpt = Annotated[
    Format,
    typer.Option(
        "--format", "-f", case_sensitive=False,
        help="Output format: auto (Rich on a terminal, plain when piped), rich, plain, markdown, json.",
    ),
]
