"""The shared sanitiser: escapes, C1 controls, bidi and zero-width
characters, CSV formula cells and JSON escapes (issue 9, item 7)."""

from __future__ import annotations

import csv
import io
import json

import pytest

from cxterms.textutil import clean, clean_line, csv_cell, json_safe, md

HOSTILE = (
    "\x1b]52;c;SGVsbG8=\x07",  # OSC 52: write the clipboard
    "\x1b]8;;http://evil.example\x1b\\link\x1b]8;;\x1b\\",  # OSC 8 hyperlink
    "\x1b]0;pwned\x07",  # window title
    "\x1b[2J\x1b[H",  # clear the screen
    "\x9b31m\x9d0;t\x9c",  # C1 CSI / OSC / ST
    "\x85next line",  # NEL (C1)
)
INVISIBLE = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200b\u200c\u200d\u200e\u200f\ufeff\u2060\u061c"


def raw_controls(text: str, keep: str = "\n\t") -> list[str]:
    return [c for c in text if (ord(c) < 0x20 and c not in keep) or 0x7F <= ord(c) < 0xA0 or c in INVISIBLE]


@pytest.mark.parametrize("text", HOSTILE)
def test_clean_neutralises_escape_sequences(text):
    for f in (clean, clean_line, md, csv_cell):
        assert raw_controls(f(text)) == []
    assert "\\x1b" in clean(text) or "\\x9b" in clean(text) or "\\x85" in clean(text)


def test_bidi_and_zero_width_are_shown_visibly():
    shown = clean("invoice" + INVISIBLE + "fdp.exe")
    assert raw_controls(shown) == []
    for c in INVISIBLE:
        assert f"<U+{ord(c):04X}>" in shown
    assert clean("plain é ü 中文 😀") == "plain é ü 中文 😀"  # ordinary text untouched


@pytest.mark.parametrize("cell, expected", [
    ("=1", "'=1"), ("+cmd", "'+cmd"), ("@SUM(A1)", "'@SUM(A1)"), ("-x", "'-x"),
    ("\t=1", "' =1"), ("\r=1", "\\x0d=1"), (" =1", "' =1"), ("=HYPERLINK(\"x\")", "'=HYPERLINK(\"x\")"),
    ("-5", "-5"), ("+3.5", "+3.5"), ("1e3", "1e3"), ("North", "North"), ("", ""),
])
def test_csv_cell_neutralises_formulas(cell, expected):
    assert csv_cell(cell) == expected


def test_json_safe_keeps_the_data():
    data = {"name": "a\u202eb\x9bc\x1bd\u200b"}
    text = json_safe(json.dumps(data, ensure_ascii=False))
    assert raw_controls(text) == []
    assert json.loads(text) == data


def test_metric_csv_uses_the_shared_neutraliser(run, tmp_path):
    f = tmp_path / "s.csv"
    f.write_text("group,score\n=1,9\n+cmd,10\n@SUM(A1),3\n-x,7\n\"\x1b]52;c;eA==\x07\",8\n-5,9\n")
    out = run("nps", f, "--by", "group", "-f", "csv")
    assert out.exit_code == 0, out.stderr
    groups = [row["group"] for row in csv.DictReader(io.StringIO(out.stdout))]
    assert {"'=1", "'+cmd", "'@SUM(A1)", "'-x", "-5"} <= set(groups)
    assert raw_controls(out.stdout) == []
    tsv = run("nps", f, "--by", "group", "-f", "tsv").stdout
    assert "\t'=1\t" in "\t" + tsv.replace("\n", "\t") and raw_controls(tsv) == []


def test_every_renderer_neutralises_term_text(run, tmp_path):
    g = tmp_path / "g.yaml"
    g.write_text(
        '- id: evil\n'
        '  term: "Evil \\e]52;c;SGVsbG8=\\a term"\n'
        '  category: "=cmd|\' /C calc\'!A0"\n'
        '  summary: "Sets \\e]0;pwned\\a the title \\e[2J and \\x9b31m C1 \\u202Egnp.exe\\u2066 zero\\u200bwidth."\n'
        '  definition: "See \\e]8;;http://evil.example\\e\\\\link\\e]8;;\\e\\\\ here."\n',
        encoding="utf-8",
    )
    base = ("--no-builtin", "-g", g)
    runs = [("export", "-f", f) for f in ("markdown", "html", "json", "csv")]
    runs += [("define", "evil", "-f", f) for f in ("plain", "markdown", "json", "rich")]
    runs += [("list", "-f", f) for f in ("plain", "rich", "markdown")] + [("search", "evil")]
    for args in runs:
        out = run(*base, *args, tty="rich" in args)
        assert out.exit_code == 0, (args, out.stderr)
        text = out.stdout
        if "rich" in args:  # Rich's own styling escapes are fine; data escapes are not
            import re

            text = re.sub(r"\x1b\[[0-9;]*m", "", text)
        assert raw_controls(text, keep="\n\t\r") == [], args
        if "csv" in args:
            assert "'=cmd" in text
    js = json.loads(run(*base, "export", "-f", "json").stdout)
    assert js[0]["summary"].startswith("Sets \x1b]0;pwned\x07")  # JSON keeps the data, escaped
