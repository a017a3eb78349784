"""Rendering metric results: plain, JSON, CSV/TSV, quiet headline, Rich.

A *view* lists a metric's fields (key, label, display format) and its
headline. Machine formats (JSON, CSV, TSV) carry unrounded numbers; plain,
Rich and ``-q`` show them rounded as documented in the README.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from typing import NamedTuple

from .output import Out, TableFormat, clean_line


class Field(NamedTuple):
    key: str
    label: str
    kind: str  # int, pts, pct, num2, frac, conf, text, money, bool, num4


class View(NamedTuple):
    name: str
    fields: tuple[Field, ...]
    headline: str


def fmt(value, kind: str) -> str:
    """Display rounding of one value.

    >>> fmt(30.0, "pts"), fmt(0.0512, "frac"), fmt(0.95, "conf"), fmt(None, "pts"), fmt(1234.5, "money")
    ('30.0', '5.12%', '95%', '', '1234.50')
    """
    if value is None:
        return ""
    if kind == "int":
        return f"{value:d}" if isinstance(value, int) else f"{value:g}"
    if kind in ("pts", "pct"):
        return f"{value:.1f}"
    if kind == "num2":
        return f"{value:.2f}"
    if kind == "num3":
        return f"{value:.3f}"
    if kind == "num4":
        return f"{value:.4f}"
    if kind == "frac":
        return f"{100 * value:.2f}%"
    if kind == "conf":
        return f"{100 * value:g}%"
    if kind == "money":
        return f"{value:.2f}"  # no thousands separators: -q output feeds arithmetic
    if kind == "bool":
        return "yes" if value else "no"
    return clean_line(str(value))


def headline(view: View, data: dict) -> str:
    kind = next(f.kind for f in view.fields if f.key == view.headline)
    return fmt(data.get(view.headline), kind)


def flat(data: dict) -> dict:
    """Drop nested values (distributions) for tabular formats."""
    return {k: v for k, v in data.items() if not isinstance(v, (dict, list))}


def _csv_value(v) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return repr(v)
    return clean_line(str(v))


def write_rows(out: Out, fmt_: TableFormat, rows: Sequence[dict]) -> None:
    """CSV or TSV: a header of keys, then one row per result (unrounded)."""
    import io

    keys: list[str] = []
    for r in rows:
        for k in flat(r):
            if k not in keys:
                keys.append(k)
    buf = io.StringIO()
    w = csv.writer(buf, delimiter="," if fmt_ is TableFormat.csv else "\t", lineterminator="\n")
    w.writerow(keys)
    for r in rows:
        w.writerow([_csv_value(r.get(k)) for k in keys])
    out.write(buf.getvalue(), end="")


def plain_single(out: Out, view: View, data: dict, extra: Sequence[Field] = ()) -> None:
    for f in (*view.fields, *extra):
        v = data.get(f.key)
        if v is not None:
            out.write(f"{f.key}\t{fmt(v, f.kind)}")


def label_keys(label_key: str | Sequence[str]) -> tuple[str, ...]:
    return (label_key,) if isinstance(label_key, str) else tuple(label_key)


def is_overall(row: dict, keys: Sequence[str]) -> bool:
    return all(row.get(k) is None for k in keys)


def label_cells(row: dict, keys: Sequence[str]) -> list[str]:
    """Display labels of a row; the overall row reads "all"."""
    if is_overall(row, keys):
        return ["all"] + [""] * (len(keys) - 1)
    return [clean_line("" if row.get(k) is None else str(row[k])) for k in keys]


def plain_rows(out: Out, view: View, label_key: str | Sequence[str], rows: Sequence[dict]) -> None:
    lk = label_keys(label_key)
    keys = [f.key for f in view.fields]
    kinds = {f.key: f.kind for f in view.fields}
    out.write("\t".join([*lk, *keys]))
    for r in rows:
        cells = label_cells(r, lk) + [fmt(r.get(k), kinds[k]) for k in keys]
        out.write("\t".join(cells))


# -- Rich -----------------------------------------------------------------

SPARKS = "▁▂▃▄▅▆▇█"


def sparkline(values: Sequence[float]) -> str:
    """Unicode sparkline of a series.

    >>> sparkline([0, 50, 100]), sparkline([3, 3])
    ('▁▅█', '▄▄')
    """
    if not values:
        return ""
    lo, hi = min(values), max(values)
    if hi == lo:
        return SPARKS[3] * len(values)
    return "".join(SPARKS[round((v - lo) / (hi - lo) * (len(SPARKS) - 1))] for v in values)


def rich_summary(view: View, data: dict, title: str, extra: Sequence[Field] = ()):
    from rich.table import Table
    from rich.text import Text

    table = Table(title=Text(clean_line(title)), title_justify="left", show_header=False, box=None, padding=(0, 2))
    table.add_column(style="bold")
    table.add_column(justify="right")
    for f in (*view.fields, *extra):
        v = data.get(f.key)
        if v is None:
            continue
        style = "bold cyan" if f.key == view.headline else None
        table.add_row(f.label, Text(fmt(v, f.kind), style=style or ""))
    return table


def rich_distribution(dist: dict[str, int], colour_of) -> object:
    """Horizontal bar chart of answer counts."""
    from rich.table import Table
    from rich.text import Text

    total = sum(dist.values()) or 1
    top = max(dist.values()) or 1
    table = Table(title="Distribution", title_justify="left", show_header=False, box=None, padding=(0, 1))
    table.add_column(justify="right", style="bold")
    table.add_column()
    table.add_column(justify="right")
    table.add_column(justify="right", style="dim")
    for answer, count in dist.items():
        bar = "█" * max(0, round(30 * count / top)) if count else ""
        table.add_row(answer, Text(bar, style=colour_of(int(answer))), str(count), f"{100 * count / total:.1f}%")
    return table


MARKS = {"higher": " ▲", "lower": " ▼"}


def marks(row: dict) -> str:
    """Significance and control marks of a row: ▲/▼ (significantly higher or
    lower), ! (outside the control limits).

    >>> marks({"direction": "higher", "out_of_control": True}), marks({})
    (' ▲ !', '')
    """
    return MARKS.get(row.get("direction") or "", "") + (" !" if row.get("out_of_control") else "")


def rich_rows(view: View, label_key: str | Sequence[str], rows: Sequence[dict], columns: Sequence[str], trend: bool = False,
              notes: Sequence[str] = ()):
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    lk = label_keys(label_key)
    fields = {f.key: f for f in view.fields}
    table = Table(title_justify="left")
    for k in lk:
        table.add_column(k.replace("_", " ").capitalize(), style="bold", overflow="fold")
    for key in columns:
        table.add_column(fields[key].label, justify="right", style="bold cyan" if key == view.headline else None)
    for r in rows:
        if is_overall(r, lk):
            table.add_section()
        cells = [fmt(r.get(k), fields[k].kind) + (marks(r) if k == view.headline else "") for k in columns]
        table.add_row(*[Text(c) for c in label_cells(r, lk)], *cells,
                      style="dim" if r.get("small_sample") and not is_overall(r, lk) else None)
    parts: list = [table]
    if trend:
        # one sparkline per series: the whole table, or each group when the
        # last label is the period (--by with --period)
        series_of: dict = {}
        for r in rows:
            if not is_overall(r, lk):
                series_of.setdefault(tuple(label_cells(r, lk[:-1])) if len(lk) > 1 else (), []).append(r)
        kind = fields[view.headline].kind
        for name, members in series_of.items():
            points = [r for r in members if r.get(view.headline) is not None]
            series = [r[view.headline] for r in points]
            prefix = " / ".join(n for n in name if n)
            line = Text(f"{prefix + '  ' if prefix else ''}{fields[view.headline].label} trend  ")
            for r, ch in zip(points, sparkline(series)):
                line.append(ch, style="bold red" if r.get("out_of_control") else "cyan")
            if series:
                line.append(f"  {fmt(series[0], kind)} → {fmt(series[-1], kind)}")
            src = members[-1] if prefix else next((r for r in rows if is_overall(r, lk)), {})
            if src.get("trend_slope") is not None:
                p = src.get("trend_p_value")
                line.append(f"  slope {src['trend_slope']:+.2f}/period" + (f" (p {p:.3f})" if p is not None else ""))
            parts.append(line)
    parts.extend(Text(n, style="dim") for n in notes)
    return Group(*parts) if len(parts) > 1 else table


def emit_single(session, view: View, data: dict, fmt_, *, quiet: bool, title: str, extra_fields: Sequence[Field] = (), extra_rich: Sequence = (),
                notes: Sequence[str] = ()) -> None:
    """One result in the requested format."""
    from .output import resolve_format

    out = session.out()
    fmt_ = resolve_format(fmt_, session.env)
    if quiet:
        out.write(headline(view, data))
    elif fmt_ is TableFormat.json:
        out.json(data)
    elif fmt_ in (TableFormat.csv, TableFormat.tsv):
        write_rows(out, fmt_, [data])
    elif fmt_ is TableFormat.plain:
        plain_single(out, view, data, extra_fields)
    else:
        from rich.console import Group
        from rich.text import Text

        out.print(Group(rich_summary(view, data, title, extra_fields), *extra_rich, *(Text(n, style="dim") for n in notes)))


def emit_rows(session, view: View, rows: Sequence[dict], fmt_, *, label_key: str | Sequence[str], quiet: bool, columns: Sequence[str], trend: bool = False,
              notes: Sequence[str] = ()) -> None:
    """Several results (groups, periods, or both); a row whose labels are all
    None is the overall."""
    from .output import resolve_format

    out = session.out()
    fmt_ = resolve_format(fmt_, session.env)
    lk = label_keys(label_key)
    if quiet:
        out.lines("\t".join([*label_cells(d, lk), headline(view, d)]) for d in rows if not is_overall(d, lk))
    elif fmt_ is TableFormat.json:
        out.json(list(rows))
    elif fmt_ in (TableFormat.csv, TableFormat.tsv):
        write_rows(out, fmt_, rows)
    elif fmt_ is TableFormat.plain:
        plain_rows(out, view, label_key, rows)
    else:
        out.print(rich_rows(view, lk, rows, columns, trend=trend, notes=notes))
