"""The root command: global options, lazy subcommands, and the one place where
errors become messages and exit codes.

Subcommands live in modules that are imported only when that command runs,
and only the command being run is turned into a click command, so a lookup
pays neither for the metric commands nor for Typer's introspection of them.
"""

import os
import sys
from typing import Annotated, Optional

import typer
from typer.core import TyperGroup

from .. import __version__
from ..errors import CxtermsError, ExitCode
from .env import Environment
from .output import OutputError, PipeClosed, clean_line

#: command -> (module, one-line help shown in ``cxterms --help``)
COMMANDS: dict[str, tuple[str, str]] = {
    "define": ("cxterms.cli.lookup", "Show the entry for a term, acronym or alias."),
    "search": ("cxterms.cli.lookup", "Search headwords, aliases and definitions (typo-tolerant)."),
    "list": ("cxterms.cli.lookup", "List headwords alphabetically, by category or letter."),
    "categories": ("cxterms.cli.lookup", "List the categories with their entry counts."),
    "random": ("cxterms.cli.lookup", "Show a random entry, or the term of the day."),
    "quiz": ("cxterms.cli.learn", "Flashcards: name the term from its definition (or --reverse)."),
    "export": ("cxterms.cli.learn", "Export the glossary as Markdown, HTML, JSON or CSV."),
    "lint": ("cxterms.cli.lint", "Check term files: schema, duplicates, links."),
    "nps": ("cxterms.cli.survey", "Net Promoter Score with margin of error, by group or period."),
    "csat": ("cxterms.cli.survey", "Customer satisfaction (top-2-box share and mean)."),
    "ces": ("cxterms.cli.survey", "Customer effort score (mean, easy and difficult shares)."),
    "churn": ("cxterms.cli.churn", "Churn and retention from counts, MRR, or a customer table."),
    "clv": ("cxterms.cli.clv", "Customer lifetime value: formula, historic, or BG/NBD + Gamma-Gamma."),
    "retention": ("cxterms.cli.retention", "Cohort retention with the shifted-beta-geometric model."),
    "sql": ("cxterms.cli.sql", "Print the aggregate SQL of a metric for your warehouse (read back with --counts)."),
    "drivers": ("cxterms.cli.drivers", "Key driver analysis: which attribute ratings matter most."),
    "report": ("cxterms.cli.report", "A shareable report (HTML with charts, Markdown or JSON) of NPS, CSAT or CES."),
    "plan": ("cxterms.cli.plan", "Sample size for a margin of error or a difference (NPS, CSAT, CES)."),
}


#: (command name, rich markup mode) -> the click command built for it
_BUILT: dict = {}


class LazyGroup(TyperGroup):
    def list_commands(self, ctx) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx, cmd_name: str):
        # Typer's introspection of a command's signature costs a few milliseconds; a process
        # that runs commands again (tests, the in-process benchmarks) builds each one once.
        key = (cmd_name, self.rich_markup_mode)
        built = _BUILT.get(key)
        if built is None:
            built = self._build_command(cmd_name)
            if built is not None:
                _BUILT[key] = built
        return built

    def _build_command(self, cmd_name: str):
        entry = COMMANDS.get(cmd_name)
        if entry is None:
            return None
        import importlib

        from typer.main import get_command_from_info

        module = importlib.import_module(entry[0])
        for info in module.app.registered_commands:
            name = info.name or info.callback.__name__.replace("_", "-")
            if name == cmd_name:
                return get_command_from_info(
                    info, pretty_exceptions_short=True, rich_markup_mode=self.rich_markup_mode
                )
        for group in module.app.registered_groups:  # a command with subcommands (sql)
            if group.name == cmd_name:
                from typer.main import get_group_from_info

                return get_group_from_info(
                    group, pretty_exceptions_short=True, suggest_commands=True, rich_markup_mode=self.rich_markup_mode
                )
        return None  # pragma: no cover - registry and module disagree

    def format_commands(self, ctx, formatter) -> None:  # plain-help fallback, no imports
        rows = [(name, help_) for name, (_m, help_) in COMMANDS.items()]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        """Run the command; translate every failure into a message and exit code."""
        env = extra.get("obj")
        stderr = env.stderr if isinstance(env, Environment) else sys.stderr
        debug = "--debug" in (args if args is not None else sys.argv[1:]) or os.environ.get(
            "CXTERMS_DEBUG", ""
        ) not in ("", "0")
        code = ExitCode.OK
        try:
            rv = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
            if isinstance(rv, int):
                code = rv
                if code == ExitCode.INTERRUPTED:  # Typer turns Ctrl-C into Exit(130)
                    _report(stderr, "interrupted", None)
            _flush(env)
        except PipeClosed:
            _silence_stdout()
            code = ExitCode.OK
        except CxtermsError as e:
            if debug:
                raise
            if isinstance(e, OutputError):
                _silence_stdout()  # or the interpreter's final flush fails again, noisily
            _report(stderr, str(e), e.hint)
            code = e.exit_code
        except KeyboardInterrupt:
            _report(stderr, "interrupted", None)
            code = ExitCode.INTERRUPTED
        except EOFError:
            code = ExitCode.INTERRUPTED
        except OSError as e:  # stdout full or gone while click printed help or the version
            if debug:
                raise
            _silence_stdout()
            where = f" ({e.filename})" if getattr(e, "filename", None) else ""
            import errno

            what = "cannot write the output" if e.errno in (errno.ENOSPC, errno.EDQUOT, errno.EBADF) else "I/O error"
            _report(stderr, f"{what}: {e.strerror or e}{where}", None)
            code = ExitCode.FAILURE
        except Exception as e:
            # click usage errors (vendored inside Typer): duck-typed on purpose
            if hasattr(e, "format_message") and hasattr(e, "exit_code"):
                ctx = getattr(e, "ctx", None)
                message = e.format_message().strip()
                if type(e).__name__ == "NoArgsIsHelpError":
                    if message:  # plain (non-Rich) help comes back as the message
                        stderr.write(message + "\n")
                else:
                    hint = f"see '{ctx.command_path} --help'" if ctx is not None else None
                    _report(stderr, message, hint)
                code = e.exit_code
            elif type(e).__name__ == "Abort":
                code = ExitCode.INTERRUPTED
            elif debug:
                raise
            else:
                _report(stderr, f"internal error: {type(e).__name__}: {e}", "run again with --debug for a traceback and please report it")
                code = ExitCode.FAILURE
        sys.exit(int(code))


def _flush(env) -> None:
    stream = env.stdout if isinstance(env, Environment) else sys.stdout
    if stream is None:
        return
    try:
        stream.flush()
    except BrokenPipeError:
        raise PipeClosed() from None
    except OSError as e:
        raise OutputError.of(e) from None
    except (AttributeError, ValueError):
        pass


def _silence_stdout() -> None:
    """After EPIPE, point stdout at /dev/null so the interpreter's final flush
    does not print 'Exception ignored ... BrokenPipeError'."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        if sys.stdout is None:
            return
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass


def _report(stream, message: str, hint: str | None) -> None:
    try:  # stderr may be closed or full too: then there is nobody to tell
        stream.write(f"cxterms: {clean_line(message)}\n")
        if hint:
            stream.write(f"hint: {clean_line(hint)}\n")
        stream.flush()
    except (OSError, ValueError, AttributeError):
        pass


app = typer.Typer(
    cls=LazyGroup,
    name="cxterms",
    help="CX glossary and metrics in the terminal: look up jargon, compute NPS, CSAT, CES, churn and CLV.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode="markdown",
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        sys.stdout.write(f"cxterms {__version__}\n")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    glossary: Annotated[
        Optional[list[str]],
        typer.Option(
            "--glossary", "-g", metavar="PATH",
            help="Extra term file or folder, layered over the built-ins (repeatable; also accepted after the command).",
        ),
    ] = None,
    no_builtin: Annotated[bool, typer.Option("--no-builtin", help="Use only user glossaries, not the built-in terms.")] = False,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Parse the term files instead of using the compiled index.")] = False,
    debug: Annotated[bool, typer.Option("--debug", help="Show a traceback on errors (also CXTERMS_DEBUG=1).")] = False,
    no_pager: Annotated[
        bool, typer.Option("--no-pager", help="Never page long output on a terminal (pager: CXTERMS_PAGER, PAGER, or 'less -R').")
    ] = False,
    version: Annotated[
        bool, typer.Option("--version", "-V", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """CX glossary and metrics in the terminal.

    Look up customer-experience jargon (`cxterms define nps`), search it, and
    compute NPS, CSAT, CES, churn and CLV from CSV exports, stdin or plain
    numbers. Output is Rich on a terminal and plain text when piped; every
    command takes `--format`. Exit codes: 0 ok, 1 not found / invalid data,
    2 usage error, 130 interrupted.
    """
    from .session import Session

    env = ctx.obj if isinstance(ctx.obj, Environment) else Environment()
    ctx.obj = Session(env, glossary=tuple(glossary or ()), no_builtin=no_builtin, no_cache=no_cache, debug=debug, no_pager=no_pager)


def main() -> None:
    """Console-script entry point."""
    app(prog_name="cxterms")
