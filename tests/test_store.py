"""Loading, layering and the compiled index."""

import os
import subprocess
import sys

import pytest

from cxterms.errors import GlossaryError, NotFoundError
from cxterms.glossary import store
from cxterms.glossary.store import Glossary, GlossaryConfig, builtin_dir, letter_of, open_glossary

from .conftest import DATA, REPO, entry, write_terms

MINI = str(DATA / "mini")


def cfg(*paths, cache=None, builtin=False):
    return GlossaryConfig(builtin=builtin, user_paths=tuple(str(p) for p in paths), cache_dir=str(cache) if cache else None)


def test_builtin_dir_in_source_checkout():
    assert os.path.samefile(builtin_dir(), REPO / "glossary")


def test_open_mini_glossary_sorted():
    g = open_glossary(cfg(MINI))
    heads = [row[1] for row in g.rows]
    assert heads[0] == "360-degree customer view"
    assert heads[1] == "A/B testing"
    assert heads == sorted(heads, key=lambda h: store.sort_key(h))
    assert len(g) == 13
    assert g.by_id("bopis").term == "BOPIS"
    assert g.headword("promoter") == "Promoter"
    assert g.headword("nope") is None
    assert dict(g.categories())["Service"] == 3


def test_user_entry_replaces_builtin_id_and_records_shadow(tmp_path):
    override = write_terms(tmp_path / "mine.yaml", entry("promoter", "Promoter", summary="My own gloss."))
    g = open_glossary(cfg(MINI, override))
    t = g.by_id("promoter")
    assert t.summary == "My own gloss."
    assert t.file == str(override)
    assert len(t.shadows) == 1 and t.shadows[0].startswith(os.path.join(MINI, "cx.yaml") + ":")
    assert len(g) == 13


def test_later_user_path_wins(tmp_path):
    a = write_terms(tmp_path / "a.yaml", entry("thing", "Thing", summary="From a."))
    b = write_terms(tmp_path / "b.yaml", entry("thing", "Thing", summary="From b."))
    assert open_glossary(cfg(a, b)).by_id("thing").summary == "From b."
    assert open_glossary(cfg(b, a)).by_id("thing").summary == "From a."


def test_folder_is_searched_recursively_in_order(tmp_path):
    write_terms(tmp_path / "g" / "1.yaml", entry("one", "One"))
    write_terms(tmp_path / "g" / "sub" / "2.yml", entry("two", "Two"))
    write_terms(tmp_path / "g" / "notes.txt", "not yaml")
    write_terms(tmp_path / "g" / ".hidden.yaml", "- broken: [")
    g = open_glossary(cfg(tmp_path / "g"))
    assert sorted(r[0] for r in g.rows) == ["one", "two"]


def test_missing_path_is_not_found(tmp_path):
    with pytest.raises(NotFoundError, match="glossary path not found"):
        open_glossary(cfg(tmp_path / "nope.yaml"))


@pytest.mark.parametrize(
    "text, line",
    [
        ("- id: a\n  id: b\n", 2),
        ("- id: a\n  term: A\n  category: C\n  summary: s.\n  definition: d.\n  bogus: 1\n", 1),
        (b"- id: a\n  term: \xff\n", 2),
    ],
)
def test_broken_user_entry_is_skipped_with_location(tmp_path, text, line):
    p = tmp_path / "broken.yaml"
    p.write_bytes(text if isinstance(text, bytes) else text.encode())
    good = write_terms(tmp_path / "good.yaml", entry("fine", "Fine"))
    for _ in range(2):  # parsed, then from the compiled index: still reported
        g = open_glossary(cfg(p, good, cache=tmp_path / "cache"))
        assert [r[0] for r in g.rows] == ["fine"]
        (problem,) = g.skipped
        assert problem.file == str(p) and problem.line == line


def test_letter_of():
    assert [letter_of(h) for h in ["a/b testing", "Zebra", "360 view", "Éclair", "_x"]] == ["A", "Z", "#", "E", "X"]


# -- the compiled index -------------------------------------------------

def test_cache_round_trip(tmp_path):
    cache = tmp_path / "cache"
    first = open_glossary(cfg(MINI, cache=cache))
    files = list(cache.iterdir())
    assert len(files) == 1 and files[0].name.startswith("index-")
    second = store.read_index(str(files[0]), store.fingerprint(store.source_files(cfg(MINI, cache=cache))))
    assert second is not None
    assert second.rows == first.rows
    assert second.all() == first.all()
    assert second.get(3) == first.get(3)
    assert second.keys == first.keys


def test_cache_is_used_without_parsing(tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    open_glossary(cfg(MINI, cache=cache))

    def boom(*a, **k):
        raise AssertionError("parsed although the index is current")

    monkeypatch.setattr(store, "parse_sources", boom)
    assert open_glossary(cfg(MINI, cache=cache)).by_id("bopis").term == "BOPIS"


def test_cache_rebuilt_when_a_file_changes(tmp_path):
    cache = tmp_path / "cache"
    f = write_terms(tmp_path / "u.yaml", entry("thing", "Thing", summary="Old."))
    assert open_glossary(cfg(f, cache=cache)).by_id("thing").summary == "Old."
    write_terms(f, entry("thing", "Thing", summary="New text."))
    assert open_glossary(cfg(f, cache=cache)).by_id("thing").summary == "New text."
    # same size and a restored mtime: the inode changed (editors replace files)
    st = os.stat(f)
    tmp = tmp_path / "u.tmp"
    write_terms(tmp, entry("thing", "Thing", summary="Nex text."))
    os.replace(tmp, f)
    os.utime(f, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert open_glossary(cfg(f, cache=cache)).by_id("thing").summary == "Nex text."


def test_cache_rebuilt_when_a_file_appears_in_a_folder(tmp_path):
    cache = tmp_path / "cache"
    folder = tmp_path / "g"
    write_terms(folder / "a.yaml", entry("one", "One"))
    assert len(open_glossary(cfg(folder, cache=cache))) == 1
    write_terms(folder / "b.yaml", entry("two", "Two"))
    assert len(open_glossary(cfg(folder, cache=cache))) == 2
    (folder / "a.yaml").unlink()
    assert [r[0] for r in open_glossary(cfg(folder, cache=cache)).rows] == ["two"]


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: b"",
        lambda data: data[:20],
        lambda data: data[: len(data) // 2],
        lambda data: b"NOTANIDX" + data[8:],
        lambda data: data[:40] + bytes([data[40] ^ 0xFF]) + data[41:],
        lambda data: data[:-5] + b"XXXXX",
    ],
)
def test_corrupt_cache_falls_back_and_is_rebuilt(tmp_path, damage):
    cache = tmp_path / "cache"
    good = open_glossary(cfg(MINI, cache=cache)).all()
    (idx,) = cache.iterdir()
    idx.write_bytes(damage(idx.read_bytes()))
    try:
        loaded = open_glossary(cfg(MINI, cache=cache)).all()
    except ValueError:
        pytest.fail("a damaged entry blob must not escape as an error")
    assert loaded == good
    # and the next run finds a sound index again
    assert store.read_index(str(idx), store.fingerprint(store.source_files(cfg(MINI)))) is not None


def test_unwritable_cache_dir_is_ignored(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    g = open_glossary(cfg(MINI, cache=blocker / "sub"))
    assert len(g) == 13


def test_no_cache_writes_nothing(tmp_path):
    open_glossary(cfg(MINI))
    assert not (tmp_path / "cache").exists()


def test_old_indexes_are_pruned(tmp_path):
    cache = tmp_path / "cache"
    for i in range(store._KEEP_INDEXES + 3):
        f = write_terms(tmp_path / f"g{i}.yaml", entry(f"t{i}", f"T{i}"))
        open_glossary(cfg(f, cache=cache))
    assert len(list(cache.glob("index-*.bin"))) == store._KEEP_INDEXES


CONCURRENT = """
import sys
from cxterms.glossary.store import GlossaryConfig, open_glossary
for _ in range(15):
    g = open_glossary(GlossaryConfig(builtin=False, user_paths=(sys.argv[1],), cache_dir=sys.argv[2]))
    assert len(g) == 13 and len(g.all()) == 13, len(g)
"""


def test_concurrent_processes_never_see_a_broken_index(tmp_path):
    cache = tmp_path / "cache"
    procs = [
        subprocess.Popen([sys.executable, "-c", CONCURRENT, MINI, str(cache)], cwd=REPO, stderr=subprocess.PIPE)
        for _ in range(4)
    ]
    for p in procs:
        _, err = p.communicate(timeout=120)
        assert p.returncode == 0, err.decode()
    assert not list(cache.glob("*.tmp"))


def test_glossary_from_terms_matches_open(tmp_path):
    g = open_glossary(cfg(MINI))
    again = Glossary.from_terms(g.all())
    assert again.rows == g.rows and again.exact == g.exact
