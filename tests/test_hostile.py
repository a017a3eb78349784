"""A hostile corpus, generated in tmp_path, run through the CLI (issue 9).

The contract checked for every case:

* the exit code is 0, 1, 2 or 130;
* no traceback and no "internal error" on stderr;
* a metric command that fails writes nothing to stdout;
* no raw control, C1, bidi or zero-width character from the data on stdout;
* no NaN or infinity printed;
* every case ends within a time limit.

Most cases run in-process (CliRunner, fast); those that need real file
descriptors (closed stdout, /dev/full, Ctrl-C) run ``python -m cxterms``.
Focused tests below pin the individual fixes of issue 9 (items 3, 4, 5,
10, 11, 12, 14, 15).
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).parent.parent
EXIT_CODES = {0, 1, 2, 130}
METRICS = {"nps", "csat", "ces", "churn", "clv", "retention"}
NAN_INF = re.compile(r"(?<![A-Za-z])(nan|-?inf|-?infinity)(?![A-Za-z])", re.I)
RICH_STYLE = re.compile(r"\x1b\[[0-9;]*m")
INVISIBLE = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200b\u200c\u200d\u200e\u200f\ufeff\u2060\u061c\u2028\u2029"
CASE_SECONDS = 60  # wall time on a loaded 2-core machine; hangs are cut by an alarm


def raw_controls(text: str) -> list[str]:
    return [c for c in text if (ord(c) < 0x20 and c not in "\n\t\r") or 0x7F <= ord(c) < 0xA0 or c in INVISIBLE]


def check_contract(args, result, elapsed):
    where = f"cxterms {' '.join(map(str, args))}"
    stderr = result.stderr
    assert result.exit_code in EXIT_CODES, (where, result.exit_code, stderr)
    assert "Traceback" not in stderr and "internal error" not in stderr, (where, stderr)
    command = next((str(a) for a in args if str(a) in METRICS), None)
    if result.exit_code != 0 and command is not None:
        assert result.stdout == "", (where, result.stdout)
    out = RICH_STYLE.sub("", result.stdout)
    assert raw_controls(out) == [], (where, out[:300])
    assert not NAN_INF.search(out), (where, out[:300])
    assert elapsed < CASE_SECONDS, (where, elapsed)


# -- the corpus -----------------------------------------------------------

ESC = "\x1b]52;c;SGVsbG8=\x07\x1b]0;title\x07\x1b[2J\x9b31m"
BIDI = "\u202eexe.gnp\u2066\u200b"


def make_corpus(root: Path) -> dict[str, Path]:
    files: dict[str, bytes | str] = {
        "empty.csv": "",
        "header-only.csv": "score\n",
        "bom-only.csv": b"\xef\xbb\xbf",
        "binary.csv": bytes(range(256)) * 8,
        "nul.csv": b"score\n9\x00\n10\n",
        "zip-like.csv": b"PK\x03\x04" + os.urandom(512),
        "utf16-nobom.csv": "score\n9\n10\n".encode("utf-16-le"),
        "huge-numbers.csv": "score\n1e400\n-1e400\n9" + "9" * 400 + "\n10\n",
        "nan-inf.csv": "score\nnan\ninf\n-inf\n9\n",
        "tiny.csv": "score\n1e-400\n8.99999999999999999\n",
        "controls.csv": f"group,score\n\"{ESC}\",9\n\"{BIDI}\",3\nplain,10\n",
        "formulas.csv": "group,score\n=1+1,9\n+cmd,10\n@SUM(A1),3\n-x,7\n\"\t=2\",8\n",
        "ragged.csv": "group,score\na\nb,9,extra,cells\n,,,\nc,10\n",
        "quotes.csv": 'score,comment\n9,"abc\n10,x\n3,y\n',
        "long-cell.csv": "group,score\n" + "g" * 100_000 + ",9\n",
        "many-columns.csv": ",".join(f"c{i}" for i in range(5000)) + ",score\n" + "1," * 5000 + "9\n",
        "cr-only.csv": "score\r9\r10\r3\r",
        "semicolon-decimal.csv": "score;weight\n9,0;1\n10;2\n",
        "dates.csv": "date,score\n0001-01-01,9\n9999-12-31,10\n2026-02-30,3\n",
        "churn-9999.csv": "id,start,end\n1,9999-01-01,\n2,9999-12-15,9999-12-20\n",
        "churn-10000.csv": "id,start,end\n1,2025-01-01,10000-01-01\n",
        "churn-dups.csv": "id,start,end\na,2025-01-03,\na,2025-01-03,\nb,2025-02-01,2025-03-01\n",
        "churn-backwards.csv": "id,start,end\n1,2025-05-01,2025-01-01\n",
        "churn-wide.csv": "id,start,end\n1,0001-01-01,\n2,9999-12-01,\n",
        "orders-overflow.csv": "customer,date,amount\na,2025-01-01,1e308\na,2025-01-02,1e308\n",
        "orders-overflow2.csv": "customer,date,amount\na,2025-01-01,1.7e308\nb,2025-01-02,1.7e308\n",
        "orders-overflow3.csv": f"customer,date,amount\na,2025-01-01,1{'0' * 308}\nb,2025-01-02,1{'0' * 308}\n",
        "orders-controls.csv": f"customer,date,amount\n\"{ESC}\",2025-01-01,5\n\"{BIDI}\",2025-01-03,7\n",
        "cohort.csv": "active\n1000\ninf\n300\n",
    }
    out = {}
    for name, data in files.items():
        p = root / name
        if isinstance(data, str):
            p.write_text(data, encoding="utf-8", newline="")
        else:
            p.write_bytes(data)
        out[name] = p
    return out


def corpus_cases(c: dict[str, Path]) -> list[tuple]:
    scores = [k for k in c if not k.startswith(("churn", "orders", "cohort"))]
    cases: list[tuple] = []
    for name in scores:
        for fmt in ("json", "csv"):
            cases.append(("nps", c[name], "-f", fmt))
    for name in ("binary.csv", "huge-numbers.csv", "nan-inf.csv", "tiny.csv", "semicolon-decimal.csv"):
        cases.append(("csat", c[name], "--skip-invalid"))
        cases.append(("ces", c[name], "-q"))
    for name in ("controls.csv", "formulas.csv", "ragged.csv", "long-cell.csv"):
        for fmt in ("plain", "json", "csv", "tsv", "rich"):
            cases.append(("nps", c[name], "--by", "group", "-f", fmt))
        cases.append(("nps", c[name], "--by", "group", "-q"))
    cases.append(("nps", c["dates.csv"], "--period", "date", "--skip-invalid"))
    for name in [k for k in c if k.startswith("churn")]:
        cases.append(("churn", c[name], "-f", "json"))
        cases.append(("churn", c[name], "--every", "day"))
        cases.append(("churn", c[name], "--every", "year", "-f", "json" if name == "churn-wide.csv" else "rich"))
    for name in [k for k in c if k.startswith("orders")]:
        for fmt in ("json", "rich"):
            cases.append(("clv", c[name], "-f", fmt))
        cases.append(("clv", c[name], "--per-customer", "-f", "csv"))
    cases.append(("retention", c["cohort.csv"]))
    return cases


OPTION_CASES = [
    ("clv", "--arpu", "nan", "--churn", "5%"),
    ("clv", "--arpu", "inf", "--churn", "5%"),
    ("clv", "--arpu", "-inf", "--churn", "5%"),
    ("clv", "--arpu", "1e400", "--churn", "5%"),
    ("clv", "--arpu", "50", "--churn", "1e-320"),
    ("clv", "--arpu", "1e18", "--churn", "1e-300"),
    ("clv", "--arpu", "50", "--churn", "nan"),
    ("clv", "--arpu", "50", "--churn", "inf%"),
    ("clv", "--arpu", "50", "--retention", "-0"),
    ("clv", "--arpu", "50", "--churn", "5%", "--margin", "nan"),
    ("clv", "--arpu", "50", "--churn", "5%", "--discount-rate", "inf"),
    ("churn", "--mrr-start", "inf", "--mrr-churned", "1"),
    ("churn", "--mrr-start", "nan", "--mrr-churned", "1"),
    ("churn", "--mrr-start", "1e308", "--mrr-churned", "1e308", "--contraction", "1e308"),
    ("churn", "--mrr-start", "100", "--expansion", "inf"),
    ("churn", "--start", "10", "--lost", "11", "--new", "5"),
    ("churn", "--start", "10", "--lost", "5", "--new", "1", "--lost-new", "2"),
    ("churn", "--start", "1" + "0" * 400, "--lost", "1"),
    ("churn", "--start", "0", "--lost", "0"),
    ("nps", "--promoters", "1" + "0" * 400),
    ("nps", "--promoters", "0", "--passives", "0", "--detractors", "0"),
    ("nps", "--promoters", "5", "--confidence", "nan"),
    ("csat", "--scale", "1-1000000000"),
    ("csat", "--scale", "-99999999999999999999-99999999999999999999"),
    ("csat", "--satisfied", "1" + "0" * 400, "-"),
    ("ces", "--scale", "1-5", "--confidence", "inf"),
    ("retention", "--survivors", "1000,600,400", "--project", "100000000"),
    ("retention", "--survivors", "1000,inf,400"),
    ("retention", "--survivors", "1000,nan,400"),
    ("retention", "--survivors", "1e400,600,400"),
    ("nps", "--encoding", "rot13", "-"),
    ("nps", "--encoding", "base64", "-"),
    ("nps", "--encoding", "no-such-codec", "-"),
    ("nps", "--delimiter", "\x1b", "-"),
    ("define", "\x1b]52;c;SGVsbG8=\x07nps"),
    ("search", "\u202egnp" + "x" * 5000),
]


class Hung(Exception):
    pass


def bounded(call, seconds=CASE_SECONDS):
    """Run ``call()``; a case that blocks (a FIFO, an endless device) is cut
    by SIGALRM and fails the test instead of hanging the suite."""
    def ring(_signum, _frame):
        raise Hung(f"no answer within {seconds} s")

    old = signal.signal(signal.SIGALRM, ring)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    t0 = time.monotonic()
    try:
        return call(), time.monotonic() - t0
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def test_hostile_corpus(run, tmp_path):
    corpus = make_corpus(tmp_path)
    for case in corpus_cases(corpus):
        args = [str(a) for a in case]
        result, elapsed = bounded(lambda: run(*args, input="", tty="rich" in args))
        check_contract(args, result, elapsed)


@pytest.mark.parametrize("case", OPTION_CASES, ids=lambda c: " ".join(c)[:60])
@pytest.mark.parametrize("fmt", [None, "json"])
def test_hostile_options(run, case, fmt):
    args = list(case) + (["-f", fmt] if fmt and case[0] in METRICS else [])
    result, elapsed = bounded(lambda: run(*args, input="9\n10\n"))
    check_contract(args, result, elapsed)


@pytest.mark.parametrize("args, code, words", [
    (("clv", "--arpu", "nan", "--churn", "5%"), 2, "--arpu"),
    (("churn", "--mrr-start", "inf", "--mrr-churned", "1"), 2, "--mrr-start"),
    (("clv", "--arpu", "50", "--churn", "1e-320"), 1, "overflows"),
    (("clv", "--arpu", "50", "--churn", "1e-320", "-f", "json"), 1, "overflows"),
    (("nps", "--promoters", "1" + "0" * 400), 2, "--promoters"),
    (("csat", "--scale", "1-1000000000"), 2, "1000 steps"),
    (("retention", "--survivors", "1000,600,400", "--project", "100000000"), 2, "--project must be at most 10000"),
    (("nps", "--encoding", "rot13", "-"), 2, "not a text encoding"),
])
def test_option_errors_name_the_problem(run, args, code, words):
    """Items 3, 10, 12: a usage error (2) names the option; an overflowing
    result is a data error (1); one line (plus a hint), no stdout."""
    r = run(*args, input="9\n")
    assert r.exit_code == code and r.stdout == ""
    assert r.stderr.startswith("cxterms: ") and words in r.stderr.splitlines()[0]
    assert len(r.stderr.splitlines()) <= 2 and len(r.stderr.splitlines()[0]) < 200


def test_lost_beyond_start_needs_lost_new(run):
    """Item 4: 11 lost of 10 customers is refused, not reported as 110%."""
    r = run("churn", "--start", 10, "--lost", 11, "--new", 5)
    assert r.exit_code == 2 and "--lost-new" in r.stderr and r.stdout == ""
    ok = run("churn", "--start", 10, "--lost", 10, "--new", 5, "--lost-new", 1, "-f", "json")
    d = json.loads(ok.stdout)
    assert d["churn_rate"] == 1.0 and d["lost_new"] == 1 and d["customers_end"] == 4
    assert run("churn", "--start", 10, "--lost", 1, "--new", 1, "--lost-new", 2).exit_code == 2


def test_duplicate_customer_rows_are_warned_about(run, tmp_path):
    """Item 5: identical rows are kept (counted) but warned about, with the
    count and the first line numbers."""
    f = tmp_path / "c.csv"
    f.write_text("id,start,end\na,2025-01-03,\nb,2025-01-04,\na,2025-01-03,\na,2025-01-03,\n")
    r = run("churn", f, "-f", "json")
    assert r.exit_code == 0
    assert json.loads(r.stdout)[0]["new"] == 4
    assert "2 rows" in r.stderr and "lines 4, 5" in r.stderr
    g = tmp_path / "d.csv"
    g.write_text("start,end\n2025-01-03,\n2025-01-03,\n")  # no id column: legitimately equal
    assert "warning" not in run("churn", g).stderr


def test_year_9999_and_overflowing_sums(run, tmp_path):
    """Item 12: the last period of year 9999 and CLV sums beyond a float."""
    f = tmp_path / "c.csv"
    f.write_text("id,start,end\n1,9999-12-15,\n")
    rows = json.loads(run("churn", f, "-f", "json").stdout)
    assert rows[-1]["period_end"] == "9999-12-31"
    g = tmp_path / "o.csv"
    big = "1" + "0" * 308  # 1e308 written out: finite, but two of them are not
    g.write_text(f"customer,date,amount\na,2025-01-01,{big}\na,2025-01-02,{big}\n")
    r = run("clv", g)
    assert r.exit_code == 1 and "overflows" in r.stderr and f"{g}:3" in r.stderr


# -- real file descriptors and signals ---------------------------------------

def cxterms(args, tmp_path, **kw):
    env = {**os.environ, "HOME": str(tmp_path), "XDG_CACHE_HOME": str(tmp_path / "cache"),
           "XDG_CONFIG_HOME": str(tmp_path / "config"), "PYTHONPATH": str(REPO)}
    env.update(kw.pop("env", {}))
    return subprocess.run([sys.executable, "-m", "cxterms", *map(str, args)], env=env, cwd=tmp_path,
                          timeout=kw.pop("timeout", 60), **kw)


@pytest.mark.parametrize("args", [("list",), ("nps", REPO / "examples" / "survey.csv"), ("define", "nps", "-f", "rich")])
def test_closed_and_full_stdout(tmp_path, args):
    """Item 12: `cxterms list >&-` and `> /dev/full`: one line, exit 1."""
    closed = cxterms(args, tmp_path, stdout=None, stderr=subprocess.PIPE, text=True,
                     preexec_fn=lambda: os.close(1))
    with open("/dev/full", "w") as full:
        filled = cxterms(args, tmp_path, stdout=full, stderr=subprocess.PIPE, text=True)
    for r in (closed, filled):
        assert r.returncode == 1, r.stderr
        errors = [ln for ln in r.stderr.splitlines() if not ln.startswith("cxterms: note:")]
        assert len(errors) == 1 and errors[0].startswith("cxterms: cannot write the output"), r.stderr


def test_closed_pipe_is_quiet(tmp_path):
    p = subprocess.Popen([sys.executable, "-m", "cxterms", "list"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         env={**os.environ, "PYTHONPATH": str(REPO), "HOME": str(tmp_path),
                              "XDG_CACHE_HOME": str(tmp_path / "cache")}, cwd=tmp_path)
    p.stdout.readline()
    p.stdout.close()
    assert p.wait(timeout=60) == 0
    assert p.stderr.read() == b""


def test_ctrl_c_while_reading(tmp_path):
    """SIGINT while a metric waits on a pipe: exit 130, no traceback."""
    p = subprocess.Popen([sys.executable, "-m", "cxterms", "nps", "-"], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         env={**os.environ, "PYTHONPATH": str(REPO), "HOME": str(tmp_path)}, cwd=tmp_path)
    p.stdin.write(b"score\n9\n")
    p.stdin.flush()
    time.sleep(1.5)
    p.send_signal(signal.SIGINT)
    assert p.wait(timeout=30) == 130
    assert b"Traceback" not in p.stderr.read() and p.stdout.read() == b""


# -- caches and term files that are not regular files (items 11, 14, 15) -----

def _index_file(tmp_path) -> Path:
    files = list((tmp_path / "cache" / "cxterms").glob("index-*.bin"))
    assert len(files) == 1
    return files[0]


@pytest.mark.parametrize("squatter", ["fifo", "folder", "dev-zero", "garbage", "truncated"])
def test_damaged_or_odd_index_never_blocks(tmp_path, squatter):
    assert cxterms(["define", "nps"], tmp_path, capture_output=True).returncode == 0
    index = _index_file(tmp_path)
    data = index.read_bytes()
    index.unlink()
    if squatter == "fifo":
        os.mkfifo(index)
    elif squatter == "folder":
        index.mkdir()
    elif squatter == "dev-zero":
        index.symlink_to("/dev/zero")
    elif squatter == "garbage":
        index.write_bytes(os.urandom(len(data)))
    else:
        index.write_bytes(data[: len(data) // 2])
    r = cxterms(["define", "nps", "-f", "plain"], tmp_path, capture_output=True, text=True, timeout=30)
    assert r.returncode == 0 and r.stdout.startswith("Net Promoter Score"), r.stderr
    assert r.stderr == ""


@pytest.mark.parametrize("kind", ["fifo", "dev-zero", "dangling"])
def test_term_file_that_is_not_a_regular_file(tmp_path, kind):
    """`--no-cache -g /dev/zero define nps`: a warning, the built-ins still work."""
    if kind == "dev-zero":
        path = "/dev/zero"
    else:
        path = tmp_path / "team.yaml"
        os.mkfifo(path) if kind == "fifo" else path.symlink_to(tmp_path / "gone.yaml")
    for cache in (["--no-cache"], []):
        r = cxterms([*cache, "-g", path, "define", "nps", "-f", "plain"], tmp_path, capture_output=True,
                    text=True, timeout=30)
        assert r.returncode == 0 and r.stdout.startswith("Net Promoter Score"), r.stderr
        assert r.stderr.startswith(f"cxterms: warning: {path}: term file skipped")
    lint = cxterms(["lint", path], tmp_path, capture_output=True, text=True, timeout=30)
    assert lint.returncode == 1 and f"{path}: error: term file skipped" in lint.stdout


def test_unreadable_entries_in_a_glossary_folder(run, tmp_path):
    """Item 15: entries of a user folder that cannot be read are reported
    (a warning; an error in lint), not skipped silently. As root, chmod 000
    does not stop reads, so the cases are a dangling link where a term file
    is, a dangling link where a folder of terms is, and a FIFO; a folder
    with mode 000 is added when the tests do not run as root."""
    folder = tmp_path / "terms"
    folder.mkdir()
    (folder / "ok.yaml").write_text(
        "- id: churn-x\n  term: Churn X\n  category: Test\n  summary: A test entry.\n  definition: A test entry used by a test.\n"
    )
    (folder / "broken-link.yaml").symlink_to(tmp_path / "nowhere.yaml")
    (folder / "team-terms").symlink_to(tmp_path / "no-folder")
    os.mkfifo(folder / "pipe.yaml")
    expected = ["broken-link.yaml", "team-terms", "pipe.yaml"]
    if os.geteuid() != 0:
        locked = folder / "locked"
        locked.mkdir()
        (locked / "a.yaml").write_text("- id: a\n")
        locked.chmod(0)
        expected.append("locked")
    r = run("-g", folder, "define", "churn-x", "-f", "plain")
    assert r.exit_code == 0 and r.stdout.startswith("Churn X")
    for name in expected:
        assert f"{folder / name}" in r.stderr
    lint = run("lint", folder)
    assert lint.exit_code == 1
    for name in expected:
        assert f"{folder / name}: error:" in lint.stdout


def test_index_notices_an_edit_that_keeps_size_and_mtime(run, tmp_path):
    """Item 14: `cp -p`-style edits (same size, mtime restored) are seen."""
    f = tmp_path / "t.yaml"
    text = "- id: widget\n  term: Widget\n  category: Test\n  summary: Version AAAA of it.\n  definition: A widget.\n"
    f.write_text(text)
    assert "Version AAAA" in run("-g", f, "define", "widget", "-f", "plain").stdout
    st = f.stat()
    f.write_text(text.replace("AAAA", "BBBB"))
    os.utime(f, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert f.stat().st_size == st.st_size and f.stat().st_mtime_ns == st.st_mtime_ns
    assert "Version BBBB" in run("-g", f, "define", "widget", "-f", "plain").stdout


def test_fingerprint_has_change_time_and_hash(tmp_path):
    from cxterms.glossary.store import SourceFile, fingerprint

    f = tmp_path / "t.yaml"
    f.write_text("- id: a\n")
    (stamp,) = fingerprint([SourceFile(str(f), False)])
    st = f.stat()
    assert st.st_ctime_ns in stamp and st.st_mtime_ns in stamp and stamp[-1] is not None


def test_term_file_size_limit(tmp_path, monkeypatch):
    from cxterms.glossary import store

    f = tmp_path / "big.yaml"
    f.write_text("#" * 2000)
    monkeypatch.setattr(store, "MAX_TERM_FILE", 1000)
    with pytest.raises(store.UnreadableError, match="larger than"):
        store.read_text(str(f))
