"""Safe YAML reading: no object construction, duplicate keys, line numbers."""

import pytest

from cxterms.errors import GlossaryError
from cxterms.io.yamlfile import read_records


def test_values_and_lines():
    recs = read_records("- id: a\n  term: Alpha\n  aliases: [x, y]\n- id: b\n", "f.yaml")
    assert [r.line for r in recs] == [1, 4]
    assert recs[0].fields["term"].value == "Alpha"
    assert recs[0].fields["term"].line == 2
    assert [a.value for a in recs[0].fields["aliases"].value] == ["x", "y"]


@pytest.mark.parametrize(
    "text, value",
    [
        ("- term: yes", "yes"),  # not True: the YAML 1.1 "Norway problem"
        ("- term: no", "no"),
        ("- term: 1.10", "1.10"),  # not 1.1
        ("- term: 2024-01-01", "2024-01-01"),  # not a date object
        ("- term: 007", "007"),
        ("- term: 'quoted: text'", "quoted: text"),
    ],
)
def test_scalars_are_kept_as_typed(text, value):
    assert read_records(text, "f")[0].fields["term"].value == value


def test_empty_value_is_none():
    assert read_records("- term:\n", "f")[0].fields["term"].value is None
    assert read_records("- term: ''\n", "f")[0].fields["term"].value == ""


@pytest.mark.parametrize(
    "text, message, line",
    [
        ("- id: a\n  id: b\n", "duplicate key 'id' (first on line 1)", 2),
        ("- !!python/object/apply:os.system [echo hi]\n", "not allowed", 1),
        ("- id: !!python/name:os.system\n", "not allowed", 1),
        ("- id: !custom x\n", "not allowed", 1),
        ("- id: !!binary aGk=\n", "not allowed", 1),
        ("- id: &a x\n  term: *a\n", "anchors and aliases", 1),
        ("- &a {id: x}\n- *a\n", "anchors and aliases", 1),
        ("- <<: {id: x}\n", "merge keys", 1),
        ("id: x\n", "must be a YAML list", 1),
        ("- just a string\n", "must be a mapping", 1),
        ("- id: x\n  term: [unclosed\n", "YAML syntax error", 3),
        ("- id: x\n\tterm: tab\n", "YAML syntax error", 2),
    ],
)
def test_rejected(text, message, line):
    with pytest.raises(GlossaryError) as err:
        read_records(text, "bad.yaml")
    assert message in err.value.message
    assert err.value.file == "bad.yaml"
    assert err.value.line == line


def test_billion_laughs_is_refused_quickly():
    lol = "- id: &a [x, x, x, x, x, x, x, x, x]\n"
    for i in range(1, 9):
        lol += f"  f{i}: &{chr(97 + i)} [" + ", ".join(f"*{chr(96 + i)}" for _ in range(9)) + "]\n"
    with pytest.raises(GlossaryError, match="anchors"):
        read_records(lol, "lol.yaml")


def test_empty_file_is_empty_list():
    assert read_records("", "f") == []
    assert read_records("# only a comment\n", "f") == []
