"""Renderers for glossary entries: plain text, Markdown, JSON and Rich.

All data text goes through ``clean``/``clean_line`` (control characters
neutralised) and reaches Rich only as ``Text`` objects (markup never
interpreted).
"""

from __future__ import annotations

from ..glossary.store import Glossary
from ..glossary.term import Term
from ..textutil import clean, clean_line, md


def related_names(term: Term, glossary: Glossary) -> list[str]:
    """Headwords of the related entries (the raw id when it does not resolve)."""
    return [glossary.headword(r) or r for r in term.related]


def source_line(term: Term) -> str:
    kind = "built-in" if term.builtin else "user file"
    return f"{term.location} ({kind})"


def term_json(term: Term, match=None) -> dict:
    data = term.content()
    data["match"] = match.as_dict() if match is not None else None
    data["source"] = term.source_info()
    return data


def term_plain(term: Term, glossary: Glossary, *, match=None, explain: bool = False) -> list[str]:
    """Line-oriented: headword, then one line per paragraph or field."""
    lines = [clean_line(term.term)]
    if term.aliases:
        lines.append("aliases: " + clean_line(", ".join(term.aliases)))
    lines.append("category: " + clean_line(term.category))
    lines.append("summary: " + clean_line(term.summary))
    lines.append("")
    lines.extend(clean_line(p) for p in term.paragraphs)
    if term.formula:
        lines.append("")
        lines.append("formula:")
        lines.extend("  " + clean_line(ln) for ln in term.formula.splitlines())
    if term.scale:
        lines.append("scale: " + clean_line(term.scale))
    if term.example:
        lines.append("example: " + clean_line(term.example))
    rel = related_names(term, glossary)
    if rel or term.calculator or term.sources:
        lines.append("")
    if rel:
        lines.append("related: " + clean_line(", ".join(rel)))
    if term.calculator:
        lines.append("calculator: " + clean_line(term.calculator))
    for s in term.sources:
        lines.append("source: " + clean_line(s))
    if explain:
        lines.append("")
        lines.extend(explain_lines(term, match))
    return lines


def explain_lines(term: Term, match=None) -> list[str]:
    lines = []
    if match is not None:
        lines.append(f"matched: {clean_line(match.matched)} ({match.tier})")
    lines.append("defined in: " + clean_line(source_line(term)))
    if term.shadows:
        for s in term.shadows:
            lines.append("shadows: " + clean_line(s))
    else:
        lines.append("shadows: nothing")
    return lines


def term_markdown(term: Term, glossary: Glossary, *, match=None, explain: bool = False) -> str:
    from ..glossary.export import entry_markdown

    out = entry_markdown(term, glossary, level=2)
    if explain:
        out += [f"- {md(line)}" for line in explain_lines(term, match)] + [""]
    return "\n".join(out).rstrip() + "\n"


def term_rich(term: Term, glossary: Glossary, *, match=None, explain: bool = False):
    from rich.console import Group
    from rich.padding import Padding
    from rich.panel import Panel
    from rich.table import Table
    from rich.text import Text

    title = Text(clean_line(term.term), style="bold cyan")
    if term.aliases:
        title.append("  " + " · ".join(clean_line(a) for a in term.aliases), style="bold")
    parts: list = [title, Text(clean_line(term.category), style="magenta"), Text(clean_line(term.summary), style="italic"), Text("")]
    for p in term.paragraphs:
        parts += [Text(clean_line(p)), Text("")]
    if term.formula:
        parts.append(Panel(Text(clean(term.formula)), title="Formula", title_align="left", expand=False, border_style="cyan"))
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column(overflow="fold")
    if term.scale:
        grid.add_row("Scale", Text(clean_line(term.scale)))
    if term.example:
        grid.add_row("Example", Text(clean_line(term.example)))
    rel = related_names(term, glossary)
    if rel:
        grid.add_row("Related", Text(clean_line(", ".join(rel)), style="cyan"))
    if term.calculator:
        grid.add_row("Calculator", Text(clean_line(term.calculator), style="green"))
    for i, s in enumerate(term.sources):
        grid.add_row("Sources" if i == 0 else "", Text(clean_line(s), style="dim"))
    if explain:
        for line in explain_lines(term, match):
            label, _, value = line.partition(": ")
            grid.add_row(label.capitalize(), Text(value, style="yellow"))
    if grid.row_count:
        parts.append(grid)
    return Padding(Group(*parts), (0, 1))
