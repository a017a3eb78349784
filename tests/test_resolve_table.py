"""The query table for ``define``: real typos, acronyms, and CX terms that must
not resolve to a neighbour, on the built-in glossary.

Each row is ``(query, expected headword or None, fallback)``. ``None`` means
the query must not resolve (not found or ambiguous). Rows whose expected
entry is not in the glossary (a scope term not written yet) check the
``fallback`` instead: usually None, i.e. "until the entry exists, do not
answer with a neighbour". Rows marked ``never`` list headwords the query must
neither resolve to nor suggest.
"""

import pytest

from cxterms.errors import AmbiguousError
from cxterms.glossary import normalize
from cxterms.glossary.resolve import TermNotFound, resolve
from cxterms.glossary.store import GlossaryConfig, open_glossary

MISSING = object()

# (query, expected, fallback when expected is not an entry yet)
TABLE = [
    # typos
    ("net promotor score", "Net Promoter Score", MISSING),
    ("custmer satisfaction", "Customer satisfaction", MISSING),
    ("customer satisfction", "Customer satisfaction", MISSING),
    ("cusotmer effort score", "Customer effort score", MISSING),
    ("cohrt analysis", "Cohort analysis", MISSING),
    ("omnichanel", "Omnichannel", MISSING),
    ("segmentaion", "Segmentation", MISSING),
    ("personalizaton", "Personalization", MISSING),
    ("detracter", "Detractor", MISSING),
    ("pasive", "Passive", MISSING),
    ("costumer journey", "Customer journey", MISSING),
    ("custmer jouney map", "Customer journey map", MISSING),
    ("customer succes", "Customer success", MISSING),
    ("retention rat", "Retention rate", MISSING),
    ("lead scor", "Lead scoring", MISSING),
    # acronyms, punctuation, plurals
    ("VOC", "Voice of the customer", MISSING),
    ("C.S.A.T.", "Customer satisfaction", MISSING),
    ("K.P.I.", "Key performance indicator", MISSING),
    ("kpis", "Key performance indicator", MISSING),
    ("ccaas", "Contact center as a service", MISSING),
    ("ivr", "Interactive voice response", MISSING),
    ("fcr", "First call resolution", MISSING),
    ("mrr", "Monthly recurring revenue", MISSING),
    ("arpu", "Average revenue per user", MISSING),
    ("cac", "Customer acquisition cost", MISSING),
    ("mql", "Marketing-qualified lead", MISSING),
    ("ltv", "Customer lifetime value", MISSING),
    ("nrr", "Net revenue retention", MISSING),
    ("omni channel", "Omnichannel", MISSING),
    ("chatbots", "Chatbot", MISSING),
    ("nps score", "Net Promoter Score", MISSING),
    ("ces score", "Customer effort score", MISSING),
    ("b2b cx", "B2B customer experience", MISSING),
    ("bg nbd", "BG/NBD model", MISSING),
    # parts of names that are a plausible reading
    ("effort score", "Customer effort score", MISSING),
    ("customer effort", "Customer effort score", MISSING),
    ("conversion", "Conversion rate", MISSING),
    ("attrition", "Churn rate", MISSING),
    ("first party", "First-party data", MISSING),
    ("persona", "Buyer persona", MISSING),
    # words shared by several entries: no pick
    ("customer", None, MISSING),
    ("rate", None, MISSING),
    ("score", None, MISSING),
    ("journey", None, MISSING),
    ("sentiment", None, MISSING),
    ("loyalty", None, MISSING),
    ("net revenue", None, MISSING),
    # CX terms the glossary does not have: never a neighbour
    ("churn prediction", None, MISSING),
    ("brand equity", None, MISSING),
    ("market research", None, MISSING),
    ("customer happiness", None, MISSING),
    ("employee experience", None, MISSING),
    ("service recovery", None, MISSING),
    ("value proposition", None, MISSING),
    ("zero party data", None, MISSING),
    ("voice of the employee", None, MISSING),
    ("nps survey", None, MISSING),
    ("call deflection", None, MISSING),
    # scope terms of the second round: the entry once written, nothing before
    ("activation rate", "Activation rate", None),
    ("activation", "Activation rate", None),
    ("p-value", "Statistical significance", None),
    ("pvalue", "Statistical significance", None),
    ("aht", "Average handle time", None),
    ("handle time", "Average handle time", None),
    ("likert", "Likert scale", None),
    ("erlang", "Erlang C", None),
    ("sla", "Service level agreement", None),
    ("service level", "Service level", None),
    ("onboarding", "Customer onboarding", None),
    ("abandonment rate", "Abandonment rate", None),
    ("shrinkage", "Shrinkage", None),
    ("occupancy", "Agent occupancy", None),
    ("qbr", "Quarterly business review", None),
    ("jtbd", "Jobs to be done", None),
    ("time to value", "Time to value", None),
    ("enps", "Employee Net Promoter Score", None),
    ("tnps", "Transactional NPS", None),
    ("response rate", "Survey response rate", None),
    ("text analytics", "Text analytics", None),
    ("confidence interval", "Confidence interval", None),
    ("sample size", "Sample size", None),
    ("share of wallet", "Share of wallet", None),
    ("rfm", "RFM analysis", None),
    ("derl", "Discounted expected residual lifetime", None),
    ("journey orchestration", "Journey orchestration", None),
    ("stickiness", "DAU/MAU ratio", None),
    ("expansion mrr", "Expansion MRR", None),
    ("contraction mrr", "Contraction MRR", None),
]

#: (query, headwords it must neither resolve to nor suggest)
NEVER = [
    ("persona", {"Personalization"}),
    ("activation rate", {"Churn rate"}),
    ("p-value", {"Customer lifetime value"}),
    ("pvalue", {"Customer lifetime value", "Average order value"}),
    ("abandonment rate", {"Abandoned call"}),
    ("likert", {"Brand advocacy"}),
    ("brand equity", {"Brand recognition", "Brand advocacy"}),
    ("churn prediction", {"Churn rate"}),
]


@pytest.fixture(scope="module")
def builtin():
    return open_glossary(GlossaryConfig())


def _headwords(glossary) -> set[str]:
    return {row[1] for row in glossary.rows}


def outcome(glossary, query):
    """(headword or None, tier or None, suggestions)."""
    try:
        m = resolve(glossary, query)
    except TermNotFound as e:
        return None, None, e.suggestions
    except AmbiguousError as e:
        return None, "ambiguous", [t.term for t in e.candidates]
    return m.term.term, m.tier, []


def test_table_is_big_enough():
    assert len(TABLE) >= 60
    assert len({q for q, _, _ in TABLE}) == len(TABLE)


@pytest.mark.parametrize("query, expected, fallback", TABLE, ids=[q for q, _, _ in TABLE])
def test_query_table(builtin, query, expected, fallback):
    if expected is not None and expected not in _headwords(builtin):
        if fallback is MISSING:
            pytest.fail(f"{expected!r} is not in the glossary")
        expected = fallback
    got, tier, _suggestions = outcome(builtin, query)
    assert got == expected, (query, got, tier)


@pytest.mark.parametrize("query, never", NEVER, ids=[q for q, _ in NEVER])
def test_never_a_neighbour(builtin, query, never):
    got, _tier, suggestions = outcome(builtin, query)
    assert got not in never
    assert not (set(suggestions) & never), suggestions


def test_ndr_names_net_revenue_retention_once_added(builtin):
    if builtin.keys.get(normalize.key("NDR")) is None:
        pytest.skip("the alias NDR is not in the glossary yet")
    assert outcome(builtin, "ndr")[0] == "Net revenue retention"


@pytest.mark.parametrize(
    "query, tier",
    [("promot", "prefix"), ("net promotor score", "fuzzy"), ("persona", "fuzzy"), ("conversion", "prefix")],
)
def test_non_exact_answers_are_marked(builtin, query, tier):
    """Every answer that is not a name carries a tier the CLI turns into a note."""
    got, t, _ = outcome(builtin, query)
    assert got is not None and t == tier


@pytest.mark.parametrize("query", [q for q, e, _ in TABLE if e is not None][::4])
def test_cli_notes_every_non_exact_answer(builtin, run, query):
    got, tier, _ = outcome(builtin, query)
    if got is None:
        pytest.skip("not an answer in this glossary")
    r = run("define", query, "-f", "plain")
    assert r.exit_code == 0 and r.stdout.startswith(got + "\n")
    if tier in ("prefix", "fuzzy"):
        (note,) = r.stderr.splitlines()
        assert note.startswith("cxterms: ") and repr(got) in note
    else:
        assert r.stderr == ""
