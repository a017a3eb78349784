"""define, search, list, categories, random through the CLI (CliRunner)."""

import json
import os
import re
from datetime import date

import pytest

from .conftest import DATA, entry, write_terms

MINI = str(DATA / "mini")
G = ["--no-builtin", "-g", MINI]  # the small test glossary only


# -- define -----------------------------------------------------------------

def test_define_plain(run):
    r = run("define", "nps", *G)
    assert r.exit_code == 0 and r.stderr == ""
    lines = r.stdout.splitlines()
    assert lines[0] == "Net Promoter Score"
    assert "aliases: NPS" in lines
    assert "category: Experience metrics" in lines
    assert "formula:" in lines and "  NPS = % promoters - % detractors" in lines
    assert "related: Promoter, Customer satisfaction" in lines
    assert "calculator: cxterms nps" in lines
    # paragraphs are never re-wrapped: one line each
    assert "The score is the promoter share minus the detractor share." in lines


def test_define_json_keys(run):
    r = run("define", "N.P.S.", "--format", "json", *G)
    assert r.exit_code == 0
    d = json.loads(r.stdout)
    for key in ("id", "term", "aliases", "category", "summary", "definition", "formula", "related", "match", "source"):
        assert key in d
    assert d["id"] == "net-promoter-score"
    assert d["match"] == {"tier": "alias", "query": "N.P.S.", "matched": "NPS", "score": 100.0}
    assert d["source"]["file"].endswith("cx.yaml") and d["source"]["builtin"] is False
    assert d["aliases"] == ["NPS"] and d["related"] == ["promoter", "customer-satisfaction"]


def test_define_markdown(run):
    r = run("define", "nps", "-f", "markdown", *G)
    assert r.stdout.startswith("## Net Promoter Score\n")
    assert "[Promoter](#promoter)" in r.stdout
    assert "```\nNPS = % promoters - % detractors\n```" in r.stdout


def test_define_rich_on_terminal(run):
    r = run("define", "nps", *G, tty=True)
    assert r.exit_code == 0
    assert "Net Promoter Score" in r.stdout and "Formula" in r.stdout
    assert "\x1b[" in r.stdout  # styled for a terminal


def test_auto_is_plain_when_piped(run):
    assert run("define", "nps", *G).stdout.startswith("Net Promoter Score\naliases: NPS\n")


def colour_codes(text: str) -> list[str]:
    """SGR parameters that set a colour (30-38, 40-48, 90-107)."""
    codes = []
    for params in re.findall(r"\x1b\[([0-9;]*)m", text):
        for p in params.split(";"):
            if p and (30 <= int(p) <= 48 or 90 <= int(p) <= 107):
                codes.append(p)
    return codes


def test_no_color_is_honoured(run):
    coloured = run("define", "nps", *G, tty=True)
    assert colour_codes(coloured.stdout)  # the check can fail
    r = run("define", "nps", *G, tty=True, env={"NO_COLOR": "1"})
    assert r.exit_code == 0 and "Net Promoter Score" in r.stdout
    assert colour_codes(r.stdout) == []


def test_term_dumb_gets_plain(run):
    r = run("define", "nps", *G, tty=True, env={"TERM": "dumb"})
    assert r.stdout.startswith("Net Promoter Score\n") and "\x1b[" not in r.stdout


def test_multi_word_term_without_quotes(run):
    r = run("define", "voice", "of", "customer", *G)
    assert r.exit_code == 0 and r.stdout.startswith("Voice of the customer\n")


def test_fuzzy_hit_says_did_you_mean(run):
    r = run("define", "Net", "Promotor", "Score", *G)
    assert r.exit_code == 0
    assert r.stdout.startswith("Net Promoter Score\n")
    assert r.stderr.startswith("cxterms: did you mean 'Net Promoter Score'?")


def test_prefix_hit_carries_a_note(run):
    r = run("define", "promot", *G)
    assert r.exit_code == 0 and r.stdout.startswith("Promoter\n")
    assert r.stderr.startswith("cxterms: showing 'Promoter'") and len(r.stderr.splitlines()) == 1


def test_exact_and_alias_hits_are_quiet(run):
    for q in ("Promoter", "nps"):
        r = run("define", q, *G)
        assert r.exit_code == 0 and r.stderr == ""


def test_shared_alias_lists_all_and_exits_1(run):
    r = run("define", "cs", *G)
    assert r.exit_code == 1 and r.stdout == ""
    first, hint = r.stderr.splitlines()
    assert first == "cxterms: 'cs' names 2 entries: Customer service (customer-service), Customer success (customer-success)"
    assert hint.startswith("hint: ask for one by id")


def test_not_found_suggests(run):
    r = run("define", "retension", *G)
    assert r.exit_code == 1 and r.stdout == ""
    first, hint = r.stderr.splitlines()
    assert first == "cxterms: no entry for 'retension'"
    assert hint.startswith("hint: did you mean: ") and "Retention rate" in hint and "Customer retention" in hint
    assert hint.count(";") <= 4  # at most five suggestions


def test_not_found_without_suggestions(run):
    r = run("define", "xyzzy", *G)
    assert r.exit_code == 1
    assert r.stderr.splitlines() == ["cxterms: no entry for 'xyzzy'", "hint: try 'cxterms search xyzzy' or 'cxterms list'"]


def test_explain_shows_source_and_shadow(run, tmp_path):
    mine = write_terms(tmp_path / "mine.yaml", entry("promoter", "Promoter", summary="Mine."))
    r = run("define", "promoter", "--explain", *G, "-g", mine)
    assert r.exit_code == 0
    assert f"defined in: {mine}:1 (user file)" in r.stdout
    assert f"shadows: {os.path.join(MINI, 'cx.yaml')}:" in r.stdout
    assert "matched: Promoter (exact)" in r.stdout
    d = json.loads(run("define", "promoter", "-f", "json", *G, "-g", mine).stdout)
    assert d["summary"] == "Mine." and len(d["source"]["shadows"]) == 1


def test_explain_without_shadow(run):
    r = run("define", "nps", "--explain", *G)
    assert "shadows: nothing" in r.stdout


@pytest.mark.parametrize("fmt", ["plain", "rich", "markdown"])
def test_markup_and_escapes_print_literally(run, tmp_path, fmt):
    f = tmp_path / "odd.yaml"
    f.write_text(
        '- id: odd\n  term: "[bold]Odd[/] term"\n  category: Tests\n'
        '  summary: "Has [red]markup[/red] and \\e[31mANSI\\e[0m and a bell\\a."\n'
        '  definition: "Literal [link=http://x]text[/link]. Second sentence."\n',
        encoding="utf-8",
    )
    r = run("define", "odd", "-f", fmt, "--no-builtin", "-g", f)
    assert r.exit_code == 0, r.stderr
    assert "\x1b" not in r.stdout and "\x07" not in r.stdout
    out = r.stdout.replace("\\", "")  # markdown escapes brackets and backslashes
    assert "x1b[31mANSIx1b[0m" in out and "x07" in out
    assert "[red]markup[/red]" in out
    assert "[link=http://x]text[/link]" in out


def test_json_keeps_raw_text(run, tmp_path):
    f = tmp_path / "odd.yaml"
    f.write_text('- id: odd\n  term: Odd\n  category: T\n  summary: "Bell\\a."\n  definition: "X. Y."\n')
    d = json.loads(run("define", "odd", "-f", "json", "--no-builtin", "-g", f).stdout)
    assert d["summary"] == "Bell\x07."


# -- user glossaries --------------------------------------------------------

def test_glossary_option_before_and_after_command(run):
    before = run("--no-builtin", "-g", MINI, "define", "csat")
    after = run("define", "csat", "--no-builtin", "--glossary", MINI)
    assert before.exit_code == after.exit_code == 0
    assert before.stdout == after.stdout


def test_env_path_layers_and_warns_on_missing(run, tmp_path):
    extra = write_terms(tmp_path / "extra.yaml", entry("my-term", "My term"))
    value = os.pathsep.join([MINI, str(tmp_path / "missing"), str(extra)])
    r = run("--no-builtin", "define", "my term", env={"CXTERMS_GLOSSARY_PATH": value})
    assert r.exit_code == 0 and r.stdout.startswith("My term\n")
    assert "CXTERMS_GLOSSARY_PATH entry not found" in r.stderr


def test_config_folder_is_layered(run, isolated_home):
    folder = isolated_home / "config" / "cxterms" / "glossary"
    write_terms(folder / "team.yaml", entry("team-word", "Team word"))
    r = run("define", "team word", "--no-builtin")
    assert r.exit_code == 0 and r.stdout.startswith("Team word\n")


def test_option_overrides_env_overrides_config(run, isolated_home, tmp_path):
    write_terms(isolated_home / "config" / "cxterms" / "glossary" / "a.yaml", entry("w", "W", summary="From config."))
    envf = write_terms(tmp_path / "env.yaml", entry("w", "W", summary="From env."))
    optf = write_terms(tmp_path / "opt.yaml", entry("w", "W", summary="From option."))
    env = {"CXTERMS_GLOSSARY_PATH": str(envf)}
    assert "From env." in run("--no-builtin", "define", "w", env=env).stdout
    assert "From option." in run("--no-builtin", "define", "w", "-g", optf, env=env).stdout


def test_empty_glossary_is_explained(run):
    r = run("--no-builtin", "define", "nps")
    assert r.exit_code == 1
    assert r.stderr.startswith("cxterms: the glossary is empty\nhint: --no-builtin needs")


def test_missing_glossary_path(run, tmp_path):
    r = run("define", "nps", "-g", tmp_path / "nope.yaml")
    assert r.exit_code == 1 and f"glossary path not found: {tmp_path / 'nope.yaml'}" in r.stderr


@pytest.mark.parametrize(
    "text, where",
    [
        ("- id: a\n  id: b\n", "2: entry skipped"),
        ("- id: a\n  term: A\n  category: C\n  summary: s.\n  definition: d. e.\n  colour: red\n", "1: entry skipped: unknown field"),
        ("- id: a\n  term: [oops\n", "3: not a valid term file"),
        ("- !!python/object/apply:os.system [echo pwned]\n", "1: entry skipped"),
    ],
)
def test_broken_user_file_is_skipped_with_one_warning(run, tmp_path, text, where):
    f = tmp_path / "broken.yaml"
    f.write_text(text)
    r = run("define", "nps", "-g", f, *G)
    assert r.exit_code == 0 and r.stdout.startswith("Net Promoter Score\n")
    (line,) = r.stderr.splitlines()
    assert line.startswith(f"cxterms: warning: {f}:{where}") and "Traceback" not in r.stderr


def test_team_file_with_a_style_problem_breaks_nothing(run, tmp_path):
    team = write_terms(tmp_path / "team.yaml", entry("ours", "Our metric", summary="Two sentences. Really.")
                       + entry("broken", "Broken").replace("  category: Testing\n", ""))
    r = run("-g", team, "define", "nps")
    assert r.exit_code == 0 and r.stdout.startswith("Net Promoter Score\n")
    assert r.stderr == f"cxterms: warning: {team}:6: entry skipped: missing required field: category (run 'cxterms lint' for details)\n"
    r = run("-g", team, "define", "our metric")
    assert r.exit_code == 0 and r.stdout.startswith("Our metric\n")
    r = run("lint", team)
    assert r.exit_code == 1
    assert [line.split(": ", 2)[1] for line in r.stdout.splitlines()] == ["warning", "error"]
    assert r.stderr.startswith("cxterms: 2 entries in 1 file: 1 error, 1 warning")


# -- search -----------------------------------------------------------------

@pytest.mark.parametrize(
    "query, first",
    [
        ("retension", {"Retention rate", "Customer retention"}),
        ("promotor score", {"Net Promoter Score"}),
        ("custmer efort", {"Customer effort score"}),
        ("identity resolution", {"360-degree customer view"}),
    ],
)
def test_search_tolerates_typos(run, query, first):
    r = run("search", *query.split(), *G)
    assert r.exit_code == 0
    top = r.stdout.splitlines()[0].split("\t")
    assert top[0] in first
    assert 0 < float(top[1]) <= 100


def test_search_plain_columns_and_limit(run):
    r = run("search", "customer", "-n", "2", *G)
    lines = r.stdout.splitlines()
    assert len(lines) == 2 and all(len(line.split("\t")) == 3 for line in lines)


def test_search_json(run):
    hits = json.loads(run("search", "billing", "-f", "json", *G).stdout)
    assert hits[0]["id"] == "customer-service" and hits[0]["field"] == "definition" and hits[0]["matched"] == "billing"
    assert set(hits[0]) == {"id", "term", "category", "summary", "score", "field", "matched"}


def test_search_markdown_and_rich(run):
    assert run("search", "nps", "-f", "markdown", *G).stdout.startswith("| Term | Score | Matched | Summary |")
    assert "Net Promoter Score" in run("search", "nps", "-f", "rich", *G).stdout


def test_search_nothing_exits_1(run):
    r = run("search", "zzzz", *G)
    assert r.exit_code == 1 and r.stdout == "" and r.stderr.startswith("cxterms: nothing matches 'zzzz'")


# -- list, categories ---------------------------------------------------------

def test_list_plain_one_headword_per_line(run):
    r = run("list", *G)
    lines = r.stdout.splitlines()
    assert lines[:3] == ["360-degree customer view", "A/B testing", "BOPIS"]
    assert len(lines) == 13


def test_list_filters(run):
    assert run("list", "--category", "service", *G).stdout.splitlines() == [
        "Customer service", "Customer service and support", "Customer success",
    ]
    assert run("list", "--category", "Experience-Metrics", "--letter", "p", *G).stdout == "Promoter\n"
    assert run("list", "--letter", "#", *G).stdout == "360-degree customer view\n"


def test_list_json_markdown_rich(run):
    rows = json.loads(run("list", "-f", "json", *G).stdout)
    assert len(rows) == 13 and set(rows[0]) == {"id", "term", "aliases", "category", "summary"}
    assert run("list", "-f", "markdown", "-l", "n", *G).stdout.startswith("- **Net Promoter Score** (NPS): ")
    assert "BOPIS" in run("list", "-f", "rich", *G).stdout


def test_list_unknown_category(run):
    r = run("list", "--category", "astrology", *G)
    assert r.exit_code == 1
    assert r.stderr.splitlines()[0] == "cxterms: no category 'astrology'"
    assert r.stderr.splitlines()[1].startswith("hint: categories: Commerce, Data, ")


def test_list_bad_letter_is_usage_error(run):
    r = run("list", "--letter", "ab", *G)
    assert r.exit_code == 2 and "--letter takes one letter" in r.stderr


def test_list_empty_letter_exits_1(run):
    r = run("list", "--letter", "q", *G)
    assert r.exit_code == 1 and r.stdout == ""


def test_categories(run):
    r = run("categories", *G)
    assert "Service\t3" in r.stdout.splitlines()
    data = json.loads(run("categories", "-f", "json", *G).stdout)
    assert {"category": "Service", "count": 3} in data and sum(d["count"] for d in data) == 13
    assert "| Service | 3 |" in run("categories", "-f", "markdown", *G).stdout
    assert "total" in run("categories", "-f", "rich", *G).stdout


# -- random -----------------------------------------------------------------

def test_random_seed_is_reproducible(run):
    a = run("random", "--seed", "7", "-f", "json", *G).stdout
    assert a == run("random", "--seed", "7", "-f", "json", *G).stdout
    picks = {json.loads(run("random", "--seed", str(s), "-f", "json", *G).stdout)["id"] for s in range(12)}
    assert len(picks) > 3


def test_daily_is_stable_for_the_date(run):
    day = date(2026, 11, 23)
    first = run("random", "--daily", "-f", "json", *G, today=day).stdout
    assert first == run("random", "--daily", "-f", "json", *G, today=day).stdout
    assert first == run("random", "--daily", "--date", "2026-11-23", "-f", "json", *G).stdout
    days = {json.loads(run("random", "--daily", "--date", f"2026-01-{d:02d}", "-f", "json", *G).stdout)["id"] for d in range(1, 15)}
    assert len(days) > 3


def test_random_category_and_errors(run):
    d = json.loads(run("random", "-c", "service", "--seed", "1", "-f", "json", *G).stdout)
    assert d["category"] == "Service"
    assert run("random", "--date", "2026-01-01", *G).exit_code == 2
    assert run("random", "--daily", "--seed", "3", *G).exit_code == 2
    r = run("random", "--daily", "--date", "tomorrow", *G)
    assert r.exit_code == 2 and "not an ISO date" in r.stderr


# -- completion -------------------------------------------------------------

def test_shell_completion_of_term_names(run):
    env = {"_CXTERMS_COMPLETE": "complete_bash", "COMP_WORDS": "cxterms define --no-builtin -g " + MINI + " net", "COMP_CWORD": "5"}
    r = run(env=env)
    assert r.exit_code == 0
    assert "net-promoter-score" in r.stdout.split()
