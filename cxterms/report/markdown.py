"""The report as Markdown (for wikis and pull requests), charts as SVG files
beside it. Data text is escaped with ``textutil.md`` (no live links, HTML
or table breaks)."""

from __future__ import annotations

from ..textutil import md
from .layout import blocks
from .text import plain


def _md(text) -> str:
    return md(plain(text))


def to_markdown(doc: dict, charts: dict, names: dict) -> str:
    m = doc["method"]
    out = [f"# {_md(doc['title'])}", "",
           f"Source {_md(doc['source'])} · score from {_md(doc['column'])} · {_md(m['label'])} on a {_md(m['scale'])} scale",
           ""]
    for b in blocks(doc, charts):
        kind = b[0]
        if kind == "h2":
            out += [f"## {_md(b[2])}", ""]
        elif kind in ("p", "note"):
            out += [_md(b[1]), ""]
        elif kind == "cards":
            out += ["| " + " | ".join(_md(k) for k, _v, _u, _d in b[1]) + " |",
                    "|" + "---|" * len(b[1]),
                    "| " + " | ".join(f"**{_md(v)}**" + (f" {_md(u)}" if u else "") for _k, v, u, _d in b[1]) + " |",
                    "| " + " | ".join(_md(d) for _k, _v, _u, d in b[1]) + " |", ""]
        elif kind == "figure":
            c = charts[b[1]]
            out += [f"![{_md(c.title)}: {_md(c.summary)}]({names[c.key]})", ""]
        elif kind == "table":
            _, caption, columns, rows, _classes = b
            out += _table(columns, rows)
        elif kind == "themes":
            for group, themes, examples in b[1]:
                out += [f"### {_md(group).capitalize()}", ""]
                out += [f"{i}. {_md(t)} ({c:,}, {s:.0f}%)" for i, (t, c, s) in enumerate(themes, 1)] or ["No distinctive themes."]
                out.append("")
                for q in examples:
                    out += [f"> {_md(q)}", ""]
        elif kind == "method":
            out += [f"- **{_md(k)}**: {_md(v)}" for k, v in b[1]]
            out.append("")
        elif kind == "code":
            fence = "```"
            while fence in plain(b[1]):
                fence += "`"
            out += [fence + "sh", plain(b[1]), fence, ""]
    return "\n".join(out).rstrip() + "\n"


def _table(columns, rows) -> list[str]:
    lines = ["| " + " | ".join(_md(c) for c in columns) + " |",
             "|" + "|".join("---" if i == 0 else "---:" for i in range(len(columns))) + "|"]
    lines += ["| " + " | ".join(_md(c) for c in r) + " |" for r in rows]
    return lines + [""]
