"""The term schema: validation of raw records into Terms."""

import pytest

from cxterms.glossary.term import Term, build_term, keep_lines, load_text, paragraphs, sentence_count
from cxterms.io.yamlfile import read_records

GOOD = """\
- id: net-promoter-score
  term: Net Promoter Score
  aliases: [NPS, net promoter]
  category: Experience metrics
  summary: A loyalty score from one 0-10 question.
  definition: |
    First paragraph, wrapped
    over two lines.

    Second paragraph.
  formula: |
    NPS = %P - %D
      (in points)
  scale: 0-10
  example: 50 promoters, 20 detractors of 100 gives 30.
  related: [promoter]
  calculator: cxterms nps
  sources: [Reichheld 2003]
"""


def test_good_record():
    terms, problems = load_text(GOOD, "g.yaml", builtin=True)
    assert problems == []
    (t,) = terms
    assert isinstance(t, Term)
    assert t.id == "net-promoter-score"
    assert t.aliases == ("NPS", "net promoter")
    assert t.definition == "First paragraph, wrapped over two lines.\n\nSecond paragraph."
    assert t.paragraphs == ["First paragraph, wrapped over two lines.", "Second paragraph."]
    assert t.formula == "NPS = %P - %D\n  (in points)"
    assert t.related == ("promoter",)
    assert t.sources == ("Reichheld 2003",)
    assert (t.file, t.line, t.builtin) == ("g.yaml", 1, True)
    assert t.content()["formula"] == t.formula
    assert t.source_info() == {"file": "g.yaml", "line": 1, "builtin": True, "shadows": []}


def record(body: str):
    return read_records(body, "t.yaml")[0]


BASE = "- id: x\n  term: X\n  category: C\n  summary: One sentence.\n  definition: Two. Sentences.\n"


@pytest.mark.parametrize(
    "body, message, line",
    [
        (BASE + "  colour: red\n", "unknown field 'colour'", 6),
        (BASE.replace("  category: C\n", ""), "missing required field: category", 1),
        (BASE.replace("summary: One sentence.", "summary: ''"), "summary is empty", 4),
        (BASE.replace("definition: Two. Sentences.", "definition:"), "definition is empty", 5),
        (BASE.replace("id: x", "id: Not_Kebab"), "must be kebab-case", 1),
        (BASE + "  related: [x]\n", "related lists the entry itself", 6),
        (BASE + "  related: [Bad Id]\n", "is not a valid id", 6),
        (BASE + "  aliases: [ok, '']\n", "empty item in aliases", 6),
        (BASE + "  aliases: {a: b}\n", "must be a list of strings", 6),
        (BASE + "  aliases: [[nested]]\n", "must be a list of strings", 6),
        (BASE + "  formula: [a, b]\n", "must be text, not a list", 6),
        (BASE + "  scale: {a: b}\n", "must be text, not a mapping", 6),
    ],
)
def test_schema_errors(body, message, line):
    term, problems = build_term(record(body), "t.yaml")
    assert term is None
    errors = [p for p in problems if p.severity == "error"]
    assert any(message in p.message and p.line == line for p in errors), problems


@pytest.mark.parametrize(
    "body, message",
    [
        (BASE.replace("One sentence.", "A" * 201), "201 characters long"),
        (BASE.replace("One sentence.", "First one. Second one."), "summary should be one sentence"),
    ],
)
def test_style_rules_are_warnings_and_the_entry_loads(body, message):
    term, problems = build_term(record(body), "t.yaml")
    assert term is not None
    assert [(p.severity, p.line) for p in problems] == [("warning", 4)] and message in problems[0].message


def test_one_bad_record_does_not_drop_the_others():
    text = "- id: a\n  id: b\n" + BASE + "- !!set {x: 1}\n"
    skipped = []
    terms, problems = load_text(text, "d.yaml", skipped=skipped)
    assert [t.id for t in terms] == ["x"]
    assert [(p.line, p.severity) for p in problems] == [(2, "error"), (8, "error")]
    assert [p.line for p in skipped] == [2, 8]


def test_alias_warnings_do_not_block():
    body = BASE + "  aliases: [X, Y, y]\n"
    term, problems = build_term(record(body), "t.yaml")
    assert term is not None
    assert sorted(p.severity for p in problems) == ["warning", "warning"]


def test_single_string_is_a_one_item_list():
    term, problems = build_term(record(BASE + "  aliases: XX\n"), "t.yaml")
    assert problems == [] and term.aliases == ("XX",)


def test_yaml_error_becomes_one_problem():
    terms, problems = load_text("- id: a\n  id: b\n", "d.yaml")
    assert terms == []
    assert [(p.line, p.severity) for p in problems] == [(2, "error")]
    assert str(problems[0]).startswith("d.yaml:2: error: duplicate key")


@pytest.mark.parametrize(
    "text, n",
    [
        ("One sentence.", 1),
        ("One. Two.", 2),
        ("Scores, e.g. NPS, vary. Yes.", 2),
        ("Fader, P. S. and B. G. S. Hardie wrote it.", 1),
        ("Is it? Yes! Fine.", 3),
        ("Ends with 1.5 points.", 1),
    ],
)
def test_sentence_count(text, n):
    assert sentence_count(text) == n


def test_text_normalisers():
    assert paragraphs("a\nb\n\n  \n\nc") == "a b\n\nc"
    assert keep_lines("\n\n  x = 1  \n    y\n\n") == "  x = 1\n    y"
