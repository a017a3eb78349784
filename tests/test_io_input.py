"""The input layer through the CLI: cells, labels, missing tokens, formats,
layouts, dates, filters, and the checks that keep a wrong number from
passing silently."""

import gzip
import json

import pytest


def js(r):
    assert r.exit_code == 0, r.stderr
    return json.loads(r.stdout)


# -- cells ---------------------------------------------------------------------

@pytest.mark.parametrize("cell", ["9", "9.0", "+9", " 9 ", "9.00"])
def test_score_cells_accepted(run, cell):
    d = js(run("nps", "-f", "json", input=f"score\n{cell}\n"))
    assert d["n"] == 1 and d["promoters"] == 1


@pytest.mark.parametrize("cell", ["1e1", "0x9", "inf", "-inf", "1e-400", "8.99999999999999999", "9_0", "１０"])
def test_score_cells_refused(run, cell):
    r = run("nps", input=f"score\n{cell}\n9\n")
    assert r.exit_code == 1 and r.stdout == "" and "invalid" in r.stderr


def test_thousands_or_decimal_is_never_guessed_for_answers(run):
    r = run("nps", input="a;score\nx;1,000\ny;9\n")
    assert r.exit_code == 1 and "thousands separator or a decimal mark" in r.stderr
    assert js(run("nps", "-f", "json", input="a;score\nx;9,0\ny;7,00\n"))["n"] == 2


def test_single_column_keeps_a_numeric_first_line(run):
    r = run("nps", "--skip-invalid", "--max-invalid", "0.5", "-f", "json", input="10\n9\nabc\n3\n")
    d = js(r)
    assert d["n"] == 3 and d["promoters"] == 2 and d["invalid"] == 1


def test_one_row_of_numbers(run):
    d = js(run("nps", "-f", "json", input="10,9,3,7\n"))
    assert d["n"] == 4 and d["nps"] == 25.0


def test_single_quoted_column(run):
    d = js(run("nps", "-f", "json", input='"8"\n"9"\n"10"\n'))
    assert d["n"] == 3 and d["promoters"] == 2


# -- --skip-invalid cannot hide a wrong number ---------------------------------

def test_skip_invalid_always_reports_even_quiet(run):
    body = "score\n" + "9\n" * 40 + "x\ny\n"
    r = run("nps", "--skip-invalid", "-q", input=body)
    assert r.exit_code == 0 and r.stdout == "100.0\n"
    assert "skipped 2 invalid cells (5% of the non-blank ones)" in r.stderr
    assert "line 42: 'x'" in r.stderr and "line 43: 'y'" in r.stderr


def test_skip_invalid_stops_above_five_percent(run):
    body = "Q1\n" + "9\n" * 10 + "10 - Extremely likely?\n" * 0 + "x\n" * 16
    r = run("nps", "--skip-invalid", "-q", input=body)
    assert r.exit_code == 1 and r.stdout == ""
    assert "62% of the answers in column 'Q1' are not 0-10 answers" in r.stderr and "wrong column or scale?" in r.stderr
    assert "--max-invalid" in r.stderr
    r = run("nps", "--skip-invalid", "--max-invalid", "0.7", "-q", input=body)
    assert r.exit_code == 0 and r.stdout == "100.0\n" and "skipped 16 invalid cells" in r.stderr


@pytest.mark.parametrize("value", ["200%", "-1", "nan", "abc", "1.5%%"])
def test_max_invalid_range(run, value):
    r = run("nps", "--skip-invalid", "--max-invalid", value, input="9\n")
    assert r.exit_code == 2 and "--max-invalid" in r.stderr and r.stdout == ""


@pytest.mark.parametrize("value", ["0.7", "70%", "70"])
def test_max_invalid_takes_a_share_or_a_percentage(run, value):
    body = "Q1\n" + "9\n" * 10 + "x\n" * 16
    r = run("nps", "--skip-invalid", "--max-invalid", value, "-q", input=body)
    assert r.exit_code == 0 and r.stdout == "100.0\n"


def test_invalid_weights_name_their_column(run):
    """A bad weight makes the row invalid: the messages name the weight
    column, not the answers' (and no "wrong column or scale?")."""
    body = "score,w\n9,1\n10,x\n3,2\n8,abc\n7,1\n"
    r = run("nps", "--weight", "w", input=body)
    assert r.exit_code == 1 and r.stdout == "" and ", column 'w': line 3: 'x'" in r.stderr, r.stderr
    r = run("nps", "--weight", "w", "--skip-invalid", input=body)
    assert r.exit_code == 1 and "in column 'w'" in r.stderr and "wrong column or scale" not in r.stderr
    r = run("nps", "--weight", "w", "--skip-invalid", "--max-invalid", "60%", "-f", "json", input=body.replace("\n3,2", "\nx,2"))
    d = js(r)
    assert d["n"] == 2 and d["invalid"] == 3
    assert "skipped 3 rows with an invalid cell" in r.stderr and "column 'w' (2) and column 'score' (1)" in r.stderr
    r = run("nps", "--skip-invalid", "--max-invalid", "0.5", "-q", input="score\n9\nx\n9\n")
    assert r.exit_code == 0 and "skipped 1 invalid cell" in r.stderr and "in column 'score'" in r.stderr


# -- labels ------------------------------------------------------------------

def test_leading_number_labels(run):
    body = "Q1\n0 - Not at all likely\n10 - Extremely likely\n9\n5 = Meh\n7 (fine)\n"
    d = js(run("nps", "-f", "json", input=body))
    assert d["n"] == 5 and d["promoters"] == 2 and d["detractors"] == 2


def test_builtin_set_applies_only_to_a_pure_column(run):
    ok = js(run("csat", "-f", "json", input="sat\nVery satisfied\nsatisfied\n  DISSATISFIED \nNeither satisfied nor dissatisfied\n"))
    assert ok["n"] == 4 and ok["satisfied"] == 2
    mixed = run("csat", input="sat\nVery satisfied\n4\nSatisfied\n")
    assert mixed.exit_code == 1 and "invalid" in mixed.stderr


def test_label_sets_of_different_sizes_follow_the_scale(run):
    body = "ease\nStrongly agree\nStrongly disagree\nNeither agree nor disagree\n"
    d7 = js(run("ces", "-f", "json", input=body))  # ces: 1-7 agreement
    assert d7["scale"] == "1-7" and d7["ces"] == pytest.approx((7 + 1 + 4) / 3)
    d5 = js(run("csat", "-f", "json", input=body))  # csat: 1-5
    assert d5["scale"] == "1-5" and d5["mean"] == pytest.approx((5 + 1 + 3) / 3)


def test_map_and_labels_file(run, tmp_path):
    body = "r\nGreat\nMeh\nAwful\nGreat\n"
    d = js(run("csat", "--scale", "1-3", "--satisfied", "3", "--map", "Great=3,Meh=2,Awful=1", "-f", "json", input=body))
    assert d["n"] == 4 and d["satisfied"] == 2
    f = tmp_path / "labels.yaml"
    f.write_text("Great: 3\nMeh: 2\nAwful: 1\n")
    d2 = js(run("csat", "--scale", "1-3", "--satisfied", "3", "--labels", f, "-f", "json", input=body))
    assert d2 == d
    assert run("csat", "--map", "Great", input=body).exit_code == 2


@pytest.mark.parametrize("token", ["NA", "N/A", "#N/A", "null", "None", "-"])
def test_missing_tokens_are_blanks(run, token):
    r = run("nps", "-f", "json", input=f"score\n9\n{token}\n3\n")
    d = js(r)
    assert d["n"] == 2 and d["blank"] == 1 and d["invalid"] == 0
    assert "1 missing-value tokens" in r.stderr


# -- scales ------------------------------------------------------------------

def test_top_half_of_declared_scale_unused_warns(run):
    r = run("csat", "--scale", "1-10", "-q", input="1\n2\n3\n4\n5\n3\n2\n")
    assert r.exit_code == 0 and "warning" in r.stderr and "above 5" in r.stderr
    r = run("csat", "--scale", "1-5", "-q", input="1\n2\n3\n4\n5\n3\n2\n")
    assert "warning" not in r.stderr


def test_csat_default_scale_given_nps_answers(run):
    r = run("ces", "-q", input="score\n" + "10\n9\n8\n2\n" * 5)
    assert r.exit_code == 1 and "cxterms nps" in r.stderr


def test_default_column_is_named(run):
    r = run("nps", "-q", input="id,How likely are you to recommend us?\n1,9\n2,10\n")
    assert r.exit_code == 0 and "How likely are you to recommend us?" in r.stderr and "--column" in r.stderr


# -- formats -----------------------------------------------------------------

@pytest.mark.parametrize("data,what", [
    (gzip.compress(b"score\n9\n"), "gzip"),
    (b"\x89PNG\r\n\x1a\n" + bytes(64), "PNG image"),
    (b"%PDF-1.7\n" + bytes(64), "PDF document"),
])
def test_binaries_are_named(run, tmp_path, data, what):
    f = tmp_path / "survey.csv"
    f.write_bytes(data)
    r = run("nps", f)
    assert r.exit_code == 1 and what in r.stderr and "encoding" not in r.stderr and r.stdout == ""


def test_zip_that_is_not_a_workbook(run, tmp_path):
    import zipfile

    f = tmp_path / "export.xlsx"
    with zipfile.ZipFile(f, "w") as z:
        z.writestr("survey.csv", "score\n9\n")
    r = run("nps", f)
    assert r.exit_code == 1 and "zip archive" in r.stderr


def test_encoding_hint_only_for_real_text(run, tmp_path):
    f = tmp_path / "latin.csv"
    f.write_bytes("région,score\nZürich,9\n".encode("latin-1"))
    r = run("nps", f, "-c", "score")
    assert r.exit_code == 1 and "encoding" in r.stderr


def test_json_object_lines_and_arrays(run, tmp_path):
    f = tmp_path / "a.json"
    f.write_text('{"responses": [{"score": 9}, {"score": null}, {"score": 3}]}')
    d = js(run("nps", f, "-f", "json"))
    assert d["n"] == 2 and d["blank"] == 1
    g = tmp_path / "b.ndjson"
    g.write_text('{"score": 9}\n\n{"score": "10 - Extremely likely"}\n')
    assert js(run("nps", g, "-f", "json"))["promoters"] == 2
    bad = tmp_path / "c.jsonl"
    bad.write_text('{"score": 9}\n{"score": \n')
    r = run("nps", bad)
    assert r.exit_code == 1 and f"{bad}:2" in r.stderr


def test_parquet(run, tmp_path):
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    f = tmp_path / "s.parquet"
    pq.write_table(pa.table({"score": [9, None, 3, 10], "region": ["a", "b", "c", "d"]}), f)
    d = js(run("nps", f, "-f", "json"))
    assert d["n"] == 3 and d["blank"] == 1 and d["promoters"] == 2


def test_parquet_without_pyarrow_says_how_to_install(run, tmp_path, monkeypatch):
    import sys

    f = tmp_path / "s.parquet"
    f.write_bytes(b"PAR1" + bytes(100) + b"PAR1")
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)
    r = run("nps", f)
    assert r.exit_code == 1 and "pip install 'cxterms[parquet]'" in r.stderr


def test_sheet_option(run, tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    wb.active.title = "Notes"
    wb.active.append(["just text"])
    ws = wb.create_sheet("Data")
    ws.append(["score"])
    for v in (9, 10, 2):
        ws.append([v])
    f = tmp_path / "w.xlsx"
    wb.save(f)
    assert js(run("nps", f, "--sheet", "Data", "-f", "json"))["n"] == 3
    assert js(run("nps", f, "--sheet", "2", "-f", "json"))["n"] == 3
    r = run("nps", f, "--sheet", "Nope")
    assert r.exit_code == 2 and "Notes" in r.stderr


# -- header rows, preamble ----------------------------------------------------

def test_skip_rows_and_header_rows(run):
    body = "Report generated 2026-03-01\nAcme survey\nq,how likely\n,score\n1,9\n2,3\n3,10\n"
    d = js(run("nps", "--skip-rows", "2", "--header-rows", "2", "-c", "score", "-f", "json", input=body))
    assert d["n"] == 3 and d["promoters"] == 2
    d = js(run("nps", "--skip-rows", "3", "--no-header", "-c", "2", "-f", "json", input=body.replace(",score", "")))
    assert d["n"] == 3


def test_more_header_rows_than_rows(run):
    r = run("nps", "--header-rows", "5", "-c", "a", input="a,b\n1,2\n")
    assert r.exit_code == 1 and "header rows" in r.stderr and "internal error" not in r.stderr


def test_lines_in_messages_are_the_original_lines(run, tmp_path):
    f = tmp_path / "q.csv"
    rows = ['StartDate,Status,Finished,ResponseId,Q1', 'Start Date,Response Type,Finished,Response ID,How likely to recommend?',
            '{"ImportId":"startDate"},{"ImportId":"status"},{"ImportId":"finished"},{"ImportId":"_recordId"},{"ImportId":"QID1"}',
            '2026-03-01,IP Address,True,R_1,9', '2026-03-01,Survey Preview,True,R_2,9', '2026-03-02,IP Address,True,R_3,eleven']
    f.write_text("\n".join(rows) + "\n")
    r = run("nps", f)
    assert r.exit_code == 1 and "line 6: 'eleven'" in r.stderr


# -- dates -------------------------------------------------------------------

def test_us_dates_with_am_pm(run):
    body = "when,score\n03/28/2026 04:28:00 PM,9\n04/01/2026 09:00:00 AM,3\n12/31/2025 11:59:59 PM,10\n"
    out = js(run("nps", "--period", "when", "-f", "json", input=body))
    assert [x["period"] for x in out] == ["2025-12", "2026-01", "2026-02", "2026-03", "2026-04", None]


def test_ambiguous_dates_ask(run):
    body = "when,score\n03/04/2026,9\n05/06/2026,3\n"
    r = run("nps", "--period", "when", input=body)
    assert r.exit_code == 2 or r.exit_code == 1
    assert "--dayfirst" in r.stderr and r.stdout == ""
    out = js(run("nps", "--period", "when", "--dayfirst", "-f", "json", input=body))
    assert out[0]["period"] == "2026-04"


def test_bad_date_names_date_column_and_line(run):
    body = "when,score\n2026-03-01,9\n2026-03-02,3\nyesterday,10\n"
    r = run("nps", "--period", "when", input=body)
    assert r.exit_code == 1 and "date column 'when': 'yesterday' is not a date" in r.stderr and "<stdin>:4" in r.stderr
    assert run("nps", "--period", "when", "--skip-invalid", input=body).exit_code == 1  # a date is never skipped
    assert "--date-format" in r.stderr and "--skip-invalid" not in r.stderr


def test_offsets_bucket_in_their_own_zone_unless_tz(run):
    body = "t,score\n2026-03-31 23:30:00 GMT-5,9\n"
    assert js(run("nps", "--period", "t", "-f", "json", input=body))[0]["period"] == "2026-03"
    assert js(run("nps", "--period", "t", "--tz", "UTC", "-f", "json", input=body))[0]["period"] == "2026-04"
    assert run("nps", "--period", "t", "--tz", "Mars/Olympus", input=body).exit_code == 2


# -- filters -----------------------------------------------------------------

BODY = "region,plan,day,score\nNorth,pro,2026-01-05,9\nSouth,pro,2026-02-05,3\nNorth,team,2026-03-05,10\nEast,free,2026-03-20,7\n"


@pytest.mark.parametrize("where,n", [
    ("region=north", 2), ("region!=North", 2), ("score>=9", 2), ("score<9", 2), ("plan~ea", 1),
    ("plan in pro|free", 3), ("day>=2026-03-01", 2),
])
def test_where(run, where, n):
    d = js(run("nps", "-c", "score", "--where", where, "-f", "json", input=BODY))
    assert d["n"] == n and d["filtered_out"] == 4 - n


def test_from_to(run):
    d = js(run("nps", "-c", "score", "--period", "day", "--from", "2026-02-01", "--to", "2026-03-05", "-f", "json", input=BODY))
    assert d[-1]["n"] == 2 and d[-1]["filtered_out"] == 2


def test_where_refuses_garbage(run):
    assert run("nps", "-c", "score", "--where", "__import__('os')", input=BODY).exit_code == 2


def test_text_starting_with_a_bracket_is_still_csv(run, tmp_path):
    f = tmp_path / "b.csv"
    f.write_text("[Q1] How likely to recommend,id\n9,1\n10,2\n3,3\n")
    assert js(run("nps", f, "-f", "json"))["n"] == 3
    assert js(run("nps", "-f", "json", input=f.read_text()))["n"] == 3


def test_excel_serial_numbers_in_a_date_column(run, tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["day", "score"])
    ws.append([46109, 9])  # 2026-03-28 without a date format
    ws.append([46150, 3])  # 2026-05-08
    f = tmp_path / "serial.xlsx"
    wb.save(f)
    out = js(run("nps", f, "--period", "day", "-f", "json"))
    assert [x["period"] for x in out] == ["2026-03", "2026-04", "2026-05", None]


def _ods(path, rows):
    """A minimal OpenDocument spreadsheet (mimetype, content.xml, manifest)."""
    import zipfile
    from xml.sax.saxutils import escape

    def cell(v):
        if isinstance(v, int):
            return f'<table:table-cell office:value-type="float" office:value="{v}"><text:p>{v}</text:p></table:table-cell>'
        return f'<table:table-cell office:value-type="string"><text:p>{escape(v)}</text:p></table:table-cell>'

    body = "".join("<table:table-row>" + "".join(cell(v) for v in r) + "</table:table-row>" for r in rows)
    ns = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
          'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"')
    content = (f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ns} office:version="1.2"><office:body>'
               f'<office:spreadsheet><table:table table:name="Sheet1">{body}</table:table></office:spreadsheet></office:body></office:document-content>')
    manifest = ('<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
                '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
                '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>')
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", content)
        z.writestr("META-INF/manifest.xml", manifest)


def test_ods(run, tmp_path):
    f = tmp_path / "export.data"  # no telling name: content decides
    _ods(f, [["score", "region"], [9, "North"], [3, "Süd"], ["10 - Extremely likely", "x"], ["N/A", "y"]])
    r = run("nps", f, "-f", "json")
    d = js(r)
    assert d["n"] == 3 and d["promoters"] == 2 and d["blank"] == 1 and "OpenDocument" in r.stderr


def test_column_hints_name_the_commands_own_options(run):
    r = run("churn", input="a,b,c\n2026-01-01,2026-02-01,x\n")
    assert r.exit_code == 2 and "--start-column" in r.stderr and "--column" not in r.stderr.replace("--start-column", "")
    r = run("clv", input="a,b,c\nx,2026-01-01,5\n")
    assert r.exit_code == 2 and "--customer-column" in r.stderr
