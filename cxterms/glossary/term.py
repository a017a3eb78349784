"""The term schema: the ``Term`` record and validation of raw records.

A term file is a YAML list of mappings with these fields (README, "Term
files"):

============  ========  ==================================================
field         required  content
============  ========  ==================================================
id            yes       kebab-case identifier, unique across all files
term          yes       the headword
aliases       no        list of acronyms and other names
category      yes       the browsing category
summary       yes       one sentence, at most 200 characters
definition    yes       one or more paragraphs (blank line between them)
formula       no        plain-text formula, line breaks kept
scale         no        the answer scale or range of a metric
example       no        a worked example
related       no        list of ids of other entries (must resolve)
calculator    no        the cxterms command that computes it
sources       no        list of references
============  ========  ==================================================
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from ..io.yamlfile import Located, Record

SUMMARY_MAX = 200
ID_RE = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"

#: field -> kind; kinds: "line" (one line of text), "paragraphs", "lines"
#: (line breaks kept), "list" (list of one-line strings), "ids".
FIELDS: dict[str, str] = {
    "id": "id",
    "term": "line",
    "aliases": "list",
    "category": "line",
    "summary": "line",
    "definition": "paragraphs",
    "formula": "lines",
    "scale": "paragraphs",
    "example": "paragraphs",
    "related": "ids",
    "calculator": "line",
    "sources": "list",
}
REQUIRED = ("id", "term", "category", "summary", "definition")

# Words that end with a full stop without ending a sentence.
_ABBREV = r"(?:\b(?:e\.g|i\.e|etc|vs|cf|approx|incl|Inc|Ltd|Co|Corp|Dr|Mr|Ms|Mrs|St|No|Fig)|\b[A-Z])\.$"
_SENTENCE_END = r"[.!?][\"')\]]*\s+(?=[\"'(\[]?[A-Z0-9])"


class Term(NamedTuple):
    """One glossary entry (immutable).

    ``file``/``line`` say where it was defined, ``builtin`` whether it ships
    with cxterms, and ``shadows`` lists the ``file:line`` of entries with the
    same id that it replaced (user files override built-ins). A NamedTuple
    rather than a dataclass: it is created on every lookup's start-up path,
    and ``tuple(term)`` is exactly what the compiled index stores.
    """

    id: str
    term: str
    category: str
    summary: str
    definition: str
    aliases: tuple[str, ...] = ()
    formula: str | None = None
    scale: str | None = None
    example: str | None = None
    related: tuple[str, ...] = ()
    calculator: str | None = None
    sources: tuple[str, ...] = ()
    file: str | None = None
    line: int | None = None
    builtin: bool = False
    shadows: tuple[str, ...] = ()

    @property
    def paragraphs(self) -> list[str]:
        """The definition split into paragraphs."""
        return self.definition.split("\n\n")

    @property
    def names(self) -> tuple[str, ...]:
        """Headword first, then aliases."""
        return (self.term, *self.aliases)

    @property
    def location(self) -> str:
        return f"{self.file}:{self.line}" if self.line else str(self.file)

    def content(self) -> dict:
        """The schema fields only, as plain JSON-ready values."""
        return {
            "id": self.id,
            "term": self.term,
            "aliases": list(self.aliases),
            "category": self.category,
            "summary": self.summary,
            "definition": self.definition,
            "formula": self.formula,
            "scale": self.scale,
            "example": self.example,
            "related": list(self.related),
            "calculator": self.calculator,
            "sources": list(self.sources),
        }

    def source_info(self) -> dict:
        return {
            "file": self.file,
            "line": self.line,
            "builtin": self.builtin,
            "shadows": list(self.shadows),
        }


class Problem(NamedTuple):
    """A lint finding: ``file:line: severity: message``."""

    file: str
    line: int | None
    message: str
    severity: str = "error"
    column: int | None = None

    def __str__(self) -> str:
        loc = f"{self.file}:{self.line}" if self.line else self.file
        return f"{loc}: {self.severity}: {self.message}"

    def as_dict(self) -> dict:
        return {
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "severity": self.severity,
            "message": self.message,
        }


def one_line(text: str) -> str:
    """Collapse all whitespace runs to single spaces.

    >>> one_line("  a\\n b\\tc ")
    'a b c'
    """
    return " ".join(text.split())


def paragraphs(text: str) -> str:
    """Re-flow wrapped text: blank lines separate paragraphs, single line
    breaks inside a paragraph become spaces.

    >>> paragraphs("one\\ntwo\\n\\n\\nthree\\n")
    'one two\\n\\nthree'
    """
    paras = re.split(r"\n[ \t]*\n", text.strip())
    return "\n\n".join(p for p in (one_line(p) for p in paras) if p)


def keep_lines(text: str) -> str:
    """Keep line breaks (for formulas); strip trailing spaces and outer blank lines."""
    lines = [ln.rstrip() for ln in text.strip("\n").splitlines()]
    while lines and not lines[0].strip():
        lines.pop(0)
    while lines and not lines[-1].strip():
        lines.pop()
    return "\n".join(lines)


def sentence_count(text: str) -> int:
    """Rough count of sentences, not fooled by "e.g." or initials.

    >>> sentence_count("A score, e.g. NPS. It runs from -100 to 100.")
    2
    >>> sentence_count("Fader, P. S. and B. G. S. Hardie wrote it.")
    1
    """
    count = 1
    for m in re.finditer(_SENTENCE_END, text):
        if not re.search(_ABBREV, text[: m.start() + 1]):
            count += 1
    return count


def build_term(rec: Record, path: str, *, builtin: bool = False) -> tuple[Term | None, list[Problem]]:
    """Validate one raw record; return the Term (None on any error) and the problems.

    >>> from cxterms.io.yamlfile import read_records
    >>> rec = read_records("- id: Bad_Id\\n  term: x\\n", "f.yaml")[0]
    >>> t, probs = build_term(rec, "f.yaml")
    >>> t is None, [str(p) for p in probs][:2]
    (True, ["f.yaml:1: error: id 'Bad_Id' must be kebab-case (lower-case words joined by '-')", 'f.yaml:1: error: missing required field: category'])
    """
    problems: list[Problem] = []

    from ..io.yamlfile import Record

    def problem(msg: str, loc: Located | Record | None = None, severity: str = "error") -> None:
        line = loc.line if loc is not None else rec.line
        col = loc.column if loc is not None else None
        problems.append(Problem(path, line, msg, severity, col))

    values: dict[str, object] = {}
    for name, loc in rec.fields.items():
        kind = FIELDS.get(name)
        if kind is None:
            line, col = rec.keys[name]
            problems.append(Problem(path, line, f"unknown field {name!r} (allowed: {', '.join(FIELDS)})", "error", col))
            continue
        raw = loc.value
        if kind in ("list", "ids"):
            if raw is None:
                items: list[Located] = []
            elif isinstance(raw, str):
                items = [loc]  # a single string is a one-item list
            elif isinstance(raw, list):
                items = raw
            else:
                problem(f"{name} must be a list of strings", loc)
                continue
            out = []
            for item in items:
                if not isinstance(item.value, str):
                    problem(f"{name} must be a list of strings", item)
                    continue
                text = one_line(item.value)
                if not text:
                    problem(f"empty item in {name}", item)
                    continue
                if kind == "ids" and not re.match(ID_RE, text):
                    problem(f"related id {text!r} is not a valid id", item)
                    continue
                out.append(text)
            values[name] = tuple(out)
            continue
        if isinstance(raw, (list, Record)):
            problem(f"{name} must be text, not a {'list' if isinstance(raw, list) else 'mapping'}", loc)
            continue
        if raw is None or not raw.strip():
            problem(f"{name} is empty", loc)
            continue
        if kind == "paragraphs":
            values[name] = paragraphs(raw)
        elif kind == "lines":
            values[name] = keep_lines(raw)
        else:
            text = one_line(raw)
            if kind == "id" and not re.match(ID_RE, text):
                problem(f"id {text!r} must be kebab-case (lower-case words joined by '-')", loc)
                continue
            values[name] = text

    for name in REQUIRED:
        if name not in rec.fields:
            problem(f"missing required field: {name}")

    summary = values.get("summary")
    if isinstance(summary, str):
        loc = rec.fields["summary"]
        # style rules: warnings for lint, never a reason to drop an entry
        if len(summary) > SUMMARY_MAX:
            problem(f"summary is {len(summary)} characters long (at most {SUMMARY_MAX})", loc, "warning")
        if sentence_count(summary) > 1:
            problem("summary should be one sentence", loc, "warning")
    if "id" in values and values["id"] in values.get("related", ()):
        problem("related lists the entry itself", rec.fields["related"])
    aliases = values.get("aliases", ())
    if aliases:
        from .normalize import key

        seen: dict[str, str] = {}
        head = key(str(values.get("term", "")))
        for a in aliases:
            k = key(a)
            if k == head:
                problem(f"alias {a!r} is the same as the headword", rec.fields["aliases"], "warning")
            elif k in seen:
                problem(f"alias {a!r} repeats {seen[k]!r}", rec.fields["aliases"], "warning")
            seen.setdefault(k, a)

    if any(p.severity == "error" for p in problems):
        return None, problems
    term = Term(
        file=path,
        line=rec.line,
        builtin=builtin,
        **values,  # type: ignore[arg-type]
    )
    return term, problems


def load_text(text: str, path: str, *, builtin: bool = False, skipped: list[Problem] | None = None) -> tuple[list[Term], list[Problem]]:
    """Parse and validate one term file's text.

    A file-level YAML error (syntax, a top level that is not a list) is
    returned as a single problem; problems inside one record (duplicate keys,
    tags, schema) are returned per record, and only that record is dropped.
    ``skipped``, when given, gets one problem per dropped record (at the
    line where the record starts) or dropped file, for load-time warnings.
    """
    from ..errors import GlossaryError
    from ..io.yamlfile import read_records

    errors: list[GlossaryError] = []
    try:
        records = read_records(text, path, errors)
    except GlossaryError as e:
        p = Problem(path, e.line, e.message, "error", e.column)
        if skipped is not None:
            skipped.append(p._replace(message=f"not a valid term file, skipped: {e.message}"))
        return [], [p]
    terms: list[Term] = []
    problems: list[Problem] = [Problem(path, e.line, e.message, "error", e.column) for e in errors]
    if skipped is not None:
        skipped.extend(p._replace(message=f"entry skipped: {p.message}") for p in problems)
    for rec in records:
        term, probs = build_term(rec, path, builtin=builtin)
        problems.extend(probs)
        if term is not None:
            terms.append(term)
        elif skipped is not None:
            first = next(p for p in probs if p.severity == "error")
            skipped.append(Problem(path, rec.line, f"entry skipped: {first.message}", "error"))
    return terms, problems
