"""Answer labels and missing-value tokens in score columns.

* A cell that starts with a number followed by a label (``10 - Extremely
  likely``, ``5 = Very satisfied``, ``7 (Strongly agree)``) reads as that
  number, whatever the label says.
* Built-in label sets hold the standard wordings of 5- and 7-point
  satisfaction, agreement, ease and likelihood scales (the Qualtrics and
  SurveyMonkey texts) and Zendesk's Good/Bad. A set is applied to a column
  only when every label cell of the column belongs to it, and no cell is a
  bare number; labels are matched ignoring case, spacing and a final
  full stop.
* ``--map "Good=2,Bad=1"`` or ``--labels FILE.yaml`` give other mappings.
* Missing-value tokens (``NA``, ``N/A``, ``#N/A``, ``null``, ``None``, ``-``)
  and survey-status values (Zendesk's ``Offered``: asked, not answered;
  ``Unoffered``: never asked) are blanks, not invalid answers; each kind is
  counted.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from ..errors import DataError, UsageError
from .numbers import parse_whole


def norm(text: str) -> str:
    """Case-, spacing- and full-stop-insensitive form of a label.

    >>> norm("  Neither  Satisfied nor dissatisfied. ")
    'neither satisfied nor dissatisfied'
    """
    return " ".join(text.replace("\u00a0", " ").split()).casefold().rstrip(".").strip()


# -- missing values ----------------------------------------------------------

MISSING_TOKENS = ("NA", "N/A", "#N/A", "n.a.", "null", "NULL", "None", "-", "--", "\u2014", "NaN")
#: status values: asked but not answered / never asked / declined
ASKED = ("offered", "not answered", "no answer", "skipped", "no response")
NOT_ASKED = ("unoffered", "not offered", "not asked", "not shown", "not applicable")
DECLINED = ("prefer not to say", "prefer not to answer", "don't know", "do not know", "dont know")

_MISSING = {norm(t): "missing" for t in MISSING_TOKENS}
_MISSING.update({norm(t): "asked" for t in ASKED})
_MISSING.update({norm(t): "not asked" for t in NOT_ASKED})
_MISSING.update({norm(t): "declined" for t in DECLINED})


class Missing(ValueError):
    """A cell that is a blank in disguise; ``kind`` is missing, asked, not asked or declined."""

    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind


def missing_kind(cell: str) -> str | None:
    """The kind of missing value a cell is, or None.

    >>> [missing_kind(c) for c in ("N/A", "#n/a", " - ", "Offered", "Unoffered", "9")]
    ['missing', 'missing', 'missing', 'asked', 'not asked', None]
    """
    return _MISSING.get(norm(cell))


# -- labels ----------------------------------------------------------------

@dataclass(frozen=True)
class LabelSet:
    name: str
    labels: tuple[str, ...]  # lowest answer first, numbered 1..k

    @property
    def size(self) -> int:
        return len(self.labels)

    def mapping(self) -> dict[str, int]:
        return {norm(label): i for i, label in enumerate(self.labels, 1)}


def _five(worst: str, bad: str, mid: str, good: str, best: str) -> tuple[str, ...]:
    return (worst, bad, mid, good, best)


BUILTIN: tuple[LabelSet, ...] = (
    LabelSet("5-point satisfaction (SurveyMonkey)", _five("Very dissatisfied", "Dissatisfied", "Neither satisfied nor dissatisfied", "Satisfied", "Very satisfied")),
    LabelSet("5-point satisfaction (Qualtrics)", _five("Extremely dissatisfied", "Somewhat dissatisfied", "Neither satisfied nor dissatisfied", "Somewhat satisfied", "Extremely satisfied")),
    LabelSet("7-point satisfaction (Qualtrics)", ("Extremely dissatisfied", "Moderately dissatisfied", "Slightly dissatisfied", "Neither satisfied nor dissatisfied", "Slightly satisfied", "Moderately satisfied", "Extremely satisfied")),
    LabelSet("7-point satisfaction", ("Very dissatisfied", "Dissatisfied", "Somewhat dissatisfied", "Neither satisfied nor dissatisfied", "Somewhat satisfied", "Satisfied", "Very satisfied")),
    LabelSet("5-point agreement (SurveyMonkey)", _five("Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree", "Strongly agree")),
    LabelSet("5-point agreement (Qualtrics)", _five("Strongly disagree", "Somewhat disagree", "Neither agree nor disagree", "Somewhat agree", "Strongly agree")),
    LabelSet("7-point agreement", ("Strongly disagree", "Disagree", "Somewhat disagree", "Neither agree nor disagree", "Somewhat agree", "Agree", "Strongly agree")),
    LabelSet("5-point ease (SurveyMonkey)", _five("Very difficult", "Difficult", "Neither easy nor difficult", "Easy", "Very easy")),
    LabelSet("5-point ease (Qualtrics)", _five("Extremely difficult", "Somewhat difficult", "Neither easy nor difficult", "Somewhat easy", "Extremely easy")),
    LabelSet("7-point ease", ("Very difficult", "Difficult", "Somewhat difficult", "Neither easy nor difficult", "Somewhat easy", "Easy", "Very easy")),
    LabelSet("5-point likelihood (SurveyMonkey)", _five("Very unlikely", "Unlikely", "Neither likely nor unlikely", "Likely", "Very likely")),
    LabelSet("5-point likelihood (Qualtrics)", _five("Extremely unlikely", "Somewhat unlikely", "Neither likely nor unlikely", "Somewhat likely", "Extremely likely")),
    LabelSet("7-point likelihood", ("Very unlikely", "Unlikely", "Somewhat unlikely", "Neither likely nor unlikely", "Somewhat likely", "Likely", "Very likely")),
    LabelSet("Zendesk Good/Bad (2-point)", ("Bad", "Good")),
)

# "10 - Extremely likely", "5 = Very satisfied", "7 (Strongly agree)", "1: Poor", "3. Okay"
_LEADING = re.compile(r"\s*([+-]?\d+)\s*(?:[-\u2013\u2014=:]|\.(?=\s)|\((?=.*\)\s*$))?\s*([^\W\d_]{2}[^\n]*?)\)?\s*", re.S)


def leading_number(cell: str) -> int | None:
    """The number a labelled answer starts with, or None.

    >>> [leading_number(c) for c in ("10 - Extremely likely", "5 = Very satisfied", "7 (Strongly agree)", "0 \u2013 Not at all likely")]
    [10, 5, 7, 0]
    >>> [leading_number(c) for c in ("7.5", "9", "1e1", "Good", "3 of 5 stars?")]
    [None, None, None, None, 3]
    """
    m = _LEADING.fullmatch(cell)
    return int(m.group(1)) if m else None


def parse_map(text: str) -> dict[str, int]:
    """The ``--map`` option: ``LABEL=NUMBER`` pairs separated by commas.

    >>> parse_map("Good=2, Bad=1")
    {'good': 2, 'bad': 1}
    """
    out: dict[str, int] = {}
    for part in text.split(","):
        if not part.strip():
            continue
        label, eq, number = part.rpartition("=")
        try:
            if not eq or not label.strip():
                raise ValueError
            out[norm(label)] = parse_whole(number)
        except ValueError:
            raise UsageError(f"--map takes LABEL=NUMBER pairs separated by commas, e.g. \"Good=2,Bad=1\", not {part.strip()!r}") from None
    if not out:
        raise UsageError("--map is empty")
    return out


def load_labels(path: str) -> dict[str, int]:
    """A ``--labels`` YAML file: a mapping of label to whole number."""
    import yaml

    import os
    import stat

    try:
        if not stat.S_ISREG(os.stat(path).st_mode):  # a FIFO would block forever
            raise DataError("the labels file is not a regular file", file=path)
        with open(path, encoding="utf-8-sig") as fh:
            data = yaml.safe_load(fh)
    except FileNotFoundError:
        raise UsageError(f"no such labels file: {path}") from None
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as e:
        raise DataError(f"cannot read the labels file: {str(e).splitlines()[0][:120]}", file=path) from None
    if not isinstance(data, dict):
        raise DataError("a labels file is a YAML mapping of label to number, e.g. 'Good: 2'", file=path)
    out: dict[str, int] = {}
    for label, number in data.items():
        if isinstance(number, bool) or not isinstance(number, int):
            raise DataError(f"label {str(label)[:80]!r} maps to {str(number)[:80]!r}, not a whole number", file=path)
        out[norm(str(label))] = number
    if not out:
        raise DataError("the labels file is empty", file=path)
    return out


@dataclass
class LabelChoice:
    """The labels applied to a column: the built-in set (or None) and the mapping."""

    mapping: dict[str, int]
    label_set: LabelSet | None = None
    user: bool = False

    def describe(self) -> str:
        if self.label_set is not None:
            return f"{self.label_set.name}: " + ", ".join(f"{lab}={i}" for i, lab in enumerate(self.label_set.labels, 1))
        return "your labels"


def classify(cell: str, user: dict[str, int] | None = None) -> str:
    """number | labelled | missing | user | text."""
    if not cell.strip():
        return "blank"
    if user and norm(cell) in user:
        return "user"
    try:
        parse_whole(cell, decimal_comma=True)
        return "number"
    except ValueError:
        pass
    if leading_number(cell) is not None:
        return "labelled"
    if missing_kind(cell) is not None:
        return "missing"
    return "text"


def choose(cells: Iterable[str], *, scale_size: int | None = None, user: dict[str, int] | None = None,
           column: str = "the column") -> LabelChoice | None:
    """The label set for a column whose distinct non-blank cells are ``cells``.

    None when the column has no label text. A built-in set is chosen only
    when every label cell belongs to it and no cell is a bare number; when
    several sets fit with different numbers, the one with ``scale_size``
    points wins, else DataError asks for --map. Unknown labels give None
    (the cells are then reported as invalid).

    >>> choose(["Good", "Bad", "Offered"]).label_set.name
    'Zendesk Good/Bad (2-point)'
    >>> choose(["Very satisfied", "satisfied", "DISSATISFIED"], scale_size=5).mapping["satisfied"]
    4
    >>> choose(["Very satisfied", "4"]) is None
    True
    """
    if user:
        return LabelChoice(user, None, user=True)
    texts = set()
    numbers = False
    for cell in cells:
        kind = classify(cell)
        if kind == "text":
            texts.add(norm(cell))
        elif kind == "number":
            numbers = True
    if not texts or numbers:
        return None
    fits = [s for s in BUILTIN if texts <= set(s.mapping())]
    if not fits:
        return None
    values = {tuple(s.mapping()[t] for t in sorted(texts)) for s in fits}
    if len(values) > 1:
        sized = [s for s in fits if s.size == scale_size]
        if len({tuple(s.mapping()[t] for t in sorted(texts)) for s in sized}) == 1:
            fits = sized
        else:
            names = ", ".join(s.name for s in fits)
            raise DataError(
                f"the labels in {column} fit several scales ({names})",
                hint="give the scale with --scale, or the numbers with --map \"LABEL=N,...\" or --labels FILE.yaml",
            )
    chosen = fits[0]
    return LabelChoice(chosen.mapping(), chosen)


def make_reader(parse_number, choice: LabelChoice | None):
    """A cell parser: labelled answers and (with ``choice``) label text read
    as numbers, missing tokens raise ``Missing``, everything else goes to
    ``parse_number`` (which raises ValueError with a reason)."""
    mapping = choice.mapping if choice else {}

    def read(cell: str) -> int:
        key = norm(cell)
        if key in mapping:
            return parse_number(str(mapping[key]))
        kind = _MISSING.get(key)
        if kind is not None:
            raise Missing(kind)
        try:
            return parse_number(cell)
        except ValueError as first:
            lead = leading_number(cell)
            if lead is not None:
                return parse_number(str(lead))
            if choice is not None and choice.label_set is not None and not any(ch.isdigit() for ch in cell):
                raise ValueError(f"not one of the {choice.label_set.name} labels") from None
            raise first

    return read
