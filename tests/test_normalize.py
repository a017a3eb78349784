"""Name normalisation: the table of equivalences and its invariants."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cxterms.glossary.normalize import key, singular, spaced, tokens


@pytest.mark.parametrize(
    "a, b",
    [
        ("CSAT", "c-sat"),
        ("CSAT", "C.S.A.T."),
        ("nps", "NPS"),
        ("Net promoter scores", "Net Promoter Score"),
        ("net-promoter-score", "Net Promoter Score"),
        ("voice of customer", "Voice of the Customer"),
        ("customer service & support", "Customer service and support"),
        ("A/B testing", "a-b testing"),
        ("Café", "cafe"),
        ("KPIs", "KPI"),
        ("strategies", "strategy"),
        ("cookies", "cookie"),
        ("  lots   of\tspace ", "lots of space"),
    ],
)
def test_equivalent_names(a, b):
    assert key(a) == key(b)


@pytest.mark.parametrize(
    "a, b",
    [
        ("CES", "CE"),  # short words keep their final s
        ("business", "busine"),  # -ss is not a plural
        ("customer success", "customer service"),
        ("NPS", "CES"),
    ],
)
def test_distinct_names(a, b):
    assert key(a) != key(b)


def test_article_only_name_is_kept():
    assert key("The") == "the"


def test_spaced_and_tokens():
    assert spaced("Customer-Effort  Score") == "customer effort score"
    assert tokens("buy online, pick up in store") == ["buy", "online", "pick", "up", "in", "store"]


WORDS = st.lists(st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=8), min_size=1, max_size=5)
SEPARATORS = st.sampled_from([" ", "-", ".", "  ", " - ", "/", "_", "\t"])


@given(WORDS, st.data())
def test_separators_do_not_matter(words, data):
    joined = words[0]
    for w in words[1:]:
        joined += data.draw(SEPARATORS) + w
    assert key(joined) == key(" ".join(words))


@given(WORDS)
def test_case_does_not_matter(words):
    text = " ".join(words)
    assert key(text.upper()) == key(text) == key(text.title())


@given(WORDS)
def test_plural_s_does_not_matter(words):
    last = words[-1]
    if len(last) >= 3 and not last.endswith("s") and not last.isdigit():
        assert key(" ".join([*words[:-1], last + "s"])) == key(" ".join(words))


@given(WORDS)
def test_and_ampersand_equivalent(words):
    assert key(" & ".join(words)) == key(" and ".join(words))


@given(st.text())
def test_key_is_plain_ascii_alnum(text):
    k = key(text)
    assert k == "".join(c for c in k if c.isascii() and c.isalnum() and not c.isupper())


@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=12))
def test_singular_never_grows(word):
    assert len(singular(word)) <= len(word)
