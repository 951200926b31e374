"""What every reader returns: parsed items and problems, validated through the domain model."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from question_bank.errors import InvalidQuestion, Msg
from question_bank.formats.areas import split_category
from question_bank.model import AREAS, BLANK_RE, OPTION_LABELS, build_question, normalize_text

#: Problem kinds: an "error" rejects the file unless bad items are skipped; an
#: "unsupported" item (a type we do not have) is left out with a warning.
ERROR = "error"
UNSUPPORTED = "unsupported"
BLANK = "____"
#: Most questions (rows, items) one file may hold; a reader stops at the next one.
MAX_ITEMS = 50_000

#: Images are not imported, so a question that shows one is left out rather than imported
#: without the picture it asks about.
IMAGES_SKIPPED = Msg(
    "skipped: questions with images are not supported (the images would be lost)",
    code="images_skipped",
)

#: Where a problem concerns the whole file.
FILE = Msg("file", code="at_file")


def at_row(row: int, sheet: str = "") -> Msg:
    """The place of a spreadsheet row, with its sheet's name when the workbook has several."""
    if sheet:
        return Msg("sheet %(sheet)s row %(row)s", code="at_sheet_row", sheet=sheet, row=row)
    return Msg("row %(row)s", code="at_row", row=row)


def at_line(line: int) -> Msg:
    return Msg("line %(line)s", code="at_line", line=line)


def joined(messages: list[str]) -> str:
    """Several messages as one, each translated on its own ("a; b; c")."""
    if not messages:
        return ""
    first, *rest = messages
    if not rest:
        return first
    return Msg("%(first)s; %(rest)s", code="joined", first=first, rest=joined(rest))


class FileRejected(Exception):
    """The whole file cannot be read (malformed XML, unsafe zip, unknown format…)."""

    def __init__(self, where: str, message: str):
        super().__init__(f"{where}: {message}")
        self.where = where
        self.message = message


def too_many(limit: int) -> FileRejected:
    return FileRejected(
        FILE,
        Msg(
            "too many questions: the file holds more than %(limit)s rows or items; "
            "split it into files of at most %(limit)s",
            code="too_many_questions",
            limit=limit,
        ),
    )


@dataclass(frozen=True)
class Problem:
    where: str
    message: str
    kind: str = ERROR


@dataclass(frozen=True)
class ParsedItem:
    """One valid question read from a file; ``key`` is in build_question's input form."""

    type: str
    area: str | None
    stem: str
    options: tuple[str, ...]
    key: object
    explanation: str
    difficulty: int | None
    points: float | None
    category: str
    where: str
    point: str = ""
    rubric: tuple[tuple[str, float], ...] = ()

    def fields(self, default_area: str | None = None) -> dict[str, Any]:
        """The keyword arguments of build_question (and new_question) for this item."""
        fields: dict[str, Any] = {
            "type": self.type,
            "area": self.area or default_area or "",
            "stem": self.stem,
            "options": list(self.options),
            "key": _listed(self.key),
            "explanation": self.explanation,
            "difficulty": self.difficulty or 3,
            "point": self.point,
        }
        if self.rubric:
            fields["rubric"] = [list(row) for row in self.rubric]
        return fields


def _listed(key: object) -> object:
    if isinstance(key, tuple):
        return [_listed(k) for k in key]
    return key


@dataclass
class ParseResult:
    format: str
    items: list[ParsedItem] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    #: The file as a whole could not be read: no item can be imported, whatever is asked.
    unreadable: bool = False

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.kind == ERROR]


class Collector:
    """Accumulates the items and problems of one file while a reader walks it.

    More than ``limit`` items (good, bad or skipped) reject the file at once, so that a huge
    file costs no more to refuse than ``limit`` items do to read.
    """

    def __init__(self, fmt: str, limit: int = MAX_ITEMS):
        self.result = ParseResult(fmt)
        self.limit = limit
        self.counted = 0

    def _count(self) -> None:
        self.counted += 1
        if self.counted > self.limit:
            raise too_many(self.limit)

    def error(self, where: str, message: str) -> None:
        if where != "file":
            self._count()
        self.result.problems.append(Problem(where, message))
        if where == "file":
            self.result.unreadable = True

    def unsupported(self, where: str, what: str) -> None:
        self.skip(
            where,
            Msg("skipped: %(what)s questions are not supported", code="unsupported_type",
                what=what),
        )  # fmt: skip

    def skip(self, where: str, message: str) -> None:
        """Leave an item out with a warning (it does not refuse the file)."""
        self._count()
        self.result.problems.append(Problem(where, message, UNSUPPORTED))

    def add(self, where: str, *, problems: list[str] | None = None, **raw: Any) -> None:
        """Validate one item through build_question; keep it or report why not."""
        self._count()
        item = make_item(where, problems or [], **raw)
        if isinstance(item, Problem):
            self.result.problems.append(item)
        else:
            self.result.items.append(item)


def make_item(
    where: str,
    problems: list[str],
    *,
    type: str,
    stem: str,
    options: list[str] | tuple[str, ...] = (),
    key: object = None,
    explanation: str = "",
    difficulty: int | None = None,
    points: float | None = None,
    category: str = "",
    rubric: tuple[tuple[str, float], ...] = (),
) -> ParsedItem | Problem:
    """A ParsedItem when build_question accepts the item, else a Problem naming every fault."""
    area, point = split_category(category)
    extra: dict[str, Any] = {"rubric": list(rubric)} if rubric else {}
    try:
        question = build_question(
            type=type,
            area=area or AREAS[0],  # the real area is settled by the importer
            stem=stem,
            options=list(options),
            key=key,
            explanation=explanation,
            difficulty=3 if difficulty is None else difficulty,
            point=point,
            **extra,
        )
    except InvalidQuestion as exc:
        return Problem(where, joined(problems + exc.problems))
    if problems:
        return Problem(where, joined(problems))
    return ParsedItem(
        type=question.type.value,
        area=area,
        stem=question.stem,
        options=question.options,
        key=question.key,
        explanation=question.explanation,
        difficulty=difficulty,
        points=points,
        category=normalize_text(category),
        where=where,
        point=question.point,
        rubric=tuple(getattr(question, "rubric", ()) or rubric),
    )


_TRUE = {"对", "正确", "√", "✓", "✔", "是", "t", "true", "y", "yes", "1", "right", "correct", "真"}
_FALSE = {"错", "错误", "×", "✗", "✘", "x", "否", "f", "false", "n", "no", "0", "wrong", "假"}
_TRAILING_PUNCT = re.compile(r"[\s.。!！]+$")


def judge_value(text: object) -> bool | None:
    """True or False from the ways Chinese and Western files write them, else None."""
    if isinstance(text, bool):
        return text
    word = _TRAILING_PUNCT.sub("", normalize_text(str(text if text is not None else ""))).lower()
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    return None


_KEY_SEPARATORS = re.compile(r"[\s,，、;；/|｜.．]+")


def choice_letters(text: object) -> list[str] | None:
    """Option letters from "ABD", "A,B,D", "A、B", "a b"; None when it is not letters."""
    cleaned = _KEY_SEPARATORS.sub("", normalize_text(str(text or ""))).upper()
    if not cleaned or any(ch not in "ABCDEFGHIJKLMNOPQRSTUVWXYZ" for ch in cleaned):
        return None
    return list(dict.fromkeys(cleaned))


_LABEL = re.compile(r"^\s*[(（]?\s*([A-Ha-h])\s*(?:[)）]\s*[.．、:：]?|[.．、:：])\s*")


def strip_option_labels(options: list[str]) -> list[str]:
    """Remove "A、" / "B. " / "(C)" labels when every filled option carries its own label."""
    filled = [(i, o) for i, o in enumerate(options) if o.strip()]
    if not filled or len(filled) > len(OPTION_LABELS):
        return options
    matches = [_LABEL.match(o) for _, o in filled]
    if not all(
        m and m.group(1).upper() == OPTION_LABELS[i]
        for (i, _), m in zip(filled, matches, strict=True)
    ):
        return options
    stripped = list(options)
    for (i, text), match in zip(filled, matches, strict=True):
        assert match is not None
        stripped[i] = text[match.end() :]
    return stripped


_EMPTY_PARENS = re.compile(r"[（(][\s\u3000\u00a0]*[)）]")


def with_blank(stem: str, *, append: bool) -> str:
    """A fill-in stem with ___ blanks: empty brackets become blanks, or one is appended."""
    if BLANK_RE.search(stem):
        return stem
    if _EMPTY_PARENS.search(stem):
        return _EMPTY_PARENS.sub(f"（{BLANK}）", stem)
    return f"{stem.rstrip()} {BLANK}" if append else stem


_DIFFICULTY_WORDS = {
    "很简单": 1, "简单": 1, "容易": 1, "易": 1, "较易": 2, "较简单": 2, "偏易": 2, "中等": 3,
    "中": 3, "一般": 3, "适中": 3, "较难": 4, "偏难": 4, "难": 5, "困难": 5, "很难": 5,
    "very easy": 1, "easy": 2, "medium": 3, "difficult": 4, "hard": 4, "very difficult": 5,
}  # fmt: skip


def parse_difficulty(value: object, coefficient: bool = False) -> tuple[int | None, str | None]:
    """A difficulty 1–5 from a number or a word (易/中/难); (None, problem) when unreadable.

    With ``coefficient`` (a 难度系数 column), a fraction is the share of candidates who answer
    right (0.85 is easy, 0.15 hard), as Chinese test statistics define it.
    """
    text = normalize_text(str(value if value is not None else "")).lower()
    if not text:
        return None, None
    if text in _DIFFICULTY_WORDS:
        return _DIFFICULTY_WORDS[text], None
    try:
        number = float(text)
    except ValueError:
        number = 0.0
    if coefficient and 0 < number < 1:
        return 5 - min(4, int(number * 5)), None
    if number.is_integer() and 1 <= number <= 5:
        return int(number), None
    return None, Msg(
        "difficulty %(value)s is not a number from 1 to 5 or 易/中/难",
        code="bad_difficulty_value",
        value=repr(text),
    )


def parse_points(value: object) -> tuple[float | None, str | None]:
    text = normalize_text(str(value if value is not None else "")).rstrip("分")
    if not text:
        return None, None
    try:
        points = float(text)
    except ValueError:
        return None, Msg("points %(value)s is not a number", code="bad_points", value=repr(text))
    if points <= 0 or points != points or points == float("inf"):
        return None, Msg(
            "points %(value)s must be above 0", code="points_not_positive", value=repr(text)
        )
    return points, None


RUBRIC_HEADING = "评分标准："
_RUBRIC_ROW = re.compile(
    r"^(?:\d+\s*[.、)）]\s*)?(?P<criterion>.+?)\s*"
    r"(?:[（(]\s*(?P<p1>\d+(?:\.\d+)?)\s*分?\s*[)）]|[:：]\s*(?P<p2>\d+(?:\.\d+)?)\s*分?)$"
)


def parse_rubric(text: str) -> tuple[tuple[tuple[str, float], ...], list[str]]:
    """Rubric rows written "criterion（5分）" or "criterion: 5", one a line or split by ；."""
    rows: list[tuple[str, float]] = []
    problems: list[str] = []
    for line in re.split(r"[\n；;]", normalize_text(text)):
        line = line.strip()
        if not line:
            continue
        match = _RUBRIC_ROW.match(line)
        if match is None:
            problems.append(
                Msg(
                    "rubric row %(row)s gives no points, e.g. 要点（5分）",
                    code="rubric_row_no_points",
                    row=repr(line),
                )
            )
            continue
        rows.append((match["criterion"], float(match["p1"] or match["p2"])))
    return tuple(rows), problems


def split_reference(text: str) -> tuple[str, str]:
    """Split "reference answer / 评分标准： rows" (how writers store a short answer's rubric)."""
    normalized = normalize_text(text)
    for heading in (RUBRIC_HEADING, "评分标准:", "Rubric:"):
        if heading in normalized:
            reference, _, rubric = normalized.partition(heading)
            return reference.strip(), rubric.strip()
    return normalized, ""


def join_reference(reference: str, rubric: tuple[tuple[str, float], ...]) -> str:
    """The inverse of split_reference."""
    if not rubric:
        return reference
    rows = "\n".join(f"{criterion}（{format_number(points)}分）" for criterion, points in rubric)
    return f"{reference}\n{RUBRIC_HEADING}\n{rows}"


def format_number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"
