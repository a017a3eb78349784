"""Learning and sharing: quiz (flashcards) and export."""

from enum import Enum
from typing import Annotated, Optional

import typer

from .complete import complete_categories
from .options import GlossaryOpt, NoBuiltinOpt, NoCacheOpt
from .output import clean_line

app = typer.Typer()


class QuizFormat(str, Enum):
    auto = "auto"
    rich = "rich"
    plain = "plain"
    json = "json"


class ExportFormat(str, Enum):
    markdown = "markdown"
    html = "html"
    json = "json"
    csv = "csv"


@app.command()
def quiz(
    ctx: typer.Context,
    count: Annotated[int, typer.Option("--count", "-n", min=1, help="Number of cards.")] = 10,
    category: Annotated[Optional[str], typer.Option("--category", "-c", help="Cards from this category only.", autocompletion=complete_categories)] = None,
    seed: Annotated[Optional[int], typer.Option("--seed", help="Seed for a reproducible deck.")] = None,
    reverse: Annotated[bool, typer.Option("--reverse", help="Show the term; reveal the definition and grade yourself (y/n).")] = False,
    format: Annotated[QuizFormat, typer.Option("--format", "-f", case_sensitive=False, help="auto, rich, plain, or json (cards on stderr, results as JSON on stdout).")] = QuizFormat.auto,
    glossary: GlossaryOpt = None,
    no_builtin: NoBuiltinOpt = False,
    no_cache: NoCacheOpt = False,
) -> None:
    """Flashcards: name the term from its definition, or --reverse.

    Each card shows the summary and first paragraph of a definition with the
    headword and its acronyms masked; type the term. The headword, the id,
    any alias and small typos (names of five letters or more) count as
    right. The right answer is shown after every card and the score at the
    end. An empty answer skips the card.

    When stdin is not a terminal, answers are read one per line (with
    --reverse: y or n per card), so a quiz can be scripted.

    Example:

        cxterms quiz --count 5 --category "experience metrics"
        cxterms quiz --reverse
        printf 'nps\\ncsat\\n' | cxterms quiz --count 2 --seed 193108
    """
    from ..errors import NotFoundError
    from ..glossary.browse import select
    from ..glossary.quiz import category_label, clue, deal, grade

    session = ctx.obj
    env = session.env
    gl = session.open_glossary(glossary or (), no_builtin, no_cache)
    deck = deal(gl, select(gl, category=category), count, seed)
    if not deck:
        raise NotFoundError("no cards to deal")
    interactive = env.stdin_isatty
    as_json = format is QuizFormat.json
    rich = format is QuizFormat.rich or (format is QuizFormat.auto and env.rich_stdout)
    show_stream = env.stderr if as_json else env.stdout
    out = session.out()
    console = None
    if rich and not as_json:
        console = out.console()

    def show(text: str = "", style: str | None = None) -> None:
        if console is not None:
            from rich.text import Text

            console.print(Text(text, style=style or ""))
        else:
            show_stream.write(text + "\n")
            show_stream.flush()

    def ask(prompt: str) -> str | None:
        if interactive:
            show_stream.write(prompt)
            show_stream.flush()
        line = env.stdin.readline()
        if not line:
            return None  # end of input
        if not interactive:
            show_stream.write(prompt + line if line.endswith("\n") else prompt + line + "\n")
        return line.rstrip("\r\n")

    results = []
    for number, term in enumerate(deck, 1):
        label = term.category if reverse else category_label(term)
        show(f"Card {number}/{len(deck)}  ({clean_line(label)})", "bold")
        if reverse:
            show(clean_line(term.term), "bold cyan")
            if interactive:
                ask("Press Enter to reveal the definition... ")
            show(clean_line(term.summary), "italic")
            show(clean_line(term.paragraphs[0]))
            reply = ask("Did you know it? [y/n] ")
            if reply is None:
                break
            ok = reply.strip().lower() in ("y", "yes")
            results.append({"id": term.id, "term": term.term, "answer": reply, "correct": ok, "how": "self-graded"})
        else:
            show(clean_line(clue(term)))
            reply = ask("Your answer: ")
            if reply is None:
                break
            g = grade(reply, term)
            results.append({"id": term.id, "term": term.term, "answer": reply, "correct": g.correct, "how": g.how})
            if g.correct:
                extra = f" (close enough: {g.matched})" if g.how == "typo" else ""
                show(f"Right: {clean_line(term.term)}{extra}", "green")
            else:
                aka = f" ({', '.join(term.aliases)})" if term.aliases else ""
                show(f"{'Skipped' if g.how == 'skipped' else 'Not quite'}: the answer was {clean_line(term.term + aka)}", "red")
        show()
    right = sum(r["correct"] for r in results)
    if as_json:
        out.json({"score": right, "answered": len(results), "cards": len(deck), "results": results})
    else:
        unanswered = len(deck) - len(results)
        show(f"Score: {right}/{len(deck)}" + (f" ({unanswered} unanswered)" if unanswered else ""), "bold")


@app.command()
def export(
    ctx: typer.Context,
    format: Annotated[ExportFormat, typer.Option("--format", "-f", case_sensitive=False, help="markdown, html, json or csv.")] = ExportFormat.markdown,
    output: Annotated[Optional[str], typer.Option("--output", "-o", metavar="FILE", help="Write to FILE instead of stdout.")] = None,
    category: Annotated[Optional[str], typer.Option("--category", "-c", help="Only this category.", autocompletion=complete_categories)] = None,
    title: Annotated[str, typer.Option("--title", help="Title of the Markdown or HTML document.")] = "CX glossary",
    glossary: GlossaryOpt = None,
    no_builtin: NoBuiltinOpt = False,
    no_cache: NoCacheOpt = False,
) -> None:
    """Export the glossary as Markdown, HTML, JSON or CSV.

    markdown: an A-Z index with letter headings and anchors, each entry with
    its summary, definition, formula and links to related entries. html: one
    self-contained page (no external assets) with the A-Z index, in-page
    links and a search box that filters entries. json: the full entries.
    csv: term, aliases, category, summary, definition, for flashcard apps;
    cells starting with = + - @ are prefixed with ' so spreadsheets do not
    run them as formulas. Here --format picks the export format.

    Example:

        cxterms export > glossary.md
        cxterms export --format html -o glossary.html
        cxterms export --format csv --category marketing -o cards.csv
    """
    from ..errors import DataError, NotFoundError
    from ..glossary import export as ex
    from ..glossary.browse import find_category

    session = ctx.obj
    gl = session.open_glossary(glossary or (), no_builtin, no_cache)
    terms = gl.all()
    if category is not None:
        cat = find_category(gl, category)
        terms = [t for t in terms if t.category == cat]
    if not terms:
        raise NotFoundError("nothing to export")
    if format is ExportFormat.markdown:
        text = ex.to_markdown(terms, gl, title)
    elif format is ExportFormat.html:
        text = ex.to_html(terms, gl, title)
    elif format is ExportFormat.json:
        text = ex.to_json(terms)
    else:
        text = ex.to_csv(terms)
    if output is None or output == "-":
        session.out().write(text, end="")
        return
    try:
        with open(output, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
    except OSError as e:
        raise DataError(f"cannot write {output}: {e.strerror or e}") from None
    session.out().note(f"wrote {len(terms)} entries to {output}")
