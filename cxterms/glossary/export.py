"""Export the glossary as Markdown, HTML, JSON or CSV (strings, no I/O)."""

from __future__ import annotations

import csv
import html
import io
import json
from collections.abc import Sequence

from ..textutil import clean, md
from . import normalize
from .store import Glossary, letter_of
from .term import Term

#: characters that make a spreadsheet evaluate a cell (CSV injection)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


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
header{position:sticky;top:0;background:#fff;padding:.5rem 0;border-bottom:1px solid #ddd;z-index:1}
nav a{margin-right:.4rem}input{width:100%;font-size:1rem;padding:.4rem;box-sizing:border-box}
article{border-bottom:1px solid #eee;padding:.5rem 0}.meta{color:#666;font-size:.9rem}
section,article{scroll-margin-top:var(--header-height,12rem)}
.summary{font-style:italic}pre{background:#f5f5f5;padding:.5rem;overflow-x:auto}.hidden{display:none}
#status{color:#666;font-size:.9rem;margin:.25rem 0 0}
"""

# The filter box normalises the query as ``define`` does (normalize.tokens:
# accents folded, case, punctuation and dots, "&" = "and", "the" dropped,
# plural -s / -ies), then ranks entries: a name equal to the query (100), a
# name starting with it (80), every query word in the headword (60-70, more
# when they are most of it), in another name (50) or in the text (30), a word counting as present when it is the same, a typo within the
# same limits as define (same first letter, 1 edit for 4-7 letters, 2 for 8+),
# or, for the last word typed, the start of a word. The names' keys and words
# come precomputed from Python (data-keys, data-names, data-words), so both
# sides of the comparison use the same rules.
_JS = r"""
(function () {
  var box = document.getElementById('filter');
  var status = document.getElementById('status');
  var results = document.getElementById('results');
  var header = document.querySelector('header');
  var sections = Array.prototype.slice.call(document.querySelectorAll('main > section'));
  var items = Array.prototype.slice.call(document.querySelectorAll('article'));
  var home = items.map(function (a) { return a.parentNode; });
  var data = items.map(function (a) {
    return {
      keys: a.getAttribute('data-keys').split(' '),
      names: a.getAttribute('data-names').split(' '),
      words: a.getAttribute('data-words').split(' '),
      head: parseInt(a.getAttribute('data-head'), 10)
    };
  });
  function fitHeader() {
    document.documentElement.style.setProperty('--header-height', (header.offsetHeight + 8) + 'px');
  }
  fitHeader();
  window.addEventListener('resize', fitHeader);
  function singular(w) {
    if (w.length >= 5 && /ies$/.test(w)) return w.slice(0, -3) + 'y';
    if (w.length >= 4 && /ie$/.test(w)) return w.slice(0, -2) + 'y';
    if (w.length >= 4 && /s$/.test(w) && !/ss$/.test(w)) return w.slice(0, -1);
    return w;
  }
  function tokens(text) {
    var folded = text.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/&/g, ' and ');
    var words = folded.match(/[a-z0-9]+/g) || [];
    var kept = words.filter(function (w) { return w !== 'the'; }).map(singular);
    return kept.length ? kept : words.map(singular);
  }
  function distance(a, b) {
    var d = [], i, j;
    for (i = 0; i <= a.length; i++) { d.push([i]); }
    for (j = 1; j <= b.length; j++) { d[0][j] = j; }
    for (i = 1; i <= a.length; i++) {
      for (j = 1; j <= b.length; j++) {
        var cost = a[i - 1] === b[j - 1] ? 0 : 1;
        d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
        if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
          d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
        }
      }
    }
    return d[a.length][b.length];
  }
  function limit(w) { return w.length < 4 ? 0 : (w.length < 8 ? 1 : 2); }
  function present(q, words, last) {
    var lim = limit(q);
    for (var i = 0; i < words.length; i++) {
      var w = words[i];
      if (w === q) return true;
      if (last && q.length >= 2 && w.indexOf(q) === 0) return true;
      if (lim && w[0] === q[0] && Math.abs(w.length - q.length) <= lim && distance(q, w) <= lim) return true;
    }
    return false;
  }
  function rank(d, qt, qkey) {
    if (d.keys.indexOf(qkey) !== -1) return 100;
    for (var k = 0; k < d.keys.length; k++) { if (d.keys[k].indexOf(qkey) === 0) return 80; }
    var inHead = true, inNames = true, inText = true;
    var head = d.names.slice(0, d.head);
    for (var n = 0; n < qt.length; n++) {
      var last = n === qt.length - 1;
      if (inHead && !present(qt[n], head, last)) inHead = false;
      if (inNames && !present(qt[n], d.names, last)) inNames = false;
      if (inText && !present(qt[n], d.words, last) && !present(qt[n], d.names, last)) inText = false;
    }
    if (inHead) return 60 + 10 * Math.min(1, qt.length / Math.max(1, d.head));
    return inNames ? 50 : (inText ? 30 : 0);
  }
  function restore() {
    for (var i = 0; i < items.length; i++) { home[i].appendChild(items[i]); }
    sections.forEach(function (s) { s.classList.remove('hidden'); });
    results.classList.add('hidden');
    status.textContent = '';
  }
  box.addEventListener('input', function () {
    var qt = tokens(box.value);
    window.scrollTo(0, 0);
    if (!box.value.trim() || !qt.length) { restore(); return; }
    var qkey = qt.join('');
    var hits = [];
    for (var i = 0; i < items.length; i++) {
      var r = rank(data[i], qt, qkey);
      if (r) hits.push([r, i]);
    }
    hits.sort(function (a, b) { return b[0] - a[0] || a[1] - b[1]; });
    sections.forEach(function (s) { s.classList.add('hidden'); });
    results.innerHTML = '';
    hits.forEach(function (h) { results.appendChild(items[h[1]]); });
    results.classList.remove('hidden');
    status.textContent = hits.length ? hits.length + (hits.length === 1 ? ' match' : ' matches') : 'no matches';
  });
})();
"""


def to_html(terms: Sequence[Term], glossary: Glossary, title: str = "CX glossary") -> str:
    """One self-contained page (inline CSS and script, no external assets)
    with an A-Z index, in-page links and a search box that filters entries."""
    e = html.escape
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
        '<p id="status" role="status" aria-live="polite"></p>',
        "<nav>" + " ".join(f'<a href="#{letter_anchor(letter)}">{e(letter)}</a>' for letter in groups) + "</nav>",
        "</header>",
        "<main>",
        '<div id="results" class="hidden"></div>',
    ]
    for letter, entries in groups.items():
        out.append(f'<section id="{letter_anchor(letter)}">')
        out.append(f"<h2>{e(letter)}</h2>")
        for t in entries:
            out.append(f'<article id="{e(t.id)}" {_filter_data(t)}>')
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


def _filter_data(t: Term) -> str:
    """data-keys (normalised name keys), data-names and data-words (normalised
    words of the names, headword first, and of the text; data-head: how many of
    the name words are the headword's) for the page's filter box."""
    names = (t.term, *t.aliases, t.id)
    keys = dict.fromkeys(normalize.key(n) for n in names if normalize.key(n))
    head = dict.fromkeys(normalize.tokens(t.term))
    name_words = {**head, **dict.fromkeys(w for n in names for w in normalize.tokens(n))}
    words = dict.fromkeys(w for w in normalize.tokens(f"{t.summary} {t.definition}") if w not in name_words)
    e = html.escape
    return (f'data-keys="{e(" ".join(keys))}" data-names="{e(" ".join(name_words))}" data-head="{len(head)}" '
            f'data-words="{e(" ".join(words))}"')


def to_json(terms: Sequence[Term]) -> str:
    data = [{**t.content(), "source": t.source_info()} for t in terms]
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def safe_cell(text: str) -> str:
    """Neutralise spreadsheet formula injection: prefix risky cells with '.

    >>> [safe_cell(x) for x in ("=1+1", "-5", "@SUM(A1)", "plain", "+x")]
    ["'=1+1", "'-5", "'@SUM(A1)", 'plain', "'+x"]
    """
    return "'" + text if text.startswith(FORMULA_START) else text


def to_csv(terms: Sequence[Term]) -> str:
    """term, aliases, category, summary, definition: one row per entry."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(["term", "aliases", "category", "summary", "definition"])
    for t in terms:
        w.writerow([safe_cell(x) for x in (t.term, "; ".join(t.aliases), t.category, t.summary, t.definition)])
    return buf.getvalue()
