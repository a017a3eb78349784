"""The built-in glossary: every scope term and alias resolves; content rules."""

import re

import pytest

from cxterms.glossary.resolve import resolve
from cxterms.glossary.store import GlossaryConfig, open_glossary

from .conftest import DATA


def scope_lines():
    """(name, [alias forms], [listed parts]) for every term line of the copied scope list.

    Parenthesised text is tried whole and split on commas, since both
    readings appear ("churn, customer churn, customer attrition" lists three
    names; "budget, authority, need, timing" spells out one acronym). The
    parts of a list are kept apart: when the whole text is itself a name of
    the entry (a spelled-out acronym), its parts need not be names too, so
    that "frequency" is not forced onto RFM analysis. A parenthesis that
    starts with a preposition qualifies the name and is tried with it.
    """
    out = []
    for line in (DATA / "glossary-scope.md").read_text(encoding="utf-8").splitlines():
        if line.startswith("## Facts"):
            break
        m = re.match(r"^- (.+?)(?: \((.+)\))?$", line)
        if not m:
            continue
        name, paren = m.group(1), m.group(2)
        forms, parts = [], []
        if paren and paren.split()[0] in ("in", "for", "of"):
            forms.append(f"{name} {paren}")  # a qualifier: "Discount rate (in CLV)"
        elif paren:
            forms.append(paren)
            if "," in paren:
                parts = [p.strip() for p in paren.split(",") if p.strip()]
        out.append((name, forms, parts))
    return out


SCOPE = scope_lines()


def shared_forms():
    """Alias forms that the scope list gives to more than one term ("CI")."""
    from cxterms.glossary.normalize import key

    seen: dict[str, set[str]] = {}
    for name, forms, parts in SCOPE:
        for form in (*forms, *parts):
            seen.setdefault(key(form), set()).add(name)
    return {k for k, names in seen.items() if len(names) > 1}


SHARED = shared_forms()


@pytest.fixture(scope="module")
def builtin():
    return open_glossary(GlossaryConfig())


def test_scope_list_is_complete():
    assert len(SCOPE) == 229
    assert SHARED == {"ci"}  # Customer intelligence (CI) and Confidence interval (CI)


def _forms_to_check(term, forms, parts):
    from cxterms.glossary.normalize import key

    names = {key(n) for n in (term.term, *term.aliases)}
    whole_is_a_name = bool(forms) and key(forms[0]) in names
    return [*forms, *([] if whole_is_a_name else parts)]


@pytest.mark.parametrize("name, forms, parts", SCOPE, ids=[n for n, _, _ in SCOPE])
def test_every_scope_name_and_alias_resolves(builtin, name, forms, parts):
    from cxterms.errors import AmbiguousError
    from cxterms.glossary.normalize import key

    m = resolve(builtin, name)
    assert m.tier == "exact", f"{name!r} is not a headword (found {m.term.term!r} by {m.tier})"
    for form in _forms_to_check(m.term, forms, parts):
        if key(form) in SHARED:
            # A name the scope gives to several terms either lists them all
            # or answers one whose definition points to the others.
            try:
                hit = resolve(builtin, form)
            except AmbiguousError as err:
                assert m.term.id in {t.id for t in err.value.candidates}, form
                continue
            assert hit.term.id == m.term.id or m.term.term.lower() in hit.term.definition.lower(), form
            assert form in m.term.definition or form in m.term.aliases, form
            continue
        hit = resolve(builtin, form)
        assert hit.term.id == m.term.id, f"{form!r} resolved to {hit.term.id}, not {m.term.id}"


def test_scope_aliases_work_on_the_command_line(run, builtin):
    from cxterms.glossary.normalize import key

    for name, forms, parts in SCOPE:
        term = builtin.by_id(resolve(builtin, name).term.id)
        for text in (name, *_forms_to_check(term, forms, parts)):
            r = run("define", text, "-f", "json")
            if key(text) in SHARED:
                assert r.exit_code in (0, 1) and term.term.lower() in (r.stderr + r.stdout).lower(), (text, r.stderr)
            else:
                assert r.exit_code == 0, (text, r.stderr)


def test_ndr_is_net_revenue_retention(builtin):
    for form in ("NDR", "net dollar retention"):
        assert resolve(builtin, form).term.id == "net-revenue-retention"


def test_categories_are_few_and_balanced(builtin):
    cats = dict(builtin.categories())
    assert 8 <= len(cats) <= 10
    # no category more than about 1.5 times the mean (22.9 with 229 entries)
    assert min(cats.values()) >= 8 and max(cats.values()) <= 35
    assert sum(cats.values()) == len(builtin) == len(SCOPE)


def test_definitions_say_enough(builtin):
    from cxterms.glossary.term import sentence_count

    for t in builtin.all():
        assert sentence_count(t.definition) >= 2, t.id
        assert len(t.definition.split()) >= 60, t.id
        assert len(t.summary) <= 200 and sentence_count(t.summary) == 1, t.id
    linked = [t for t in builtin.all() if len(t.related) >= 2]
    assert len(linked) >= 0.9 * len(builtin)


METRIC_CATEGORIES = {"Experience metrics", "Revenue and retention metrics"}


def test_metric_entries_have_formula_example_and_calculator(builtin):
    for t in builtin.all():
        if t.category not in METRIC_CATEGORIES or t.id in ("key-performance-indicator", "business-metric"):
            continue
        assert t.formula, t.id
        assert t.example, t.id
    calculators = {t.id: t.calculator for t in builtin.all() if t.calculator}
    for id_, command in {
        "net-promoter-score": "cxterms nps", "customer-satisfaction": "cxterms csat", "customer-effort-score": "cxterms ces",
        "churn-rate": "cxterms churn", "customer-lifetime-value": "cxterms clv", "shifted-beta-geometric-model": "cxterms retention",
    }.items():
        assert calculators[id_] == command
    assert calculators["bg-nbd-model"].startswith("cxterms clv --model bgnbd")
    assert calculators["gamma-gamma-spend-model"].startswith("cxterms clv --model bgnbd")


def test_facts_to_get_right(builtin):
    nps = builtin.by_id("net-promoter-score")
    text = " ".join([nps.definition, nps.scale, nps.formula])
    for fact in ("0-10", "9 or 10", "7 or 8", "0 to 6", "-100", "+100"):
        assert fact in text, fact
    assert "1-10" not in text
    csat = builtin.by_id("customer-satisfaction")
    assert "4 or 5" in csat.formula and "mean" in csat.definition and "top-2-box" in csat.definition
    ces = builtin.by_id("customer-effort-score")
    assert "1 (very low effort) to 5 (very high" in ces.definition and "1-7" in ces.definition
    assert "made it easy for me to handle my issue" in ces.definition
    apex = builtin.by_id("apex")
    text = apex.summary + " " + apex.definition
    assert "Salesforce" in text and "object-oriented" in text and "strongly typed" in text
    assert re.search(r"(no connection with|nothing to do with|not related to) Microsoft", text)
    cxm = builtin.by_id("customer-experience-management")
    assert {"CXM", "CEM"} <= set(cxm.aliases)


@pytest.mark.parametrize(
    "left, right",
    [
        ("customer-service", "customer-support"), ("customer-service", "customer-success"),
        ("customer-support", "customer-success"), ("customer-experience", "user-experience"),
        ("customer-experience", "customer-experience-management"), ("first-party-data", "third-party-data"),
        ("segmentation", "micro-segmentation"),
    ],
)
def test_neighbours_are_distinguished(builtin, left, right):
    """Each of a pair of easily confused entries names the other."""
    a, b = builtin.by_id(left), builtin.by_id(right)
    assert b.term.lower() in a.definition.lower() or right in a.related, (left, right)


def test_review_fixes_stay_fixed(builtin):
    passive = builtin.by_id("passive")
    assert "inflate" not in passive.definition and "away from zero" in passive.definition
    assert "-33.3" in passive.example and "-20" in passive.example
    moe = builtin.by_id("margin-of-error")
    assert "Rocks (2016)" in moe.definition and "Lewis and Sauro, which" not in moe.definition
    assert "still active" in builtin.by_id("customer-retention").formula
    assert "paper" not in builtin.by_id("top-2-box-score").definition
    assert any("Gamma-Gamma Model of Monetary Value" in s for s in builtin.by_id("gamma-gamma-spend-model").sources)
    assert "path analyzes" not in builtin.by_id("clickstream-data").definition
    # "Salesforce" alone names no entry: it is a company, not Apex or IoT Cloud
    from cxterms.errors import NotFoundError
    from cxterms.glossary.normalize import key

    assert not [t.id for t in builtin.all() if "salesforce" in {key(n) for n in t.names}]
    with pytest.raises(NotFoundError):
        resolve(builtin, "Salesforce")


BRITISH = re.compile(
    r"\b(?:(?:colour|behaviour|favour|labour|honour|neighbour)\w*|centre[sd]?|analys(?:e|ed|ing)\b|catalogues?|programmes?|"
    r"licence|cancelled|cancelling|travelled|modelled|modelling|labelled|labelling|fulfil\b|judgement|afterwards|"
    r"towards|whilst|amongst|telecoms|centimetres?|acknowledgements?|dialling|barrelled|car park|"
    r"(?:organis|recognis|optimis|personalis|prioritis|customis|utilis|minimis|maximis|standardis|realis|summaris|"
    r"visualis|criticis|categoris|normalis|authoris|centralis|digitis|monetis|synchronis|specialis|apologis)(?:e|ed|es|ing|ations?))\b",
    re.IGNORECASE,
)


def test_entries_use_us_spelling(builtin):
    """Entry text is in US spelling (aliases may list British forms, for lookup)."""
    for t in builtin.all():
        text = " ".join(filter(None, [t.term, t.summary, t.definition, t.formula, t.scale, t.example]))
        found = sorted({m.group(0) for m in BRITISH.finditer(text)})
        assert not found, (t.id, found)


def test_model_examples_match_the_models(builtin):
    """The worked examples of the customer-base model entries agree with cxterms' own model code."""
    pytest.importorskip("scipy")
    from cxterms.models import bgnbd, sbg

    fit = bgnbd.BGNBDFit(r=0.243, alpha=4.414, a=0.793, b=2.426)
    assert round(float(bgnbd.probability_alive(fit, 4, 30, 39)), 2) == 0.72
    assert round(float(bgnbd.probability_alive(fit, 4, 10, 39)), 2) == 0.06
    assert "0.72" in builtin.by_id("probability-alive").example and "0.06" in builtin.by_id("probability-alive").example
    s = sbg.SBGFit(alpha=1.0, beta=3.0)
    first = sbg.discounted_expected_residual_lifetime(s, 0, 0.10)  # F&H's n = 1
    fifth = sbg.discounted_expected_residual_lifetime(s, 4, 0.10)  # F&H's n = 5
    text = builtin.by_id("discounted-expected-residual-lifetime").example
    assert f"{first:.2f}" in text and f"{fifth:.2f}" in text
    assert f"{20 * first:.1f}" in text and f"{20 * fifth:.1f}" in text


def _erlang_c(a: float, n: int) -> float:
    from math import factorial

    top = a**n / factorial(n) * n / (n - a)
    return top / (sum(a**k / factorial(k) for k in range(n)) + top)


def test_contact_center_and_survey_examples_add_up(builtin):
    """Recompute the figures quoted in worked examples that are not simple ratios."""
    from math import exp

    a, aht = 100 * 180 / 1800, 180
    text = builtin.by_id("erlang-c").example
    for n, p_wait, sl, asa in ((13, "0.285", "79.6%", "17.1 s"), (14, "0.174", "88.8%", "7.8 s")):
        pw = _erlang_c(a, n)
        assert f"{pw:.3f}" == p_wait and p_wait in text
        assert f"{100 * (1 - pw * exp(-(n - a) * 20 / aht)):.1f}%" == sl and sl in text
        assert f"{pw * aht / (n - a):.1f} s" == asa and asa in text
    weights = [0.5 / 0.6] * 600 + [0.5 / 0.4] * 400
    n_eff = sum(weights) ** 2 / sum(w * w for w in weights)
    assert round(n_eff) == 960 and "n_eff = 1,000^2 / 1,041.7 = 960" in builtin.by_id("survey-weighting").example
    assert round(1.96**2 * 0.25 / 0.05**2, 1) == 384.2 and round(1.96**2 / 0.05**2, 1) == 1536.6
    text = builtin.by_id("pareto-nbd-model").example
    assert f"{(11.7 / 50.7) ** 0.6:.2f}" == "0.41" and "= 0.41" in text
