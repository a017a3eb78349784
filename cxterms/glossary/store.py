"""Loading, layering and indexing the glossary, with a compiled on-disk index.

Sources are layered in order: the built-in files, then each user path (a
file or a folder of ``*.yaml``/``*.yml``) in the order given. An entry whose
id already exists replaces the earlier one and remembers what it shadowed.

Parsing YAML is by far the most expensive step of a lookup, so the result is
compiled into one binary index file per configuration in the cache folder.
The index records the path, size, mtime and inode of every source file and
is rebuilt whenever any of them differs, a file appears or disappears, or
cxterms is upgraded; it is never served stale. A corrupt or unreadable index
is treated as missing. Writes go to a temporary file that is renamed into
place, so concurrent runs never see a half-written index.

The index file (``serialise``) holds separate sections: the name tables,
the rows, packed entry offsets, the search postings and one blob per entry,
each with a crc32. A lookup reads only the sections it uses and one entry,
so its cost hardly depends on the size of the glossary.
"""

from __future__ import annotations

import marshal
import os
import struct
import zlib
from collections.abc import Callable, Iterable, Sequence
from typing import NamedTuple

from .. import __version__
from ..errors import GlossaryError, NotFoundError
from . import normalize
from .term import Problem, Term

FORMAT = b"CXTIDX05"
_KEEP_INDEXES = 8

#: what reading a damaged index entry can raise (marshal, checksum, Term(*...))
_DAMAGE = (ValueError, EOFError, TypeError, OSError)

#: rank of a key in the key map: names an entry by its id or headword, or by an alias
ID_OR_HEADWORD, ALIAS = 0, 1


def builtin_dir() -> str:
    """Folder of the built-in term files.

    In an installed copy the files live inside the package
    (``cxterms/data/glossary``, mapped there by the wheel build); in a source
    checkout they are the ``glossary/`` folder at the repository root. We
    resolve the path from ``__file__`` (what ``importlib.resources.files``
    returns for a package on disk) because importing importlib.resources costs
    more start-up time than a whole lookup.
    """
    pkg = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    inside = os.path.join(pkg, "data", "glossary")
    if os.path.isdir(inside):
        return inside
    return os.path.join(os.path.dirname(pkg), "glossary")


class SourceFile(NamedTuple):
    path: str
    builtin: bool


class GlossaryConfig(NamedTuple):
    """Where the glossary comes from.

    ``user_paths`` are files or folders in increasing precedence (the CLI puts
    the config folder first, then ``CXTERMS_GLOSSARY_PATH``, then
    ``--glossary``). ``cache_dir`` None disables the compiled index.
    """

    builtin: bool = True
    user_paths: tuple[str, ...] = ()
    cache_dir: str | None = None


def _term_files(folder: str) -> list[str]:
    found = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        found.extend(
            os.path.join(root, f) for f in sorted(files) if f.endswith((".yaml", ".yml")) and not f.startswith(".")
        )
    return found


def source_files(config: GlossaryConfig) -> list[SourceFile]:
    """Expand the configuration into the ordered list of term files.

    Raises NotFoundError for a user path that does not exist.
    """
    out: list[SourceFile] = []
    if config.builtin:
        out.extend(SourceFile(p, True) for p in _term_files(builtin_dir()))
    for path in config.user_paths:
        if os.path.isdir(path):
            out.extend(SourceFile(p, False) for p in _term_files(path))
        elif os.path.exists(path):
            out.append(SourceFile(path, False))
        else:
            raise NotFoundError(f"glossary path not found: {path}")
    return out


def read_text(path: str) -> str:
    """Read a term file as UTF-8 (a byte-order mark is allowed)."""
    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError as e:
        raise GlossaryError(f"cannot read term file: {e.strerror or e}", file=path) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        raise GlossaryError("term file is not valid UTF-8", file=path, line=line) from None


def parse_sources(files: Sequence[SourceFile]) -> tuple[list[Term], list[Problem]]:
    """Parse and validate every file: the terms in source order, and what was
    skipped (one problem per broken entry, at the line where it starts, or
    per unreadable or invalid file). Style warnings are lint's business."""
    from .term import load_text

    terms: list[Term] = []
    skipped: list[Problem] = []
    for src in files:
        try:
            text = read_text(src.path)
        except GlossaryError as e:
            skipped.append(Problem(src.path, e.line, f"not a valid term file, skipped: {e.message}"))
            continue
        mine: list[Problem] = []
        t, _problems = load_text(text, src.path, builtin=src.builtin, skipped=mine)
        terms.extend(t)
        skipped.extend(sorted(mine, key=lambda p: p.line or 0))
    return terms, skipped


def layer(terms: Iterable[Term]) -> list[Term]:
    """Apply precedence: a later entry with the same id replaces an earlier one.

    The survivor records the ``file:line`` of every entry it shadowed.
    """
    final: dict[str, Term] = {}
    for t in terms:
        old = final.get(t.id)
        if old is not None:
            t = t._replace(shadows=(*old.shadows, old.location))
        final[t.id] = t
    return list(final.values())


def sort_key(headword: str) -> tuple[str, str]:
    """Alphabetical order for headwords: by normalised words, then case-folded text."""
    return normalize.spaced(headword), headword.casefold()


def letter_of(headword: str) -> str:
    """The A-Z index letter of a headword; '#' for digits and symbols.

    >>> letter_of("360-degree customer view"), letter_of("net promoter score"), letter_of("Éclat")
    ('#', 'N', 'E')
    """
    first = normalize.key(headword)[:1].upper()
    return first if "A" <= first <= "Z" else "#"


class SearchIndex(NamedTuple):
    names: object  # fuzzy.NameIndex: the names, for define's fuzzy tier
    text: object  # bm25.Bm25Index: every field, for search


def tables(ordered: Sequence[Term]) -> tuple[list[tuple], dict[str, int], dict[str, int | tuple]]:
    """rows (id, term, category, aliases); exact names -> index; normalised
    keys -> owners, packed as ``index * 2 + rank`` (rank: ID_OR_HEADWORD or
    ALIAS), a tuple of those when several entries share the key. Plain ints
    load several times faster than lists of pairs; see ``owners``."""
    rows = [(t.id, t.term, t.category, t.aliases) for t in ordered]
    exact: dict[str, int] = {}
    keys: dict[str, list] = {}
    for i, t in enumerate(ordered):
        for name in (t.id, t.term):
            exact.setdefault(name.strip().casefold(), i)
        for rank, names in ((ID_OR_HEADWORD, (t.id, t.term)), (ALIAS, t.aliases)):
            for name in names:
                k = normalize.key(name)
                if not k:
                    continue
                bucket = keys.setdefault(k, [])
                if not any(p // 2 == i for p in bucket):
                    bucket.append(i * 2 + rank)
    packed = {k: v[0] if len(v) == 1 else tuple(v) for k, v in keys.items()}
    return rows, exact, packed


def owners(packed) -> list[tuple[int, int]]:
    """[(entry index, rank)] from a value of the keys table.

    >>> owners(7), owners((4, 9))
    ([(3, 1)], [(2, 0), (4, 1)])
    """
    if isinstance(packed, int):
        return [divmod(packed, 2)]
    return [divmod(p, 2) for p in packed]


def search_tables(ordered: Sequence[Term], rows: list[tuple]) -> SearchIndex:
    from .bm25 import Bm25Index
    from .fuzzy import NameIndex

    return SearchIndex(NameIndex.from_rows(rows), Bm25Index.in_memory(ordered))


class _Memory:
    """Tables computed from terms held in memory."""

    def __init__(self, ordered: list[Term]) -> None:
        self.ordered = ordered
        self.rows, self.exact, self.keys = tables(ordered)
        self.size = len(ordered)

    def get(self, i: int) -> Term:
        return self.ordered[i]

    def all(self) -> list[Term]:
        return list(self.ordered)

    def search(self) -> SearchIndex:
        return search_tables(self.ordered, self.rows)


class Glossary:
    """The layered set of entries with lookup tables.

    Entries are kept in alphabetical order of headword; ``rows`` holds the
    light fields ``(id, term, category, aliases)`` of every entry, and the full
    ``Term`` of entry *i* comes from ``get(i)``. From the compiled index every
    table is read only when first used, so a lookup reads the name tables and
    one entry, whatever the size of the glossary.
    """

    def __init__(self, source, recover: Callable[[], Glossary] | None = None) -> None:
        self._source = source
        self._recover = recover
        self._ids: dict[str, int] | None = None
        self._sorted_keys: list[str] | None = None
        self._name_index = None
        self._search_index: SearchIndex | None = None
        #: entries and files left out because they are broken (Problems)
        self.skipped: list[Problem] = []

    @classmethod
    def from_terms(cls, terms: Iterable[Term], skipped: Sequence[Problem] = ()) -> Glossary:
        """An in-memory glossary of ``terms`` (already layered)."""
        glossary = cls(_Memory(sorted(terms, key=lambda t: sort_key(t.term))))
        glossary.skipped = list(skipped)
        return glossary

    def _safely(self, read):
        """Run ``read(source)``; if the index file turns out to be damaged,
        re-parse the sources (which also rewrites the index) and retry."""
        try:
            return read(self._source)
        except _DAMAGE:
            if self._recover is None:
                raise
            self._source = self._recover()._source
            self._recover = None
            self._ids = self._sorted_keys = self._name_index = self._search_index = None
            return read(self._source)

    # -- tables -------------------------------------------------------------
    @property
    def rows(self) -> list[tuple]:
        return self._safely(lambda s: s.rows)

    @property
    def exact(self) -> dict[str, int]:
        return self._safely(lambda s: s.exact)

    @property
    def keys(self) -> dict[str, int | tuple]:
        """Normalised name -> packed owners (decode with ``owners``)."""
        return self._safely(lambda s: s.keys)

    def __len__(self) -> int:
        return self._source.size

    def get(self, i: int) -> Term:
        return self._safely(lambda s: s.get(i))

    def all(self) -> list[Term]:
        return self._safely(lambda s: s.all())

    @property
    def ids(self) -> dict[str, int]:
        if self._ids is None:
            self._ids = {row[0]: i for i, row in enumerate(self.rows)}
        return self._ids

    def by_id(self, term_id: str) -> Term | None:
        i = self.ids.get(term_id)
        return None if i is None else self.get(i)

    def headword(self, term_id: str) -> str | None:
        """Headword of the entry with this id (reads that entry only)."""
        i = self.exact.get(term_id)  # ids are lower-case, so their casefold is themselves
        if i is not None:
            t = self.get(i)
            if t.id == term_id:
                return t.term
        i = self.ids.get(term_id)
        return None if i is None else self.rows[i][1]

    @property
    def sorted_keys(self) -> list[str]:
        if self._sorted_keys is None:
            self._sorted_keys = sorted(self.keys)
        return self._sorted_keys

    def name_index(self):
        """Inverted index of every name, for the fuzzy tier."""
        if self._name_index is None:
            self._name_index = self.search_index().names
        return self._name_index

    def guarded(self, fn):
        """Run ``fn()`` (which reads indexes lazily); if the index file turns
        out to be damaged, rebuild it and run ``fn()`` again."""
        return self._safely(lambda _source: fn())

    def search_index(self) -> SearchIndex:
        """Name and text indexes for ``search`` (precomputed in the index file)."""
        if self._search_index is None:
            self._search_index = self._safely(lambda s: s.search())
        return self._search_index

    def categories(self) -> list[tuple[str, int]]:
        """Category names with entry counts, by name."""
        counts: dict[str, int] = {}
        for row in self.rows:
            counts[row[2]] = counts.get(row[2], 0) + 1
        return sorted(counts.items(), key=lambda kv: kv[0].casefold())


# -- the compiled index ---------------------------------------------------

def fingerprint(files: Sequence[SourceFile]) -> list[tuple]:
    out = []
    for f in files:
        try:
            st = os.stat(f.path)
        except OSError:
            out.append((f.path, f.builtin, -1, -1, -1))
        else:
            out.append((f.path, f.builtin, st.st_size, st.st_mtime_ns, st.st_ino))
    return out


def index_path(config: GlossaryConfig) -> str:
    ident = repr((FORMAT, config.builtin, tuple(os.path.abspath(p) for p in config.user_paths)))
    name = f"index-{zlib.crc32(ident.encode('utf-8', 'surrogatepass')):08x}.bin"
    return os.path.join(config.cache_dir or "", name)


_ENTRY = struct.Struct("<QII")  # offset in the entries section, length, crc32
_SECTIONS = ("meta", "exact", "keys", "rows", "offsets", "names", "vocab", "postings", "entries")


def serialise(ordered: Sequence[Term], stamp: list[tuple], skipped: Sequence[Problem] = ()) -> bytes:
    """The index file for ``ordered`` terms::

        FORMAT | toc length (4 bytes LE) | toc | sections

    ``toc`` (marshal) maps each section name to (offset, length, crc32)
    relative to the end of the toc. Sections are marshal dumps, except
    ``offsets`` (packed ``_ENTRY`` records) and ``entries`` (one marshal
    blob per Term).
    """
    from .bm25 import build as build_text_index
    from .fuzzy import NameIndex

    rows, exact, keys = tables(ordered)
    names = NameIndex.from_rows(rows)
    vocab, postings = build_text_index(ordered)
    blobs = [marshal.dumps(tuple(t)) for t in ordered]
    offsets, pos = bytearray(), 0
    for b in blobs:
        offsets += _ENTRY.pack(pos, len(b), zlib.crc32(b))
        pos += len(b)
    sections = {
        "meta": marshal.dumps((__version__, stamp, len(ordered), [tuple(p) for p in skipped])),
        "exact": marshal.dumps(exact),
        "keys": marshal.dumps(keys),
        "rows": marshal.dumps(rows),
        "offsets": bytes(offsets),
        "names": marshal.dumps((names.records, names.postings, names.vocab)),
        "vocab": vocab,
        "postings": postings,
        "entries": b"".join(blobs),
    }
    toc, pos = {}, 0
    for name in _SECTIONS:
        data = sections[name]
        toc[name] = (pos, len(data), zlib.crc32(data))
        pos += len(data)
    toc_bytes = marshal.dumps(toc)
    return b"".join([FORMAT, len(toc_bytes).to_bytes(4, "little"), toc_bytes, *(sections[n] for n in _SECTIONS)])


class _IndexFile:
    """An open index file; sections are read when first needed, through the
    same handle, so a concurrent rebuild (a rename over the path) cannot mix
    two versions. Damage raises one of ``_DAMAGE``."""

    def __init__(self, fh, base: int, toc: dict, size: int) -> None:
        self.fh = fh
        self.base = base
        self.toc = toc
        self.size = size
        self._cache: dict[str, object] = {}

    def raw(self, name: str) -> bytes:
        offset, length, crc = self.toc[name]
        self.fh.seek(self.base + offset)
        data = self.fh.read(length)
        if len(data) != length or zlib.crc32(data) != crc:
            raise ValueError(f"index section {name} is damaged")
        return data

    def section(self, name: str):
        if name not in self._cache:
            self._cache[name] = marshal.loads(self.raw(name))
        return self._cache[name]

    @property
    def rows(self) -> list[tuple]:
        return self.section("rows")

    @property
    def exact(self) -> dict[str, int]:
        return self.section("exact")

    @property
    def keys(self) -> dict[str, int | tuple]:
        return self.section("keys")

    def _entry(self, i: int) -> tuple[int, int, int]:
        if "offsets" not in self._cache:
            self._cache["offsets"] = self.raw("offsets")
        return _ENTRY.unpack_from(self._cache["offsets"], i * _ENTRY.size)

    def get(self, i: int) -> Term:
        start, length, crc = self._entry(i)
        offset, _total, _crc = self.toc["entries"]
        self.fh.seek(self.base + offset + start)
        blob = self.fh.read(length)
        if zlib.crc32(blob) != crc:
            raise ValueError("index entry checksum mismatch")
        return Term(*marshal.loads(blob))

    def all(self) -> list[Term]:
        data = self.raw("entries")
        out = []
        for i in range(self.size):
            start, length, _crc = self._entry(i)
            out.append(Term(*marshal.loads(data[start : start + length])))
        return out

    def read_at(self, section: str, start: int, length: int) -> bytes:
        """``length`` bytes at ``start`` inside ``section`` (the caller checks them)."""
        offset, total, _crc = self.toc[section]
        if start + length > total:
            raise ValueError(f"index section {section} is damaged")
        self.fh.seek(self.base + offset + start)
        return self.fh.read(length)

    def search(self) -> SearchIndex:
        from .bm25 import Bm25Index
        from .fuzzy import NameIndex

        names = _Lazy(lambda: NameIndex(*self.section("names")))
        text = Bm25Index(self.raw("vocab"), lambda start, n: self.read_at("postings", start, n))
        return SearchIndex(names, text)


class _Lazy:
    """Builds the wrapped object on first attribute access (the name index is
    needed only by define's fuzzy tier, not by search)."""

    def __init__(self, make) -> None:
        self._make = make
        self._obj = None

    def __getattr__(self, name: str):
        if self._obj is None:
            self._obj = self._make()
        return getattr(self._obj, name)


def read_index(path: str, stamp: list[tuple], recover: Callable[[], Glossary] | None = None) -> Glossary | None:
    """The cached glossary at ``path`` if it is intact and current, else None.
    Sections are checked (crc32) as they are read; a damaged one makes the
    glossary call ``recover`` for a rebuilt copy."""
    try:
        fh = open(path, "rb")
    except OSError:
        return None
    try:
        header = fh.read(len(FORMAT) + 4)
        if len(header) != len(FORMAT) + 4 or header[: len(FORMAT)] != FORMAT:
            raise ValueError("not an index")
        toc_len = int.from_bytes(header[len(FORMAT) :], "little")
        toc = marshal.loads(fh.read(toc_len))
        if not isinstance(toc, dict) or set(toc) != set(_SECTIONS):
            raise ValueError("bad table of contents")
        index = _IndexFile(fh, len(FORMAT) + 4 + toc_len, toc, 0)
        version, old_stamp, size, skipped = index.section("meta")
        if version != __version__ or old_stamp != stamp:
            raise ValueError("stale index")
        index.size = size
        skipped = [Problem(*p) for p in skipped]
    except Exception:  # any damage means: rebuild
        fh.close()
        return None
    glossary = Glossary(index, recover)
    glossary.skipped = skipped
    return glossary


def write_index(path: str, data: bytes) -> None:
    """Atomically replace ``path`` with ``data``; failures are ignored
    (the cache is an optimisation, never a requirement)."""
    folder = os.path.dirname(path)
    tmp = f"{path}.{os.getpid()}.{os.urandom(4).hex()}.tmp"
    try:
        os.makedirs(folder, exist_ok=True)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except OSError:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        return
    _prune(folder)


def _prune(folder: str) -> None:
    """Keep only the most recently used few index files."""
    try:
        entries = [e for e in os.scandir(folder) if e.name.startswith("index-") and e.name.endswith(".bin")]
        if len(entries) <= _KEEP_INDEXES:
            return
        entries.sort(key=lambda e: e.stat().st_mtime_ns, reverse=True)
        for e in entries[_KEEP_INDEXES:]:
            os.unlink(e.path)
    except OSError:
        pass


def open_glossary(config: GlossaryConfig) -> Glossary:
    """Load the configured glossary, from the compiled index when it is current.

    A broken entry or an invalid file does not stop the others: it is left
    out and listed in the glossary's ``skipped`` (kept in the compiled index,
    so every run reports it until it is fixed). Raises NotFoundError for a
    user path that does not exist.
    """
    files = source_files(config)
    stamp = fingerprint(files) if config.cache_dir else []
    path = index_path(config) if config.cache_dir else None

    def build() -> Glossary:
        terms, skipped = parse_sources(files)
        glossary = Glossary.from_terms(layer(terms), skipped)
        if path is not None:
            write_index(path, serialise(glossary.all(), stamp, skipped))
        return glossary

    if path is not None:
        cached = read_index(path, stamp, build)
        if cached is not None:
            return cached
    return build()
