"""The shareable report: a result document (dict) -> HTML, Markdown or JSON.

The document is built by ``cxterms.cli.report.gather`` from the same result
dicts the nps/csat/ces commands print; nothing here computes a statistic.
``charts`` draws it with matplotlib's SVG backend (the ``report`` extra),
``html`` and ``markdown`` lay it out, escaping every string from the data.
"""

from __future__ import annotations

import json
import os

__all__ = ["load_charts", "write_report", "to_json"]


def load_charts():
    """The chart module (imports matplotlib); a DependencyError with the install hint when missing."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        from ..errors import MissingDependencyError

        raise MissingDependencyError("cxterms report needs matplotlib for its charts", hint="pip install 'cxterms[report]'") from None
    from . import charts

    return charts


def to_json(doc: dict) -> str:
    """The numbers, as one JSON document (unrounded; NaN never appears)."""
    return json.dumps(doc, indent=2, ensure_ascii=False, allow_nan=False, default=str) + "\n"


def write_report(doc: dict, fmt: str, target: str, *, renderer=None, stdout=None) -> list[str]:
    """Render ``doc`` as ``fmt`` and write it atomically to ``target`` ("-": ``stdout``).

    Markdown writes its charts as SVG files beside the page
    (``<stem>-<chart>.svg``). Returns the paths written.
    """
    from ..atomic import write_atomic

    if fmt == "json":
        text, extra = to_json(doc), {}
    else:
        charts = renderer.render_all(doc)
        if fmt == "html":
            from .html import to_html

            text, extra = to_html(doc, charts), {}
        else:
            from .markdown import to_markdown

            stem = "report" if target == "-" else os.path.splitext(os.path.basename(target))[0]
            names = {key: f"{stem}-{key}.svg" for key in charts}
            text = to_markdown(doc, charts, names)
            folder = "." if target == "-" else os.path.dirname(target) or "."
            extra = {os.path.join(folder, names[k]): c.svg for k, c in charts.items()}
    written = []
    for path, svg in extra.items():
        write_atomic(path, svg)
        written.append(path)
    if target == "-":
        stdout.write(text)
    else:
        write_atomic(target, text)
        written.append(target)
    return written
