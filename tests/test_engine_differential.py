"""``--engine duckdb`` against the built-in reader, on random score files.

Each generated file has a score column (answers 0-10, blanks, invalid cells,
quoted answers) and maybe a group column, a weight column and free-text
columns built from the table reader's random fields (test_table_differential:
quotes, doubled quotes, delimiters and line breaks inside quoted fields,
stray quotes, text after a closing quote). Files vary the delimiter, the line
ends (LF, CR LF, lone CR, sometimes mixed), a UTF-8 BOM, Latin-1 and UTF-16
text, blank lines (in the middle, at the end, before the header), a header or
none, rows with too few or too many fields, blanks before a quote, and an
unclosed quote at the end.

For every file, ``cxterms nps FILE --engine duckdb`` must either print the
same JSON as ``cxterms nps FILE`` (NPS, counts, n, blank and invalid counts,
per group, weights) or refuse with a one-line ``cxterms:`` error (and at most
a hint) and exit 1 or 2 -- never a traceback, never a number where the
built-in reader refuses, never a different number.
"""

from __future__ import annotations

import codecs
import json
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .test_sql_engines import close
from .test_table_differential import field

pytest.importorskip("duckdb")
pytest.importorskip("sqlglot")

FILES_PER_EXAMPLE = 8
SCORES = [str(i) for i in range(11)]


def score_cell(rng: random.Random, d: str) -> str:
    roll = rng.random()
    if roll < 0.9:
        s = rng.choice(SCORES)
        return rng.choice([s, s, s, f" {s}", f"{s} ", f'"{s}"'])
    if roll < 0.96:
        return rng.choice(["", "", " ", '""'])
    if roll < 0.99:
        return rng.choice(["N/A", "NA"])
    return rng.choice(["abc", "11", "-1", "9.5", "x9", f'"1{d}2"', '"7\n"'])


def group_cell(rng: random.Random, d: str) -> str:
    return rng.choice(["north", "North", "south", " east ", "", '""', f'"we{d}st"', '"mid\nland"', '"a ""b"""', "ab\"c", "é"])


def weight_cell(rng: random.Random, d: str) -> str:
    if rng.random() < 0.02:
        return rng.choice(["", "-1", "x"])
    return rng.choice(["1", "1", "0.5", "2", "3.25", '"2"', " 1 "])


ODDITIES = ["blank line", "trailing blank line", "blank line before header", "short row", "long row",
            "blank before quote", "mixed line ends", "unclosed quote", "no final line end", "free text"]


def score_file(rng: random.Random) -> tuple[bytes, list[str], str]:
    """(file bytes, cxterms options, a label of the file's oddities): each
    file has a few oddities at most, so that most files are readable by both."""
    d = rng.choice([",", ",", ";", "\t", "|"])
    odd = {o for o in ODDITIES if rng.random() < 0.12}
    kinds = ["score"]
    if rng.random() < 0.6:
        kinds.append("group")
    if rng.random() < 0.4:
        kinds.append("weight")
    if "free text" in odd:
        kinds += ["text"] * rng.randint(1, 2)
    rng.shuffle(kinds)
    names = {"score": "score", "group": "region", "weight": "weight"}
    header = [names.get(k, f"note{i}") for i, k in enumerate(kinds)]
    ends = rng.choice(["\n", "\r\n", "\r"])

    def end() -> str:
        return rng.choice(["\n", "\r\n", "\r"]) if "mixed line ends" in odd else ends

    lines = []
    has_header = rng.random() < 0.85
    if has_header:
        if "blank line before header" in odd:
            lines.append("")
        lines.append(d.join(header))
    rows = rng.randint(1, 25)
    special = {o: rng.randrange(rows) for o in ODDITIES if o in odd}
    for i in range(rows):
        row = []
        for k in kinds:
            if k == "score":
                row.append(score_cell(rng, d))
            elif k == "group":
                row.append(group_cell(rng, d))
            elif k == "weight":
                row.append(weight_cell(rng, d))
            else:
                row.append(field(rng, d))
        if special.get("short row") == i and len(row) > 1:
            row.pop()
        if special.get("long row") == i:
            row.append("extra")
        if special.get("blank before quote") == i:
            j = rng.randrange(len(row))
            row[j] = " " * rng.randint(1, 2) + '"' + rng.choice(["a", "9", f"x{d}y", ""]) + '"'
        lines.append(d.join(row))
        if special.get("blank line") == i:
            lines.append("")
    text = "".join(ln + end() for ln in lines)
    if "trailing blank line" in odd:
        text += end()
    if "no final line end" in odd:
        text = text.rstrip("\r\n")
    if "unclosed quote" in odd:
        text += d.join(["9"] * (len(kinds) - 1) + ['"unclosed'])
    enc = rng.random()
    opts: list[str] = []
    if enc < 0.12:
        data = codecs.BOM_UTF8 + text.encode("utf-8")
        odd.add("BOM")
    elif enc < 0.16:
        data = text.encode("utf-16")
        odd.add("UTF-16")
    elif enc < 0.22:
        data = text.encode("latin-1")
        opts += ["--encoding", "latin-1"]
        odd.add("Latin-1")
    else:
        data = text.encode("utf-8")
    col = (lambda k: names[k]) if has_header else (lambda k: str(kinds.index(k) + 1))
    opts += ["-c", col("score")]
    if "group" in kinds and rng.random() < 0.8:
        opts += ["--by", col("group")]
    if "weight" in kinds and rng.random() < 0.8:
        opts += ["--weight", col("weight")]
    if rng.random() < 0.8:
        opts.append("--skip-invalid")
    if rng.random() < 0.3:
        opts += ["--delimiter", {"\t": "tab"}.get(d, d)]
    if rng.random() < 0.2:
        opts.append("--header" if has_header else "--no-header")
    return data, opts, ", ".join(sorted(odd)) or "plain"


def clean_error(res) -> bool:
    """One ``cxterms:`` line (and at most a hint), exit 1 or 2."""
    lines = res.stderr.strip().splitlines()
    errors = [ln for ln in lines if ln.startswith("cxterms: ") and not ln.startswith("cxterms: note")]
    return (res.exit_code in (1, 2) and "Traceback" not in res.stderr and res.stdout == ""
            and len(errors) == 1 and all(ln.startswith(("cxterms: ", "hint: ")) for ln in lines))


def compare(run, path, data: bytes, opts: list[str], label: str) -> str:
    """'agree', 'refused' or 'both refuse'; fails on any other outcome."""
    path.write_bytes(data)
    want = run("nps", path, *opts, "-f", "json")
    got = run("nps", path, *opts, "--engine", "duckdb", "-f", "json")
    what = f"{label} | {opts} | {data!r}"
    assert "Traceback" not in want.stderr + got.stderr, what
    if got.exit_code == 0:
        assert want.exit_code == 0, f"DuckDB answered where the built-in reader refused: {want.stderr} | {what}"
        close(json.loads(want.stdout), json.loads(got.stdout))
        return "agree"
    assert clean_error(got), f"not a clean error: {got.exit_code} {got.stderr!r} | {what}"
    return "refused" if want.exit_code == 0 else "both refuse"


SETTINGS = settings(max_examples=30, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


@SETTINGS
@given(seed=st.integers(0, 2**32 - 1))
def test_engine_duckdb_equals_builtin_reader_or_refuses(run, tmp_path, seed):
    rng = random.Random(seed)
    path = tmp_path / "answers.csv"
    for _ in range(FILES_PER_EXAMPLE):
        data, opts, label = score_file(rng)
        compare(run, path, data, opts, label)


def test_most_files_agree_and_refusals_have_reasons(run, tmp_path):
    """On a fixed batch, DuckDB answers most files (the checks do not refuse
    everything) and the files it refuses all carry an oddity DuckDB's dialect
    cannot express."""
    rng = random.Random(12)
    path = tmp_path / "answers.csv"
    outcomes: dict[str, list[str]] = {}
    for _ in range(100):
        data, opts, label = score_file(rng)
        outcomes.setdefault(compare(run, path, data, opts, label), []).append(label)
    assert len(outcomes.get("agree", [])) >= 35, {k: len(v) for k, v in outcomes.items()}
    assert all(label != "plain" for label in outcomes.get("refused", [])), outcomes["refused"]


@pytest.mark.parametrize("text,opts", [
    ("score,region\n9,a\n\n10,b\n\n", []),  # blank lines: counted as blank answers, as the built-in reader does
    ("\nscore,region\n9,a\n10,b\n", []),  # a blank line before the header
    ('score,note\n9,"x\n\ny"\n10,"z"\n', []),  # empty lines inside a quoted field are not records
    ("score\r\n9\r\n\r\n7\r\n", []),
    ("score;region\r9;a\r\r3;b\r", []),
    ('"score","region"\n"9","a"\n"","b"\n', ["--by", "region"]),
])
def test_engine_agrees_on_blank_lines_and_quotes(run, tmp_path, text, opts):
    assert compare(run, tmp_path / "f.csv", text.encode(), ["-c", "score", *opts], "case") == "agree"


@pytest.mark.parametrize("text", [
    'score,note\n9, "a,b"\n10,x\n',  # DuckDB would read a quoted field after the blank
    'score,note\n9,a\r\n10,b\n',  # mixed line ends
    'score,note\n9\n10,b\n',  # a short row
    'score,note\n9,"ab"c\n',  # text after a closing quote
    'score,note\n9,"open\n',  # an unclosed quote
])
def test_engine_refuses_what_duckdb_reads_differently(run, tmp_path, text):
    assert compare(run, tmp_path / "f.csv", text.encode(), ["-c", "score"], "case") in ("refused", "both refuse")


def test_blank_before_quote_is_refused_with_its_line(run, tmp_path):
    path = tmp_path / "f.csv"
    path.write_text('score,note\n9,a\n10, "a,b"\n', encoding="utf-8")
    got = run("nps", path, "-c", "score", "--engine", "duckdb")
    assert got.exit_code == 1 and f"({path}:3)" in got.stderr and "hint: leave out --engine duckdb" in got.stderr
    assert run("nps", path, "-c", "score").exit_code == 0


# -- the whole-file pre-check: the array search equals the substring search ----

@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.lists(st.sampled_from(["a", "9", ",", ";", " ", '"', "\n", "\r", "\r\n", "  ", "é"]), max_size=60),
       chunk=st.sampled_from([1, 2, 3, 5, 8, 64, 1 << 22]), bom=st.booleans(), d=st.sampled_from([",", ";"]),
       blank_lines=st.booleans())
def test_numpy_precheck_equals_byte_search(tmp_path_factory, monkeypatch, body, chunk, bom, d, blank_lines):
    """The vectorised pre-check finds exactly what the substring search
    finds, wherever the pieces are cut (tiny chunks put a seam everywhere;
    the overlap is at least as long as the longest pattern)."""
    np = pytest.importorskip("numpy")
    from cxterms.sql import csvfile

    path = tmp_path_factory.mktemp("pre") / "f.csv"
    data = (b"\xef\xbb\xbf" if bom else b"") + "".join(body).encode("utf-8")
    path.write_bytes(data)
    skip = 3 if bom else 0
    monkeypatch.setattr(csvfile, "CHUNK", 1 << 22)  # (the fixture lives across the examples)
    monkeypatch.setattr(csvfile, "OVERLAP", 64)
    want = csvfile._suspect_bytes(str(path), skip, d.encode(), blank_lines=blank_lines)  # one piece: no seam
    monkeypatch.setattr(csvfile, "CHUNK", chunk)
    monkeypatch.setattr(csvfile, "OVERLAP", max(4, min(64, chunk)))
    got = csvfile._suspect_numpy(np, str(path), skip, d.encode(), blank_lines=blank_lines)
    assert got == want, data
