"""Paging long output on a terminal, compact lists, search columns."""

import shlex
import sys

import pytest

from .conftest import DATA

MINI = str(DATA / "mini")
G = ["--no-builtin", "-g", MINI]


@pytest.fixture
def pager(tmp_path):
    """A pager that records what it was given (a real process, like less)."""
    seen = tmp_path / "paged.txt"
    script = f"import sys; open({str(seen)!r}, 'w').write(sys.stdin.read())"
    return seen, f"{shlex.quote(sys.executable)} -c {shlex.quote(script)}"


def test_tall_output_on_a_terminal_goes_through_the_pager(run, pager):
    seen, command = pager
    r = run("list", *G, tty=True, env={"CXTERMS_PAGER": command, "LINES": "5"})
    assert r.exit_code == 0 and r.stdout == ""
    assert "Net Promoter Score" in seen.read_text()


def test_pager_env_fallbacks(run, pager):
    seen, command = pager
    r = run("list", *G, tty=True, env={"CXTERMS_PAGER": None, "PAGER": command, "LINES": "5"})
    assert r.stdout == "" and "Promoter" in seen.read_text()


@pytest.mark.parametrize(
    "args, env",
    [
        (("list",), {"LINES": "500"}),  # fits on the screen
        (("--no-pager", "list"), {"LINES": "5"}),
        (("list", "--no-pager"), {"LINES": "5"}),
        (("list",), {"LINES": "5", "TERM": "dumb"}),
    ],
)
def test_short_output_or_no_pager_prints_directly(run, pager, args, env):
    seen, command = pager
    r = run(*args, *G, tty=True, env={"CXTERMS_PAGER": command, **env})
    assert "Net Promoter Score" in r.stdout and not seen.exists()


def test_never_pages_when_piped(run, pager):
    seen, command = pager
    r = run("list", *G, env={"CXTERMS_PAGER": command, "LINES": "2"})
    assert r.stdout.splitlines()[0] == "360-degree customer view" and not seen.exists()


def test_missing_pager_prints_directly(run):
    r = run("define", "nps", *G, tty=True, env={"CXTERMS_PAGER": "/nonexistent/pager", "LINES": "3"})
    assert r.exit_code == 0 and "Net Promoter Score" in r.stdout


def test_list_on_a_terminal_is_compact_columns(run):
    r = run("list", *G, tty=True, env={"COLUMNS": "100", "NO_COLOR": "1"})
    lines = r.stdout.splitlines()
    plain = run("list", *G).stdout.splitlines()
    assert len(lines) < len(plain) + 2 * 8  # headwords share lines; a few letter headings
    assert any(line.count("   ") >= 1 and len(line.split()) >= 4 for line in lines)
    for head in plain:  # every headword is there, whole
        assert any(head in line for line in lines), head


def test_search_never_breaks_a_headword_mid_word(run, tmp_path):
    from .conftest import entry, write_terms

    f = write_terms(tmp_path / "long.yaml", entry("x", "Extraordinarily comprehensive omnichannel orchestration",
                                                  summary="Words words words about orchestration and more words here."))
    r = run("search", "orchestration", "--no-builtin", "-g", f, tty=True, env={"COLUMNS": "50", "NO_COLOR": "1"})
    assert r.exit_code == 0
    body = r.stdout
    for word in ("Extraordinarily", "comprehensive", "omnichannel", "orchestration"):
        assert word in body, body
