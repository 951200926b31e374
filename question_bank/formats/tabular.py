"""Rows of a spreadsheet or CSV in the conventions of Chinese exam systems.

Columns are found by their header (题型, 题干/题目/试题内容, 选项A…H or 选项1…, 答案/正确答案,
解析, 难度, 知识点/分类, 分值, 评分标准), which may sit below a title row. Judge answers may
be 对/错, 正确/错误, √/×, 是/否, T/F, 1/0 or a letter pointing at options 正确/错误; multiple
answers ABD, A,B,D, A、B or A B; fill answers one per blank, split by | (or ；, newline),
with alternatives for one blank split by /.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from question_bank.formats.common import (
    Collector,
    ParseResult,
    choice_letters,
    judge_value,
    parse_difficulty,
    parse_points,
    parse_rubric,
    strip_option_labels,
    with_blank,
)
from question_bank.model import OPTION_LABELS, normalize_text

HEADER_SCAN_ROWS = 20
_ALIASES = {
    "type": {"题型", "试题类型", "题目类型", "类型", "type", "questiontype"},
    "stem": {"题干", "题目", "试题内容", "题目内容", "试题", "问题", "stem", "question"},
    "key": {"答案", "正确答案", "标准答案", "参考答案", "answer", "key"},
    "explanation": {"解析", "答案解析", "试题解析", "题目解析", "explanation"},
    "difficulty": {"难度", "难易程度", "难度等级", "difficulty"},
    "category": {"知识点", "分类", "知识点分类", "试题分类", "题目分类", "章节", "category"},
    "points": {"分值", "分数", "score", "points"},
    "rubric": {"评分标准", "评分要点", "评分细则", "rubric"},
}
_TYPES = {
    "single": {"单选", "单选题", "单项选择", "单项选择题", "单选择题", "single"},
    "multiple": {
        "多选",
        "多选题",
        "多项选择",
        "多项选择题",
        "不定项选择",
        "不定项选择题",
        "multiple",
    },
    "judge": {"判断", "判断题", "是非题", "对错题", "judge", "truefalse"},
    "fill": {"填空", "填空题", "fill"},
    "short": {"简答", "简答题", "问答题", "论述题", "主观题", "short", "essay"},
}
_TYPE_OF = {name: code for code, names in _TYPES.items() for name in names}
_NOT_OURS = {"材料题", "案例分析题", "案例题", "组合题", "排序题", "匹配题", "连线题", "计算题",
             "完形填空", "阅读理解", "matching", "numerical", "cloze"}  # fmt: skip
_OPTION_HEADER = re.compile(r"^(?:选项|option)?([A-Ha-h]|[1-8]|[一二三四五六七八])$", re.I)
_HEADER_NOISE = re.compile(r"[\s*＊:：]|[（(][^）)]*[)）]")
_CN_DIGITS = "一二三四五六七八"
_BLANK_SPLIT = re.compile(r"[|｜;；\n]")
_ALTERNATIVE_SPLIT = re.compile(r"[/／]")


def header_columns(cells: list[str]) -> dict[str, int | list[int]] | None:
    """Column positions by field when the row is a header (it names a stem and a type or key)."""
    columns: dict = {}
    options: list[tuple[int, int]] = []
    for position, cell in enumerate(cells):
        label = _HEADER_NOISE.sub("", normalize_text(cell)).lower()
        option = _OPTION_HEADER.match(label)
        if option and (label.startswith(("选项", "option")) or len(label) == 1):
            options.append((_option_index(option.group(1)), position))
            continue
        for field, names in _ALIASES.items():
            if label in names and field not in columns:
                columns[field] = position
    if "stem" not in columns or not ({"type", "key"} & set(columns)):
        return None
    columns["options"] = [position for _, position in sorted(options)]
    return columns


def _option_index(label: str) -> int:
    if label.isdigit():
        return int(label) - 1
    if label in _CN_DIGITS:
        return _CN_DIGITS.index(label)
    return OPTION_LABELS.index(label.upper())


def read_rows(fmt: str, rows: Iterable[tuple[str, list[str]]]) -> ParseResult:
    """Read (position, cells) rows: find the header, then one question per non-empty row."""
    collector = Collector(fmt)
    columns = None
    for scanned, (where, cells) in enumerate(rows):
        if columns is None:
            columns = header_columns(cells)
            if columns is None and scanned >= HEADER_SCAN_ROWS:
                break
            continue
        if any(c.strip() for c in cells):
            _row(collector, where, cells, columns)
    if columns is None:
        collector.error("file", "no header row naming 题干 (or 题目) and 题型 or 答案")
    return collector.result


def _cell(cells: list[str], columns: dict, field: str) -> str:
    position = columns.get(field)
    return cells[position] if position is not None and position < len(cells) else ""


def _row(collector: Collector, where: str, cells: list[str], columns: dict) -> None:
    problems: list[str] = []
    type_text = normalize_text(_cell(cells, columns, "type"))
    qtype = _TYPE_OF.get(type_text.lower()) if type_text else None
    if type_text in _NOT_OURS:
        collector.unsupported(where, type_text)
        return
    if qtype is None:
        collector.error(where, f"unknown question type {type_text!r}" if type_text else "no 题型")
        return
    given = [normalize_text(cells[p]) if p < len(cells) else "" for p in columns["options"]]
    columns_given = strip_option_labels(given)
    options = list(columns_given)
    while options and not options[-1]:
        options.pop()
    key = _key(qtype, _cell(cells, columns, "key"), columns_given, problems)
    difficulty, problem = parse_difficulty(_cell(cells, columns, "difficulty"))
    points, points_problem = parse_points(_cell(cells, columns, "points"))
    rubric, rubric_problems = parse_rubric(_cell(cells, columns, "rubric"))
    problems += [p for p in (problem, points_problem) if p] + rubric_problems
    stem = _cell(cells, columns, "stem")
    collector.add(
        where,
        problems=problems,
        type=qtype,
        stem=with_blank(stem, append=False) if qtype == "fill" else stem,
        options=options if qtype in ("single", "multiple") else (),
        key=key,
        explanation=_cell(cells, columns, "explanation"),
        difficulty=difficulty,
        points=points,
        category=_cell(cells, columns, "category"),
        rubric=rubric,
    )


def _key(qtype: str, text: str, options: list[str], problems: list[str]) -> object:
    text = normalize_text(text)
    if qtype in ("single", "multiple"):
        letters = choice_letters(text)
        if letters is None:
            problems.append(f"the answer {text!r} is not option letters" if text else "no 答案")
            return None
        for letter in letters:
            index = OPTION_LABELS.find(letter)
            if 0 <= index < len(options) and not options[index]:
                problems.append(f"the answer names option {letter}, which is empty")
            elif index < 0 or index >= len(options):
                problems.append(f"the answer {letter} is not among the options")
        return letters if qtype == "multiple" else "".join(letters)
    if qtype == "judge":
        return _judge_key(text, options, problems)
    if qtype == "fill":
        return [[a for a in _ALTERNATIVE_SPLIT.split(b)] for b in _BLANK_SPLIT.split(text)]
    return text


def _judge_key(text: str, options: list[str], problems: list[str]) -> bool | None:
    value = judge_value(text)
    letters = choice_letters(text)
    if value is None and letters and len(letters) == 1 and len(options) >= 2:
        index = OPTION_LABELS.find(letters[0])
        value = judge_value(options[index]) if index < len(options) else None
    if value is None:
        problems.append(f"the answer {text!r} is not true or false (对/错, √/×, T/F, 1/0)")
    return value
