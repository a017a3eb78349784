"""Lint term files: everything ``load`` checks, plus the cross-file checks.

Errors (the entry, or the file for YAML syntax, is skipped when loading):
YAML syntax, duplicate YAML keys, forbidden tags, unknown fields, missing or
empty fields, bad ids, duplicate ids (two built-in files, or two user files),
related links that do not resolve, calculators that are not cxterms commands.

Warnings (style: the entry still loads): overlong or multi-sentence
summaries; a name (alias, headword or id) shared by several entries, so
``define`` will ask the user to choose; an alias equal to its own headword;
a file with no terms. Every problem of every file is reported in one run.

A user entry with the id of a built-in entry is not a problem: replacing
built-ins is what user glossaries are for.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ..errors import GlossaryError
from . import normalize
from .store import SourceFile, read_text
from .term import Problem, Term, build_term


@dataclass
class _Entry:
    term: Term
    related_lines: dict[str, int]
    alias_lines: dict[str, int]
    calculator_line: int | None
    report: bool


def _line_map(rec, name: str) -> dict[str, int]:
    loc = rec.fields.get(name)
    if loc is None:
        return {}
    items = loc.value if isinstance(loc.value, list) else [loc]
    return {" ".join(str(i.value).split()): i.line for i in items if isinstance(i.value, str)}


def lint_files(
    targets: Sequence[SourceFile],
    context: Sequence[SourceFile] = (),
    *,
    known_commands: Iterable[str] = (),
) -> tuple[list[Problem], int]:
    """Lint ``targets``; ``context`` files (e.g. the built-ins) take part in
    link resolution and duplicate checks but are not reported on.

    Returns the problems (sorted by file and line) and the number of entries
    read from the targets.
    """
    from ..io.yamlfile import read_records

    known = set(known_commands)
    problems: list[Problem] = []
    entries: list[_Entry] = []
    target_paths = {f.path for f in targets}
    count = 0
    for src in [*context, *targets]:
        report = src.path in target_paths
        errors: list[GlossaryError] = []
        try:
            records = read_records(read_text(src.path), src.path, errors)
        except GlossaryError as e:
            if report:
                problems.append(Problem(src.path, e.line, e.message, "error", e.column))
            continue
        if report:
            problems.extend(Problem(src.path, e.line, e.message, "error", e.column) for e in errors)
            count += len(errors)
        if report and not records:
            problems.append(Problem(src.path, None, "no terms in this file", "warning"))
        for rec in records:
            term, probs = build_term(rec, src.path, builtin=src.builtin)
            if report:
                problems.extend(probs)
                count += 1
            if term is not None:
                calc = rec.fields.get("calculator")
                entries.append(
                    _Entry(term, _line_map(rec, "related"), _line_map(rec, "aliases"), calc.line if calc else None, report)
                )

    # duplicate ids: within the built-ins, or within the user files
    first: dict[tuple[str, bool], _Entry] = {}
    for e in entries:
        k = (e.term.id, e.term.builtin)
        if k in first and e.report:
            problems.append(
                Problem(e.term.file, e.term.line, f"duplicate id {e.term.id!r} (also at {first[k].term.location})")
            )
        first.setdefault(k, e)

    # the layered result: later files win
    final: dict[str, _Entry] = {}
    for e in entries:
        final[e.term.id] = e
    ids = set(final)

    for e in entries:
        if not e.report:
            continue
        t = e.term
        for r in t.related:
            if r not in ids:
                problems.append(Problem(t.file, e.related_lines.get(r, t.line), f"related id {r!r} does not resolve to any entry"))
        if t.calculator is not None and known:
            words = t.calculator.split()
            if len(words) < 2 or words[0] != "cxterms" or words[1] not in known:
                problems.append(
                    Problem(t.file, e.calculator_line or t.line, f"calculator {t.calculator!r} is not a cxterms command ({', '.join(sorted(known))})")
                )

    # names shared by several entries of the layered glossary
    owners: dict[str, dict[str, str]] = {}
    for e in final.values():
        for name in (e.term.id, e.term.term, *e.term.aliases):
            k = normalize.key(name)
            if k:
                owners.setdefault(k, {}).setdefault(e.term.id, name)
    for e in final.values():
        if not e.report:
            continue
        t = e.term
        for alias in t.aliases:
            others = {i: n for i, n in owners.get(normalize.key(alias), {}).items() if i != t.id}
            if others:
                other = ", ".join(f"{final[i].term.term} ({final[i].term.location})" for i in others)
                problems.append(
                    Problem(t.file, e.alias_lines.get(alias, t.line),
                            f"alias {alias!r} is also a name of {other}; define will ask the user to choose", "warning")
                )
    problems.sort(key=lambda p: (p.file, p.line or 0, p.severity, p.message))
    return problems, count
