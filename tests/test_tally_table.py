"""TallyTable (tallies of many groups in a column store) and streamed
output of grouped results: issue 9, item 9 (--by over a million groups)."""

from __future__ import annotations

import csv
import io
import json
import pickle
import tracemalloc

from hypothesis import given, settings
from hypothesis import strategies as st

from cxterms.cli.env import Environment
from cxterms.cli.output import Out, TableFormat
from cxterms.io.scores import make_parser, read_scores
from cxterms.io.table import Table
from cxterms.metrics.scales import Scale
from cxterms.metrics.tally import Tally, TallyTable

ENTRIES = st.lists(st.tuples(st.sampled_from("abcde"), st.one_of(st.none(), st.integers(0, 10)), st.integers(1, 3)),
                   max_size=40)


def fill(entries, table=None):
    table = table if table is not None else TallyTable()
    plain: dict = {}
    for group, answer, count in entries:
        t = plain.setdefault((group,), Tally())
        if answer is None:
            table.add_blank((group,), count)
            t.blank += count
        else:
            table.add((group,), answer, count)
            t.add(answer, count)
    return table, plain


@settings(max_examples=60, deadline=None)
@given(ENTRIES, ENTRIES)
def test_table_equals_a_dict_of_tallies_and_merges(a, b):
    ta, pa = fill(a)
    tb, pb = fill(b)
    assert dict(ta) == pa
    ta.merge(pickle.loads(pickle.dumps(tb)))  # as a worker's share comes back
    merged = {k: pa.get(k, Tally()) + pb.get(k, Tally()) for k in {*pa, *pb}}
    assert dict(ta) == merged


def test_weighted_cells():
    t = TallyTable(weighted=True)
    t.add_weighted(("x",), 9, 2, 3.0, 5.0)
    t.add_blank(("y",))
    assert t[("x",)].weight_total == 3.0 and t[("x",)].weighted
    assert t[("y",)] == Tally(blank=1)


def test_a_group_costs_bytes_not_kilobytes():
    """5,000 groups, each with all eleven NPS answers: what reading keeps
    per group (its key and counts) stays well under the ~1 KB that a Tally
    (a dict) per group costs."""
    groups = 5_000
    body = "g,score\n" + "".join(f"c{i % groups:06d},{i % 11}\n" for i in range(11 * groups))
    table = Table(io.BytesIO(body.encode()), "g.csv")
    tracemalloc.start()
    try:
        data = read_scores(table, make_parser(Scale(0, 10)), by="g")
        kept, _peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(data.cells) == groups
    per_group = kept / groups
    assert per_group < 600, per_group
    assert data.cells[(("c000003",), None)].n == 11


def _stream(n):
    for i in range(n):
        yield {"group": f"g{i}", "n": i, "nps": 1.5}


def test_rows_are_written_while_they_are_made():
    """CSV and JSON output of groups stream: the first rows reach stdout
    before the last ones are computed."""
    from cxterms.cli.render_metrics import write_rows

    for kind in ("csv", "json"):
        buf = io.StringIO()
        out = Out(Environment(stdout=buf))
        seen_early = []

        def rows():
            for i, r in enumerate(_stream(6000)):
                if i == 5000:
                    seen_early.append(len(buf.getvalue()))
                yield r

        if kind == "csv":
            write_rows(out, TableFormat.csv, rows(), header_from={"group": None, "n": 0, "nps": 0.0})
            got = list(csv.DictReader(io.StringIO(buf.getvalue())))
        else:
            out.json_array(rows())
            got = json.loads(buf.getvalue())
        assert seen_early and seen_early[0] > 0, kind
        assert len(got) == 6000 and got[-1]["group"] == "g5999"


def test_grouped_output_is_unchanged(run, tmp_path):
    """Streaming writes the same CSV and JSON as before: every group, then
    the overall row, with the same columns."""
    f = tmp_path / "s.csv"
    f.write_text("region,score\nN,10\nS,3\nN,9\nW,\n")
    rows = list(csv.DictReader(io.StringIO(run("nps", f, "--by", "region", "-f", "csv").stdout)))
    assert [r["group"] for r in rows] == ["N", "S", "W", ""]
    assert rows[2]["n"] == "0" and rows[2]["nps"] == "" and rows[-1]["n"] == "3"
    js = json.loads(run("nps", f, "--by", "region", "-f", "json").stdout)
    assert [r["group"] for r in js] == ["N", "S", "W", None] and js[0]["distribution"]["10"] == 1
