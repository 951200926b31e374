"""Question types, knowledge areas, text normalisation and question validation."""

from __future__ import annotations

import enum
import re
import unicodedata
from dataclasses import dataclass

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

#: The exams a question may serve (试题适用考试): the training test, the post-qualification
#: exam and the four level exams.
EXAMS: tuple[str, ...] = ("training", "post_qualification", "L1", "L2", "L3", "L4")
#: Exams whose certificates rest on the question: an optional second approval applies.
CERTIFICATION_EXAMS = frozenset({"post_qualification", "L1", "L2", "L3", "L4"})

OPTION_LABELS = "ABCDEFGH"
MAX_RUBRIC_ROWS = 20
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
    exams: frozenset[str] = frozenset(EXAMS)
    #: Marking rubric of a short-answer question: (criterion, points) rows.
    rubric: tuple[tuple[str, float], ...] = ()

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
    exams: list[str] | tuple[str, ...] | frozenset[str] | None = None,
    rubric: list | tuple = (),
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
    if qtype is QuestionType.MULTIPLE and not 3 <= len(opts) <= len(OPTION_LABELS):
        problems.append(f"a multiple-choice question needs 3 to {len(OPTION_LABELS)} options")
    chosen_exams = _check_exams(exams, problems)
    marking = _check_rubric(qtype, rubric, problems)
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
        exams=chosen_exams,
        rubric=marking,
    )


def exam_mask(exams: frozenset[str] | set[str]) -> int:
    """The exams as a bit mask (bit i = EXAMS[i]), for filtering in any database."""
    return sum(1 << i for i, code in enumerate(EXAMS) if code in exams)


def exams_of_mask(mask: int) -> frozenset[str]:
    return frozenset(code for i, code in enumerate(EXAMS) if mask & (1 << i))


def _check_exams(exams, problems: list[str]) -> frozenset[str]:
    if exams is None:
        return frozenset(EXAMS)
    chosen = frozenset(str(e) for e in exams)
    unknown = sorted(chosen - set(EXAMS))
    if unknown:
        problems.append(f"unknown exam {', '.join(unknown)}")
    if not chosen:
        problems.append("choose at least one exam the question may serve")
    return chosen & frozenset(EXAMS)


def _check_rubric(
    qtype: QuestionType, rubric, problems: list[str]
) -> tuple[tuple[str, float], ...]:
    if qtype is not QuestionType.SHORT:
        return ()
    rows: list[tuple[str, float]] = []
    for i, row in enumerate(rubric or (), start=1):
        criterion, points = (
            (row.get("criterion"), row.get("points")) if isinstance(row, dict) else row
        )
        criterion = normalize_text(str(criterion or ""))
        try:
            value = float(points)
        except (TypeError, ValueError):
            value = -1.0
        if not criterion or value <= 0:
            problems.append(f"rubric row {i} needs a criterion and points above 0")
            continue
        rows.append((criterion, value))
    if not rows:
        problems.append("a short-answer question needs a marking rubric with points")
    elif len(rows) > MAX_RUBRIC_ROWS:
        problems.append(f"a rubric has at most {MAX_RUBRIC_ROWS} rows")
    return tuple(rows)


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
    reference = normalize_text(str(key or ""))
    if not reference:
        problems.append("a short-answer question needs a reference answer")
    return reference
