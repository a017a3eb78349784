"""quiz and export: masking, grading, piped answers, well-formed HTML."""

import csv
import io
import json
from html.parser import HTMLParser

import pytest

from cxterms.glossary.export import safe_cell, to_csv
from cxterms.glossary.quiz import grade, mask
from cxterms.glossary.term import Term

from .conftest import DATA, entry, write_terms

G = ["--no-builtin", "-g", str(DATA / "mini")]
NPS = Term("net-promoter-score", "Net Promoter Score", "M", "s.", "d.", aliases=("NPS",))


@pytest.mark.parametrize(
    "answer, correct, how",
    [
        ("Net Promoter Score", True, "exact"),
        ("net-promoter-score", True, "exact"),
        ("n.p.s.", True, "alias"),
        ("net promoter scores", True, "exact"),
        ("Net Promter Score", True, "typo"),
        ("NSP", False, "wrong"),
        ("CSAT", False, "wrong"),
        ("", False, "skipped"),
    ],
)
def test_grade(answer, correct, how):
    g = grade(answer, NPS)
    assert (g.correct, g.how) == (correct, how)


def test_mask_hides_names_acronyms_and_plurals():
    text = "Net Promoter Score (NPS) is popular; NPSs vary. net-promoter score too. Snps stays."
    assert mask(text, NPS) == "____ (____) is popular; ____ vary. ____ too. Snps stays."


def test_quiz_with_piped_answers(run):
    r = run("quiz", "--count", "2", "--seed", "1", *G, input="bopis\nnps\n")
    assert r.exit_code == 0
    assert "Card 1/2" in r.stdout and "Card 2/2" in r.stdout
    assert r.stdout.count("Right: ") == 2 and r.stdout.rstrip().endswith("Score: 2/2")
    # the answer never appears in its own clue
    clue = r.stdout.splitlines()[1]
    assert "BOPIS" not in clue


def test_quiz_shows_right_answer_after_a_miss(run):
    r = run("quiz", "--count", "2", "--seed", "1", *G, input="nps\ncsat\n")
    assert "Not quite: the answer was BOPIS (buy online, pick up in store)" in r.stdout
    assert r.stdout.rstrip().endswith("Score: 0/2")


def test_quiz_stops_at_end_of_input(run):
    r = run("quiz", "--count", "3", "--seed", "4", *G, input="whatever\n")
    assert r.exit_code == 0 and "Score: 0/3 (2 unanswered)" in r.stdout


def test_quiz_reverse_self_graded(run):
    r = run("quiz", "--reverse", "--count", "2", "--seed", "1", *G, input="y\nn\n")
    assert "Did you know it? [y/n] y" in r.stdout and r.stdout.rstrip().endswith("Score: 1/2")


def test_quiz_json(run):
    r = run("quiz", "--count", "2", "--seed", "1", "-f", "json", *G, input="bopis\nx\n")
    data = json.loads(r.stdout)
    assert data["score"] == 1 and data["cards"] == 2
    assert [c["correct"] for c in data["results"]] == [True, False]
    assert "Card 1/2" in r.stderr  # the cards go to stderr, the results to stdout


def test_quiz_same_seed_same_deck(run):
    a = run("quiz", "--count", "5", "--seed", "9", *G, input="").stdout
    assert a == run("quiz", "--count", "5", "--seed", "9", *G, input="").stdout


def test_quiz_category_and_empty(run):
    r = run("quiz", "-c", "service", "--count", "9", "--seed", "2", *G, input="\n\n\n")
    assert r.stdout.count("Card ") == 3
    assert run("quiz", "-c", "nothing-like-this", *G, input="").exit_code == 1


# -- export -----------------------------------------------------------------

class Checker(HTMLParser):
    """Tag balance, ids and in-page links of an HTML document."""

    VOID = {"meta", "input", "br", "img", "link", "hr"}

    def __init__(self):
        super().__init__()
        self.stack, self.ids, self.links, self.errors, self.external = [], set(), [], [], []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            if a["id"] in self.ids:
                self.errors.append(f"duplicate id {a['id']}")
            self.ids.add(a["id"])
        if tag == "a" and "href" in a:
            (self.links if a["href"].startswith("#") else self.external).append(a["href"])
        for key in ("src",):
            if key in a:
                self.external.append(a[key])
        if tag == "link":
            self.external.append(a.get("href"))
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in self.VOID:
            self.stack.pop()

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"unexpected </{tag}> (open: {self.stack[-3:]})")
        else:
            self.stack.pop()


def check_html(text):
    c = Checker()
    c.feed(text)
    c.close()
    assert c.errors == [] and c.stack == []
    missing = [h for h in c.links if h[1:] not in c.ids]
    assert missing == []
    assert c.external == []  # self-contained
    return c


def test_export_html_is_well_formed_and_links_resolve(run):
    r = run("export", "-f", "html", *G)
    assert r.exit_code == 0
    c = check_html(r.stdout)
    assert "net-promoter-score" in c.ids and "#letter-n" in c.links and "#promoter" in c.links
    assert 'id="filter"' in r.stdout and "<script>" in r.stdout


def test_export_html_escapes_user_text(run, tmp_path):
    f = write_terms(tmp_path / "x.yaml", entry("x", "<b>Bold</b> & co", summary="Quote ' and <script>alert(1)</script>."))
    assert run("define", "x", "--no-builtin", "-g", f).exit_code == 0
    r = run("export", "-f", "html", "--no-builtin", "-g", f)
    check_html(r.stdout)
    assert "<script>alert(1)</script>" not in r.stdout and "&lt;b&gt;Bold&lt;/b&gt; &amp; co" in r.stdout


def test_export_markdown_index_and_anchors(run):
    md = run("export", *G).stdout
    assert md.startswith("# CX glossary\n")
    assert "[N](#letter-n)" in md and '<a id="letter-n"></a>' in md and "## N" in md
    assert '<a id="net-promoter-score"></a>' in md and "### Net Promoter Score" in md
    assert "[Promoter](#promoter)" in md and "```\nNPS = % promoters - % detractors\n```" in md
    anchors = {line.split('"')[1] for line in md.splitlines() if line.startswith('<a id="')}
    import re

    assert {h for h in re.findall(r"\]\(#([^)]+)\)", md)} <= anchors


def test_export_json_and_category(run):
    data = json.loads(run("export", "-f", "json", "-c", "service", *G).stdout)
    assert sorted(d["id"] for d in data) == ["customer-service", "customer-service-and-support", "customer-success"]
    assert {"definition", "aliases", "source"} <= set(data[0])


def test_export_csv_neutralises_formulas(run, tmp_path):
    f = write_terms(tmp_path / "x.yaml", entry("x", "=HYPERLINK(1)", aliases=["@cmd", "-2"], summary="+1 is risky."))
    rows = list(csv.reader(io.StringIO(run("export", "-f", "csv", "--no-builtin", "-g", f).stdout)))
    assert rows[0] == ["term", "aliases", "category", "summary", "definition"]
    assert rows[1][0] == "'=HYPERLINK(1)" and rows[1][1] == "'@cmd; -2" and rows[1][3] == "'+1 is risky."


def test_export_to_file(run, tmp_path):
    out = tmp_path / "g.md"
    r = run("export", "-o", out, *G)
    assert r.exit_code == 0 and r.stdout == "" and out.read_text().startswith("# CX glossary")
    assert r.stderr == f"cxterms: wrote 13 entries to {out}\n"
    bad = run("export", "-o", tmp_path / "missing-dir" / "g.md", *G)
    assert bad.exit_code == 1 and "cannot write" in bad.stderr


def test_safe_cell_and_csv_multiline():
    assert safe_cell("=x") == "'=x" and safe_cell("x=") == "x="
    t = Term("a", "A", "C", "S.", "One.\n\nTwo.")
    rows = list(csv.reader(io.StringIO(to_csv([t]))))
    assert rows[1][4] == "One.\n\nTwo."


def test_category_label_is_masked_when_it_gives_the_answer_away(run, tmp_path):
    f = write_terms(tmp_path / "m.yaml", entry("marketing-stack", "Marketing stack", category="Marketing"))
    r = run("quiz", "--count", "1", "--no-builtin", "-g", f, input="marketing stack\n")
    assert r.exit_code == 0
    first = r.stdout.splitlines()[0]
    assert first == "Card 1/1  (____)" and "Marketing" not in first


def test_readme_quiz_example_deals_cards_its_answers_fit(run):
    """The README (and --help) example pipes 'nps' and 'csat': its seed must
    deal exactly those two cards from the built-in glossary. When the built-in
    entries change, the deck changes: the failure names the seed to use."""
    import random
    import re

    from cxterms.glossary.browse import select
    from cxterms.glossary.store import GlossaryConfig, open_glossary

    from .conftest import REPO

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    helptext = (REPO / "cxterms" / "cli" / "learn.py").read_text(encoding="utf-8")
    pattern = r"printf 'nps\\+ncsat\\+n' \| cxterms quiz --count 2 --seed (\d+)"
    seeds = {int(s) for s in re.findall(pattern, readme) + re.findall(pattern, helptext)}
    assert len(seeds) == 1, seeds
    seed = seeds.pop()
    r = run("quiz", "--count", "2", "--seed", seed, input="nps\ncsat\n")
    if "Score: 2/2" not in r.stdout:
        g = open_glossary(GlossaryConfig())
        idx, want = select(g), [g.ids["net-promoter-score"], g.ids["customer-satisfaction"]]
        fit = next(s for s in range(2_000_000) if random.Random(s).sample(idx, 2) == want)
        pytest.fail(f"--seed {seed} no longer deals NPS then CSAT; use --seed {fit} in README.md and cxterms/cli/learn.py")
