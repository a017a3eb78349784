"""The report's content as a list of blocks, shared by the HTML and Markdown
renderers (so both say the same thing in the same order). Blocks hold raw
data text; each renderer escapes it for its own format.

Block kinds: ("h2", id, text), ("p", text), ("note", text), ("cards", [(label,
value, unit, detail)]), ("figure", chart_key), ("table", caption, columns, rows,
row_classes), ("themes", [(group, [(term, count, share)], [verbatims])]),
("method", [(label, value)]), ("code", text).
"""

from __future__ import annotations

FORMULAS = {
    "nps": "NPS = % promoters (9-10) − % detractors (0-6), in points from −100 to 100. "
           "Standard error from the trinomial variance of the promoter/detractor split.",
    "csat": "CSAT = 100 × answers at or above the satisfied threshold ÷ answers (top-2-box by default); "
            "the mean answer is shown too.",
    "ces": "CES = the mean answer; easy and difficult shares are the answers on the good and bad side of the "
           "scale's midpoint.",
}
INTERVALS = {
    "adjusted-wald": "adjusted-Wald interval (Rocks 2016; Lewis & Sauro: +¾ promoter and detractor, +3 respondents)",
    "wald": "Wald interval (normal approximation of the trinomial)",
    "wilson": "Wilson score interval of the satisfied share",
    "t": "Student t interval of the mean (mean ± t(n−1) × s/√n)",
}
ADJUST = {"holm": "Holm (family-wise error)", "bh": "Benjamini-Hochberg (false discovery rate)", "none": "none"}


def number(doc: dict, v, *, signed: bool = False) -> str:
    if v is None:
        return "–"
    digits = 2 if doc["metric"] == "ces" else 1
    s = f"{v:+.{digits}f}" if signed else f"{v:.{digits}f}"
    return s.replace("-", "−")


def unit_short(doc: dict) -> str:
    return {"nps": " pts", "csat": "%", "ces": ""}[doc["metric"]]


def pval(p) -> str:
    if p is None:
        return "–"
    return "< 0.001" if p < 0.001 else f"{p:.3f}"


def mark(r: dict) -> str:
    if r.get("significant"):
        return "▲" if (r.get("difference") or 0) > 0 else "▼"
    return ""


def blocks(doc: dict, charts: dict) -> list[tuple]:
    m = doc["method"]
    o = doc["overall"]
    metric, label = doc["metric"], m["label"]
    u = unit_short(doc)
    out: list[tuple] = []

    # -- headline --------------------------------------------------------------
    cards = []
    lvl = f"{m['confidence'] * 100:g}%"
    cards.append((label, number(doc, o.get(metric)), u.strip(),
                  f"{lvl} interval {number(doc, o.get('ci_low'))} to {number(doc, o.get('ci_high'))}"))
    n_detail = "weighted: effective n " + f"{o.get('effective_n'):.0f}" if m.get("weight") else "answers with a valid score"
    cards.append(("Respondents", f"{o.get('n'):,}", "", n_detail))
    if o.get("period_first"):
        span = o["period_first"] if o["period_first"] == o["period_last"] else f"{o['period_first']} – {o['period_last']}"
        cards.append(("Period covered", span, "", f"by {doc.get('every')}"))
    ch = doc.get("change")
    if ch and ch.get("difference") is not None:
        verdict = ("significant " + ("rise" if ch["difference"] > 0 else "fall")) if ch.get("significant") else "not significant"
        cards.append((f"Change vs {ch.get('vs')}", f"{mark(ch)} {number(doc, ch['difference'], signed=True)}".strip(),
                      u.strip(), f"{ch.get('period')}: {ch.get('test')}, adjusted p = {pval(ch.get('p_adjusted'))} ({verdict})"
                      + (f"; small sample (n = {ch.get('n')})" if ch.get("small_sample") else "")))
    elif ch:
        cards.append(("Latest period", ch.get("period") or "–", "", "no earlier period with answers to compare"))
    out.append(("cards", cards))
    lines = []
    if o.get("trend_slope") is not None:
        sig = o.get("trend_p_value") is not None and o["trend_p_value"] < 1 - m["confidence"]
        lines.append(f"Trend over the periods: {number(doc, o['trend_slope'], signed=True)}{u} per {doc.get('every')} "
                     f"(weighted least squares, p = {pval(o.get('trend_p_value'))}: "
                     f"{'a real trend' if sig else 'no clear trend'}).")
    if o.get("small_sample"):
        lines.append(f"Small sample: fewer than {m['min_n']:g} answers (effective n). Read with care.")
    if o.get("note"):
        lines.append(str(o["note"]))
    for line in lines:
        out.append(("p", line))

    # -- distribution -------------------------------------------------------------
    if "dist" in charts:
        out.append(("h2", "distribution", "Distribution of answers"))
        out.append(("figure", "dist"))

    # -- trend -----------------------------------------------------------------------
    periods = doc.get("periods")
    if periods:
        out.append(("h2", "trend", f"Trend by {doc.get('every')}"))
        if "trend" in charts:
            out.append(("figure", "trend"))
        flagged = [r for r in periods if r.get("out_of_control") or r.get("significant")]
        if flagged:
            for r in flagged:
                why = []
                if r.get("out_of_control"):
                    why.append(f"outside the control limits ({number(doc, r.get('control_low'))} to "
                               f"{number(doc, r.get('control_high'))})")
                if r.get("significant"):
                    why.append(f"{'up' if r['difference'] > 0 else 'down'} {number(doc, abs(r['difference']))}{u} on "
                               f"{r.get('vs')} (adjusted p = {pval(r.get('p_adjusted'))})")
                out.append(("note", f"Flagged: {r.get('period')}, {label} {number(doc, r.get(metric))}{u}: {'; '.join(why)}."))
        else:
            out.append(("p", f"No period is outside the control limits (overall ± 3 SE for its n), and no change "
                             f"from one period to the next is significant after the {ADJUST[m['adjust']].split(' (')[0]} adjustment."))
        out.append(("table", "Periods", ["Period", "n", label, "Interval", f"Change", "p adj.", "Flag"],
                    [[r.get("period"), _n(r), number(doc, r.get(metric)), _ci(doc, r),
                      number(doc, r.get("difference"), signed=True) if r.get("difference") is not None else "–",
                      pval(r.get("p_adjusted")), _flagtext(r, m)] for r in periods],
                    [_rowclass(r) for r in periods]))

    # -- segments ------------------------------------------------------------------------
    segs = doc.get("segments")
    if segs:
        by = " / ".join(doc.get("segments_by") or [])
        out.append(("h2", "segments", f"Segments by {by}"))
        if "seg" in charts:
            out.append(("figure", "seg"))
        vs = {"rest": "the rest of the sample", "total": "the total"}.get(m.get("segments_vs"), m.get("segments_vs"))
        out.append(("table", f"{label} by {by}", ["Segment", "n", label, "Interval", f"vs {m.get('segments_vs')}", "p adj.", "Mark"],
                    [[r.get("group"), _n(r), number(doc, r.get(metric)), _ci(doc, r),
                      number(doc, r.get("difference"), signed=True) if r.get("difference") is not None else "–",
                      pval(r.get("p_adjusted")), _flagtext(r, m)] for r in segs],
                    [_rowclass(r) for r in segs]))
        out.append(("note", f"▲/▼: significantly higher/lower than {vs} ({m.get('segment_test')}, "
                            f"{ADJUST[m['adjust']]} adjusted p < {1 - m['confidence']:.2g}). "
                            f"Small sample: fewer than {m['min_n']:g} answers (effective n), read with care."))

    # -- comments ------------------------------------------------------------------------
    c = doc.get("comments")
    if c:
        out.append(("h2", "comments", "What people say"))
        out.append(("p", f"{c.get('with_text', 0):,} of {c.get('answered', 0):,} respondents wrote a comment "
                         f"(column {c.get('column')!s}). Themes are the words and phrases most distinctive of each "
                         f"answer group (weighted log-odds with an informative prior, Monroe et al. 2008)."))
        groups = []
        for g in c.get("groups") or []:
            themes = (c.get("themes") or {}).get(g) or []
            groups.append((g, [(t["term"], t["count"], t["share"]) for t in themes], (c.get("examples") or {}).get(g, [])))
        out.append(("themes", groups))
        topics = c.get("topics")
        if topics:
            out.append(("table", "Topics", ["Topic", "Mentions", "Share of comments", f"{label} of those mentioning",
                                            "Others", "Difference", "p adj."],
                        [[t["topic"], f"{t['mentions']:,}", f"{t['share']:.1f}%" if t.get("share") is not None else "–",
                          number(doc, t.get(metric)), number(doc, t.get("others")),
                          (mark(t) + " " + number(doc, t.get("difference"), signed=True)).strip()
                          if t.get("difference") is not None else "–", pval(t.get("p_adjusted"))] for t in topics],
                        ["sig" if t.get("significant") else "" for t in topics]))
            out.append(("note", f"A topic is mentioned when a comment uses one of its words. Difference: {label} of those "
                                f"mentioning it minus everyone else's ({m.get('test')}); "
                                f"▲/▼ significant ({ADJUST[m['adjust']]} adjusted across topics, p < 0.05)."))

    # -- method ------------------------------------------------------------------------------
    items = [("Formula", FORMULAS[metric]),
             ("Interval", f"{lvl} {INTERVALS.get(m['interval'], m['interval'])}")]
    if m.get("weight"):
        items.append(("Weights", f"column {m['weight']}: weighted shares and means; intervals and tests use Kish's "
                                 "effective sample size (Σw)² / Σw²"))
    if segs:
        against = {"rest": "the rest of the sample", "total": "the total"}.get(m.get("segments_vs"), m.get("segments_vs"))
        items.append(("Segment tests", f"each segment against {against} ({m.get('segment_test')})"))
    if periods:
        items.append(("Period tests", "each period against the previous one with answers; trend by weighted least "
                                      "squares; control limits: overall ± 3 SE for the period's n"))
    if segs or periods:
        items.append(("Adjustment", f"{ADJUST[m['adjust']]} across the segments and across the periods"))
    items.append(("Small samples", f"flagged below {m['min_n']:g} answers (effective n)"))
    filters = m.get("filters") or {}
    items.append(("Filters", ", ".join(f"{k}: {v:,} rows left out" for k, v in filters.items()) or "none"))
    sk = m.get("skipped") or {}
    skipped = [f"{sk.get('blank', 0):,} blank score cells", f"{sk.get('invalid', 0):,} invalid score cells"
               + (" (--skip-invalid)" if sk.get("invalid") else "")]
    items.append(("Rows skipped", "; ".join(skipped)))
    items.append(("Source", f"{doc.get('source')}, score from {doc.get('column')}"))
    items.append(("cxterms", m.get("version")))
    out.append(("h2", "method", "Method"))
    out.append(("method", items))
    out.append(("code", m.get("command") or ""))
    return out


def _n(r) -> str:
    n = r.get("n") or 0
    return f"{n:,}"


def _ci(doc, r) -> str:
    if r.get("ci_low") is None:
        return "–"
    return f"{number(doc, r['ci_low'])} to {number(doc, r['ci_high'])}"


def _flagtext(r: dict, m: dict) -> str:
    parts = []
    if mark(r):
        parts.append(mark(r))
    if r.get("out_of_control"):
        parts.append("! outside limits")
    if r.get("n") and r.get("small_sample"):
        parts.append("small sample")
    if not r.get("n"):
        parts.append("no answers")
    return " ".join(parts)


def _rowclass(r: dict) -> str:
    cls = []
    if r.get("significant"):
        cls.append("up" if (r.get("difference") or 0) > 0 else "down")
    if r.get("out_of_control"):
        cls.append("ooc")
    if r.get("small_sample") or not r.get("n"):
        cls.append("small")
    return " ".join(cls)
