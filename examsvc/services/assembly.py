"""Randomizing a sitting's papers (组卷) ahead of the exam, late papers, fairness figures."""

from __future__ import annotations

import secrets
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import datetime

import numpy as np
from flask_babel import gettext as _
from sqlalchemy import insert

from examsvc.extensions import db, reading, writing
from examsvc.i18n import translate_all
from examsvc.models import Attempt, Enrolment, Paper, PaperItem, Question, Sitting, User, utcnow
from examsvc.services import audit
from examsvc.services.errors import BadInput, Conflict, NotFound
from examsvc.services.exams import eligible_questions, row_specs
from examsvc.services.item_stats import measured_facility
from question_bank import assembly, dedup
from question_bank.errors import AssemblyInfeasible
from question_bank.model import QuestionType


def _bank(sitting: Sitting) -> list[assembly.BankItem]:
    """Eligible items with their rating, earlier use and near-duplicate cluster."""
    blueprint = sitting.blueprint
    questions = list(db.session.scalars(eligible_questions(blueprint)))
    used = (
        dict(
            db.session.execute(
                db.select(PaperItem.question_id, db.func.count())
                .join(Paper)
                .join(Enrolment)
                .where(
                    Enrolment.sitting_id != sitting.id,
                    PaperItem.question_id.in_([q.id for q in questions]),
                )
                .group_by(PaperItem.question_id)
            ).all()
        )
        if questions
        else {}
    )
    groups = _enemy_groups(questions) if blueprint.enemy_rule else {}
    measured = measured_facility([q.id for q in questions])  # preferred to the 1–5 rating
    return [
        assembly.BankItem(
            q.id,
            q.version,
            q.area,
            QuestionType(q.type),
            len(q.options or []),
            q.difficulty,
            prior_exposure=int(used.get(q.id, 0)),
            enemy_group=groups.get(q.id),
            facility=measured.get(q.id),
        )
        for q in questions
    ]


def _enemy_groups(questions: list[Question]) -> dict[int, int]:
    """Clusters of near-duplicates (union of similar pairs); singletons get no group."""
    index = dedup.DedupIndex()
    texts = {q.id: dedup.comparable_text(q.stem, q.options or ()) for q in questions}
    index.add_many(texts.items())
    parent = {qid: qid for qid in texts}

    def root(qid: int) -> int:
        while parent[qid] != qid:
            parent[qid] = parent[parent[qid]]
            qid = parent[qid]
        return qid

    for qid, text in texts.items():
        for match in index.query(text):
            parent[root(match.question_id)] = root(qid)
    sizes = Counter(root(qid) for qid in texts)
    return {qid: root(qid) for qid in texts if sizes[root(qid)] > 1}


def randomize(
    admin: User,
    sitting_id: int,
    now: datetime | None = None,
    on_drawn: Callable[[], None] | None = None,
) -> Sitting:
    """Draw every enrolled candidate's paper at once; re-draw only before the sitting opens.

    The draw is computed while only reading (no SQLite write lock: candidates of other
    sittings keep saving); the papers are then written in one transaction, which first checks
    that the enrolments did not change meanwhile.
    """
    now = now or utcnow()
    db.session.commit()  # ends the caller's transaction: on SQLite it may hold the write lock
    with reading():
        sitting, enrolments = _drawable(sitting_id, now)
        redraw = any(e.paper is not None for e in enrolments)
        seed = secrets.randbits(62) if redraw else sitting.seed
        drawn = _assemble(sitting, enrolments, seed=seed)
        expected = [e.id for e in enrolments]
        db.session.commit()
    if on_drawn is not None:
        on_drawn()  # a job reports its progress (in a transaction of its own)
    with writing():
        sitting, enrolments = _drawable(sitting_id, now, lock=True)
        if [e.id for e in enrolments] != expected or any(
            e.paper is not None for e in enrolments
        ) != redraw:
            raise Conflict(
                _("the enrolments changed while the papers were drawn: randomize again"),
                code="enrolments_changed",
            )
        previous_seed = None
        if redraw:
            _delete_papers(sitting)
            previous_seed, sitting.seed = sitting.seed, seed
        _store(sitting, enrolments, drawn.papers, drawn.bank_hash, drawn.report.expected_scores)
        report = _summary(drawn.report, len(enrolments))
        sitting.papers_drawn_at, sitting.bank_hash, sitting.assembly_report = (
            now,
            drawn.bank_hash,
            report,
        )
        audit.record(
            admin,
            "sitting.papers_drawn" if previous_seed is None else "sitting.papers_redrawn",
            sitting,
            seed=sitting.seed,
            previous_seed=previous_seed,
            bank_hash=drawn.bank_hash,
            papers=len(enrolments),
            numpy=np.__version__,
            **{k: report[k] for k in ("target", "score_spread", "max_exposure", "effective_cap")},
        )
        db.session.commit()
    return sitting


def _drawable(
    sitting_id: int, now: datetime, lock: bool = False
) -> tuple[Sitting, list[Enrolment]]:
    """The sitting and its enrolments, if papers may be drawn for it now."""
    query = db.select(Sitting).where(Sitting.id == sitting_id)
    sitting = db.session.scalar(query.with_for_update(of=Sitting) if lock else query)
    if sitting is None:
        raise NotFound(_("no such sitting"))
    enrolments = list(
        db.session.scalars(
            db.select(Enrolment).where(Enrolment.sitting_id == sitting.id).order_by(Enrolment.id)
        )
    )
    if not enrolments:
        raise BadInput(_("enrol candidates before drawing papers"), code="no_candidates")
    if any(e.paper is not None for e in enrolments) and (
        sitting.state(now) != "scheduled" or _attempts_exist(sitting)
    ):
        raise Conflict(
            _("papers can be drawn again only before the sitting opens"), code="sitting_opened"
        )
    return sitting, enrolments


def _attempts_exist(sitting: Sitting) -> bool:
    query = db.select(Attempt.id).join(Enrolment).where(Enrolment.sitting_id == sitting.id).limit(1)
    return db.session.scalar(query) is not None


def _delete_papers(sitting: Sitting) -> None:
    paper_ids = (
        db.select(Paper.id)
        .join(Enrolment)
        .where(Enrolment.sitting_id == sitting.id)
        .scalar_subquery()
    )
    db.session.execute(db.delete(PaperItem).where(PaperItem.paper_id.in_(paper_ids)))
    db.session.execute(
        db.delete(Paper).where(
            Paper.id.in_(
                db.select(Paper.id)
                .join(Enrolment)
                .where(Enrolment.sitting_id == sitting.id)
                .scalar_subquery()
            )
        )
    )
    db.session.expire_all()


def _assemble(
    sitting: Sitting,
    enrolments: list[Enrolment],
    *,
    target: float | None = None,
    seed: int | None = None,
    bank: list[assembly.BankItem] | None = None,
) -> assembly.SittingAssembly:
    blueprint = sitting.blueprint
    shared = blueprint.paper_mode == "shared"
    try:
        drawn = assembly.assemble_sitting(
            row_specs(blueprint),
            bank if bank is not None else _bank(sitting),
            sitting.seed if seed is None else seed,
            1 if shared else len(enrolments),
            exposure_cap=1.0 if shared else blueprint.exposure_cap,
            target=target,
            tolerance_points=blueprint.tolerance_points,
            shuffle_questions=blueprint.shuffle_questions and not shared,
            shuffle_options=blueprint.shuffle_options and not shared,
        )
    except AssemblyInfeasible as exc:
        raise Conflict(
            _(
                "The bank cannot fill the blueprint: %(problems)s",
                problems=translate_all(exc.messages),
            ),
            code="assembly_infeasible",
        ) from None
    if shared:
        seed = sitting.seed if seed is None else seed
        papers = [_reorder(drawn.papers[0], blueprint, seed, e.user_id) for e in enrolments]
        drawn = assembly.SittingAssembly(drawn.seed, drawn.bank_hash, papers, drawn.report)
    return drawn


def _reorder(
    base: list[assembly.PaperSlot], blueprint, seed: int, user_id: int
) -> list[assembly.PaperSlot]:
    """One shared paper in this candidate's own order: questions within each row, then options."""
    rng = np.random.default_rng(assembly.paper_seed(seed, user_id))
    slots, start = [], 0
    for row in blueprint.rows:
        block = base[start : start + row.count]
        start += row.count
        order = rng.permutation(len(block)) if blueprint.shuffle_questions else range(len(block))
        for i in order:
            slot = block[int(i)]
            options = slot.option_order
            if blueprint.shuffle_options and row.type in ("single", "multiple"):
                options = tuple(int(k) for k in rng.permutation(len(options)))
            slots.append(assembly.PaperSlot(slot.question_id, slot.version, slot.points, options))
    return slots


def _store(
    sitting: Sitting,
    enrolments: list[Enrolment],
    papers: list[list[assembly.PaperSlot]],
    bank_hash: str,
    scores: Sequence[float],
) -> list[int]:
    rows = [
        {
            "enrolment_id": e.id,
            "seed": sitting.seed,
            "bank_hash": bank_hash,
            "expected_score": float(scores[min(i, len(scores) - 1)]),
            "drawn_at": utcnow(),
        }
        for i, e in enumerate(enrolments)
    ]
    ids = dict(
        db.session.execute(insert(Paper).returning(Paper.enrolment_id, Paper.id), rows).all()
    )
    items = [
        {
            "paper_id": ids[e.id],
            "position": pos,
            "question_id": s.question_id,
            "question_version": s.version,
            "points": s.points,
            "option_order": list(s.option_order),
        }
        for e, paper in zip(enrolments, papers, strict=True)
        for pos, s in enumerate(paper)
    ]
    db.session.execute(insert(PaperItem), items)
    db.session.expire_all()
    return list(ids.values())


def _summary(report: assembly.SittingReport, papers: int) -> dict:
    return {
        "papers": papers,
        "target": round(report.target, 3),
        "tolerance": report.tolerance_points,
        "score_spread": round(report.score_spread, 3),
        "max_exposure": round(report.max_exposure, 4),
        "mean_exposure": round(report.mean_exposure, 4),
        "requested_cap": report.requested_cap,
        "effective_cap": report.effective_cap,
        "lowest_feasible_cap": report.lowest_feasible_cap,
        "cap_raised": bool(report.cap_raised),
        "mean_overlap": round(report.mean_overlap, 3),
        "max_overlap": report.max_overlap,
    }


def _shared_paper(sitting: Sitting, enrolment: Enrolment) -> Paper | None:
    """In shared mode a late candidate gets the sitting's one paper, in their own order."""
    existing = db.session.scalar(
        db.select(Paper)
        .join(Enrolment)
        .where(Enrolment.sitting_id == sitting.id, Paper.enrolment_id != enrolment.id)
        .order_by(Paper.id)
        .limit(1)
    )
    if existing is None:
        return None
    base = [
        assembly.PaperSlot(i.question_id, i.question_version, i.points, tuple(i.option_order))
        for i in existing.items
    ]
    slots = _reorder(base, sitting.blueprint, sitting.seed, enrolment.user_id)
    _store(sitting, [enrolment], [slots], existing.bank_hash, [existing.expected_score or 0.0])
    return db.session.scalar(db.select(Paper).where(Paper.enrolment_id == enrolment.id))


def draw_late(enrolment: Enrolment) -> Paper:
    """A paper for one candidate enrolled after the draw (or when the sitting is open): aimed at
    the sitting's target, preferring the items its papers used least (flush only)."""
    sitting = enrolment.sitting
    if sitting.blueprint.paper_mode == "shared":
        shared = _shared_paper(sitting, enrolment)
        if shared is not None:
            return shared
    in_sitting = Counter(
        db.session.scalars(
            db.select(PaperItem.question_id)
            .join(Paper)
            .join(Enrolment)
            .where(Enrolment.sitting_id == sitting.id)
        )
    )
    bank = [
        assembly.BankItem(
            i.id,
            i.version,
            i.area,
            i.type,
            i.option_count,
            i.difficulty,
            prior_exposure=i.prior_exposure + 1000 * in_sitting[i.id],
            enemy_group=i.enemy_group,
            facility=i.facility,
        )
        for i in _bank(sitting)
    ]
    target = (sitting.assembly_report or {}).get("target")
    if target is None:  # nobody randomized: aim at the papers already drawn, one by one
        target = db.session.scalar(
            db.select(db.func.avg(Paper.expected_score))
            .join(Enrolment)
            .where(Enrolment.sitting_id == sitting.id)
        )
    seed = assembly.paper_seed(sitting.seed, enrolment.user_id)
    try:
        drawn = _assemble(sitting, [enrolment], target=target, seed=seed, bank=bank)
    except Conflict:
        if target is None:
            raise
        drawn = _assemble(sitting, [enrolment], seed=seed, bank=bank)  # closest the bank allows
    _store(sitting, [enrolment], drawn.papers, drawn.bank_hash, drawn.report.expected_scores)
    return db.session.scalar(db.select(Paper).where(Paper.enrolment_id == enrolment.id))
