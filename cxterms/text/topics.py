"""Topics a team defines: a name and the words or phrases that signal it.

A topic file is a YAML list (read with the same safe reader as term files):

    - name: price
      patterns: [price*, expensive, "too much", cost*]

A pattern is a word, a word ending in ``*`` (any word starting so:
``refund*`` matches refund, refunds, refunded) or a phrase in quotes whose
words must appear in that order, next to each other (``"call back"``).
Matching ignores case, punctuation and a plural -s, like the comment themes.
Files layer like term files: built-in starter topics first, then each
``--topics`` file; a topic whose name is already defined replaces it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ..errors import GlossaryError, UsageError
from .tokens import singular, words

BUILTIN: dict[str, tuple[str, ...]] = {
    "price": ("price*", "pricing", "expensive", "cheap*", "cost*", "fee*", "overpriced", "afford*", '"too much"', "value"),
    "speed": ("slow*", "fast*", "quick*", "wait*", "delay*", "took forever", "forever", "speed*", "hold", "queue*"),
    "staff": ("staff", "agent*", "rude*", "friendly", "polite", "employee*", "representative*", "rep", "attitude", "knowledgeable"),
    "app": ("app", "apps", "website", "site", "login", '"log in"', "crash*", "bug*", "checkout", "password", "online"),
    "billing": ("bill*", "invoice*", "charge*", "refund*", "payment*", "overcharg*", '"double charged"', "subscription*"),
    "delivery": ("deliver*", "shipping", "shipped", "package*", "parcel*", "courier*", "arriv*", "tracking", "damaged"),
    "support": ("support", "help*", '"call back"', "callback", "chat*", "ticket*", "resolv*", "escalat*", "follow up"),
}


@dataclass(frozen=True)
class Topic:
    name: str
    patterns: tuple[str, ...]
    source: str = "built-in"
    compiled: tuple = ()

    def matches(self, ws: Sequence[str]) -> bool:
        for pat in self.compiled:
            k = len(pat)
            for i in range(len(ws) - k + 1):
                if all(w.startswith(p[:-1]) if p.endswith("*") else w == p for w, p in zip(ws[i:i + k], pat)):
                    return True
        return False


def compile_pattern(pattern: str) -> tuple[str, ...]:
    """Words of a pattern, normalised like comment words; ``*`` kept as a suffix.

    >>> compile_pattern('"Call Backs"'), compile_pattern("refund*"), compile_pattern("took forever")
    (('call', 'back'), ('refund*',), ('took', 'forever'))
    """
    text = pattern.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
        text = text[1:-1]
    out = []
    for raw in text.split():
        star = raw.endswith("*")
        ws = words(raw[:-1] if star else raw)
        if len(ws) != 1:
            raise ValueError(f"pattern word {raw!r} must be letters or digits, optionally ending in *")
        out.append(ws[0].casefold() + "*" if star else singular(ws[0]))
    if not out:
        raise ValueError("empty pattern")
    return tuple(out)


def make_topic(name: str, patterns: Iterable[str], source: str = "built-in") -> Topic:
    pats = tuple(patterns)
    return Topic(name, pats, source, tuple(compile_pattern(p) for p in pats))


def builtin_topics() -> dict[str, Topic]:
    return {name: make_topic(name, pats) for name, pats in BUILTIN.items()}


def read_topic_file(path: str) -> tuple[list[Topic], list[tuple[int, str]]]:
    """Topics of one file, and its problems as (line, message).

    A topic with a problem is left out (and reported); a file that cannot be
    read or parsed raises GlossaryError."""
    from ..io.yamlfile import read_records

    try:
        with open(path, encoding="utf-8") as fh:
            text = fh.read((1 << 20) + 1)
    except (OSError, UnicodeDecodeError) as e:
        raise GlossaryError(f"cannot read topic file: {getattr(e, 'strerror', None) or e}", file=path) from None
    if len(text) > 1 << 20:
        raise GlossaryError("topic file larger than 1 MiB", file=path)
    records = read_records(text, path)
    topics, problems = [], []
    seen: dict[str, int] = {}
    for rec in records:
        bad = [k for k in rec.fields if k not in ("name", "patterns", "description")]
        name = rec.fields.get("name")
        pats = rec.fields.get("patterns")
        if bad:
            problems.append((rec.keys[bad[0]][0], f"unknown field {bad[0]!r} (a topic has name, patterns, description)"))
            continue
        if name is None or not isinstance(name.value, str) or not name.value.strip():
            problems.append((rec.line, "a topic needs a name"))
            continue
        if pats is None or not isinstance(pats.value, list) or not pats.value:
            problems.append((rec.keys["patterns"][0] if pats is not None else rec.line, f"topic {name.value!r} needs a list of patterns"))
            continue
        texts = []
        for item in pats.value:
            if not isinstance(item.value, str):
                problems.append((item.line, f"topic {name.value!r}: a pattern must be text"))
                break
            try:
                compile_pattern(item.value)
            except ValueError as e:
                problems.append((item.line, f"topic {name.value!r}: {e}"))
                break
            texts.append(item.value)
        else:
            key = name.value.strip()
            if key in seen:
                problems.append((name.line, f"topic {key!r} is defined twice (first on line {seen[key]})"))
                continue
            seen[key] = name.line
            topics.append(make_topic(key, texts, f"{path}:{name.line}"))
    return topics, problems


def load_topics(paths: Sequence[str], *, builtin: bool = True, warn=None) -> list[Topic]:
    """Built-in topics (unless ``builtin`` is false) layered with the files in
    ``paths``; problems in a file are passed to ``warn(message)`` and the
    topics concerned left out."""
    layered = builtin_topics() if builtin else {}
    for path in paths:
        topics, problems = read_topic_file(path)
        for line, msg in problems:
            if warn is not None:
                warn(f"{msg} ({path}:{line}): topic left out")
        for t in topics:
            layered[t.name] = t
    if not layered:
        raise UsageError("no topics: give --topics FILE, or drop --no-builtin-topics")
    return list(layered.values())


def lint_topic_files(paths: Sequence[str]) -> tuple[list[tuple[str, int | None, str]], int]:
    """Problems of topic files as (file, line, message), and the number of topics read."""
    problems: list[tuple[str, int | None, str]] = []
    count = 0
    for path in paths:
        try:
            topics, found = read_topic_file(path)
        except GlossaryError as e:
            problems.append((path, e.line, e.message))
            continue
        count += len(topics)
        problems.extend((path, line, msg) for line, msg in found)
        if not topics and not found:
            problems.append((path, None, "no topics in this file"))
    return problems, count
