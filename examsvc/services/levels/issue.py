"""The certificate rules at issue (services/results): who of a sitting's passed candidates gets
no certificate, and why; a level exam's passes go to the applications' training test step."""

from __future__ import annotations

from datetime import date, datetime

from examsvc.extensions import db
from examsvc.i18n import translate_all
from examsvc.models import Attempt, Blueprint, Certificate, ExamKind, PromotionStep, Sitting, User
from examsvc.services import audit
from examsvc.services.levels import facts, rules
from examsvc.services.levels.promotions import (
    PASSED,
    add_step,
    attempt_evidence,
    clock,
    level_code,
    open_of,
)
from question_bank import certification
from question_bank import promotion as steps
from question_bank.certification import Facts
from question_bank.errors import Code, Msg


def refusals(actor: User | None, sitting: Sitting, passed: list, today: date) -> dict[int, str]:
    """Enrolment id → the reason (in the user's language) a passed candidate of the sitting
    gets no certificate now. ``passed``: the sitting's result rows that passed and hold no
    certificate yet. Level exams: every one (the certificate follows the promotion)."""
    blueprint = sitting.blueprint
    if blueprint.exam_kind == ExamKind.LEVEL:
        return {
            row.enrolment.id: translate_all(
                [record_exam_pass(actor, row.enrolment.user, row.attempt, sitting.id,
                                  blueprint.level)]
            )
            for row in passed
        }  # fmt: skip
    why = why_not(blueprint, [row.enrolment.user for row in passed], today)
    return {row.enrolment.id: why[row.enrolment.user_id]
            for row in passed if row.enrolment.user_id in why}  # fmt: skip


def why_not(blueprint: Blueprint, users: list[User], today: date, *, seed: bool = True
            ) -> dict[int, str]:  # fmt: skip
    """User id → why the rules in force give these people, having passed the blueprint's
    exam, no certificate of its (training or post) kind: translated reasons; people the
    rules allow are left out. ``seed=False`` for a page that only reads."""
    rule = rules.current(blueprint.exam_kind, 0, seed=seed)
    checks = {c.get("check") for c in rule.conditions}
    courses = (
        facts.course_hours([u.id for u in users], blueprint.id) if "course_hours" in checks else {}
    )
    found: dict[int, str] = {}
    for user in users:
        known = Facts(
            today=today,
            party_member=user.is_party_member,
            passed_exam=True,
            courses=courses.get(user.id, ()),
        )
        reasons = certification.evaluate(rule.conditions, known)
        if reasons:
            found[user.id] = translate_all(reasons)
    return found


def outlook(attempt: Attempt, today: date) -> tuple[Certificate | None, str]:
    """What a candidate's published, passed attempt led to: its certificate (the newest
    issued for it), else why the rules give none ("" when they would give one, or for a
    level exam, whose certificate follows the promotion's six steps). Read only."""
    cert = db.session.scalar(
        db.select(Certificate)
        .where(Certificate.attempt_id == attempt.id)
        .order_by(Certificate.id.desc())
        .limit(1)
    )
    sitting = attempt.enrolment.sitting
    blueprint = sitting.blueprint
    if (
        cert is not None
        or not attempt.is_passed
        or sitting.results_published_at is None
        or blueprint.exam_kind == ExamKind.LEVEL
    ):
        return cert, ""
    user = attempt.enrolment.user
    return None, why_not(blueprint, [user], today, seed=False).get(user.id, "")


def record_exam_pass(actor: User | None, user: User, attempt: Attempt, sitting_id: int,
                     level: int, now: datetime | None = None) -> Msg:  # fmt: skip
    """A passed L(level) exam whose certificates are being issued: the training test step of
    the person's open application to that level, when it waits for it (flushed, not
    committed). Returns what happened, for the issue report's ``refused`` list."""
    now, _today = clock(now)
    promotion = open_of(user.id)
    if promotion is None or promotion.to_level != level:
        return Msg("passed the %(level)s test; there is no open application for %(level)s to "
                   "record it in (apply, then record this result as its training test)",
                   code="no_application", level=level_code(level))  # fmt: skip
    recorded = any((row.evidence or {}).get("attempt_id") == attempt.id for row in promotion.steps)
    if not recorded and promotion.current_step != PromotionStep.TRAINING_TEST:
        return Msg("application #%(id)s waits for %(step)s; record this result as its training "
                   "test when its turn comes", code="test_waiting", id=promotion.id,
                   step=Code(promotion.current_step or "", "promotion_step"))  # fmt: skip
    if not recorded:
        evidence = attempt_evidence(attempt, sitting_id)
        add_step(actor, promotion, PromotionStep.TRAINING_TEST.value, PASSED, "", evidence, now)
        promotion.current_step = steps.next_step(PromotionStep.TRAINING_TEST.value)
        audit.record(
            actor, "promotion.step_recorded", promotion, user=user.id,
            step=PromotionStep.TRAINING_TEST.value, outcome=PASSED, to_level=level,
            attempt=attempt.id,
        )  # fmt: skip
    db.session.flush()
    return Msg("the test is recorded in application #%(id)s; the level certificate follows "
               "its public notice", code="test_recorded", id=promotion.id)  # fmt: skip
