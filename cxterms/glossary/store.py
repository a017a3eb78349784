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

Index file layout::

    b"CXTIDX02" | head length (8 bytes LE) | crc32 of head (4 bytes LE) | head | entries

``head`` is a marshal dump of the lookup tables; each entry is a separate
marshal blob with its offset, length and crc32 in the head, so a lookup
reads only the one entry it shows.
"""

from __future__ import annotations

import marshal
import os
import zlib
from collections.abc import Callable, Iterable, Sequence
from typing import NamedTuple

from .. import __version__
from ..errors import GlossaryError, NotFoundError
from . import normalize
from .term import Problem, Term

FORMAT = b"CXTIDX02"
_HEADER = len(FORMAT) + 8 + 4
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
    """Parse and validate every file; terms in source order, all problems."""
    from .term import load_text

    terms: list[Term] = []
    problems: list[Problem] = []
    for src in files:
        try:
            text = read_text(src.path)
        except GlossaryError as e:
            problems.append(Problem(src.path, e.line, e.message))
            continue
        t, p = load_text(text, src.path, builtin=src.builtin)
        terms.extend(t)
        problems.extend(p)
    return terms, problems


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
    names: object  # fuzzy.NameIndex
    summaries: object  # fuzzy.TextIndex
    definitions: object  # fuzzy.TextIndex
    vocab: list[str]  # sorted union of their words


class Glossary:
    """The layered set of entries with lookup tables.

    Entries are kept in alphabetical order of headword; ``rows`` holds the
    light fields ``(id, term, category, aliases)`` of every entry, and the full
    ``Term`` of entry *i* comes from ``get(i)`` (read lazily from the index
    file when the glossary came from the cache).
    """

    def __init__(
        self,
        rows: list[tuple],
        exact: dict[str, int],
        keys: dict[str, list],
        fetch: Callable[[int], Term],
        fetch_all: Callable[[], list[Term]],
        recover: Callable[[], Glossary] | None = None,
    ) -> None:
        self.rows = rows
        self.exact = exact
        self.keys = keys
        self._fetch = fetch
        self._fetch_all = fetch_all
        self._recover = recover
        self._ids: dict[str, int] | None = None
        self._sorted_keys: list[str] | None = None
        self._name_index = None
        self._search_index: SearchIndex | None = None

    def _adopt_rebuilt(self) -> None:
        """An entry in the index file was damaged: re-parse the sources and
        continue from memory (the rebuild also rewrites the index file)."""
        fresh = self._recover()
        self.rows, self.exact, self.keys = fresh.rows, fresh.exact, fresh.keys
        self._fetch, self._fetch_all, self._recover = fresh._fetch, fresh._fetch_all, None
        self._ids = self._sorted_keys = self._name_index = self._search_index = None

    # -- building ---------------------------------------------------------
    @classmethod
    def from_terms(cls, terms: Iterable[Term]) -> Glossary:
        """An in-memory glossary of ``terms`` (already layered)."""
        ordered = sorted(terms, key=lambda t: sort_key(t.term))
        rows, exact, keys = cls.tables(ordered)
        return cls(rows, exact, keys, ordered.__getitem__, lambda: list(ordered))

    @staticmethod
    def tables(ordered: Sequence[Term]) -> tuple[list[tuple], dict[str, int], dict[str, list]]:
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
                    if not any(j == i for j, _ in bucket):
                        bucket.append((i, rank))
        return rows, exact, keys

    # -- access -----------------------------------------------------------
    def __len__(self) -> int:
        return len(self.rows)

    def get(self, i: int) -> Term:
        try:
            return self._fetch(i)
        except _DAMAGE:
            if self._recover is None:
                raise
            self._adopt_rebuilt()
            return self._fetch(i)

    def all(self) -> list[Term]:
        try:
            return self._fetch_all()
        except _DAMAGE:
            if self._recover is None:
                raise
            self._adopt_rebuilt()
            return self._fetch_all()

    @property
    def ids(self) -> dict[str, int]:
        if self._ids is None:
            self._ids = {row[0]: i for i, row in enumerate(self.rows)}
        return self._ids

    def by_id(self, term_id: str) -> Term | None:
        i = self.ids.get(term_id)
        return None if i is None else self.get(i)

    def headword(self, term_id: str) -> str | None:
        i = self.ids.get(term_id)
        return None if i is None else self.rows[i][1]

    @property
    def sorted_keys(self) -> list[str]:
        if self._sorted_keys is None:
            self._sorted_keys = sorted(self.keys)
        return self._sorted_keys

    def name_index(self):
        """Inverted index of every name, for the fuzzy tier (built on first use)."""
        if self._name_index is None:
            from .fuzzy import NameIndex

            self._name_index = NameIndex.from_rows(self.rows)
        return self._name_index

    def search_index(self) -> SearchIndex:
        """Name and text indexes for ``search`` (built on first use)."""
        if self._search_index is None:
            from .fuzzy import TextIndex

            terms = self.all()
            names = self.name_index()
            summaries = TextIndex.from_texts([t.summary for t in terms])
            definitions = TextIndex.from_texts([t.definition for t in terms])
            vocab = sorted({*names.postings, *summaries.postings, *definitions.postings})
            self._search_index = SearchIndex(names, summaries, definitions, vocab)
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


def serialise(ordered: Sequence[Term], stamp: list[tuple]) -> bytes:
    rows, exact, keys = Glossary.tables(ordered)
    blobs = [marshal.dumps(tuple(t)) for t in ordered]
    offsets, pos = [], 0
    for b in blobs:
        offsets.append((pos, len(b), zlib.crc32(b)))
        pos += len(b)
    head = marshal.dumps((__version__, stamp, rows, exact, keys, offsets))
    return b"".join(
        [FORMAT, len(head).to_bytes(8, "little"), zlib.crc32(head).to_bytes(4, "little"), head, *blobs]
    )


class _IndexFile:
    """An open index file; entries are read on demand through the same handle,
    so a concurrent rebuild (rename over the path) cannot mix two versions."""

    def __init__(self, fh, base: int, offsets: list[tuple[int, int, int]]) -> None:
        self.fh = fh
        self.base = base
        self.offsets = offsets

    def _decode(self, blob: bytes, crc: int) -> Term:
        if zlib.crc32(blob) != crc:
            raise ValueError("index entry checksum mismatch")
        return Term(*marshal.loads(blob))

    def get(self, i: int) -> Term:
        start, length, crc = self.offsets[i]
        self.fh.seek(self.base + start)
        return self._decode(self.fh.read(length), crc)

    def all(self) -> list[Term]:
        self.fh.seek(self.base)
        data = self.fh.read()
        return [self._decode(data[s : s + n], c) for s, n, c in self.offsets]


def read_index(path: str, stamp: list[tuple], recover: Callable[[], Glossary] | None = None) -> Glossary | None:
    """The cached glossary at ``path`` if its head is intact and current, else
    None. Entries are checked (crc32) when read; a damaged one makes the
    glossary call ``recover`` for a rebuilt copy."""
    try:
        fh = open(path, "rb")
    except OSError:
        return None
    try:
        header = fh.read(_HEADER)
        if len(header) != _HEADER or header[: len(FORMAT)] != FORMAT:
            raise ValueError("not an index")
        size = int.from_bytes(header[len(FORMAT) : len(FORMAT) + 8], "little")
        crc = int.from_bytes(header[len(FORMAT) + 8 :], "little")
        head = fh.read(size)
        if len(head) != size or zlib.crc32(head) != crc:
            raise ValueError("truncated or corrupt index")
        version, old_stamp, rows, exact, keys, offsets = marshal.loads(head)
        if version != __version__ or old_stamp != stamp:
            raise ValueError("stale index")
    except Exception:  # any damage means: rebuild
        fh.close()
        return None
    store = _IndexFile(fh, _HEADER + size, offsets)
    return Glossary(rows, exact, keys, store.get, store.all, recover)


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


def first_error(problems: Iterable[Problem]) -> GlossaryError | None:
    for p in problems:
        if p.severity == "error":
            return GlossaryError(
                p.message, file=p.file, line=p.line, column=p.column,
                hint="run 'cxterms lint' to list every problem in the term files",
            )
    return None


def open_glossary(config: GlossaryConfig) -> Glossary:
    """Load the configured glossary, from the compiled index when it is current.

    Raises GlossaryError (with file and line) for the first error in any term
    file, NotFoundError for a user path that does not exist.
    """
    files = source_files(config)
    stamp = fingerprint(files) if config.cache_dir else []
    path = index_path(config) if config.cache_dir else None

    def build() -> Glossary:
        terms, problems = parse_sources(files)
        err = first_error(problems)
        if err is not None:
            raise err
        glossary = Glossary.from_terms(layer(terms))
        if path is not None:
            write_index(path, serialise(glossary.all(), stamp))
        return glossary

    if path is not None:
        cached = read_index(path, stamp, build)
        if cached is not None:
            return cached
    return build()
