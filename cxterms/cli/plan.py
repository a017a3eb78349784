"""``cxterms plan``: how many respondents for a margin of error or to detect a
difference, and the reverse (what a given n can detect)."""

from enum import Enum
from typing import Annotated, Optional

import typer

from .metric_options import ConfidenceOpt, QuietOpt, TableFormatOpt
from .output import TableFormat
from .render_metrics import Field, View

app = typer.Typer()

EXPECT = "Expected results"
GOAL = "Goal"


class PlanMetric(str, Enum):
    nps = "nps"
    csat = "csat"
    ces = "ces"


def parse_share(text: str, option: str) -> float:
    """A share as a fraction: ``45%``, ``45`` (above 1: percent) or ``0.45``.

    >>> parse_share("45%", "--promoters"), parse_share("0.45", "--promoters"), parse_share("45", "--promoters")
    (0.45, 0.45, 0.45)
    """
    from ..errors import UsageError

    t = text.strip()
    pct = t.endswith("%")
    try:
        v = float(t[:-1] if pct else t)
    except ValueError:
        raise UsageError(f"{option} takes a share such as 45% or 0.45, not {text!r}") from None
    if pct or v > 1:
        v /= 100.0
    if not 0.0 <= v <= 1.0:
        raise UsageError(f"{option} must be between 0% and 100%, not {text!r}")
    return v


def _view(metric: str, goal: str) -> View:
    unit = "num3" if metric == "ces" else "num2"
    inputs = {
        "nps": (Field("promoters", "Promoters (share)", "frac"), Field("detractors", "Detractors (share)", "frac"),
                Field("variance", "Variance pP + pD - (pP - pD)^2", "num4")),
        "csat": (Field("share", "Satisfied (share)", "frac"),),
        "ces": (Field("sd", "Standard deviation", "num3"),),
    }[metric]
    goal_fields = {
        "margin": (Field("margin", "Margin of error", unit), Field("n", "Respondents needed", "int")),
        "difference": (Field("difference", "Difference to detect", unit), Field("power", "Power", "conf"),
                       Field("n", "Respondents per group", "int"), Field("total_n", "Respondents in all", "int")),
        "detectable": (Field("n", "Respondents per group", "int"), Field("power", "Power", "conf"),
                       Field("margin_of_error", "Margin of error", unit),
                       Field("detectable_difference", "Smallest detectable difference", unit)),
    }[goal]
    headline = "detectable_difference" if goal == "detectable" else "n"
    return View("PLAN", (Field("metric", "Metric", "text"), Field("goal", "Goal", "text"), *inputs, *goal_fields,
                         Field("confidence", "Confidence", "conf"), Field("formula", "Formula", "text")), headline)


FORMULAS = {
    ("nps", "margin"): "n = z^2 s^2 / d^2 - 3, s^2 = pP + pD - (pP - pD)^2",
    ("nps", "difference"): "n = (z + z_power)^2 (s1^2 + s2^2) / d^2 - 3 per group",
    ("nps", "detectable"): "d = (z + z_power) sqrt(2 s^2 / (n + 3)); margin = z sqrt(s^2 / (n + 3))",
    ("csat", "margin"): "n = z^2 p (1 - p) / d^2",
    ("csat", "difference"): "n = (z + z_power)^2 (p1 q1 + p2 q2) / d^2 per group, p2 = p -/+ d toward 50%",
    ("csat", "detectable"): "smallest d with (z + z_power)^2 (p1 q1 + p2 q2) / d^2 <= n; margin = z sqrt(p q / n)",
    ("ces", "margin"): "smallest n with t(n-1) sd / sqrt(n) <= d",
    ("ces", "difference"): "n = 2 (z + z_power)^2 sd^2 / d^2 per group",
    ("ces", "detectable"): "d = (z + z_power) sd sqrt(2 / n); margin = t(n-1) sd / sqrt(n)",
}


@app.command()
def plan(
    ctx: typer.Context,
    metric: Annotated[PlanMetric, typer.Argument(help="nps, csat or ces.", case_sensitive=False)],
    promoters: Annotated[Optional[str], typer.Option("--promoters", metavar="SHARE", help="NPS: expected promoter share (45% or 0.45).", rich_help_panel=EXPECT)] = None,
    detractors: Annotated[Optional[str], typer.Option("--detractors", metavar="SHARE", help="NPS: expected detractor share.", rich_help_panel=EXPECT)] = None,
    share: Annotated[Optional[str], typer.Option("--share", metavar="SHARE", help="CSAT: expected satisfied share.", rich_help_panel=EXPECT)] = None,
    sd: Annotated[Optional[float], typer.Option("--sd", metavar="SD", help="CES: expected standard deviation of the answers.", rich_help_panel=EXPECT)] = None,
    margin: Annotated[Optional[float], typer.Option("--margin", metavar="D", help="Target margin of error (points for NPS and CSAT, answer units for CES).", rich_help_panel=GOAL)] = None,
    difference: Annotated[Optional[float], typer.Option("--difference", metavar="D", help="Difference between two groups to detect (same units).", rich_help_panel=GOAL)] = None,
    n: Annotated[Optional[int], typer.Option("--n", metavar="N", min=2, help="Respondents per group you have: the margin of error and the smallest detectable difference.", rich_help_panel=GOAL)] = None,
    power: Annotated[float, typer.Option("--power", metavar="P", help="Chance of detecting the difference when it is real.", rich_help_panel=GOAL)] = 0.8,
    confidence: ConfidenceOpt = 0.95,
    format: TableFormatOpt = TableFormat.auto,
    quiet: QuietOpt = False,
) -> None:
    """Sample size for a margin of error or to detect a difference, and back.

    NPS (MeasuringU's adjusted-Wald formulas): n = z^2 s^2 / d^2 - 3 with
    s^2 = pP + pD - (pP - pD)^2 for a margin of d points; to detect a
    difference d between two groups, n = (z + z_power)^2 (s1^2 + s2^2) /
    d^2 - 3 per group. CSAT uses the binomial variance p (1 - p), CES the
    expected standard deviation. With --n instead of --margin/--difference:
    the margin of error and the smallest detectable difference for n per
    group.

    Example:

        cxterms plan nps --promoters 45% --detractors 25% --margin 5
        cxterms plan nps --promoters 45% --detractors 25% --difference 10 --power 0.8
        cxterms plan csat --share 80% --margin 3
        cxterms plan ces --sd 1.2 --margin 0.1
        cxterms plan nps --promoters 45% --detractors 25% --n 400
    """
    from ..errors import UsageError
    from ..metrics import plan as P
    from .inputs import check_confidence
    from .render_metrics import emit_single

    session = ctx.obj
    check_confidence(confidence)
    if not 0.0 < power < 1.0:
        raise UsageError(f"--power must be between 0 and 1 (exclusive), e.g. 0.8, not {power!r}")
    goals = [g for g, v in (("margin", margin), ("difference", difference), ("detectable", n)) if v is not None]
    if len(goals) != 1:
        raise UsageError("give exactly one of --margin, --difference or --n")
    goal = goals[0]
    for name, v in (("--margin", margin), ("--difference", difference)):
        if v is not None and not v > 0:
            raise UsageError(f"{name} must be positive, not {v!r}")
    m = metric.value
    need = {"nps": ("--promoters", "--detractors"), "csat": ("--share",), "ces": ("--sd",)}[m]
    given = {"--promoters": promoters, "--detractors": detractors, "--share": share, "--sd": sd}
    missing = [o for o in need if given[o] is None]
    extra = [o for o, v in given.items() if v is not None and o not in need]
    if missing:
        raise UsageError(f"plan {m} needs {' and '.join(missing)}")
    if extra:
        raise UsageError(f"{', '.join(extra)} do(es) not apply to plan {m}")
    d: dict = {"metric": m, "goal": goal}
    kw = {"confidence": confidence}
    try:
        if m == "nps":
            pp, pd = parse_share(promoters, "--promoters"), parse_share(detractors, "--detractors")
            if pp + pd > 1.0 + 1e-12:
                raise UsageError("--promoters and --detractors add up to more than 100%")
            d.update(promoters=pp, detractors=pd, variance=P.nps_variance(pp, pd))
            if goal == "margin":
                d.update(margin=margin, n=P.nps_n_for_margin(pp, pd, margin, **kw))
            elif goal == "difference":
                d.update(difference=difference, power=power, n=P.nps_n_for_difference(pp, pd, difference, power=power, **kw))
            else:
                d.update(n=n, power=power, margin_of_error=P.nps_margin_for_n(pp, pd, n, **kw),
                         detectable_difference=P.nps_detectable_difference(pp, pd, n, power=power, **kw))
        elif m == "csat":
            p = parse_share(share, "--share")
            d.update(share=p)
            if goal == "margin":
                d.update(margin=margin, n=P.csat_n_for_margin(p, margin, **kw))
            elif goal == "difference":
                d.update(difference=difference, power=power, n=P.csat_n_for_difference(p, difference, power=power, **kw))
            else:
                d.update(n=n, power=power, margin_of_error=P.csat_margin_for_n(p, n, **kw),
                         detectable_difference=P.csat_detectable_difference(p, n, power=power, **kw))
        else:
            if not sd > 0:
                raise UsageError(f"--sd must be positive, not {sd!r}")
            d.update(sd=sd)
            if goal == "margin":
                d.update(margin=margin, n=P.ces_n_for_margin(sd, margin, **kw))
            elif goal == "difference":
                d.update(difference=difference, power=power, n=P.ces_n_for_difference(sd, difference, power=power, **kw))
            else:
                d.update(n=n, power=power, margin_of_error=P.ces_margin_for_n(sd, n, **kw),
                         detectable_difference=P.ces_detectable_difference(sd, n, power=power, **kw))
    except ValueError as e:
        raise UsageError(str(e)) from None
    if goal == "difference":
        d["total_n"] = 2 * d["n"]
    d["confidence"] = confidence
    d["formula"] = FORMULAS[(m, goal)]
    if goal == "margin" and m in ("nps", "csat") and margin >= 50:
        session.out().warn("a margin of 50 points or more says almost nothing; check the units (points, not shares)")
    emit_single(session, _view(m, goal), d, format, quiet=quiet, title=f"Sample size: {m.upper()}")
