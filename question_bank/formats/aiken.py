"""Aiken: a stem, options "A." / "A)", then "ANSWER: B" (several letters make a multiple choice).

Also reads the "extended Aiken" some tools write: a line naming the Moodle type before a
question (truefalse, shortanswer, essay; other types are skipped with a warning), a
"category" block, "Feedback:" lines and options numbered 1, 2, 3 with a numeric answer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from question_bank.errors import Msg
from question_bank.formats.common import (
    MAX_ITEMS,
    Collector,
    ParseResult,
    at_line,
    choice_letters,
    judge_value,
    with_blank,
)
from question_bank.formats.text import decode
from question_bank.model import OPTION_LABELS

FORMAT = "aiken"
_OPTION = re.compile(r"^([A-Z])\s*[.)．、]\s*(.*)$")
_NUMBERED = re.compile(r"^(\d{1,2})\s*[.)．、]\s*(.*)$")
_ANSWER = re.compile(r"^ANSWER\s*[:：]\s*(.*)$", re.IGNORECASE)
_FEEDBACK = re.compile(r"^(?:feedback|gfeed)\s*[.:：]\s*(.*)$", re.IGNORECASE)
_SUPPORTED_TYPES = {"multichoice", "truefalse", "shortanswer", "essay"}
_OTHER_TYPES = {"description", "cloze", "numerical", "order", "matching", "ddwtos", "calculated"}


@dataclass
class _Draft:
    line: int
    kind: str = "multichoice"
    stem: list[str] = field(default_factory=list)
    options: list[tuple[str, str]] = field(default_factory=list)
    answer: str | None = None
    feedback: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def read(data: bytes, limit: int = MAX_ITEMS) -> ParseResult:
    """Read Aiken text; every question ends at its ANSWER line or at a blank line."""
    collector = Collector(FORMAT, limit)
    category = ""
    for start, block in _blocks(decode(data)):
        head = block[0].strip().lower()
        if head == "category":
            category = "/".join(line.strip() for line in block[1:])
            continue
        kind = "multichoice"
        if head in _SUPPORTED_TYPES | _OTHER_TYPES:
            kind, block, start = head, block[1:], start + 1
        for draft in _drafts(block, start, kind):
            _finish(collector, draft, category)
    return collector.result


def _blocks(text: str) -> list[tuple[int, list[str]]]:
    blocks: list[tuple[int, list[str]]] = []
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            blocks.append((number + 1, []))
        elif blocks:
            blocks[-1][1].append(line)
        else:
            blocks.append((number, [line]))
    return [(start, lines) for start, lines in blocks if lines]


def _drafts(lines: list[str], start: int, kind: str) -> list[_Draft]:
    drafts = [_Draft(start, kind)]
    for offset, raw in enumerate(lines):
        line = raw.strip()
        draft = drafts[-1]
        if draft.answer is not None:
            feedback = _FEEDBACK.match(line)
            if feedback:
                draft.feedback.append(feedback.group(1))
                continue
            draft = _Draft(start + offset, "multichoice")
            drafts.append(draft)
        _take_line(draft, line)
    return drafts


def _take_line(draft: _Draft, line: str) -> None:
    answer = _ANSWER.match(line)
    option = _OPTION.match(line) or (_NUMBERED.match(line) if draft.stem else None)
    if answer:
        draft.answer = answer.group(1).strip()
    elif _FEEDBACK.match(line) and draft.stem:
        draft.feedback.append(_FEEDBACK.match(line).group(1))  # type: ignore[union-attr]
    elif option and draft.stem:
        draft.options.append((option.group(1), option.group(2).strip()))
    elif draft.options:
        draft.problems.append(
            Msg("unexpected line after the options: %(line)s", code="aiken_stray_line",
                line=repr(line[:40]))
        )  # fmt: skip
    else:
        draft.stem.append(line)


def _finish(collector: Collector, draft: _Draft, category: str) -> None:
    where = at_line(draft.line)
    if draft.kind in _OTHER_TYPES:
        collector.unsupported(where, draft.kind)
        return
    if draft.answer is None and draft.kind != "essay":
        collector.error(where, Msg("no ANSWER line", code="aiken_no_answer"))
        return
    common: dict[str, Any] = {
        "stem": "\n".join(draft.stem),
        "explanation": "\n".join(draft.feedback),
        "category": category,
        "problems": draft.problems,
    }
    if draft.kind == "truefalse":
        collector.add(where, type="judge", key=judge_value(draft.answer), **common)
    elif draft.kind == "shortanswer":
        accepted = [a.strip() for a in re.split(r"[,，]", draft.answer or "") if a.strip()]
        collector.add(where, type="fill", key=[accepted], **_with_blank(common))
    elif draft.kind == "essay":
        collector.add(where, type="short", key=draft.answer or "", **common)
    else:
        _choice(collector, where, draft, common)


def _with_blank(common: dict) -> dict:
    return {**common, "stem": with_blank(common["stem"], append=True)}


def _choice(collector: Collector, where: str, draft: _Draft, common: dict) -> None:
    labels = [label for label, _ in draft.options]
    numbered = all(label.isdigit() for label in labels)
    expected = [str(i) for i in range(1, len(labels) + 1)] if numbered else list(OPTION_LABELS)
    if labels != expected[: len(labels)]:
        common["problems"].append(
            Msg(
                "options must be labelled A, B, C… (or numbered 1, 2, 3…); found %(labels)s",
                code="aiken_labels",
                labels=", ".join(labels[:12]) + ("…" if len(labels) > 12 else ""),
            )
        )
    keys = _keys(draft.answer or "", numbered, common["problems"])
    for letter in keys:
        if OPTION_LABELS.find(letter) >= len(labels) or letter not in OPTION_LABELS:
            common["problems"].append(
                Msg("the answer %(letter)s is not among the options", code="key_not_an_option",
                    letter=letter)
            )  # fmt: skip
    qtype = "multiple" if len(keys) > 1 else "single"
    key: object = keys if qtype == "multiple" else "".join(keys)
    options = [text for _, text in draft.options]
    collector.add(where, type=qtype, options=options, key=key, **common)


def _keys(answer: str, numbered: bool, problems: list[str]) -> list[str]:
    if numbered:
        numbers = [n for n in re.split(r"[\s,，、]+", answer) if n]
        if all(n.isdigit() and 1 <= int(n) <= len(OPTION_LABELS) for n in numbers):
            return [OPTION_LABELS[int(n) - 1] for n in numbers]
        problems.append(
            Msg("the options are numbered but the answer is %(answer)s",
                code="aiken_numbered_key", answer=repr(answer))
        )  # fmt: skip
        return []
    letters = choice_letters(answer)
    if letters is None:
        problems.append(
            Msg("the answer %(answer)s is not option letters", code="key_not_letters",
                answer=repr(answer))
        )  # fmt: skip
        return []
    return letters
