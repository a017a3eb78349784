"""Read YAML term files safely, keeping line numbers.

Only the YAML *composer* runs (the C one when libyaml is present): no
constructor is ever called, so no tag can build an object. We turn nodes into
plain values ourselves, which lets us

* reject duplicate keys (a plain ``yaml.safe_load`` keeps the last one),
* reject anchors/aliases (they allow "billion laughs" expansion),
* reject any tag outside the YAML core schema,
* keep the line of every key, so errors and lint say ``file:line``,
* read every scalar as the text the author typed (``yes`` stays "yes",
  ``1.10`` stays "1.10": the YAML 1.1 "Norway problem" cannot bite).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..errors import GlossaryError
from . import shown

_CORE = "tag:yaml.org,2002:"
_SCALAR_TAGS = {_CORE + t for t in ("str", "int", "float", "bool", "null", "timestamp")}
_NULL = _CORE + "null"


@dataclass
class Located:
    """A value read from YAML with the 1-based line and column where it starts."""

    value: Any
    line: int
    column: int


@dataclass
class Record:
    """One mapping from a term file: ``fields`` maps key -> Located value."""

    line: int
    column: int
    fields: dict[str, Located] = field(default_factory=dict)
    #: key -> (line, column) of the key itself
    keys: dict[str, tuple[int, int]] = field(default_factory=dict)


def _loader():
    import yaml

    return getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _err(msg: str, path: str, node) -> GlossaryError:
    mark = node.start_mark
    return GlossaryError(msg, file=path, line=mark.line + 1, column=mark.column + 1)


class _Builder:
    def __init__(self, path: str) -> None:
        self.path = path
        self.seen: set[int] = set()

    def check(self, node) -> None:
        # The composer hands back the *same* node object for an alias; a second
        # visit means anchors were used.
        if id(node) in self.seen:
            raise _err("YAML anchors and aliases (&name / *name) are not allowed", self.path, node)
        self.seen.add(id(node))

    def value(self, node) -> Any:
        """Plain value of a node: str | None | list | dict (of str keys)."""
        import yaml

        self.check(node)
        if isinstance(node, yaml.ScalarNode):
            if node.tag not in _SCALAR_TAGS:
                raise _err(f"YAML tag {shown(node.tag)} is not allowed in term files", self.path, node)
            if node.tag == _NULL and node.style not in ("'", '"'):
                return None
            return node.value
        if isinstance(node, yaml.SequenceNode):
            if node.tag != _CORE + "seq":
                raise _err(f"YAML tag {shown(node.tag)} is not allowed in term files", self.path, node)
            return [self.located(item) for item in node.value]
        if isinstance(node, yaml.MappingNode):
            return self.mapping(node)
        raise _err("unsupported YAML node", self.path, node)  # pragma: no cover

    def located(self, node) -> Located:
        return Located(self.value(node), node.start_mark.line + 1, node.start_mark.column + 1)

    def mapping(self, node) -> Record:
        import yaml

        if node.tag != _CORE + "map":
            raise _err(f"YAML tag {shown(node.tag)} is not allowed in term files", self.path, node)
        rec = Record(node.start_mark.line + 1, node.start_mark.column + 1)
        for knode, vnode in node.value:
            self.check(knode)
            if not isinstance(knode, yaml.ScalarNode) or knode.tag == _CORE + "merge":
                raise _err("keys must be plain names (merge keys '<<' are not allowed)", self.path, knode)
            key = knode.value
            if key in rec.fields:
                raise _err(
                    f"duplicate key {shown(key)} (first on line {rec.keys[key][0]})", self.path, knode
                )
            rec.keys[key] = (knode.start_mark.line + 1, knode.start_mark.column + 1)
            rec.fields[key] = self.located(vnode)
        return rec


def read_records(text: str, path: str, errors: list[GlossaryError] | None = None) -> list[Record]:
    """Parse one term file: a YAML list of mappings.

    Raises GlossaryError (with file and line) for YAML syntax errors, duplicate
    keys, forbidden tags or anchors, and a top level that is not a list of
    mappings. An empty file is an empty list. With an ``errors`` list, a
    problem inside one item (a duplicate key, a tag, an anchor) is appended
    there instead and only that item is skipped.

    >>> recs = read_records("- id: nps\\n  term: Net Promoter Score\\n", "t.yaml")
    >>> recs[0].fields["term"].value, recs[0].fields["term"].line
    ('Net Promoter Score', 2)
    >>> read_records("- {id: a, id: b}", "t.yaml")
    Traceback (most recent call last):
    ...
    cxterms.errors.GlossaryError: duplicate key 'id' (first on line 1) (t.yaml:1:11)
    """
    import yaml

    try:
        root = yaml.compose(text, Loader=_loader())
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        problem = (e.problem or e.context or "invalid YAML").strip()
        raise GlossaryError(
            f"YAML syntax error: {problem}",
            file=path,
            line=mark.line + 1 if mark else None,
            column=mark.column + 1 if mark else None,
        ) from None
    except yaml.YAMLError as e:  # reader errors: bad bytes, control characters
        raise GlossaryError(f"cannot read YAML: {e}", file=path) from None
    if root is None:
        return []
    builder = _Builder(path)
    if not isinstance(root, yaml.SequenceNode):
        raise _err("a term file must be a YAML list of terms (each item starting with '- ')", path, root)
    builder.check(root)
    records = []
    for item in root.value:
        try:
            if item.tag not in _SCALAR_TAGS and item.tag not in (_CORE + "seq", _CORE + "map"):
                raise _err(f"YAML tag {shown(item.tag)} is not allowed in term files", path, item)
            if not isinstance(item, yaml.MappingNode):
                raise _err("each item of a term file must be a mapping of fields (id:, term:, ...)", path, item)
            builder.check(item)
            records.append(builder.mapping(item))
        except GlossaryError as e:
            if errors is None:
                raise
            errors.append(e)  # this item is skipped; the others are still read
    return records
