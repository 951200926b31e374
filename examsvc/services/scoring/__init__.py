"""Scoring: bulk scoring of a sitting with question_bank.sheet_scoring (bulk.py), reading its
answer sheets as arrays (sheets.py), and re-scoring after a key correction (corrections.py).

Callers import from here: ``from examsvc.services import scoring; scoring.score_sitting(…)``.
"""

from examsvc.services.scoring.bulk import (
    BATCH,
    SCORE_JOB,
    get_sitting,
    max_hundredths,
    run_scoring,
    score,
    score_attempts,
    score_sitting,
    start_scoring,
    write_scores,
)
from examsvc.services.scoring.corrections import (
    Change,
    Correction,
    apply,
    corrections,
    digest,
    preview,
)
from examsvc.services.scoring.sheets import (
    Column,
    Sheets,
    SittingItems,
    load_sheets,
    sitting_items,
    submitted_attempt_ids,
)

__all__ = [
    "BATCH",
    "SCORE_JOB",
    "Change",
    "Column",
    "Correction",
    "Sheets",
    "SittingItems",
    "apply",
    "corrections",
    "digest",
    "get_sitting",
    "load_sheets",
    "max_hundredths",
    "preview",
    "run_scoring",
    "score",
    "score_attempts",
    "score_sitting",
    "sitting_items",
    "start_scoring",
    "submitted_attempt_ids",
    "write_scores",
]
