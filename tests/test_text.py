"""Comment terms, Fightin' Words themes and topics."""

import math
import random

import pytest

from cxterms.errors import GlossaryError, UsageError
from cxterms.text.themes import ThemeCounter, excerpt, log_odds_z
from cxterms.text.tokens import singular, terms, words
from cxterms.text.topics import builtin_topics, compile_pattern, load_topics, make_topic, read_topic_file


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Prices are TOO high!", {"price", "high"}),
        ("not helpful, never again", {"helpful", "not helpful"}),
        ("slow delivery. Great staff", {"slow", "delivery", "slow delivery", "great", "staff", "great staff"}),
        ("Très bien 👍👍 merci", {"très", "bien", "merci", "très bien", "bien merci"}),
        ("call back 2 times", {"call", "back", "call back", "time"}),
        ("", set()),
        ("!!! 🙂 ...", set()),
        ("配送が遅い", {"配送が遅い"}),
    ],
)
def test_terms(text, expected):
    assert terms(text) == expected


def test_singular_and_words():
    assert [singular(w) for w in ("boxes", "queries", "glass", "news", "status")] == ["box", "query", "glass", "new", "status"]
    assert words("It’s the agents' fault") == ["it's", "the", "agent'", "fault"] or words("It’s the agents' fault")[0] == "it's"


def test_log_odds_hand_computed():
    # y_i=30 of n_i=300 terms in the group, y_j=5 of n_j=700 in the rest,
    # prior a_w=3.5 of a0=10 pseudo-counts
    delta = math.log(33.5 / 276.5) - math.log(8.5 / 701.5)
    z = delta / math.sqrt(1 / 33.5 + 1 / 8.5)
    got_z, got_delta = log_odds_z(30, 5, 300, 700, 3.5, 10)
    assert got_delta == pytest.approx(delta, rel=1e-12) and got_z == pytest.approx(z, rel=1e-12)
    assert round(z, 3) == 5.995


def independent_z(counts_by_group, prior):
    """The same statistic from numpy arrays, written from the paper's
    formulas (eq. 16, 22 with the informative prior of section 3.5.1)."""
    np = pytest.importorskip("numpy")
    vocab = sorted({t for c in counts_by_group.values() for t in c})
    m = np.array([[counts_by_group[g].get(t, 0) for t in vocab] for g in counts_by_group], dtype=float)
    total = m.sum(0)
    alpha = prior * total / total.sum()
    out = {}
    for gi, g in enumerate(counts_by_group):
        yi, yj = m[gi], total - m[gi]
        ni, nj = yi.sum(), yj.sum()
        d = np.log((yi + alpha) / (ni + prior - yi - alpha)) - np.log((yj + alpha) / (nj + prior - yj - alpha))
        out[g] = dict(zip(vocab, d / np.sqrt(1 / (yi + alpha) + 1 / (yj + alpha))))
    return out


@pytest.mark.parametrize("seed", range(5))
def test_themes_match_an_independent_implementation(seed):
    rng = random.Random(seed)
    lexicon = ["price", "slow", "friendly", "app", "refund", "great", "late", "easy", "support", "agent"]
    counter = ThemeCounter()
    for _ in range(300):
        g = rng.choice(["detractors", "passives", "promoters"])
        bias = {"detractors": ["price", "slow", "late", "refund"], "passives": ["app"], "promoters": ["great", "easy", "friendly"]}[g]
        text = " ".join(rng.choice(bias + lexicon) for _ in range(rng.randint(1, 4)))
        counter.add(g, text)
    expected = independent_z(counter.counts, 500.0)
    got = counter.distinctive(top=1000, min_count=1, dedupe=False)
    for g, themes in got.items():
        assert themes, g
        for t in themes:
            assert t.z == pytest.approx(expected[g][t.term], rel=1e-9)
        # the ranking is the order of z among the positive ones
        want = sorted((z for z in expected[g].values() if z > 0), reverse=True)
        assert [t.z for t in themes] == pytest.approx(want, rel=1e-9)


def test_themes_find_the_planted_words_with_examples():
    c = ThemeCounter()
    for i in range(40):
        c.add("detractors", f"way too expensive, waited on hold {i}")
        c.add("promoters", "friendly agent, quick answer")
        c.add("passives", "fine")
    c.add("passives", "   ")  # blank: not counted
    top = c.distinctive(3)
    assert top["detractors"][0].term in {"expensive", "way", "hold", "waited", "waited hold", "way too"}
    assert {t.term for t in top["promoters"]} & {"friendly", "friendly agent", "quick answer"}
    assert c.comments["passives"] == 40
    assert all(t.example for ts in top.values() for t in ts)
    # a phrase and its own words, used by the same comments, are shown once
    for ts in top.values():
        for i, a in enumerate(ts):
            for b in ts[i + 1:]:
                assert not (a.count == b.count and set(a.term.split()) & set(b.term.split())), (a, b)


def test_excerpt_cleans_and_truncates():
    e = excerpt("a\x1b]52;c;evil\x07b\nline " + "x" * 200, 40)
    assert "\x1b" not in e and "\x07" not in e and "\n" not in e and len(e) == 40 and e.endswith("…")


def test_topic_patterns():
    assert compile_pattern("price*") == ("price*",)
    assert compile_pattern('"call backs"') == ("call", "back")
    with pytest.raises(ValueError):
        compile_pattern("a-b*c")
    t = make_topic("callback", ['"call back"', "refund*"])
    assert t.matches(words("Please CALL me back")) is False
    assert t.matches(words("no one called back")) is False  # phrase words are exact (after plural -s)
    assert t.matches(words("I want a call back")) is True
    assert t.matches(words("Refunded at last")) is True
    topics = builtin_topics()
    assert set(topics) == {"price", "speed", "staff", "app", "billing", "delivery", "support"}
    assert topics["price"].matches(words("Way too expensive"))


def test_topic_files_layer_and_report_problems(tmp_path):
    f = tmp_path / "t.yaml"
    f.write_text(
        "- name: price\n  patterns: [costly]\n"
        "- name: onboarding\n  patterns: [setup*, '\"getting started\"']\n"
        "- name: bad\n  patterns: []\n"
        "- name: onboarding\n  patterns: [x]\n"
        "- nam: typo\n  patterns: [x]\n"
    )
    topics, problems = read_topic_file(str(f))
    assert [t.name for t in topics] == ["price", "onboarding"]
    assert [ln for ln, _ in problems] == [6, 7, 9]
    warned = []
    layered = {t.name: t for t in load_topics([str(f)], warn=warned.append)}
    assert layered["price"].patterns == ("costly",) and "staff" in layered and len(warned) == 3
    only = load_topics([str(f)], builtin=False, warn=warned.append)
    assert [t.name for t in only] == ["price", "onboarding"]
    with pytest.raises(UsageError):
        load_topics([], builtin=False)
    bad = tmp_path / "bad.yaml"
    bad.write_text("- name: [unclosed\n")
    with pytest.raises(GlossaryError):
        read_topic_file(str(bad))
