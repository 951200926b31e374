"""Marking 简答 blind, against the rubric, singly or doubly with reconciliation.

An examiner sees an answer without the candidate's name, organisation or admission number,
in an order of their own (random, stable: a hash of the marker and the answer). With double
marking two examiners mark each answer independently; marks within the sitting's tolerance
count as their mean (cut once to the hundredth, like every score), marks further apart go
to a third examiner, whose mark is final. When the last subjective answer of an attempt is
settled, the attempt's total and pass are computed (services/scoring); until then its
``is_passed`` stays None, which publication checks.

plan.py: the sitting's marking plan; queue.py: what waits for whom, the blind view;
marks.py: giving marks, settling, re-opening; progress.py: progress per question and marker.
"""

from examsvc.services.marking.marks import (
    finish_attempts,
    give_mark,
    parse_criteria,
    reopen,
    settle,
    settled_points,
    unmarked_attempts,
    waiting_answers,
)
from examsvc.services.marking.plan import MAX_TOLERANCE, plan_of, save_plan
from examsvc.services.marking.progress import (
    Progress,
    QuestionProgress,
    marking_sittings,
    progress,
)
from examsvc.services.marking.queue import (
    AnswerState,
    BlindAnswer,
    blind_answer,
    next_answer,
    next_round,
    short_answers,
)

__all__ = [
    "MAX_TOLERANCE",
    "AnswerState",
    "BlindAnswer",
    "Progress",
    "QuestionProgress",
    "blind_answer",
    "finish_attempts",
    "give_mark",
    "marking_sittings",
    "next_answer",
    "next_round",
    "parse_criteria",
    "plan_of",
    "progress",
    "reopen",
    "save_plan",
    "settle",
    "settled_points",
    "short_answers",
    "unmarked_attempts",
    "waiting_answers",
]
