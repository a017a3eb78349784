"""Export the glossary as Markdown, HTML, JSON or CSV (strings, no I/O)."""

from __future__ import annotations

import csv
import html
import io
import json
from collections.abc import Sequence

from ..textutil import FORMULA_START, clean, csv_cell, json_safe, md  # noqa: F401
from .store import Glossary, letter_of
from .term import Term



def _by_letter(terms: Sequence[Term]) -> dict[str, list[Term]]:
    groups: dict[str, list[Term]] = {}
    for t in terms:
        groups.setdefault(letter_of(t.term), []).append(t)
    return groups


def letter_anchor(letter: str) -> str:
    return "letter-num" if letter == "#" else f"letter-{letter.lower()}"


def entry_markdown(t: Term, glossary: Glossary, *, level: int = 2, linkable: set[str] | None = None) -> list[str]:
    """Markdown lines of one entry: heading, names and category, summary,
    definition, formula, scale, example, related links, calculator, sources.

    Related entries become ``#id`` links when they are in ``linkable`` (all
    resolvable ids when None); others are shown as plain text.
    """
    out = [f"{'#' * level} {md(t.term)}", ""]
    meta = f"*{md(t.category)}*"
    if t.aliases:
        meta = "Also: " + ", ".join(f"**{md(a)}**" for a in t.aliases) + " · " + meta
    out += [meta, "", f"> {md(t.summary)}", ""]
    for p in t.paragraphs:
        out += [md(p), ""]
    if t.formula:
        fence = "```"
        while fence in t.formula:
            fence += "`"
        out += ["**Formula**", "", fence, clean(t.formula), fence, ""]
    if t.scale:
        out += [f"**Scale:** {md(t.scale)}", ""]
    if t.example:
        out += [f"**Example:** {md(t.example)}", ""]
    links = []
    for r in t.related:
        head = glossary.headword(r)
        links.append(f"[{md(head)}](#{r})" if head and (linkable is None or r in linkable) else md(head or r))
    if links:
        out += [f"**Related:** {', '.join(links)}", ""]
    if t.calculator:
        out += [f"**Calculator:** `{clean(t.calculator).replace('`', '')}`", ""]
    if t.sources:
        out += ["**Sources:**", ""] + [f"- {md(src)}" for src in t.sources] + [""]
    return out


def to_markdown(terms: Sequence[Term], glossary: Glossary, title: str = "CX glossary") -> str:
    """An A-Z index with letter headings and anchors; each entry with its
    summary, definition, formula and links to related entries."""
    known = {t.id for t in terms}
    groups = _by_letter(terms)
    out = [f"# {md(title)}", "", f"{len(terms)} entries.", ""]
    out.append(" · ".join(f"[{letter}](#{letter_anchor(letter)})" for letter in groups))
    out.append("")
    for letter, entries in groups.items():
        out += [f'<a id="{letter_anchor(letter)}"></a>', "", f"## {letter}", ""]
        for t in entries:
            out += [f'<a id="{t.id}"></a>', ""] + entry_markdown(t, glossary, level=3, linkable=known)
    return "\n".join(out).rstrip() + "\n"


_CSS = """
body{font-family:system-ui,sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem;line-height:1.5;color:#222}
header{position:sticky;top:0;background:#fff;padding:.5rem 0;border-bottom:1px solid #ddd}
nav a{margin-right:.4rem}input{width:100%;font-size:1rem;padding:.4rem;box-sizing:border-box}
article{border-bottom:1px solid #eee;padding:.5rem 0}.meta{color:#666;font-size:.9rem}
.summary{font-style:italic}pre{background:#f5f5f5;padding:.5rem;overflow-x:auto}.hidden{display:none}
"""

_JS = """
(function () {
  var box = document.getElementById('filter');
  var items = document.querySelectorAll('article');
  var sections = document.querySelectorAll('section');
  box.addEventListener('input', function () {
    var q = box.value.toLowerCase();
    for (var i = 0; i < items.length; i++) {
      var hit = items[i].getAttribute('data-text').indexOf(q) !== -1;
      items[i].className = hit ? '' : 'hidden';
    }
    for (var j = 0; j < sections.length; j++) {
      var any = sections[j].querySelectorAll('article:not(.hidden)').length > 0;
      sections[j].className = any ? '' : 'hidden';
    }
  });
})();
"""


def to_html(terms: Sequence[Term], glossary: Glossary, title: str = "CX glossary") -> str:
    """One self-contained page (inline CSS and script, no external assets)
    with an A-Z index, in-page links and a search box that filters entries."""
    def e(text: str) -> str:  # neutralise escapes, show bidi/zero-width, then HTML-escape
        return html.escape(clean(text))

    known = {t.id for t in terms}
    groups = _by_letter(terms)
    out = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8" />',
        '<meta name="viewport" content="width=device-width, initial-scale=1" />',
        f"<title>{e(title)}</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
        "<header>",
        f"<h1>{e(title)}</h1>",
        '<input id="filter" type="search" placeholder="Filter terms..." aria-label="Filter terms" />',
        "<nav>" + " ".join(f'<a href="#{letter_anchor(letter)}">{e(letter)}</a>' for letter in groups) + "</nav>",
        "</header>",
        "<main>",
    ]
    for letter, entries in groups.items():
        out.append(f'<section id="{letter_anchor(letter)}">')
        out.append(f"<h2>{e(letter)}</h2>")
        for t in entries:
            text = " ".join([t.term, *t.aliases, t.summary, t.definition]).lower()
            out.append(f'<article id="{e(t.id)}" data-text="{e(text)}">')
            out.append(f"<h3>{e(t.term)}</h3>")
            meta = e(t.category)
            if t.aliases:
                meta = "Also: " + e(", ".join(t.aliases)) + " · " + meta
            out.append(f'<p class="meta">{meta}</p>')
            out.append(f'<p class="summary">{e(t.summary)}</p>')
            out.extend(f"<p>{e(p)}</p>" for p in t.paragraphs)
            if t.formula:
                out.append(f"<pre>{e(t.formula)}</pre>")
            if t.scale:
                out.append(f"<p><strong>Scale:</strong> {e(t.scale)}</p>")
            if t.example:
                out.append(f"<p><strong>Example:</strong> {e(t.example)}</p>")
            links = [f'<a href="#{e(r)}">{e(glossary.headword(r) or r)}</a>' for r in t.related if r in known]
            if links:
                out.append(f"<p><strong>Related:</strong> {', '.join(links)}</p>")
            if t.calculator:
                out.append(f"<p><strong>Calculator:</strong> <code>{e(t.calculator)}</code></p>")
            out.append("</article>")
        out.append("</section>")
    out += ["</main>", f"<script>{_JS}</script>", "</body>", "</html>"]
    return "\n".join(out) + "\n"


def to_json(terms: Sequence[Term]) -> str:
    data = [{**t.content(), "source": t.source_info()} for t in terms]
    return json_safe(json.dumps(data, ensure_ascii=False, indent=2)) + "\n"


def safe_cell(text: str) -> str:
    """Neutralise spreadsheet formula injection and control characters
    (the shared ``textutil.csv_cell``; multi-line text stays multi-line).

    >>> [safe_cell(x) for x in ("=1+1", "-x", "@SUM(A1)", "plain", "+x")]
    ["'=1+1", "'-x", "'@SUM(A1)", 'plain', "'+x"]
    """
    return csv_cell(text, one_line=False)


def to_csv(terms: Sequence[Term]) -> str:
    """term, aliases, category, summary, definition: one row per entry."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(["term", "aliases", "category", "summary", "definition"])
    for t in terms:
        w.writerow([safe_cell(x) for x in (t.term, "; ".join(t.aliases), t.category, t.summary, t.definition)])
    return buf.getvalue()
