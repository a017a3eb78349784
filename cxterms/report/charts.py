"""The report's charts, drawn with matplotlib's SVG backend (no Agg, no
display): the answer distribution, the trend with its interval band and
control limits, and the segments with their intervals.

Each chart is a ``Chart``: a key, a title, the SVG markup (prolog
stripped, ids prefixed with the key so several charts can live in one
page), and its text alternative (a table of the plotted numbers).

Output is deterministic: a fixed ``svg.hashsalt`` per chart, no date in
the metadata, text kept as text (``svg.fonttype = 'none'``: the browser
draws it with the page's fonts, so it stays searchable and small).
Colours are the Okabe-Ito palette, safe for the common colour-vision
deficiencies; meaning is never carried by colour alone (markers and
labels say it too). Data text is never interpreted as mathtext.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field

from .text import plain

# Okabe & Ito (2008), "Color Universal Design"
OKABE_ITO = {
    "orange": "#E69F00", "sky": "#56B4E9", "green": "#009E73", "yellow": "#F0E442",
    "blue": "#0072B2", "vermillion": "#D55E00", "purple": "#CC79A7", "black": "#000000", "grey": "#999999",
}
INK = "#222222"
MUTED = "#6b6b6b"


@dataclass
class Chart:
    key: str
    title: str
    svg: str
    columns: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    summary: str = ""


def _rc() -> dict:
    return {
        "svg.fonttype": "none",
        "text.parse_math": False,
        "font.family": "sans-serif",
        "font.sans-serif": ["DejaVu Sans", "Liberation Sans", "Arial", "Helvetica"],
        "font.size": 10,
        "axes.edgecolor": "#888888",
        "axes.labelcolor": INK,
        "axes.titlesize": 12,
        "axes.titleweight": "bold",
        "axes.titlelocation": "left",
        "axes.spines.top": False,
        "axes.spines.right": False,
        "xtick.color": INK,
        "ytick.color": INK,
        "legend.frameon": False,
        "figure.dpi": 96,
    }


def _svg(fig, key: str) -> str:
    from matplotlib.backends.backend_svg import FigureCanvasSVG

    FigureCanvasSVG(fig)
    buf = io.StringIO()
    fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None}, bbox_inches="tight")
    text = buf.getvalue()
    text = text[text.index("<svg"):]
    text = re.sub(r"<!--.*?-->", "", text, flags=re.S)
    # ids unique across the page: prefix every id and every reference to one
    text = re.sub(r'\bid="([^"]+)"', lambda m: f'id="{key}-{m.group(1)}"', text)
    text = re.sub(r'href="#([^"]+)"', lambda m: f'href="#{key}-{m.group(1)}"', text)
    text = re.sub(r"url\(#([^)]+)\)", lambda m: f"url(#{key}-{m.group(1)})", text)
    # scale with the page: keep the viewBox, drop the fixed size
    text = re.sub(r'<svg([^>]*?) width="[^"]*" height="[^"]*"', r'<svg\1', text, count=1)
    return text.strip()


def _figure(width: float, height: float):
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height))


def _fmt(v, digits: int = 1) -> str:
    return "" if v is None else f"{v:.{digits}f}"


def _salted(key: str):
    import matplotlib as mpl

    rc = _rc()
    rc["svg.hashsalt"] = f"cxterms-{key}"
    return mpl.rc_context(rc)


# -- distribution --------------------------------------------------------------


def distribution(doc: dict) -> Chart | None:
    overall = doc["overall"]
    dist = overall.get("distribution") or {}
    if not dist:
        return None
    metric = doc["metric"]
    values = sorted(dist, key=lambda k: int(k))
    counts = [dist[v] for v in values]
    total = sum(counts) or 1
    shares = [100.0 * c / total for c in counts]
    side = _sides(doc)
    colour = {"low": OKABE_ITO["vermillion"], "mid": OKABE_ITO["grey"], "high": OKABE_ITO["blue"]}
    names = _side_names(doc)
    with _salted("dist"):
        fig = _figure(6.4, 2.9)
        ax = fig.add_subplot()
        xs = list(range(len(values)))
        bars = ax.bar(xs, shares, color=[colour[side(int(v))] for v in values], width=0.72)
        for b, s, c in zip(bars, shares, counts):
            ax.annotate(f"{s:.0f}%", (b.get_x() + b.get_width() / 2, b.get_height()), xytext=(0, 2),
                        textcoords="offset points", ha="center", va="bottom", fontsize=8, color=MUTED)
        ax.set_xticks(xs, [str(v) for v in values])
        ax.set_xlabel(f"Answer ({doc['method']['scale']})")
        ax.set_ylabel("Share of answers (%)")
        ax.set_ylim(0, max(shares) * 1.18 + 1)
        ax.grid(axis="y", color="#e5e5e5", linewidth=0.8)
        ax.set_axisbelow(True)
        from matplotlib.patches import Patch

        used = [k for k in ("low", "mid", "high") if any(side(int(v)) == k for v in values)]
        ax.legend([Patch(color=colour[k]) for k in used], [names[k] for k in used], loc="upper left", ncols=len(used),
                  fontsize=8, bbox_to_anchor=(0, 1.02))
        title = f"Distribution of answers (n = {overall.get('n')})"
        svg = _svg(fig, "dist")
    rows = [[str(v), str(c), f"{s:.1f}", names[side(int(v))]] for v, c, s in zip(values, counts, shares)]
    return Chart("dist", title, svg, ["Answer", "Respondents", "Share (%)", "Group"], rows,
                 f"Bar chart of the share of each answer; {metric.upper()} groups coloured.")


def _sides(doc: dict):
    m = doc["method"]
    if doc["metric"] == "nps":
        return lambda v: "high" if v >= 9 else "mid" if v >= 7 else "low"
    if doc["metric"] == "csat":
        k = m["satisfied_min"]
        return lambda v: "high" if v >= k else "low"
    lo, hi = (int(x) for x in m["scale"].split("-"))
    mid = (lo + hi) / 2
    better_low = bool(m.get("lower_is_better"))

    def side(v):
        if v == mid:
            return "mid"
        return "high" if (v < mid) == better_low else "low"

    return side


def _side_names(doc: dict) -> dict:
    if doc["metric"] == "nps":
        return {"low": "Detractors (0-6)", "mid": "Passives (7-8)", "high": "Promoters (9-10)"}
    if doc["metric"] == "csat":
        return {"low": "Not satisfied", "mid": "", "high": f"Satisfied ({doc['method']['satisfied_min']}+)"}
    return {"low": "Difficult", "mid": "Neutral", "high": "Easy"}


# -- trend -----------------------------------------------------------------------


def trend(doc: dict) -> Chart | None:
    periods = doc.get("periods") or []
    metric = doc["metric"]
    pts = [(i, r) for i, r in enumerate(periods) if r.get("n") and r.get(metric) is not None]
    if len(pts) < 2:
        return None
    label = doc["method"]["label"]
    unit = doc["method"]["unit"]
    with _salted("trend"):
        fig = _figure(6.4, 3.3)
        ax = fig.add_subplot()
        xs = [i for i, _ in pts]
        ys = [r[metric] for _, r in pts]
        lo = [r.get("ci_low") if r.get("ci_low") is not None else r[metric] for _, r in pts]
        hi = [r.get("ci_high") if r.get("ci_high") is not None else r[metric] for _, r in pts]
        ax.fill_between(xs, lo, hi, color=OKABE_ITO["sky"], alpha=0.28, linewidth=0,
                        label=f"{doc['method']['confidence'] * 100:g}% interval")
        cl = [(i, r.get("control_low"), r.get("control_high")) for i, r in pts if r.get("control_low") is not None]
        if cl:
            ax.step([c[0] for c in cl], [c[1] for c in cl], where="mid", color=MUTED, linestyle="--", linewidth=0.9,
                    label="Control limits (±3 SE)")
            ax.step([c[0] for c in cl], [c[2] for c in cl], where="mid", color=MUTED, linestyle="--", linewidth=0.9)
        centre = doc["overall"].get(metric)
        if centre is not None:
            ax.axhline(centre, color=MUTED, linewidth=0.8, linestyle=":", label=f"Overall {label} {centre:.1f}")
        ax.plot(xs, ys, color=OKABE_ITO["blue"], marker="o", markersize=4, linewidth=1.8, label=label)
        small = [(i, r) for i, r in pts if r.get("small_sample")]
        if small:  # hollow points: fewer answers than --min-n
            ax.plot([i for i, _ in small], [r[metric] for _, r in small], linestyle="none", marker="o", markersize=6,
                    markerfacecolor="white", markeredgecolor=OKABE_ITO["blue"], markeredgewidth=1.4,
                    label=f"Small sample (n < {doc['method']['min_n']:g})")
        flagged = [(i, r) for i, r in pts if _flag(r)]
        if flagged:
            ax.plot([i for i, _ in flagged], [r[metric] for _, r in flagged], linestyle="none", marker="D",
                    markersize=8, markerfacecolor="none", markeredgecolor=OKABE_ITO["vermillion"],
                    markeredgewidth=1.8, label="Flagged period")
            for i, r in flagged:
                ax.annotate(_flag(r), (i, r[metric]), xytext=(0, 9), textcoords="offset points", ha="center",
                            fontsize=8, color=OKABE_ITO["vermillion"])
        ax.set_xticks(range(len(periods)), [plain(str(r.get("period"))) for r in periods],
                      rotation=45 if len(periods) > 8 else 0, ha="right" if len(periods) > 8 else "center")
        ax.set_xlabel(f"Period ({doc.get('every')})")
        ax.set_ylabel(f"{label} ({unit})")
        ax.grid(axis="y", color="#e5e5e5", linewidth=0.8)
        ax.set_axisbelow(True)
        ax.legend(loc="lower left", bbox_to_anchor=(0, 1.01), ncols=3, fontsize=8, borderaxespad=0)
        title = f"{label} by {doc.get('every')}"
        svg = _svg(fig, "trend")
    rows = [[plain(str(r.get("period"))), str(r.get("n") or 0), _fmt(r.get(metric)), _fmt(r.get("ci_low")),
             _fmt(r.get("ci_high")), _fmt(r.get("control_low")), _fmt(r.get("control_high")), _flag(r) or ""]
            for r in periods]
    return Chart("trend", title, svg, ["Period", "n", label, "Low", "High", "Control low", "Control high", "Flag"], rows,
                 f"Line chart of {label} per period with its interval band, control limits and flagged periods.")


def _flag(r: dict) -> str:
    """Why a period is flagged: outside the control limits and/or a significant change."""
    marks = []
    if r.get("out_of_control"):
        marks.append("outside limits")
    if r.get("significant"):
        marks.append("▲ up" if (r.get("difference") or 0) > 0 else "▼ down")
    return ", ".join(marks)


# -- segments ----------------------------------------------------------------------


def segments(doc: dict) -> Chart | None:
    rows = [r for r in doc.get("segments") or [] if r.get("n") and r.get(doc["metric"]) is not None]
    if not rows:
        return None
    metric = doc["metric"]
    label = doc["method"]["label"]
    unit = doc["method"]["unit"]
    rows = rows[:30]  # the table has them all
    with _salted("seg"):
        fig = _figure(6.4, 0.9 + 0.34 * len(rows))
        ax = fig.add_subplot()
        ys = list(range(len(rows)))[::-1]
        for y, r in zip(ys, rows):
            up = r.get("significant") and (r.get("difference") or 0) > 0
            down = r.get("significant") and (r.get("difference") or 0) < 0
            colour = OKABE_ITO["blue"] if up else OKABE_ITO["vermillion"] if down else MUTED
            marker = "^" if up else "v" if down else "o"
            if r.get("ci_low") is not None:
                ax.plot([r["ci_low"], r["ci_high"]], [y, y], color=colour, linewidth=2.2 if not r.get("small_sample") else 1,
                        linestyle="-" if not r.get("small_sample") else (0, (2, 2)), solid_capstyle="butt")
            ax.plot([r[metric]], [y], marker=marker, color=colour, markersize=7, linestyle="none")
        centre = doc["overall"].get(metric)
        if centre is not None:
            ax.axvline(centre, color=INK, linewidth=0.8, linestyle=":")
            ax.annotate(f"overall {centre:.1f}", (centre, len(rows) - 0.4), ha="left", va="bottom", fontsize=8,
                        color=MUTED, xytext=(3, 0), textcoords="offset points")
        ax.set_yticks(ys, [_short(plain(str(r.get("group")))) for r in rows])
        ax.set_ylim(-0.7, len(rows) - 0.2)
        ax.set_xlabel(f"{label} ({unit}) with {doc['method']['confidence'] * 100:g}% interval")
        ax.grid(axis="x", color="#e5e5e5", linewidth=0.8)
        ax.set_axisbelow(True)
        by = " / ".join(doc.get("segments_by") or [])
        title = f"{label} by {plain(by)}"
        svg = _svg(fig, "seg")
    table = [[plain(str(r.get("group"))), str(r.get("n") or 0), _fmt(r.get(metric)), _fmt(r.get("ci_low")),
              _fmt(r.get("ci_high")), _mark(r)] for r in rows]
    return Chart("seg", title, svg, ["Segment", "n", label, "Low", "High", "Mark"], table,
                 f"Dot plot of {label} per segment with intervals; ▲/▼ significantly above/below, dashed: small sample.")


def _short(text: str, limit: int = 28) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _mark(r: dict) -> str:
    m = ""
    if r.get("significant"):
        m = "▲" if (r.get("difference") or 0) > 0 else "▼"
    if r.get("small_sample") and r.get("n"):
        m += " small sample"
    return m.strip()


def render_all(doc: dict) -> dict[str, Chart]:
    """Every chart the document has data for, keyed dist, trend, seg."""
    out = {}
    for make in (distribution, trend, segments):
        c = make(doc)
        if c is not None:
            out[c.key] = c
    return out
