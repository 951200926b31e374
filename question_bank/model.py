"""Question types, knowledge areas, text normalisation and question validation."""

from __future__ import annotations

import enum
import re
import unicodedata
from dataclasses import dataclass, field

from question_bank.errors import InvalidQuestion


class QuestionType(enum.StrEnum):
    SINGLE = "single"
    MULTIPLE = "multiple"
    JUDGE = "judge"
    FILL = "fill"
    SHORT = "short"

    @property
    def has_options(self) -> bool:
        return self in (QuestionType.SINGLE, QuestionType.MULTIPLE)

    @property
    def is_objective(self) -> bool:
        return self is not QuestionType.SHORT


class Channel(enum.StrEnum):
    PUBLIC = "public"
    GRASSROOTS = "grassroots"
    INSTITUTION = "institution"


#: The eleven knowledge areas, in the order the UI lists them.
AREAS: tuple[str, ...] = (
    "theory",
    "constitution",
    "history",
    "practice",
    "discipline",
    "two_new",
    "management",
    "social_work",
    "law",
    "it",
    "propaganda",
)

OPTION_LABELS = "ABCDEFGH"
MAX_STEM = 2000
MAX_OPTION = 500
MAX_EXPLANATION = 4000
#: A blank in a fill-in stem: three or more ASCII underscores.
BLANK_RE = re.compile(r"_{3,}")
_SPACES_RE = re.compile(r"[ \t]+")


#: Full-width digits and Latin letters fold to ASCII; full-width punctuation (，（）？) is
#: how Chinese text is written and stays as it is.
_WIDTH_FOLD = {cp: cp - 0xFEE0 for cp in range(0xFF10, 0xFF5B) if chr(cp - 0xFEE0).isalnum()}
_WIDTH_FOLD.update({0x3000: 0x20, 0x00A0: 0x20, 0x200B: None, 0xFEFF: None, 0x00AD: None})


def normalize_text(text: str) -> str:
    """Fold full-width letters and digits, unify spaces, trim every line."""
    text = unicodedata.normalize("NFC", text or "").translate(_WIDTH_FOLD)
    lines = [_SPACES_RE.sub(" ", line).strip() for line in text.replace("\r\n", "\n").split("\n")]
    return "\n".join(lines).strip()


def option_label(index: int) -> str:
    return OPTION_LABELS[index]


@dataclass(frozen=True)
class Question:
    """The content of one question, as the domain validates and scores it.

    ``key`` is the answer: a label ("B") for single, a sorted tuple of labels for
    multiple, a bool for judge, a tuple of accepted-answer tuples (one per blank) for
    fill, and the reference answer text for short.
    """

    type: QuestionType
    area: str
    stem: str
    options: tuple[str, ...] = ()
    key: object = None
    explanation: str = ""
    difficulty: int = 3
    point: str = ""
    source: str = ""
    extra: dict = field(default_factory=dict)

    def blank_count(self) -> int:
        return len(BLANK_RE.findall(self.stem))


def build_question(
    *,
    type: str,
    area: str,
    stem: str,
    options: list[str] | tuple[str, ...] = (),
    key: object = None,
    explanation: str = "",
    difficulty: int = 3,
    point: str = "",
    source: str = "",
) -> Question:
    """Normalise raw input into a Question and validate it, raising InvalidQuestion."""
    problems: list[str] = []
    try:
        qtype = QuestionType(type)
    except ValueError:
        raise InvalidQuestion([f"unknown question type {type!r}"]) from None
    if area not in AREAS:
        problems.append(f"unknown knowledge area {area!r}")
    stem = normalize_text(stem)
    opts = tuple(normalize_text(o) for o in options) if qtype.has_options else ()
    normalized_key = _normalize_key(qtype, key, opts, problems)
    _check_lengths(stem, opts, explanation, problems)
    if not isinstance(difficulty, int) or not 1 <= difficulty <= 5:
        problems.append("difficulty must be a whole number from 1 to 5")
    if qtype.has_options:
        _check_options(opts, problems)
    if qtype is QuestionType.FILL and isinstance(normalized_key, tuple):
        blanks = len(BLANK_RE.findall(stem))
        if blanks == 0:
            problems.append("a fill-in stem needs at least one blank written as ___")
        elif blanks != len(normalized_key):
            problems.append(f"the stem has {blanks} blanks but {len(normalized_key)} answers")
    if problems:
        raise InvalidQuestion(problems)
    return Question(
        type=qtype,
        area=area,
        stem=stem,
        options=opts,
        key=normalized_key,
        explanation=normalize_text(explanation),
        difficulty=difficulty,
        point=normalize_text(point),
        source=normalize_text(source),
    )


def _check_lengths(stem: str, opts: tuple[str, ...], explanation: str, problems: list[str]) -> None:
    if not stem:
        problems.append("the stem is empty")
    elif len(stem) > MAX_STEM:
        problems.append(f"the stem is longer than {MAX_STEM} characters")
    if any(len(o) > MAX_OPTION for o in opts):
        problems.append(f"an option is longer than {MAX_OPTION} characters")
    if len(explanation or "") > MAX_EXPLANATION:
        problems.append(f"the explanation is longer than {MAX_EXPLANATION} characters")


def _check_options(opts: tuple[str, ...], problems: list[str]) -> None:
    if not 2 <= len(opts) <= len(OPTION_LABELS):
        problems.append(f"a choice question needs 2 to {len(OPTION_LABELS)} options")
    for i, text in enumerate(opts[: len(OPTION_LABELS)]):
        if not text:
            problems.append(f"option {option_label(i)} is empty")
    seen: dict[str, int] = {}
    for i, text in enumerate(opts[: len(OPTION_LABELS)]):
        if text and text in seen:
            problems.append(f"option {option_label(i)} repeats option {option_label(seen[text])}")
        seen.setdefault(text, i)


def _normalize_key(
    qtype: QuestionType, key: object, opts: tuple[str, ...], problems: list[str]
) -> object:
    labels = OPTION_LABELS[: len(opts)]
    if qtype is QuestionType.SINGLE:
        label = normalize_text(str(key or "")).upper()
        if len(label) != 1 or label not in labels:
            problems.append("a single-choice question needs exactly one key among its options")
        return label
    if qtype is QuestionType.MULTIPLE:
        raw = key if isinstance(key, list | tuple) else list(normalize_text(str(key or "")))
        chosen = sorted({normalize_text(str(k)).upper() for k in raw if str(k).strip()})
        if any(k not in labels for k in chosen):
            problems.append("a key of the multiple-choice question is not among its options")
        if len(chosen) < 2:
            problems.append("a multiple-choice question needs at least two keys")
        return tuple(chosen)
    if qtype is QuestionType.JUDGE:
        if not isinstance(key, bool):
            problems.append("a true/false question needs the key true or false")
        return bool(key)
    if qtype is QuestionType.FILL:
        if not isinstance(key, list | tuple) or not key:
            problems.append("a fill-in question needs an accepted answer for every blank")
            return ()
        blanks = []
        for i, accepted in enumerate(key):
            values = [accepted] if isinstance(accepted, str) else list(accepted or [])
            cleaned = tuple(dict.fromkeys(v for v in (normalize_text(str(x)) for x in values) if v))
            if not cleaned:
                problems.append(f"blank {i + 1} has no accepted answer")
            blanks.append(cleaned)
        return tuple(blanks)
    return normalize_text(str(key or ""))
