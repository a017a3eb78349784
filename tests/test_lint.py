"""cxterms lint: every kind of problem, with file:line, and the built-ins clean."""

import json

import pytest

from cxterms.glossary.lint import lint_files
from cxterms.glossary.store import GlossaryConfig, SourceFile, builtin_dir, source_files

from .conftest import DATA, entry, write_terms


def problems_of(run, *paths, extra=()):
    r = run("lint", *[str(p) for p in paths], "--no-builtin", *extra)
    return r, r.stdout.splitlines()


def test_clean_file_passes(run, tmp_path):
    f = write_terms(tmp_path / "ok.yaml", entry("a", "A", related=["b"]) + entry("b", "B", related=["a"]))
    r, lines = problems_of(run, f)
    assert r.exit_code == 0 and lines == []
    assert r.stderr == "cxterms: 2 entries in 1 file: no problems\n"


@pytest.mark.parametrize(
    "text, expected",
    [
        ("- id: a\n  id: b\n", ":2: error: duplicate key 'id' (first on line 1)"),
        ("- id: a\n  term: [x\n", ":3: error: YAML syntax error"),
        (entry("a", "A", extra="colour: red"), ":6: error: unknown field 'colour'"),
        (entry("a", "A").replace("  category: Testing\n", ""), ":1: error: missing required field: category"),
        (entry("a", "A").replace('summary: "A short gloss of a."', "summary: ''"), ":4: error: summary is empty"),
        (entry("a", "A", related=["nowhere"]), ":6: error: related id 'nowhere' does not resolve to any entry"),
        (entry("a", "A", extra="calculator: cxterms frobnicate"), ":6: error: calculator 'cxterms frobnicate' is not a cxterms command"),
        (entry("a", "A") + entry("a", "A again"), ":6: error: duplicate id 'a' (also at "),
        (entry("a", "A", aliases=["XY"]) + entry("b", "B", aliases=["x-y"]), ":3: warning: alias 'XY' is also a name of B"),
        ("", ": warning: no terms in this file"),
    ],
)
def test_each_problem_is_reported_with_its_line(run, tmp_path, text, expected):
    f = write_terms(tmp_path / "t.yaml", text) if text else tmp_path / "t.yaml"
    if not text:
        f.write_text("")
    r, lines = problems_of(run, f)
    assert any(line.startswith(str(f)) and expected in line for line in lines), lines
    assert r.exit_code == (1 if ": error:" in expected else 0)


def test_duplicate_ids_across_files(run, tmp_path):
    a = write_terms(tmp_path / "a.yaml", entry("same", "Same"))
    b = write_terms(tmp_path / "b.yaml", entry("same", "Same"))
    r, lines = problems_of(run, a, b)
    assert r.exit_code == 1
    assert lines == [f"{b}:1: error: duplicate id 'same' (also at {a}:1)"]


def test_user_file_may_replace_a_builtin_and_link_to_builtins(run, tmp_path):
    f = write_terms(tmp_path / "mine.yaml", entry("net-promoter-score", "Net Promoter Score", related=["promoter"]))
    r = run("lint", f)
    assert r.exit_code == 0, r.stdout
    r = run("lint", f, "--no-builtin")
    assert r.exit_code == 1 and "related id 'promoter' does not resolve" in r.stdout


def test_lint_folder_and_json(run, tmp_path):
    write_terms(tmp_path / "g" / "x.yaml", entry("x", "X", related=["gone"]))
    r = run("lint", tmp_path / "g", "--no-builtin", "-f", "json")
    assert r.exit_code == 1
    (p,) = json.loads(r.stdout)
    assert p["line"] == 6 and p["severity"] == "error" and p["file"].endswith("x.yaml")
    assert set(p) == {"file", "line", "column", "severity", "message"}


def test_lint_mini_fixture_has_only_the_shared_alias_warnings(run):
    r = run("lint", DATA / "mini", "--no-builtin")
    assert r.exit_code == 0
    assert len(r.stdout.splitlines()) == 2 and all(": warning: alias 'CS'" in line for line in r.stdout.splitlines())


def test_builtin_glossary_lints_clean(run):
    r = run("lint")
    assert r.stdout == "", r.stdout
    assert r.exit_code == 0
    assert r.stderr.endswith("no problems\n")


def test_lint_files_api_counts_entries():
    files = source_files(GlossaryConfig(builtin=False, user_paths=(str(DATA / "mini"),)))
    problems, count = lint_files(files, known_commands={"nps"})
    assert count == 13 and all(p.severity == "warning" for p in problems)
    assert builtin_dir()  # exists in a checkout
    assert isinstance(files[0], SourceFile)


def test_every_problem_in_one_run(run, tmp_path):
    """Problems inside records do not stop lint at the first one."""
    text = "- id: a\n  id: b\n" + entry("c", "C") + "- id: d\n  term: D\n  term: E\n" + entry("e", "E", related=["gone"])
    f = write_terms(tmp_path / "t.yaml", text)
    r, lines = problems_of(run, f)
    assert r.exit_code == 1
    found = [line.split(":")[1] for line in lines]
    assert found == ["2", "10", "16"], lines


def test_entry_counts_are_pluralised(run, tmp_path):
    f = write_terms(tmp_path / "one.yaml", entry("a", "A"))
    r, _ = problems_of(run, f)
    assert r.stderr == "cxterms: 1 entry in 1 file: no problems\n"
