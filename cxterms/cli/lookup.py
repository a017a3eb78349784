"""Glossary lookup commands: define, search, list, categories, random."""

from datetime import date
from typing import Annotated, Optional

import typer

from .complete import complete_categories, complete_search_words
from .options import FormatOpt, GlossaryOpt, NoBuiltinOpt, NoCacheOpt, NoPagerOpt
from .output import Format, clean_line, resolve_format

app = typer.Typer()


def _complete_terms(ctx: typer.Context, incomplete: str):
    """Shell completion for define: ids and one-word names starting with the input."""
    from ..errors import CxtermsError
    from .env import Environment
    from .session import Session

    root = ctx.find_root().params
    session = Session(Environment(), glossary=tuple(root.get("glossary") or ()), no_builtin=bool(root.get("no_builtin")))
    try:
        glossary = session.open_glossary(tuple(ctx.params.get("glossary") or ()), quiet=True)
    except CxtermsError:
        return []
    low = incomplete.casefold()
    out = []
    for tid, term, _cat, aliases in glossary.rows:
        for name in (tid, term, *aliases):
            if " " not in name and name.casefold().startswith(low) and name not in (o[0] for o in out):
                out.append((name, term))
    return out


def _show(session, fmt: Format, glossary, term, match=None, explain: bool = False) -> None:
    from . import render_terms as r

    fmt = resolve_format(fmt, session.env)
    with session.paging():
        out = session.out()
        if fmt is Format.json:
            out.json(r.term_json(term, match))
        elif fmt is Format.markdown:
            out.write(r.term_markdown(term, glossary, match=match, explain=explain), end="")
        elif fmt is Format.rich:
            out.print(r.term_rich(term, glossary, match=match, explain=explain))
        else:
            out.lines(r.term_plain(term, glossary, match=match, explain=explain))


@app.command()
def define(
    ctx: typer.Context,
    term: Annotated[
        list[str],
        typer.Argument(
            metavar="TERM", help="Headword, id, acronym or alias; several words need no quotes.",
            autocompletion=_complete_terms, show_default=False,
        ),
    ],
    explain: Annotated[bool, typer.Option("--explain", help="Also show how the name matched, the file the entry came from and what it shadows.")] = False,
    format: FormatOpt = Format.auto,
    glossary: GlossaryOpt = None,
    no_builtin: NoBuiltinOpt = False,
    no_cache: NoCacheOpt = False,
    no_pager: NoPagerOpt = False,
) -> None:
    """Show the entry for TERM.

    TERM is matched in tiers: the exact headword or id; then an alias or
    acronym ignoring case, spaces, hyphens, dots, "&"/"and", "the" and a
    plural -s (`c-sat`, `Net promoter scores`, `voice of customer`); then a
    unique prefix covering half the name; then the closest fuzzy match when
    every word typed lines up with a word of its name (same word, acronym,
    small typo). Prefix and fuzzy hits come with a note on stderr. A name
    shared by several entries lists them all (exit 1); no match exits 1
    with up to five suggestions on stderr.

    Example:

        cxterms define nps
        cxterms define voice of customer --explain
        cxterms define csat --format json | jq .formula
    """
    from ..errors import AmbiguousError
    from ..glossary.resolve import TermNotFound, resolve

    session = ctx.obj
    session.no_pager = session.no_pager or no_pager
    query = " ".join(term)
    gl = session.open_glossary(glossary or (), no_builtin, no_cache)
    try:
        match = resolve(gl, query)
    except AmbiguousError as e:
        names = ", ".join(f"{t.term} ({t.id})" for t in e.candidates)
        e.message = f"{query!r} names {len(e.candidates)} entries: {names}"
        e.hint = f"ask for one by id, e.g. cxterms define {e.candidates[0].id}"
        raise
    except TermNotFound as e:
        if e.suggestions:
            e.hint = "did you mean: " + "; ".join(e.suggestions) + "?"
        else:
            e.hint = "try 'cxterms search " + clean_line(query) + "' or 'cxterms list'"
        raise
    if match.tier == "fuzzy":
        session.out().note(f"did you mean {match.term.term!r}? showing the closest match for {query!r}")
    elif match.tier == "prefix":
        session.out().note(f"showing {match.term.term!r}, the one entry with a name starting with {query!r}")
    _show(session, format, gl, match.term, match, explain)


@app.command()
def search(
    ctx: typer.Context,
    query: Annotated[list[str], typer.Argument(metavar="QUERY", help="Words to look for; typos are forgiven.", show_default=False, autocompletion=complete_search_words)],
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, help="Show at most N hits.")] = 10,
    format: FormatOpt = Format.auto,
    glossary: GlossaryOpt = None,
    no_builtin: NoBuiltinOpt = False,
    no_cache: NoCacheOpt = False,
    no_pager: NoPagerOpt = False,
) -> None:
    """Search headwords, aliases and definitions, best hits first.

    Each hit has a score (0-100) and says where it matched: the headword,
    an alias, the summary or the definition. Typos are forgiven
    (`retension`, `promotor score`). Exit 1 when nothing matches.

    Plain output is one hit per line: term, score and where, separated by
    tabs.

    Example:

        cxterms search promotor score
        cxterms search "first party data" --format json
    """
    from ..errors import NotFoundError
    from ..glossary.search import search as run_search

    session = ctx.obj
    session.no_pager = session.no_pager or no_pager
    text = " ".join(query)
    gl = session.open_glossary(glossary or (), no_builtin, no_cache)
    hits = run_search(gl, text, limit=limit)
    fmt = resolve_format(format, session.env)
    if not hits:
        raise NotFoundError(f"nothing matches {text!r}", hint="try fewer words, or 'cxterms list'")
    with session.paging():
        _print_hits(session.out(), fmt, text, hits)


def _print_hits(out, fmt: Format, text: str, hits) -> None:
    if fmt is Format.json:
        out.json([h.as_dict() for h in hits])
    elif fmt is Format.plain:
        out.lines(f"{clean_line(h.term.term)}\t{h.score:.1f}\t{clean_line(h.where)}" for h in hits)
    elif fmt is Format.markdown:
        from ..textutil import md

        out.write("| Term | Score | Matched | Summary |\n|---|---:|---|---|")
        out.lines(f"| {md(h.term.term)} | {h.score:.1f} | {md(h.where)} | {md(h.term.summary)} |" for h in hits)
    else:
        from rich.table import Table
        from rich.text import Text

        # the Term column is at least as wide as the longest word of a
        # headword, so headwords wrap between words, never inside one
        longest = max(len(w) for h in hits for w in clean_line(h.term.term).split())
        table = Table(title=Text(f"Search: {clean_line(text)}"), title_justify="left")
        table.add_column("Term", style="bold cyan", overflow="fold", min_width=min(longest, 40))
        table.add_column("Score", justify="right", no_wrap=True)
        table.add_column("Matched", style="yellow", overflow="fold")
        table.add_column("Summary", overflow="fold")
        for h in hits:
            table.add_row(Text(clean_line(h.term.term)), f"{h.score:.1f}", Text(clean_line(h.where)), Text(clean_line(h.term.summary)))
        out.print(table)


@app.command("list")
def list_(
    ctx: typer.Context,
    category: Annotated[Optional[str], typer.Option("--category", "-c", help="Only this category (name, any case; a unique start is enough).", autocompletion=complete_categories)] = None,
    letter: Annotated[Optional[str], typer.Option("--letter", "-l", help="Only headwords starting with this letter ('#' for digits).")] = None,
    format: FormatOpt = Format.auto,
    glossary: GlossaryOpt = None,
    no_builtin: NoBuiltinOpt = False,
    no_cache: NoCacheOpt = False,
    no_pager: NoPagerOpt = False,
) -> None:
    """List headwords alphabetically.

    On a terminal the headwords are printed in columns under their letter
    (use --format json or markdown for aliases and summaries). Plain output
    is one headword per line, ready for pipes:

        cxterms list | fzf | xargs -I{} cxterms define {}

    Example:

        cxterms list --category "experience metrics"
        cxterms list --letter n --format json
    """
    from ..errors import NotFoundError
    from ..glossary.browse import select

    session = ctx.obj
    session.no_pager = session.no_pager or no_pager
    gl = session.open_glossary(glossary or (), no_builtin, no_cache)
    indexes = select(gl, category=category, letter=letter)
    if not indexes:
        raise NotFoundError("no entries match " + " and ".join(
            x for x in (f"category {category!r}" if category else "", f"letter {letter!r}" if letter else "") if x
        ))
    fmt = resolve_format(format, session.env)
    with session.paging():
        out = session.out()
        if fmt is Format.plain:
            out.lines(clean_line(gl.rows[i][1]) for i in indexes)
        elif fmt is Format.rich:
            _print_columns(out, [gl.rows[i][1] for i in indexes])
        else:
            terms = [gl.get(i) for i in indexes]
            if fmt is Format.json:
                out.json([{"id": t.id, "term": t.term, "aliases": list(t.aliases), "category": t.category, "summary": t.summary} for t in terms])
            else:
                from ..textutil import md

                out.lines(f"- **{md(t.term)}**{' (' + md(', '.join(t.aliases)) + ')' if t.aliases else ''}: {md(t.summary)}" for t in terms)


def _print_columns(out, headwords: list[str]) -> None:
    """Headwords under their index letter, in as many columns as fit
    (column-major, like ls), each letter's block one paragraph."""
    from rich.columns import Columns
    from rich.text import Text

    from ..glossary.store import letter_of

    groups: dict[str, list[str]] = {}
    for h in headwords:
        groups.setdefault(letter_of(h), []).append(clean_line(h))
    for n, (letter, names) in enumerate(groups.items()):
        if n:
            out.print()
        out.print(Text(letter, style="bold magenta"))
        out.print(Columns([Text(h, style="cyan") for h in names], column_first=True, padding=(0, 3)))


@app.command()
def categories(
    ctx: typer.Context,
    format: FormatOpt = Format.auto,
    glossary: GlossaryOpt = None,
    no_builtin: NoBuiltinOpt = False,
    no_cache: NoCacheOpt = False,
    no_pager: NoPagerOpt = False,
) -> None:
    """List the categories with the number of entries in each.

    Plain output is `name<TAB>count` per line.

    Example:

        cxterms categories
        cxterms list --category "$(cxterms categories | head -1 | cut -f1)"
    """
    session = ctx.obj
    session.no_pager = session.no_pager or no_pager
    gl = session.open_glossary(glossary or (), no_builtin, no_cache)
    cats = gl.categories()
    fmt = resolve_format(format, session.env)
    with session.paging():
        _print_categories(session.out(), fmt, cats)


def _print_categories(out, fmt: Format, cats) -> None:
    if fmt is Format.json:
        out.json([{"category": c, "count": n} for c, n in cats])
    elif fmt is Format.plain:
        out.lines(f"{clean_line(c)}\t{n}" for c, n in cats)
    elif fmt is Format.markdown:
        from ..textutil import md

        out.write("| Category | Entries |\n|---|---:|")
        out.lines(f"| {md(c)} | {n} |" for c, n in cats)
    else:
        from rich.table import Table
        from rich.text import Text

        table = Table()
        table.add_column("Category", style="magenta")
        table.add_column("Entries", justify="right")
        for c, n in cats:
            table.add_row(Text(clean_line(c)), str(n))
        table.add_section()
        table.add_row("total", str(sum(n for _, n in cats)), style="bold")
        out.print(table)


def _parse_date(value: Optional[str]) -> Optional[date]:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"not an ISO date (YYYY-MM-DD): {value!r}") from None


@app.command()
def random(
    ctx: typer.Context,
    seed: Annotated[Optional[int], typer.Option("--seed", help="Seed for a reproducible pick.")] = None,
    daily: Annotated[bool, typer.Option("--daily", help="Term of the day: the same entry all day (local date).")] = False,
    on: Annotated[Optional[str], typer.Option("--date", metavar="YYYY-MM-DD", help="With --daily: the term of that day.")] = None,
    category: Annotated[Optional[str], typer.Option("--category", "-c", help="Pick from this category only.", autocompletion=complete_categories)] = None,
    format: FormatOpt = Format.auto,
    glossary: GlossaryOpt = None,
    no_builtin: NoBuiltinOpt = False,
    no_cache: NoCacheOpt = False,
    no_pager: NoPagerOpt = False,
) -> None:
    """Show a random entry, or with --daily the term of the day.

    The term of the day depends only on the date and the glossary, so
    everyone with the same glossary sees the same entry all day.

    Example:

        cxterms random --category marketing
        cxterms random --daily --format json | jq -r .term
    """
    from ..errors import UsageError
    from ..glossary.browse import daily_seed, pick, select

    session = ctx.obj
    session.no_pager = session.no_pager or no_pager
    day = _parse_date(on)
    if day is not None and not daily:
        raise UsageError("--date goes with --daily")
    if daily and seed is not None:
        raise UsageError("use either --daily or --seed, not both")
    gl = session.open_glossary(glossary or (), no_builtin, no_cache)
    indexes = select(gl, category=category)
    if daily:
        chosen = pick(indexes, daily_seed(day or session.env.date_today()))
    else:
        chosen = pick(indexes, seed)
    _show(session, format, gl, gl.get(chosen))
