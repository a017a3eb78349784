"""The lint command."""

from typing import Annotated, Optional

import typer

from .options import FormatOpt, NoBuiltinOpt
from .output import Format, clean_line, resolve_format

app = typer.Typer()


@app.command()
def lint(
    ctx: typer.Context,
    paths: Annotated[
        Optional[list[str]],
        typer.Argument(metavar="PATH", help="Term files or folders to check (default: the built-ins and your configured glossaries).", show_default=False),
    ] = None,
    format: FormatOpt = Format.auto,
    no_builtin: NoBuiltinOpt = False,
    topics: Annotated[
        Optional[list[str]],
        typer.Option("--topics", metavar="FILE.yaml", help="Also check a topic file of --comments analysis (repeatable)."),
    ] = None,
) -> None:
    """Check term files and print one `file:line: severity: message` per problem.

    Errors (lookups skip that entry, or that file for YAML syntax, with a
    warning): YAML syntax, duplicate YAML keys, tags, unknown fields, missing
    or empty text, bad ids, duplicate ids, related links that do not
    resolve, unknown calculator commands. Warnings (style; the entry still
    loads): summaries over 200 characters or longer than a sentence, a name
    shared by several entries (define will ask the user to choose). Every
    problem is reported in one run. Links resolve against the built-ins too.

    Exit 1 when there is any error, 0 otherwise (warnings alone pass).

    Example:

        cxterms lint ~/.config/cxterms/glossary
        cxterms lint my-terms.yaml --format json
        cxterms lint --topics team-topics.yaml
    """
    from ..glossary.lint import lint_files
    from ..glossary.store import GlossaryConfig, source_files
    from .app import COMMANDS

    session = ctx.obj
    builtin = not (no_builtin or session.no_builtin)
    if paths:
        targets = source_files(GlossaryConfig(builtin=False, user_paths=tuple(paths)))
        context = source_files(GlossaryConfig(builtin=builtin))
    else:
        targets = source_files(GlossaryConfig(builtin=builtin, user_paths=session.user_paths()))
        context = []
    problems, count = lint_files(targets, context, known_commands=COMMANDS)
    if topics:
        from ..glossary.term import Problem
        from ..text.topics import lint_topic_files

        found, _n = lint_topic_files(topics)
        problems += [Problem(f, line, msg, "error") for f, line, msg in found]
    errors = sum(p.severity == "error" for p in problems)
    warnings = len(problems) - errors
    out = session.out()
    fmt = resolve_format(format, session.env)
    if fmt is Format.json:
        out.json([p.as_dict() for p in problems])
    elif fmt is Format.rich and problems:
        from rich.text import Text

        for p in problems:
            line = Text(clean_line(f"{p.file}:{p.line}" if p.line else p.file) + ": ", style="bold")
            line.append(p.severity, style="red" if p.severity == "error" else "yellow")
            line.append(": " + clean_line(p.message))
            out.print(line)
    elif fmt is Format.markdown:
        out.lines(f"- `{clean_line(str(p))}`" for p in problems)
    else:
        out.lines(clean_line(str(p)) for p in problems)
    out.note(
        f"{count} entr{'y' if count == 1 else 'ies'} in {len(targets)} file{'s' * (len(targets) != 1)}: "
        + (f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}" if problems else "no problems")
    )
    if errors:
        raise typer.Exit(1)
