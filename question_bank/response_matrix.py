"""The response-matrix CSV of ``examsvc stats items`` (DESIGN.md §4), read into arrays.

The header is ``candidate`` and then the item names; the first data row, whose
``candidate`` cell is ``key``, holds each item's key; then one row per candidate. A cell is
an option letter A–H or a number 1–9; an empty cell is no answer (scored 0).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

import numpy as np

from question_bank.errors import Msg, QuestionBankError
from question_bank.statistics import Analysis, Choices, analyse

_CELL = re.compile(r"[A-H1-9]")


class ResponseMatrixRejected(QuestionBankError):
    """The file is not a response matrix; the message says where and why."""


@dataclass(frozen=True)
class ResponseMatrix:
    candidates: tuple[str, ...]
    items: tuple[str, ...]
    keys: tuple[str, ...]
    answers: tuple[tuple[str, ...], ...]  # per candidate, per item: a label or ""


def parse_response_matrix(text: str) -> ResponseMatrix:
    """Read the CSV text; raise ResponseMatrixRejected naming the first bad row or cell."""
    rows = [
        row for row in csv.reader(io.StringIO(text.lstrip("\ufeff"))) if any(c.strip() for c in row)
    ]
    if not rows or rows[0][0].strip().casefold() != "candidate":
        raise ResponseMatrixRejected(
            Msg("the first row must be 'candidate' and then the item names", code="matrix_header")
        )
    items = tuple(c.strip() for c in rows[0][1:])
    while items and not items[-1]:
        items = items[:-1]
    if not items or "" in items or len(set(items)) != len(items):
        raise ResponseMatrixRejected(
            Msg("every item needs a name of its own in the first row", code="matrix_items")
        )
    if len(rows) < 2 or rows[1][0].strip().casefold() != "key":
        raise ResponseMatrixRejected(
            Msg("the second row must be 'key' and then each item's key", code="matrix_key")
        )
    keys = _cells(rows[1], len(items), 2)
    if "" in keys:
        item = items[keys.index("")]
        raise ResponseMatrixRejected(
            Msg("item %(item)s has no key", code="matrix_key_missing", item=item)
        )
    answers = tuple(_cells(row, len(items), n) for n, row in enumerate(rows[2:], start=3))
    return ResponseMatrix(
        candidates=tuple(row[0].strip() for row in rows[2:]),
        items=items,
        keys=keys,
        answers=answers,
    )


def _cells(row: list[str], width: int, line: int) -> tuple[str, ...]:
    cells = [c.strip().upper() for c in row[1:]]
    if any(cells[width:]):
        raise ResponseMatrixRejected(
            Msg("row %(row)s has more cells than there are items", code="matrix_width", row=line)
        )
    cells = (cells + [""] * width)[:width]
    for column, cell in enumerate(cells, start=2):
        if cell and not _CELL.fullmatch(cell):
            raise ResponseMatrixRejected(
                Msg(
                    "row %(row)s, column %(column)s: %(cell)s is not an option (A–H or 1–9)",
                    code="matrix_cell",
                    row=line,
                    column=column,
                    cell=cell,
                )
            )
    return tuple(cells)


def analyse_matrix(matrix: ResponseMatrix) -> Analysis:
    """Item analysis of a response matrix: an answer scores 1 when it is the key, else 0."""
    answers = np.array(matrix.answers, dtype="<U1").reshape(len(matrix.answers), len(matrix.items))
    keys = np.array(matrix.keys, dtype="<U1")
    scores = (answers == keys[None, :]).astype(np.float64)
    labels = []
    codes = np.zeros(answers.shape, dtype=np.uint32)
    for i, key in enumerate(matrix.keys):
        seen = sorted(set(np.unique(answers[:, i]).tolist()) - {""} | {key})
        labels.append(seen)
        for bit, label in enumerate(seen):
            codes[:, i] |= (answers[:, i] == label).astype(np.uint32) << bit
    key_masks = [1 << labels[i].index(key) for i, key in enumerate(matrix.keys)]
    choices = Choices(codes=codes, labels=labels, key_masks=key_masks)
    return analyse(scores, matrix.items, matrix.keys, choices=choices)
