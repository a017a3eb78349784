"""The report as one self-contained HTML page: styles and SVG charts inline,
no scripts, no external resources (a Content-Security-Policy forbids them
too), a print stylesheet for A4 and Letter, and a layout that reads on a
phone. Every data string goes through ``text.h``."""

from __future__ import annotations

from .layout import blocks
from .text import h

CSS = """
:root{--ink:#1f2328;--muted:#5f6368;--line:#e3e3e3;--soft:#f6f7f9;--blue:#0072B2;--verm:#D55E00;--sky:#56B4E9}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",Arial,sans-serif;color:var(--ink);background:#fff}
main{max-width:980px;margin:0 auto;padding:28px 24px 40px}
header{border-bottom:3px solid var(--blue);padding-bottom:10px;margin-bottom:18px}
h1{font-size:1.6rem;margin:0 0 4px;line-height:1.25;overflow-wrap:anywhere}
.sub{color:var(--muted);font-size:.9rem;margin:0;overflow-wrap:anywhere}
h2{font-size:1.2rem;margin:30px 0 10px;padding-bottom:4px;border-bottom:1px solid var(--line)}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(190px,1fr));gap:12px;margin:6px 0 12px}
.card{background:var(--soft);border-radius:8px;padding:12px 14px;border-left:4px solid var(--blue)}
.card:first-child{border-left-color:var(--ink)}
.card .k{font-size:.78rem;text-transform:uppercase;letter-spacing:.04em;color:var(--muted)}
.card .v{font-size:1.45rem;font-weight:700;line-height:1.2;margin:2px 0;overflow-wrap:anywhere}
.card:first-child .v{font-size:2.3rem}
.card .u{font-size:.55em;font-weight:600;color:var(--muted)}
.card .d{font-size:.82rem;color:var(--muted)}
figure{margin:8px 0 14px;break-inside:avoid;overflow-x:auto;-webkit-overflow-scrolling:touch}
figure svg{width:100%;max-width:720px;height:auto;display:block}
figcaption{font-weight:600;margin-bottom:4px}
details{font-size:.85rem;color:var(--muted);margin-top:4px}
summary{cursor:pointer}
.tw{overflow-x:auto;-webkit-overflow-scrolling:touch;margin:6px 0}
table{border-collapse:collapse;width:100%;font-size:.88rem;font-variant-numeric:tabular-nums}
caption{text-align:left;font-weight:600;padding:4px 0}
th,td{padding:5px 8px;border-bottom:1px solid var(--line);text-align:right;white-space:nowrap}
th:first-child,td:first-child{text-align:left;white-space:normal;overflow-wrap:anywhere;min-width:7em}
thead th{background:var(--soft);font-weight:600;border-bottom:2px solid #cfcfcf}
tr.up td:last-child{color:var(--blue);font-weight:700}
tr.down td:last-child{color:var(--verm);font-weight:700}
tr.ooc td:last-child{color:var(--verm);font-weight:700}
tr.small td{color:#8a8a8a}
tr.sig td:nth-last-child(2){font-weight:700}
.note{font-size:.88rem;color:var(--muted);margin:6px 0}
.flag{color:var(--verm);font-weight:600}
.themes{display:grid;grid-template-columns:repeat(auto-fit,minmax(260px,1fr));gap:14px}
.theme{border:1px solid var(--line);border-radius:8px;padding:10px 12px;break-inside:avoid}
.theme h3{margin:0 0 6px;font-size:1rem;text-transform:capitalize}
.theme ol{margin:0 0 8px;padding-left:1.3em}
.theme li{margin:1px 0}
.theme .c{color:var(--muted);font-size:.82rem}
blockquote{margin:6px 0;padding:4px 10px;border-left:3px solid var(--sky);color:#333;font-style:italic;font-size:.9rem;overflow-wrap:anywhere}
.method{background:var(--soft);border-radius:8px;padding:12px 16px;break-inside:avoid}
.method dl{display:grid;grid-template-columns:max-content 1fr;gap:4px 16px;margin:0}
.method dt{font-weight:600}
.method dd{margin:0;overflow-wrap:anywhere}
code.cmd{display:block;margin-top:10px;padding:8px 10px;background:#fff;border:1px solid var(--line);border-radius:6px;font-size:.8rem;white-space:pre-wrap;overflow-wrap:anywhere}
footer{margin-top:26px;font-size:.78rem;color:var(--muted)}
@media (max-width:560px){
 main{padding:16px 12px 28px}
 h1{font-size:1.3rem}
 .cards{grid-template-columns:1fr 1fr;gap:8px}
 .card{padding:8px 10px}
 .card:first-child{grid-column:1/-1}
 .card .v{font-size:1.2rem}.card:first-child .v{font-size:1.9rem}
 .method dl{grid-template-columns:1fr}
 .method dt{margin-top:6px}
 th,td{padding:4px 6px}
}
@page{size:auto;margin:14mm 12mm}
@media print{
 body{font-size:10.5pt}
 main{max-width:none;padding:0}
 .card{background:#fff;border:1px solid #ccc}
 details{display:none}
 h2{break-after:avoid}
 table,figure,.theme,.method{break-inside:avoid}
 .tw{overflow:visible}
 a{color:inherit;text-decoration:none}
}
"""


def to_html(doc: dict, charts: dict) -> str:
    m = doc["method"]
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">",
        f'<meta name="generator" content="cxterms {h(m.get("version"))}">',
        f"<title>{h(doc['title'])}</title>",
        f"<style>{CSS}</style>",
        "</head>",
        "<body>",
        "<main>",
        "<header>",
        f"<h1>{h(doc['title'])}</h1>",
        f'<p class="sub">Source {h(doc["source"])} · score from {h(doc["column"])} · '
        f"{h(m['label'])} on a {h(m['scale'])} scale</p>",
        "</header>",
    ]
    for b in blocks(doc, charts):
        parts.append(_block(b, charts))
    parts += [
        f'<footer>Made with cxterms {h(m.get("version"))}. Numbers as printed by <code>cxterms {h(doc["metric"])}</code> '
        "with the same options; see Method.</footer>",
        "</main>",
        "</body>",
        "</html>",
        "",
    ]
    return "\n".join(parts)


def _block(b: tuple, charts: dict) -> str:
    kind = b[0]
    if kind == "h2":
        return f'<h2 id="{h(b[1])}">{h(b[2])}</h2>'
    if kind == "p":
        return f"<p>{h(b[1])}</p>"
    if kind == "note":
        cls = "note flag" if b[1].startswith("Flagged") else "note"
        return f'<p class="{cls}">{h(b[1])}</p>'
    if kind == "cards":
        cards = "".join(f'<div class="card"><div class="k">{h(k)}</div><div class="v">{h(v)}'
                        + (f' <span class="u">{h(u)}</span>' if u else "")
                        + f'</div><div class="d">{h(d)}</div></div>' for k, v, u, d in b[1])
        return f'<section class="cards" aria-label="Headline">{cards}</section>'
    if kind == "figure":
        return _figure(charts[b[1]])
    if kind == "table":
        _, caption, columns, rows, classes = b
        return _table(caption, columns, rows, classes)
    if kind == "themes":
        cards = []
        for group, themes, examples in b[1]:
            items = "".join(f'<li>{h(t)} <span class="c">{c:,} · {s:.0f}%</span></li>' for t, c, s in themes)
            quotes = "".join(f"<blockquote>{h(q)}</blockquote>" for q in examples)
            body = f"<ol>{items}</ol>" if items else '<p class="note">No distinctive themes.</p>'
            cards.append(f'<div class="theme"><h3>{h(group)}</h3>{body}{quotes}</div>')
        return f'<section class="themes">{"".join(cards)}</section>'
    if kind == "method":
        rows = "".join(f"<dt>{h(k)}</dt><dd>{h(v)}</dd>" for k, v in b[1])
        return f'<section class="method"><dl>{rows}</dl>'
    if kind == "code":
        return f'<code class="cmd">{h(b[1])}</code></section>'
    raise ValueError(kind)  # pragma: no cover - layout and renderer disagree


def _table(caption, columns, rows, classes=None) -> str:
    head = "".join(f'<th scope="col">{h(c)}</th>' for c in columns)
    body = []
    for i, r in enumerate(rows):
        cls = (classes or [""] * len(rows))[i]
        cells = f'<th scope="row">{h(r[0])}</th>' + "".join(f"<td>{h(c)}</td>" for c in r[1:])
        body.append(f'<tr class="{h(cls)}">{cells}</tr>' if cls else f"<tr>{cells}</tr>")
    cap = f"<caption>{h(caption)}</caption>" if caption else ""
    return f'<div class="tw"><table>{cap}<thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table></div>'


def _figure(chart) -> str:
    svg = chart.svg.replace("<svg ", f'<svg role="img" aria-labelledby="{chart.key}-title" ', 1)
    # a <title> as the first child names the chart for screen readers
    close = svg.index(">") + 1
    svg = svg[:close] + f'<title id="{chart.key}-title">{h(chart.title)}</title>' + svg[close:]
    table = _table(None, chart.columns, chart.rows)
    return (f'<figure class="chart" id="chart-{chart.key}"><figcaption>{h(chart.title)}</figcaption>{svg}'
            f"<details><summary>Data table ({h(chart.summary)})</summary>{table}</details></figure>")
