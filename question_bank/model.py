"""Question types, knowledge areas, text normalisation and question validation."""

from __future__ import annotations

import enum
import math
import re
import unicodedata
from dataclasses import dataclass

from question_bank.errors import InvalidQuestion, Msg


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
        raise InvalidQuestion(
            [Msg("unknown question type %(type)s", code="unknown_type", type=repr(type))]
        ) from None
    if area not in AREAS:
        problems.append(
            Msg("unknown knowledge area %(area)s", code="unknown_area", area=repr(area))
        )
    stem = normalize_text(stem)
    opts = tuple(normalize_text(o) for o in options) if qtype.has_options else ()
    normalized_key = _normalize_key(qtype, key, opts, problems)
    _check_lengths(stem, opts, explanation, problems)
    if not isinstance(difficulty, int) or not 1 <= difficulty <= 5:
        problems.append(Msg("difficulty must be a whole number from 1 to 5", code="bad_difficulty"))
    if qtype.has_options:
        _check_options(opts, problems)
    if qtype is QuestionType.MULTIPLE and not 3 <= len(opts) <= len(OPTION_LABELS):
        problems.append(
            Msg(
                "a multiple-choice question needs 3 to %(most)s options",
                code="multiple_option_count",
                most=len(OPTION_LABELS),
            )
        )
    chosen_exams = _check_exams(exams, problems)
    marking = _check_rubric(qtype, rubric, problems)
    if qtype is QuestionType.FILL and isinstance(normalized_key, tuple):
        blanks = len(BLANK_RE.findall(stem))
        if blanks == 0:
            problems.append(
                Msg("a fill-in stem needs at least one blank written as ___", code="no_blank")
            )
        elif blanks != len(normalized_key):
            problems.append(
                Msg(
                    "the stem has %(blanks)s blanks but %(answers)s answers",
                    code="blank_count",
                    blanks=blanks,
                    answers=len(normalized_key),
                )
            )
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
        problems.append(Msg("unknown exam %(exams)s", code="unknown_exam", exams=tuple(unknown)))
    if not chosen:
        problems.append(Msg("choose at least one exam the question may serve", code="no_exam"))
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
        except (TypeError, ValueError, OverflowError):
            value = -1.0
        if not criterion or not 0 < value < math.inf:  # "nan" and "inf" read as floats too
            problems.append(
                Msg(
                    "rubric row %(row)s needs a criterion and points above 0",
                    code="bad_rubric_row",
                    row=i,
                )
            )
            continue
        rows.append((criterion, value))
    if not rows:
        problems.append(
            Msg("a short-answer question needs a marking rubric with points", code="no_rubric")
        )
    elif len(rows) > MAX_RUBRIC_ROWS:
        problems.append(
            Msg("a rubric has at most %(most)s rows", code="rubric_too_long", most=MAX_RUBRIC_ROWS)
        )
    return tuple(rows)


def _check_lengths(stem: str, opts: tuple[str, ...], explanation: str, problems: list[str]) -> None:
    if not stem:
        problems.append(Msg("the stem is empty", code="empty_stem"))
    elif len(stem) > MAX_STEM:
        problems.append(
            Msg("the stem is longer than %(most)s characters", code="stem_too_long", most=MAX_STEM)
        )
    if any(len(o) > MAX_OPTION for o in opts):
        problems.append(
            Msg(
                "an option is longer than %(most)s characters",
                code="option_too_long",
                most=MAX_OPTION,
            )
        )
    if len(explanation or "") > MAX_EXPLANATION:
        problems.append(
            Msg(
                "the explanation is longer than %(most)s characters",
                code="explanation_too_long",
                most=MAX_EXPLANATION,
            )
        )


def _check_options(opts: tuple[str, ...], problems: list[str]) -> None:
    if not 2 <= len(opts) <= len(OPTION_LABELS):
        problems.append(
            Msg(
                "a choice question needs 2 to %(most)s options",
                code="option_count",
                most=len(OPTION_LABELS),
            )
        )
    for i, text in enumerate(opts[: len(OPTION_LABELS)]):
        if not text:
            problems.append(
                Msg("option %(label)s is empty", code="empty_option", label=option_label(i))
            )
    seen: dict[str, int] = {}
    for i, text in enumerate(opts[: len(OPTION_LABELS)]):
        if text and text in seen:
            problems.append(
                Msg(
                    "option %(label)s repeats option %(first)s",
                    code="repeated_option",
                    label=option_label(i),
                    first=option_label(seen[text]),
                )
            )
        seen.setdefault(text, i)


def _normalize_key(
    qtype: QuestionType, key: object, opts: tuple[str, ...], problems: list[str]
) -> object:
    labels = OPTION_LABELS[: len(opts)]
    if qtype is QuestionType.SINGLE:
        label = normalize_text(str(key or "")).upper()
        if len(label) != 1 or label not in labels:
            problems.append(
                Msg(
                    "a single-choice question needs exactly one key among its options",
                    code="single_key",
                )
            )
        return label
    if qtype is QuestionType.MULTIPLE:
        raw = key if isinstance(key, list | tuple) else list(normalize_text(str(key or "")))
        chosen = sorted({normalize_text(str(k)).upper() for k in raw if str(k).strip()})
        if any(k not in labels for k in chosen):
            problems.append(
                Msg(
                    "a key of the multiple-choice question is not among its options",
                    code="multiple_key_unknown",
                )
            )
        if len(chosen) < 2:
            problems.append(
                Msg("a multiple-choice question needs at least two keys", code="multiple_keys")
            )
        return tuple(chosen)
    if qtype is QuestionType.JUDGE:
        if not isinstance(key, bool):
            problems.append(
                Msg("a true/false question needs the key true or false", code="judge_key")
            )
        return bool(key)
    if qtype is QuestionType.FILL:
        if not isinstance(key, list | tuple) or not key:
            problems.append(
                Msg("a fill-in question needs an accepted answer for every blank", code="fill_key")
            )
            return ()
        blanks = []
        for i, accepted in enumerate(key):
            values = [accepted] if isinstance(accepted, str) else list(accepted or [])
            cleaned = tuple(dict.fromkeys(v for v in (normalize_text(str(x)) for x in values) if v))
            if not cleaned:
                problems.append(
                    Msg("blank %(n)s has no accepted answer", code="blank_no_answer", n=i + 1)
                )
            blanks.append(cleaned)
        return tuple(blanks)
    reference = normalize_text(str(key or ""))
    if not reference:
        problems.append(
            Msg("a short-answer question needs a reference answer", code="short_reference")
        )
    return reference
