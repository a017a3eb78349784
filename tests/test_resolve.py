"""The resolver tiers, as a table of cases on the small test glossary."""

import pytest

from cxterms.errors import AmbiguousError
from cxterms.glossary.resolve import TermNotFound, resolve
from cxterms.glossary.store import GlossaryConfig, open_glossary

from .conftest import DATA


@pytest.fixture(scope="module")
def mini():
    return open_glossary(GlossaryConfig(builtin=False, user_paths=(str(DATA / "mini"),)))


@pytest.mark.parametrize(
    "query, id_, tier, matched",
    [
        ("Net Promoter Score", "net-promoter-score", "exact", "Net Promoter Score"),
        ("  net promoter score ", "net-promoter-score", "exact", "Net Promoter Score"),
        ("net-promoter-score", "net-promoter-score", "exact", "net-promoter-score"),
        ("nps", "net-promoter-score", "alias", "NPS"),
        ("N.P.S.", "net-promoter-score", "alias", "NPS"),
        ("Net promoter scores", "net-promoter-score", "alias", "Net Promoter Score"),
        ("c-sat", "customer-satisfaction", "alias", "CSAT"),
        ("CSAT", "customer-satisfaction", "alias", "CSAT"),
        ("voice of customer", "voice-of-the-customer", "alias", "Voice of the customer"),
        ("customer service & support", "customer-service-and-support", "alias", "Customer service and support"),
        ("ab testing", "ab-testing", "alias", "A/B testing"),
        ("BOPIS", "bopis", "exact", "BOPIS"),
        ("promot", "promoter", "prefix", "Promoter"),
        ("360", "360-degree-customer-view", "fuzzy", "360-degree customer view"),
        ("buy online", "bopis", "fuzzy", "buy online, pick up in store"),
        ("pick up in store", "bopis", "fuzzy", "buy online, pick up in store"),
        ("Net Promotor Score", "net-promoter-score", "fuzzy", "Net Promoter Score"),
        ("custmer efort score", "customer-effort-score", "fuzzy", "Customer effort score"),
        ("customer serv", "customer-service", "fuzzy", "Customer service"),
    ],
)
def test_resolves(mini, query, id_, tier, matched):
    m = resolve(mini, query)
    assert (m.term.id, m.tier, m.matched) == (id_, tier, matched)
    assert m.query == query
    assert 0 < m.score <= 100


def test_shared_alias_lists_every_entry(mini):
    with pytest.raises(AmbiguousError) as err:
        resolve(mini, "cs")
    assert sorted(t.id for t in err.value.candidates) == ["customer-service", "customer-success"]


@pytest.mark.parametrize(
    "query, suggested",
    [
        ("retension", {"Retention rate", "Customer retention"}),
        ("customer s", {"Customer service", "Customer success", "Customer satisfaction"}),
        ("xyzzy", set()),
        ("", set()),
        ("---", set()),
    ],
)
def test_not_found_with_suggestions(mini, query, suggested):
    with pytest.raises(TermNotFound) as err:
        resolve(mini, query)
    assert suggested <= set(err.value.suggestions)
    assert len(err.value.suggestions) <= 5


def test_headword_beats_alias_of_another_entry(tmp_path):
    from .conftest import entry, write_terms

    f = write_terms(
        tmp_path / "t.yaml",
        entry("churn", "Churn") + entry("churn-rate", "Churn rate", aliases=["churn"]),
    )
    g = open_glossary(GlossaryConfig(builtin=False, user_paths=(str(f),)))
    assert resolve(g, "Churn").term.id == "churn"  # exact
    assert resolve(g, "churns").term.id == "churn"  # key: headword of one, alias of the other


@pytest.mark.parametrize(
    "query, id_",
    [("nps, N.P.S.", "net-promoter-score"), ("CSAT, customer satisfaction", "customer-satisfaction")],
)
def test_comma_list_of_names_for_one_entry(mini, query, id_):
    m = resolve(mini, query)
    assert (m.term.id, m.tier) == (id_, "alias")


def test_comma_list_naming_different_entries_is_not_a_hit(mini):
    with pytest.raises(TermNotFound):
        resolve(mini, "nps, csat")
