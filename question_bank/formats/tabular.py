"""Rows of a spreadsheet or CSV in the conventions of Chinese exam systems.

Columns are found by their header (题型, 题干/题目/试题内容, 选项A…H, A选项 or 选项1…,
答案/正确答案/正确选项, 解析, 难度, 知识点/分类/章节, 分值, 评分标准), which may sit below a
title row; notes in brackets ("题干（必填）", "选项E(勿删)"), spaces and line breaks in a
header cell are ignored. A type column may explain numeric codes in its header
("题型（0单选，1判断，2多选）"); a sheet named after a type (单选题…) needs no type column.
Judge answers may be 对/错, 正确/错误, √/×, 是/否, T/F, 1/0 or a letter pointing at options
正确/错误 (A/B when the row has no options); multiple answers ABD, A,B,D, A、B or A B; fill
answers one per blank, split by | (or ；, newline), with alternatives for one blank split by /.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from question_bank.errors import Msg
from question_bank.formats.common import (
    FILE,
    MAX_ITEMS,
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
#: Cells read from a row: a header names its columns among the first ones.
MAX_COLUMNS = 64
_ALIASES = {
    "type": {"题型", "试题类型", "题目类型", "类型", "题型名称", "type", "questiontype"},
    "stem": {
        "题干", "题目", "试题内容", "题目内容", "试题", "问题", "问题内容", "试题题目", "题干内容",
        "试题题干", "stem", "question", "content",
    },
    "key": {"答案", "正确答案", "正确选项", "标准答案", "参考答案", "试题答案", "answer", "key"},
    "explanation": {
        "解析", "答案解析", "试题解析", "题目解析", "解题思路", "explanation", "analysis",
    },
    "difficulty": {
        "难度", "难易程度", "难度等级", "难度系数", "题目难度", "试题难度", "难易度", "difficulty",
    },
    "category": {
        "知识点", "分类", "知识点分类", "试题分类", "题目分类", "章节", "所属知识点", "所属章节",
        "知识点名称", "考点", "category",
    },
    "points": {"分值", "分数", "试题分值", "题目分值", "score", "points"},
    "rubric": {"评分标准", "评分要点", "评分细则", "rubric"},
}  # fmt: skip
#: What a header must name, as the report tells the user.
EXPECTED = Msg(
    "题干 (or 题目, 试题内容…) and 题型 (试题类型…) or 答案 (正确答案…); options 选项A…选项H",
    code="expected_header",
)
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
    "short": {"简答", "简答题", "问答题", "论述题", "主观题", "名词解释", "short", "essay"},
    #: a choice whose key decides: one letter single, several multiple
    "choice": {"选择", "选择题"},
}
_TYPE_OF = {name: code for code, names in _TYPES.items() for name in names}
_NOT_OURS = {"材料题", "案例分析题", "案例题", "组合题", "排序题", "匹配题", "连线题", "计算题",
             "完形填空", "阅读理解", "matching", "numerical", "cloze"}  # fmt: skip
_OPTION_HEADER = re.compile(r"^(?:选项|option)?([A-Ha-h]|[1-8]|[一二三四五六七八])(?:选项)?$", re.I)
_TYPE_LEGEND = re.compile(
    r"(\d+)\s*[-:：=、.]?\s*([\u4e00-\u9fff]+?)(?:题)?(?=[\d,，;；、/\s)）]|$)"
)
_HEADER_NOISE = re.compile(r"[\s*＊:：]|[（(][^）)]*[)）]")
_CN_DIGITS = "一二三四五六七八"
_BLANK_SPLIT = re.compile(r"[|｜;；\n]")
_ALTERNATIVE_SPLIT = re.compile(r"[/／]")


def header_columns(cells: list[str]) -> dict | None:
    """Column positions by field when the row is a header (it names a stem and a type or key)."""
    columns: dict = {}
    options: list[tuple[int, int]] = []
    for position, cell in enumerate(cells):
        label = _label(cell)
        option = _OPTION_HEADER.match(label)
        if option and (
            label.startswith(("选项", "option")) or label.endswith("选项") or len(label) == 1
        ):
            options.append((_option_index(option.group(1)), position))
            continue
        for field, names in _ALIASES.items():
            if label in names and field not in columns:
                columns[field] = position
                if field == "type":
                    columns["type_codes"] = _type_legend(cell)
                if field == "difficulty":
                    columns["coefficient"] = label == "难度系数"
    if "stem" not in columns or not ({"type", "key"} & set(columns)):
        return None
    columns["options"] = [position for _, position in sorted(options)]
    return columns


def _label(cell: str) -> str:
    return _HEADER_NOISE.sub("", normalize_text(cell)).lower()


def _type_legend(cell: str) -> dict[str, str]:
    """Numeric type codes a header explains: "题型（0单选，1判断，2多选）" → {"0": "single", …}."""
    codes = {}
    for number, name in _TYPE_LEGEND.findall(normalize_text(cell)):
        qtype = _TYPE_OF.get(name) or _TYPE_OF.get(name + "题")
        if qtype:
            codes[number] = qtype
    return codes


def sheet_type(title: str) -> str | None:
    """The question type a sheet's name gives its rows ("单选题", "判断"), if any."""
    return _TYPE_OF.get(_label(title))


def _option_index(label: str) -> int:
    if label.isdigit():
        return int(label) - 1
    if label in _CN_DIGITS:
        return _CN_DIGITS.index(label)
    return OPTION_LABELS.index(label.upper())


def read_rows(
    fmt: str,
    rows: Iterable[tuple[str, list[str]]],
    *,
    limit: int = MAX_ITEMS,
    default_type: str | None = None,
) -> ParseResult:
    """Read (position, cells) rows: find the header, then one question per non-empty row.

    ``default_type`` is the type of rows when the header has no type column (a sheet named
    after a type). A file with no header, or no row below it, is refused and says why.
    """
    collector = Collector(fmt, limit)
    columns = None
    seen: list[str] = []
    for scanned, (where, cells) in enumerate(rows):
        if columns is None:
            columns = header_columns(cells)
            if columns is None:
                seen = seen or [c.strip() for c in cells if c.strip()]
                if scanned >= HEADER_SCAN_ROWS:
                    break
            else:
                columns["default_type"] = default_type
            continue
        if any(c.strip() for c in cells):
            _row(collector, where, cells, columns)
    if columns is None:
        collector.error(FILE, _no_header(seen))
    elif not collector.counted:
        collector.error(FILE, Msg("no question rows below the header", code="no_rows"))
    return collector.result


def _no_header(seen: list[str]) -> Msg:
    if not seen:
        return Msg("the sheet is empty: no header row and no questions", code="empty_sheet")
    return Msg(
        "no header row recognised: the first row names %(found)s; expected %(expected)s",
        code="no_header",
        found="、".join(cell[:20] for cell in seen[:12]),
        expected=EXPECTED,
    )


def _cell(cells: list[str], columns: dict, field: str) -> str:
    position = columns.get(field)
    return cells[position] if position is not None and position < len(cells) else ""


def _row_type(cells: list[str], columns: dict, options: list[str]) -> str | None:
    """The row's type: its 题型 cell (a name or a code the header explains), else the sheet's,
    else what the row shows: options make a choice, no options and a true/false key a judge."""
    type_text = normalize_text(_cell(cells, columns, "type"))
    if type_text:
        text = type_text.lower()
        return _TYPE_OF.get(text) or _TYPE_OF.get(_label(text)) or columns["type_codes"].get(text)
    if "type" in columns and columns["default_type"] is None:
        return None
    if columns["default_type"]:
        return columns["default_type"]
    if any(options):
        return "choice"
    return "judge" if judge_value(_cell(cells, columns, "key")) is not None else None


def _row(collector: Collector, where: str, cells: list[str], columns: dict) -> None:
    problems: list[str] = []
    type_text = normalize_text(_cell(cells, columns, "type"))
    if type_text in _NOT_OURS:
        collector.unsupported(where, type_text)
        return
    given = [normalize_text(cells[p]) if p < len(cells) else "" for p in columns["options"]]
    columns_given = strip_option_labels(given)
    qtype = _row_type(cells, columns, columns_given)
    if qtype is None:
        collector.error(
            where,
            Msg("unknown question type %(type)s", code="unknown_row_type", type=repr(type_text))
            if type_text
            else Msg("no 题型 (question type)", code="no_row_type"),
        )
        return
    if qtype == "choice":
        letters = choice_letters(_cell(cells, columns, "key")) or []
        qtype = "multiple" if len(letters) > 1 else "single"
    options = list(columns_given)
    while options and not options[-1]:
        options.pop()
    key = _key(qtype, _cell(cells, columns, "key"), columns_given, problems)
    difficulty, problem = parse_difficulty(
        _cell(cells, columns, "difficulty"), coefficient=columns.get("coefficient", False)
    )
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
            problems.append(
                Msg("the answer %(answer)s is not option letters", code="key_not_letters",
                    answer=repr(text))
                if text
                else Msg("no 答案 (answer)", code="no_key")
            )  # fmt: skip
            return None
        for letter in letters:
            index = OPTION_LABELS.find(letter)
            if 0 <= index < len(options) and not options[index]:
                problems.append(
                    Msg("the answer names option %(letter)s, which is empty",
                        code="key_option_empty", letter=letter)
                )  # fmt: skip
            elif index < 0 or index >= len(options):
                problems.append(
                    Msg("the answer %(letter)s is not among the options",
                        code="key_not_an_option", letter=letter)
                )  # fmt: skip
        return letters if qtype == "multiple" else "".join(letters)
    if qtype == "judge":
        return _judge_key(text, options, problems)
    if qtype == "fill":
        return [[a for a in _ALTERNATIVE_SPLIT.split(b)] for b in _BLANK_SPLIT.split(text)]
    return text


def _judge_key(text: str, options: list[str], problems: list[str]) -> bool | None:
    value = judge_value(text)
    letters = choice_letters(text)
    if value is None and letters and len(letters) == 1:
        index = OPTION_LABELS.find(letters[0])
        if not any(options):  # no options written: A is 正确 and B 错误, as most systems show them
            value = {0: True, 1: False}.get(index)
        elif index < len(options):
            value = judge_value(options[index])
    if value is None:
        problems.append(
            Msg(
                "the answer %(answer)s is not true or false (对/错, √/×, T/F, 1/0)",
                code="judge_key_value",
                answer=repr(text),
            )
        )
    return value
