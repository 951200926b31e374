"""GIFT: multiple choice (one or several right), true/false, short answer (fill), essay."""

from __future__ import annotations

import re
from collections.abc import Sequence

from question_bank.errors import Msg
from question_bank.formats.areas import category_of
from question_bank.formats.common import (
    BLANK,
    MAX_ITEMS,
    Collector,
    ParseResult,
    at_line,
    format_number,
    judge_value,
    strip_option_labels,
    with_blank,
)
from question_bank.formats.text import decode, html_to_text
from question_bank.model import BLANK_RE, OPTION_LABELS, Question, QuestionType

FORMAT = "gift"
_DIFFICULTY_COMMENT = re.compile(r"^//\s*(?:difficulty|难度)\s*[:=：]\s*([1-5])\s*$", re.I)
_CATEGORY = re.compile(r"^\$CATEGORY:\s*(.*)$")
_TITLE = re.compile(r"^::((?:\\.|[^\\:]|:(?!:))*)::")
_FORMAT_TAG = re.compile(r"^\[(html|moodle|plain|markdown)\]", re.I)
_ESCAPE = re.compile(r"\\(.)")
_WEIGHT = re.compile(r"^%(-?\d+(?:\.\d+)?)%")


def read(data: bytes, limit: int = MAX_ITEMS) -> ParseResult:
    """Read GIFT text: blocks separated by blank lines, $CATEGORY lines, // comments."""
    collector = Collector(FORMAT, limit)
    category = ""
    for line_no, block in _blocks(decode(data)):
        difficulty = None
        kept: list[str] = []
        for line in block:
            stripped = line.strip()
            if _CATEGORY.match(stripped):
                category = stripped.split(":", 1)[1].strip()
            elif stripped.startswith("//"):
                match = _DIFFICULTY_COMMENT.match(stripped)
                difficulty = int(match.group(1)) if match else difficulty
            else:
                kept.append(line)
        if kept:
            where = at_line(line_no + block.index(kept[0]))
            _question(collector, where, "\n".join(kept), category, difficulty)
    return collector.result


def _blocks(text: str) -> list[tuple[int, list[str]]]:
    """Non-blank line groups with the number of their first line."""
    blocks: list[tuple[int, list[str]]] = []
    current: list[str] = []
    start = 0
    for number, line in enumerate(text.split("\n"), start=1):
        if line.strip():
            if not current:
                start = number
            current.append(line)
        elif current:
            blocks.append((start, current))
            current = []
    if current:
        blocks.append((start, current))
    return blocks


def _find_block(text: str) -> tuple[int, int] | None:
    """Positions of the unescaped { and } of the answer block."""
    opening = closing = -1
    i = 0
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text[i] == "{" and opening < 0:
            opening = i
        elif text[i] == "}" and opening >= 0:
            closing = i
            break
        i += 1
    return (opening, closing) if opening >= 0 and closing > opening else None


def _question(
    collector: Collector, where: str, text: str, category: str, difficulty: int | None
) -> None:
    title = _TITLE.match(text.strip())
    body = text.strip()[title.end() :].strip() if title else text.strip()
    if title:
        where = Msg(
            "%(where)s «%(title)s»", code="at_titled", where=where,
            title=_unescape(title.group(1))[:40],
        )  # fmt: skip
    is_html = bool(_FORMAT_TAG.match(body)) and body[1:5].lower() == "html"
    body = _FORMAT_TAG.sub("", body, count=1)
    span = _find_block(body)
    if span is None:
        collector.unsupported(where, Msg("description (no answer block)", code="gift_description"))
        return
    before, inside, after = body[: span[0]], body[span[0] + 1 : span[1]], body[span[1] + 1 :]
    answers, _, general = _split_unescaped(inside, "####")
    stem = _stem_text(before, after, is_html)
    common = {
        "explanation": _unescape(general).strip(),
        "difficulty": difficulty,
        "category": category,
    }
    _answer_block(collector, where, stem, answers.strip(), common)


def _stem_text(before: str, after: str, is_html: bool) -> str:
    """The text around the answer block; a block inside the text leaves a blank."""
    stem = _unescape(before) + BLANK + _unescape(after) if after.strip() else _unescape(before)
    return html_to_text(stem) if is_html else stem.strip()


def _answer_block(collector: Collector, where: str, stem: str, answers: str, common: dict) -> None:
    head = _split_unescaped(answers, "#")[0].strip()
    if not answers:
        collector.add(where, type="short", stem=stem, key="", **common)
    elif answers.startswith("#"):
        collector.unsupported(where, "numerical")
    elif head.upper() in ("T", "TRUE", "F", "FALSE"):
        collector.add(where, type="judge", stem=stem, key=judge_value(head), **common)
    elif "->" in answers:
        collector.unsupported(where, "matching")
    else:
        _choices_or_fill(collector, where, stem, _parse_answers(answers), common)


def _choices_or_fill(collector: Collector, where: str, stem: str, answers, common: dict) -> None:
    if answers and all(mark == "=" for mark, _, _ in answers):
        accepted = [text for _, weight, text in answers if weight is None or weight >= 99.99]
        collector.add(
            where, type="fill", stem=with_blank(stem, append=True), key=[accepted], **common
        )
        return
    options = strip_option_labels([text for _, _, text in answers])
    # As Moodle reads it: any "=" answer makes a single choice (that answer is the key);
    # with none, the answers weighted above 0% are the keys of a multiple choice.
    right = [OPTION_LABELS[i] for i, (m, _, _) in enumerate(answers[:8]) if m == "="]
    weighted = [
        OPTION_LABELS[i] for i, (_, w, _) in enumerate(answers[:8]) if w is not None and w > 0
    ]
    problems: list[str] = []
    key: object
    if right or len(weighted) < 2:
        qtype, key = "single", "".join((right or weighted)[:1])
        if len(right) > 1:
            problems.append(
                Msg(
                    "%(n)s answers are marked right (=) in a single choice",
                    code="gift_several_right",
                    n=len(right),
                )
            )
    else:
        qtype, key = "multiple", weighted
    collector.add(
        where, problems=problems, type=qtype, stem=stem, options=options, key=key, **common
    )


def _parse_answers(text: str) -> list[tuple[str, float | None, str]]:
    """(mark "=" or "~", weight or None, text) for each answer; per-answer feedback dropped."""
    answers = []
    for mark, raw in _marked_parts(text):
        raw = _split_unescaped(raw, "#")[0].strip()
        weight = None
        match = _WEIGHT.match(raw)
        if match:
            weight, raw = float(match.group(1)), raw[match.end() :].strip()
        answers.append((mark, weight, _unescape(raw).strip()))
    return answers


def _marked_parts(text: str) -> list[tuple[str, str]]:
    """(mark, raw text) of each answer; slices, not growing strings: a huge block stays linear."""
    marks: list[int] = []
    i = 0
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text[i] in "=~":
            marks.append(i)
        i += 1
    ends = [*marks[1:], len(text)]
    return [(text[p], text[p + 1 : q]) for p, q in zip(marks, ends, strict=True)]


def _split_unescaped(text: str, separator: str) -> tuple[str, str, str]:
    i = 0
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text.startswith(separator, i):
            return text[:i], separator, text[i + len(separator) :]
        i += 1
    return text, "", ""


def _unescape(text: str) -> str:
    return _ESCAPE.sub(lambda m: "\n" if m.group(1) == "n" else m.group(1), text)


_SPECIAL = re.compile(r"([~=#{}:\\])")


def _escape(text: str) -> str:
    return _SPECIAL.sub(r"\\\1", text).replace("\n", "\\n")


def write(questions: Sequence[Question]) -> tuple[bytes, list[tuple[int, str]]]:
    """GIFT text of the questions; those GIFT cannot hold are left out and named."""
    lines: list[str] = []
    skipped: list[tuple[int, str]] = []
    category = None
    for index, question in enumerate(questions):
        problem = _unwritable(question)
        if problem:
            skipped.append((index, problem))
            continue
        wanted = category_of(question.area, question.point)
        if wanted != category:
            category = wanted
            lines += [f"$CATEGORY: $course$/top/{category}", ""]
        lines += [f"// difficulty: {question.difficulty}", _gift_question(question), ""]
    return "\n".join(lines).encode("utf-8"), skipped


def _unwritable(question: Question) -> str | None:
    if question.type is QuestionType.SHORT:
        return Msg(
            "GIFT cannot hold a short-answer question's reference answer and rubric",
            code="gift_no_short",
        )
    if question.type is QuestionType.FILL and len(question.key) != 1:  # type: ignore[arg-type]
        return Msg("GIFT holds one blank per question; this one has several", code="gift_one_blank")
    return None


def _gift_question(question: Question) -> str:
    feedback = f"####{_escape(question.explanation)}" if question.explanation else ""
    if question.type is QuestionType.FILL:
        answers = " ".join(f"={_escape(a)}" for a in question.key[0])  # type: ignore[index]
        before, after = BLANK_RE.split(question.stem, maxsplit=1)
        return f"{_escape(before)}{{{answers}{feedback}}}{_escape(after)}"
    if question.type is QuestionType.JUDGE:
        return f"{_escape(question.stem)} {{{'TRUE' if question.key else 'FALSE'}{feedback}}}"
    return f"{_escape(question.stem)} {{\n{_choice_lines(question)}\n{feedback}}}"


def _choice_lines(question: Question) -> str:
    if question.type is QuestionType.SINGLE:
        marks = ["=" if label == question.key else "~" for label in OPTION_LABELS]
    else:
        share = format_number(round(100 / len(question.key), 5))  # type: ignore[arg-type]
        marks = [f"~%{share}%" if label in question.key else "~" for label in OPTION_LABELS]  # type: ignore[operator]
    return "\n".join(
        f"{mark}{_escape(option)}" for mark, option in zip(marks, question.options, strict=False)
    )
