"""Item analysis of a sitting, stored; flags back to review; measured facility to the bank.

The engine is question_bank.statistics (Moodle's definitions) fed by the bulk scorer
(services/scoring/). When every candidate answered the same items the whole matrix goes
through ``analyse_sitting``; when papers differ, each question is analysed over the
candidates whose paper held it, with the rest score (their paper's total less the item), which
is Moodle's item–rest definition for random questions. Coefficient alpha needs one set of
items for everybody and is left out then.

A question measured on at least MIN_CANDIDATES candidates gets its facility written back
(QuestionFacility; paper assembly prefers it to the 1–5 rating) and, when flagged, an
ItemFlag that puts it in the review queue with the evidence until an examiner settles it.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

import numpy as np
from flask_babel import gettext as _

from examsvc.extensions import db, reading, writing
from examsvc.jobqueue import queue
from examsvc.models import (
    ItemAnalysis,
    ItemFlag,
    Question,
    QuestionFacility,
    QuestionVersion,
    Role,
    Sitting,
    User,
    utcnow,
)
from examsvc.services import audit, jobs, scoring
from examsvc.services.errors import BadInput, Forbidden, NotFound
from question_bank.model import OPTION_LABELS, QuestionType
from question_bank.sheet_scoring import JUDGE_LABELS, SheetItem, analyse_sitting, encode_response
from question_bank.statistics import Choices, analyse

#: Facility is written back, and flags raised, only from this many candidates on.
MIN_CANDIDATES = 30
#: Score groups of the option curves (by rest score, lowest first).
GROUPS = 5
#: Sittings with more handed-in attempts than this are analysed by a background job.
JOB_THRESHOLD = 3000
STATS_JOB = "item_analysis"


def _sitting(sitting_id: int) -> Sitting:
    sitting = db.session.get(Sitting, sitting_id)
    if sitting is None:
        raise NotFound(_("no such sitting"))
    return sitting


def _require_reader(user: User) -> None:
    if not user.has_role(Role.EXAMINER, Role.ADMIN):
        raise Forbidden(_("only examiners and administrators read item statistics"))


def compute(sitting_id: int) -> dict[str, Any]:
    """Analyse the sitting's scored answer sheets; the JSON that is stored."""
    sitting = _sitting(sitting_id)
    compiled = scoring.sitting_items(sitting)
    ids = scoring.submitted_attempt_ids(sitting.id)
    sheets = scoring.load_sheets(compiled, ids)
    scores = scoring.score(compiled, sheets)
    keep = ~scores.pending  # an answer still unmarked has no score yet
    codes, presented = sheets.codes[keep], sheets.presented[keep]
    x = scores.item_scores()[keep]
    totals = scores.totals[keep]
    items = compiled.item_set.items
    names = [str(c.question_id) for c in compiled.columns]
    if presented.all():
        sub = _kept(scores, keep)
        analysis = analyse_sitting(compiled.item_set, codes, sub, names, compiled.option_counts)
        rows = [_row(s, int(keep.sum())) for s in analysis.items]
        test = asdict(analysis.test)
    else:
        rows = [
            _one(
                items[c],
                names[c],
                compiled.option_counts[c],
                x[presented[:, c], c],
                totals[presented[:, c]],
                codes[presented[:, c], c],
            )
            for c in range(len(items))
        ]
        test = _test(totals)
    for c, row in enumerate(rows):
        col = compiled.columns[c]
        seen = presented[:, c]
        row.update(
            question_id=col.question_id,
            version=col.version,
            points=col.points,
            type=str(items[c].type),
            area=items[c].area,
            groups=_groups(
                items[c],
                compiled.option_counts[c],
                x[seen, c],
                totals[seen] - x[seen, c],
                codes[seen, c],
                col.points,
            ),
        )
    return {
        "test": test,
        "shared": bool(presented.all()),
        "histogram": _histogram(totals),
        "pass_mark": sitting.blueprint.pass_mark,
        "items": rows,
        "candidates": int(keep.sum()),
        "pending": int(scores.pending.sum()),
    }


def _kept(scores, keep):
    from question_bank.sheet_scoring import SheetScores

    return SheetScores(
        scores.hundredths[keep],
        scores.passed[keep],
        scores.pending[keep],
        scores.areas,
        scores.area_hundredths[keep],
        scores.item_units[keep],
        scores.unit,
    )


def _labels(item: SheetItem, count: int) -> tuple[tuple[str, ...], int, str]:
    if item.type in (QuestionType.SINGLE, QuestionType.MULTIPLE):
        return tuple(OPTION_LABELS[:count]), encode_response(item, item.key), "".join(item.key)  # type: ignore[arg-type]
    if item.type is QuestionType.JUDGE:
        return (
            JUDGE_LABELS,
            encode_response(item, item.key),
            JUDGE_LABELS[0 if item.key is True else 1],
        )
    return (), 0, ""


def _one(item: SheetItem, name: str, count: int, x, totals, codes) -> dict[str, Any]:
    """One question over the candidates who had it: item score against their rest score."""
    labels, mask, key = _labels(item, count)
    matrix = np.column_stack([x, totals - x]) if len(x) else np.zeros((0, 2))
    choices = Choices(
        np.column_stack([codes, np.zeros_like(codes)])
        if len(x)
        else np.zeros((0, 2), dtype=np.uint8),
        [labels, ()],
        [mask, 0],
    )
    analysis = analyse(matrix, [name, "rest"], [key, ""], [float(item.points), 1.0], choices)
    return _row(analysis.items[0], len(x))


def _row(stats, n: int) -> dict[str, Any]:
    row = asdict(stats)
    row["flags"] = [str(f) for f in stats.flags]
    row["n"] = n
    return row


def _test(totals: np.ndarray) -> dict[str, Any]:
    if not len(totals):
        return {"mean": None, "sd": None, "alpha": None, "sem": None}
    sd = float(totals.std(ddof=1)) if len(totals) > 1 else None
    return {"mean": float(totals.mean()), "sd": sd, "alpha": None, "sem": None}


def _histogram(totals: np.ndarray, bins: int = 20) -> dict[str, Any]:
    if not len(totals):
        return {"low": 0, "high": 0, "counts": []}
    low, high = float(totals.min()), float(totals.max())
    counts, _edges = np.histogram(totals, bins=bins, range=(low, high if high > low else low + 1))
    return {"low": low, "high": high, "counts": counts.tolist()}


def _groups(item: SheetItem, count: int, x, rest, codes, points: float) -> list[dict[str, Any]]:
    """Candidates split into GROUPS by rest score: each group's facility and option shares."""
    if len(x) < GROUPS:
        return []
    labels, _mask, _key = _labels(item, count)
    order = np.argsort(rest, kind="stable")
    out = []
    for part in np.array_split(order, GROUPS):
        chose = codes[part].astype(np.int64)
        out.append(
            {
                "facility": float(x[part].mean() / points) if points else 0.0,
                "options": [float(((chose >> b) & 1).mean()) for b in range(len(labels))],
            }
        )
    return out


def store(sitting_id: int, data: dict[str, Any]) -> ItemAnalysis:
    """Keep the analysis; write measured facility back; flag questions to review (flush)."""
    analysis = db.session.scalar(
        db.select(ItemAnalysis).where(ItemAnalysis.sitting_id == sitting_id)
    )
    if analysis is None:
        analysis = ItemAnalysis(sitting_id=sitting_id)
        db.session.add(analysis)
    analysis.data, analysis.candidates, analysis.computed_at = data, data["candidates"], utcnow()
    for row in data["items"]:
        if row["n"] < MIN_CANDIDATES or row["facility"] is None:
            continue
        _write_facility(row, sitting_id)
        if row["flags"]:
            _flag(row, sitting_id)
    db.session.flush()
    return analysis


def _write_facility(row: dict[str, Any], sitting_id: int) -> None:
    measured = db.session.get(QuestionFacility, row["question_id"])
    if measured is None:
        measured = QuestionFacility(question_id=row["question_id"])
        db.session.add(measured)
    measured.facility = min(1.0, max(0.0, float(row["facility"])))
    measured.candidates, measured.sitting_id, measured.measured_at = row["n"], sitting_id, utcnow()


def _flag(row: dict[str, Any], sitting_id: int) -> None:
    flag = db.session.scalar(
        db.select(ItemFlag).where(
            ItemFlag.question_id == row["question_id"], ItemFlag.sitting_id == sitting_id
        )
    )
    if flag is not None and flag.resolved_at is not None:
        return  # settled by an examiner: the same evidence does not come back
    new = flag is None
    if flag is None:
        flag = ItemFlag(question_id=row["question_id"], sitting_id=sitting_id)
    flag.question_version, flag.flags, flag.suggest = row["version"], row["flags"], row["suggest"]
    flag.evidence = row
    if new:
        db.session.add(flag)
        question = db.session.get(Question, row["question_id"])
        audit.record(
            None, "question.flagged_by_statistics", question, sitting=sitting_id, flags=row["flags"]
        )


def analyse_now(user: User, sitting_id: int) -> ItemAnalysis:
    """Compute and store the analysis in this request (small sittings)."""
    _require_reader(user)
    data = compute(sitting_id)
    analysis = store(sitting_id, data)
    audit.record(user, "sitting.item_analysis", _sitting(sitting_id), candidates=data["candidates"])
    db.session.commit()
    return analysis


def needs_job(sitting_id: int) -> bool:
    return len(scoring.submitted_attempt_ids(sitting_id)) > JOB_THRESHOLD


def start_analysis(user: User, sitting_id: int) -> int:
    """Queue the analysis of a big sitting; the job's id."""
    _require_reader(user)
    db.session.commit()
    with writing():
        sitting = _sitting(sitting_id)
        job = jobs.new_job(user, STATS_JOB, {"sitting_id": sitting.id}, total=2)
        audit.record(user, "sitting.item_analysis", sitting, job=job.id)
        job_id = job.id
        db.session.commit()
    queue().enqueue(job_id)
    return job_id


@jobs.runner(STATS_JOB)
def run_analysis(job_id: int, params: dict[str, Any], actor_id: int | None) -> dict[str, Any]:
    sitting_id = int(params["sitting_id"])
    with reading():
        data = compute(sitting_id)
        db.session.commit()
    with writing():
        store(sitting_id, data)
        jobs.step(job_id, 2)
        db.session.commit()
    return {"sitting_id": sitting_id, "candidates": data["candidates"]}


def stored(sitting_id: int) -> ItemAnalysis | None:
    return db.session.scalar(db.select(ItemAnalysis).where(ItemAnalysis.sitting_id == sitting_id))


def item_row(
    sitting_id: int, question_id: int
) -> tuple[ItemAnalysis, dict[str, Any], QuestionVersion]:
    """One question's row of the sitting's stored analysis, and the version it measured."""
    analysis = stored(sitting_id)
    row = next(
        (
            r
            for r in (analysis.data["items"] if analysis else [])
            if r["question_id"] == question_id
        ),
        None,
    )
    if analysis is None or row is None:
        raise NotFound(_("this question has no statistics in this sitting"))
    version = db.session.scalar(
        db.select(QuestionVersion).where(
            QuestionVersion.question_id == question_id, QuestionVersion.version == row["version"]
        )
    )
    return analysis, row, version


# -- the review queue --------------------------------------------------------------------


def open_flags(limit: int = 50) -> list[ItemFlag]:
    """Flags no examiner has settled yet, newest first."""
    return list(
        db.session.scalars(
            db.select(ItemFlag)
            .where(ItemFlag.resolved_at.is_(None))
            .order_by(ItemFlag.id.desc())
            .limit(limit)
        )
    )


def flags_of(question_id: int) -> list[ItemFlag]:
    return list(
        db.session.scalars(
            db.select(ItemFlag)
            .where(ItemFlag.question_id == question_id)
            .order_by(ItemFlag.id.desc())
        )
    )


def resolve(examiner: User, flag_id: int, note: str) -> ItemFlag:
    """An examiner settles a flag (the question was corrected, retired, or is fine as it is)."""
    if not examiner.has_role(Role.EXAMINER):
        raise Forbidden(_("only examiners review questions"))
    flag = db.session.get(ItemFlag, flag_id)
    if flag is None or flag.resolved_at is not None:
        raise NotFound(_("no such open flag"))
    note = note.strip()
    if not note:
        raise BadInput(_("say what was decided about the flagged question"), code="reason_required")
    flag.resolved_at, flag.resolved_by_id, flag.resolution = utcnow(), examiner.id, note[:500]
    audit.record(
        examiner,
        "question.flag_resolved",
        db.session.get(Question, flag.question_id),
        flag=flag.id,
        note=note[:500],
    )
    db.session.commit()
    return flag


def measured_facility(question_ids: list[int]) -> dict[int, float]:
    """Measured facility of these questions (those measured on enough candidates)."""
    if not question_ids:
        return {}
    return dict(
        db.session.execute(
            db.select(QuestionFacility.question_id, QuestionFacility.facility).where(
                QuestionFacility.question_id.in_(question_ids)
            )
        ).all()
    )
