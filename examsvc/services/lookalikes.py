"""The near-duplicate pass of an import: each row against the live bank and the rows before it.

Each row is compared only with a few of its LSH band candidates (question_bank.dedup's
BATCH_ limits), so the pass grows linearly with the file however alike its rows are.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext
from sqlalchemy import tuple_

from examsvc.extensions import db
from examsvc.i18n import translate
from examsvc.models import Question, QuestionBand
from examsvc.services import similarity, staging
from question_bank import dedup
from question_bank.errors import Msg


@dataclass
class CheckedItem:
    """An item of a file, checked and signed, ready to stage."""

    where: str
    type: str
    staged: staging.Staged
    shingles: frozenset[int]


def note(report: Any, items: list[CheckedItem], *, exact: bool) -> None:
    """Report each item's near-duplicates and keep them for its review thread.

    ``exact``: the similarity to two decimals (examiners); others get it to a tenth only. A
    dry run is free to repeat, and a coarse figure is too rough to steer guesses at a hidden
    question's text (as in the look-alike lookup).
    """
    report_note, thread_note = _rendered(NEAR_DUPLICATE), _rendered(NEAR_DUPLICATE_NOTE)
    label_text = _label_translator()
    for item, matches in zip(items, near_duplicates(items), strict=True):
        if not matches:
            continue
        labels = [(label_text(label), score) for label, score in matches]
        where = label_text(item.where)
        # The thread note is kept as the importer's own comment, which they read too.
        shown = [
            (label, f"{score:.2f}" if exact else f"{math.floor(score * 10) / 10:.1f}")
            for label, score in labels
        ]
        for label, score in shown:
            report.note(where, report_note(other=label, score=score))
        item.staged.note = gettext("; ").join(
            thread_note(other=label, score=score) for label, score in shown
        )


NEAR_DUPLICATE = Msg(
    "near-duplicate of %(other)s (similarity %(score)s): an examiner will see it",
    code="near_duplicate",
)
NEAR_DUPLICATE_NOTE = Msg(
    "near-duplicate of %(other)s (similarity %(score)s)", code="near_duplicate_note"
)


def _rendered(message: Msg) -> Callable[..., str]:
    """The message translated once, then filled in per row (an import has thousands)."""
    template = gettext(message.template)
    return lambda **values: template % values


def _label_translator() -> Callable[[str], str]:
    """translate() for the places of rows ("line 12"), each template translated once."""
    rendered: dict[str, Callable[..., str]] = {}

    def label_text(label: str) -> str:
        plain = (
            isinstance(label, Msg)
            and label.params
            and all(type(value) in (int, str) for value in label.params.values())
        )
        if not plain:
            return translate(label)
        if label.template not in rendered:
            rendered[label.template] = _rendered(label)
        return rendered[label.template](**label.params)

    return label_text


def near_duplicates(items: list[CheckedItem]) -> list[list[tuple[str, float]]]:
    """For each item, the live bank questions and earlier items of the file it nearly repeats.

    Near-linear: each item is compared only with a few of its LSH band candidates (dedup's
    BATCH_ limits), however alike the file or the bank is.
    """
    in_bank = _bank_index(items)
    in_file = dedup.DedupIndex()
    capped = {"limit": 3, "candidates": dedup.BATCH_CANDIDATES,
              "per_bucket": dedup.BATCH_PER_BUCKET}  # fmt: skip
    found = []
    for n, item in enumerate(items):
        keys = item.staged.keys
        matches = [
            (items[-1 - m.question_id].where, m.score)
            for m in in_file.query_signed(item.shingles, keys, **capped)
        ]
        if len(in_bank):
            bank = in_bank.query_signed(item.shingles, keys, **capped)
            matches = [(f"#{m.question_id}", m.score) for m in bank] + matches
            matches.sort(key=lambda match: -match[1])
        found.append(matches[:3])
        in_file.add_signed(-1 - n, item.shingles, keys)
    return found


def _bank_index(items: list[CheckedItem]) -> dedup.DedupIndex:
    """The live bank questions sharing a band key with some item, indexed (oldest first)."""
    wanted = sorted({(band, key) for item in items for band, key in enumerate(item.staged.keys)})
    ids: set[int] = set()
    for start in range(0, len(wanted), 2000):
        ids.update(
            db.session.scalars(
                db.select(QuestionBand.question_id).where(
                    tuple_(QuestionBand.band, QuestionBand.value).in_(wanted[start : start + 2000])
                )
            )
        )
    index = dedup.DedupIndex()
    ordered = sorted(ids)
    for start in range(0, len(ordered), 1000):
        rows = db.session.execute(
            db.select(Question.id, Question.stem, Question.options)
            .where(
                Question.id.in_(ordered[start : start + 1000]),
                Question.status.in_(similarity.LIVE),
            )
            .order_by(Question.id)
        )
        for qid, stem, options in rows:
            index.add(qid, similarity.comparable(stem, options or ()))
    return index
