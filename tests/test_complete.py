"""Shell completion: categories, column names from the file on the line, search words."""

import pytest

from .conftest import DATA

MINI = str(DATA / "mini")


def complete(run, words: str):
    cword = len(words.split()) - (0 if words.endswith(" ") else 1)
    r = run(env={"_CXTERMS_COMPLETE": "complete_bash", "COMP_WORDS": words, "COMP_CWORD": str(cword)})
    assert r.exit_code == 0
    return [line for line in r.stdout.splitlines() if line]


@pytest.mark.parametrize("command", ["list", "random", "quiz", "export"])
def test_category_values(run, command):
    got = complete(run, f"cxterms {command} --no-builtin -g {MINI} --category Exp")
    assert got and all(c.startswith("Exp") for c in got)


def test_category_values_from_builtins(run):
    got = complete(run, "cxterms list --category ")
    assert "Experience metrics" in got and len(got) >= 5


@pytest.mark.parametrize("option", ["--column", "--by", "--period"])
def test_column_names_from_the_file_on_the_line(run, tmp_path, option):
    f = tmp_path / "s.csv"
    f.write_text("Score;Region;Survey date\n9;EU;2024-01-01\n", encoding="utf-8")
    assert complete(run, f"cxterms nps {f} {option} ") == ["Score", "Region", "Survey date"]
    assert complete(run, f"cxterms nps {f} {option} Re") == ["Region"]


def test_column_names_read_only_the_header(run, tmp_path):
    f = tmp_path / "big.csv"
    with open(f, "w", encoding="utf-8") as fh:
        fh.write("score,team\n")
        fh.write("9,a\n" * 200_000)
    assert complete(run, f"cxterms csat {f} --by t") == ["team"]


def test_no_file_or_missing_file_gives_nothing(run, tmp_path):
    assert complete(run, "cxterms nps --column ") == []
    assert complete(run, f"cxterms nps {tmp_path / 'gone.csv'} --column ") == []


def test_search_words(run):
    got = complete(run, f"cxterms search --no-builtin -g {MINI} Promo")
    assert "Promoter" in got and all(w.startswith("Promo") for w in got)


def test_binary_and_json_files_give_nothing(run, tmp_path):
    for name, data in (("x.xlsx", b"PK\x03\x04rest"), ("x.json", b'[{"score": 9}]')):
        f = tmp_path / name
        f.write_bytes(data)
        assert complete(run, f"cxterms nps {f} --column ") == []
