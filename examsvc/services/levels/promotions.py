"""Level certification and promotion in six steps (seed 001):
个人申报 → 组织审核 → 培训测试 → 实地走访 → 综合评定 → 结果公示.

- 个人申报 (declare): the person from their own page, or their org admin or an admin for
  them; it opens the application (``Promotion``) to the level above the one held now.
- 组织审核 (org_review): the org admin of the person's subtree, or an admin.
- 培训测试 (training_test): recorded when the certificates of the L(n) exam's sitting are
  issued (services/results: the passed attempt is the evidence), or by an admin naming a
  passed attempt or, for a test held elsewhere, describing it in the note.
- 实地走访 (field_visit), 综合评定 (assessment), 结果公示 (public_notice): admins.
  When the level's rule set asks for a panel (``panel_assessment``, L4 by default), a passed
  综合评定 names the panel's members (``evidence["panel"]``, at least the number the rule
  sets), and the rule checks it again at the end.

Steps are taken in order only; every step records who, when, the outcome and a note. A
failed step closes the application as refused, its note the reason. Withdrawing records the
waiting step as ``withdrawn`` (with the reason) and closes the application.

A passed 结果公示 first checks the level's rule set (every refusal is shown and nothing is
written); then the level certificate is issued, the previous level certificate is revoked
with the reason "replaced by … on promotion" (晋级换发; the new one names it in
``replaces_id``), the level history gains its line, and the application is approved.
"""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import gettext as _

from examsvc.extensions import db
from examsvc.i18n import to_local, translate
from examsvc.models import (
    Attempt,
    Certificate,
    CertificateStatus,
    ExamKind,
    Promotion,
    PromotionStep,
    PromotionStepRecord,
    Role,
    User,
    utcnow,
)
from examsvc.services import audit, certificates, levels, scope
from examsvc.services.errors import BadInput, Conflict, Forbidden, NotFound
from examsvc.services.levels import facts, rules
from question_bank import certification
from question_bank import promotion as steps
from question_bank.errors import Code, Msg

OPEN, APPROVED, REFUSED, WITHDRAWN = "open", "approved", "refused", "withdrawn"
STATES = (OPEN, APPROVED, REFUSED, WITHDRAWN)
PASSED, FAILED, WITHDREW = "passed", "failed", "withdrawn"
#: Steps an org admin records (for people of their subtree); admins record every step.
ORG_ADMIN_STEPS = frozenset({PromotionStep.ORG_REVIEW.value})
NOTE_MAX = 2000


def clock(now: datetime | None) -> tuple[datetime, date]:
    now = now or utcnow()
    return now, to_local(now).date()


def _note(text: str | None) -> str:
    note = (text or "").strip()
    if len(note) > NOTE_MAX:
        raise BadInput(_("the note is longer than %(n)s characters", n=NOTE_MAX))
    return note


def level_code(n: int) -> Code:
    return Code(f"L{n}", "exam")


def may_see(viewer: User, person: User) -> bool:
    """Admins, the org admin of the person's subtree, and the person."""
    return viewer.id == person.id or (
        viewer.has_role(Role.ADMIN, Role.ORG_ADMIN) and scope.can_see_person(viewer, person)
    )


def may_record(actor: User, promotion: Promotion) -> bool:
    """Whether ``actor`` records the step the open application waits for (never a step of
    their own application)."""
    if promotion.state != OPEN or promotion.current_step is None:
        return False
    if actor.id == promotion.user_id:
        return False
    if actor.has_role(Role.ADMIN):
        return True
    return (
        promotion.current_step in ORG_ADMIN_STEPS
        and actor.has_role(Role.ORG_ADMIN)
        and scope.can_see_person(actor, promotion.user)
    )


def open_of(user_id: int) -> Promotion | None:
    return db.session.scalar(
        db.select(Promotion).where(Promotion.user_id == user_id, Promotion.state == OPEN).limit(1)
    )


def declaration(person: User) -> tuple[int, list[Msg]]:
    """The level the person may apply for next, and why they may not now (empty: they may)."""
    held = levels.standing(person)
    to_level = held.level + 1
    current = open_of(person.id)
    return to_level, steps.declaration_refusals(
        to_level, held.level, held.suspended, current.to_level if current else None
    )


def declare(
    actor: User, person_id: int, to_level: int, note: str = "", now: datetime | None = None
) -> Promotion:
    """个人申报: open an application to ``to_level`` (the level above the one held now)."""
    now, _today = clock(now)
    person = db.session.scalar(db.select(User).where(User.id == person_id).with_for_update(of=User))
    if person is None or not may_see(actor, person):
        raise NotFound(_("no such person"), code="unknown_person")
    if actor.id == person.id and not actor.has_role(Role.CANDIDATE):
        raise Forbidden(_("only candidates apply for a level"), code="not_candidate")
    if person.status != "active":
        raise Conflict(_("the account is not active, so it cannot apply"), code="not_active")
    held = levels.standing(person)
    current = open_of(person.id)
    reasons = steps.declaration_refusals(
        to_level, held.level, held.suspended, current.to_level if current else None
    )
    if reasons:
        texts = [translate(r) for r in reasons]
        raise Conflict(_("; ").join(texts), code=reasons[0].code, problems=texts)
    text = _note(note)
    promotion = Promotion(
        user_id=person.id, from_level=held.level, to_level=to_level, state=OPEN,
        current_step=PromotionStep.ORG_REVIEW.value, created_at=now,
    )  # fmt: skip
    db.session.add(promotion)
    db.session.flush()
    add_step(actor, promotion, PromotionStep.DECLARE.value, PASSED, text, {}, now)
    audit.record(
        actor, "promotion.declared", promotion, user=person.id, to_level=to_level,
        note=text, for_self=actor.id == person.id,
    )  # fmt: skip
    db.session.commit()
    return promotion


def add_step(
    actor: User | None,
    promotion: Promotion,
    step: str,
    outcome: str,
    note: str,
    evidence: dict,
    now: datetime,
) -> PromotionStepRecord:
    row = PromotionStepRecord(
        promotion_id=promotion.id, step=step, outcome=outcome, note=note, evidence=evidence,
        decided_by_id=actor.id if actor is not None else None, decided_at=now,
    )  # fmt: skip
    db.session.add(row)
    db.session.flush()
    db.session.refresh(promotion, ["steps"])
    return row


def _locked(promotion_id: int) -> Promotion:
    promotion = db.session.scalar(
        db.select(Promotion).where(Promotion.id == promotion_id).with_for_update(of=Promotion)
    )
    if promotion is None:
        raise NotFound(_("no such application"), code="unknown_promotion")
    return promotion


def get_for(viewer: User, promotion_id: int) -> Promotion:
    """The application when ``viewer`` may see its person; else NotFound."""
    promotion = db.session.get(Promotion, promotion_id)
    if promotion is None or not may_see(viewer, promotion.user):
        raise NotFound(_("no such application"), code="unknown_promotion")
    return promotion


def _check_turn(actor: User, promotion: Promotion, step: str) -> None:
    if promotion.state != OPEN:
        raise Conflict(_("this application is closed"), code="closed")
    if step != promotion.current_step:
        waiting = translate(Code(promotion.current_step or "", "promotion_step"))
        raise Conflict(
            _("steps go in order: the application waits for %(step)s", step=waiting),
            code="out_of_order",
        )
    if not may_record(actor, promotion):
        if actor.id == promotion.user_id:
            raise Forbidden(_("nobody decides a step of their own application"), code="own")
        raise Forbidden(_("this step is recorded by an administrator"), code="not_yours")


def decide(
    actor: User,
    promotion_id: int,
    step: str,
    outcome: str,
    note: str = "",
    *,
    attempt_id: int | None = None,
    panel_text: str = "",
    now: datetime | None = None,
) -> Promotion:
    """Record the step the application waits for: passed moves it on, failed closes it as
    refused (the note is the reason); a passed 结果公示 completes it."""
    now, today = clock(now)
    promotion = _locked(promotion_id)
    if not may_see(actor, promotion.user):
        raise NotFound(_("no such application"), code="unknown_promotion")
    _check_turn(actor, promotion, step)
    if outcome not in (PASSED, FAILED):
        raise BadInput(_("the outcome is passed or failed"), code="bad_outcome")
    text = _note(note)
    if outcome == FAILED and not text:
        raise BadInput(_("give the reason the step failed in the note"), code="reason_required")
    rule = rules.current(ExamKind.LEVEL.value, promotion.to_level)
    evidence: dict = {}
    if step == PromotionStep.TRAINING_TEST and outcome == PASSED:
        evidence = _test_evidence(promotion, attempt_id, text, today)
    if step == PromotionStep.ASSESSMENT:
        evidence = _panel_evidence(rule.conditions, panel_text, outcome, promotion.to_level)
    if step == PromotionStep.PUBLIC_NOTICE and outcome == PASSED:
        reasons = certification.evaluate(rule.conditions, facts.for_promotion(promotion, today))
        if reasons:
            texts = [translate(r) for r in reasons]
            message = _("the rules of %(level)s (version %(v)s) refuse: %(reasons)s",
                        level=translate(level_code(promotion.to_level)), v=rule.version,
                        reasons=_("; ").join(texts))  # fmt: skip
            raise Conflict(message, code="rules_refuse", problems=texts)
    add_step(actor, promotion, step, outcome, text, evidence, now)
    audit.record(
        actor, "promotion.step_recorded", promotion, user=promotion.user_id, step=step,
        outcome=outcome, note=text, to_level=promotion.to_level,
    )  # fmt: skip
    if outcome == FAILED:
        _close(promotion, REFUSED, now)
        audit.record(actor, "promotion.refused", promotion, user=promotion.user_id, step=step,
                     reason=text)  # fmt: skip
    elif step == PromotionStep.PUBLIC_NOTICE:
        _complete(actor, promotion, rule.id, rule.version, today, now)
    else:
        promotion.current_step = steps.next_step(step)
    db.session.commit()
    return promotion


def _close(promotion: Promotion, state: str, now: datetime) -> None:
    promotion.state = state
    promotion.current_step = None
    promotion.closed_at = now


def _test_evidence(promotion: Promotion, attempt_id: int | None, note: str, today: date) -> dict:
    """A passed attempt at the level's exam, or (a test held elsewhere) the note describing it."""
    if attempt_id is None:
        if not note:
            raise BadInput(
                _("name the passed attempt, or describe the test in the note (where, when, "
                  "the result)"), code="test_evidence_required",
            )  # fmt: skip
        return {"passed_on": today.isoformat()}
    for attempt, sitting in facts.passed_level_attempts(promotion.user, promotion.to_level):
        if attempt.id == attempt_id:
            return attempt_evidence(attempt, sitting.id)
    raise BadInput(
        _("that is no passed attempt of this person at the %(level)s exam",
          level=translate(level_code(promotion.to_level))), code="unknown_attempt",
    )  # fmt: skip


def attempt_evidence(attempt: Attempt, sitting_id: int) -> dict:
    when = attempt.submitted_at or attempt.scored_at or attempt.started_at
    return {
        "attempt_id": attempt.id,
        "sitting_id": sitting_id,
        "score": attempt.score,
        "passed_on": to_local(when).date().isoformat(),
    }


def panel_needed(conditions: list) -> int:
    """The members a panel needs under these rules (0: the rules ask for no panel)."""
    for condition in conditions:
        if condition.get("check") == "panel_assessment":
            return certification.setting(condition, "members")
    return 0


def _panel_evidence(conditions: list, panel_text: str, outcome: str, to_level: int) -> dict:
    members = steps.panel_members(panel_text)
    if any(len(m) > 50 for m in members) or len(members) > 50:
        raise BadInput(_("list at most 50 panel members, each name at most 50 characters"))
    needed = panel_needed(conditions)
    if outcome == PASSED and len(members) < needed:
        raise BadInput(
            _("the comprehensive assessment of %(level)s is a panel's decision: name at least "
              "%(n)s members", level=translate(level_code(to_level)), n=needed),
            code="panel_required",
        )  # fmt: skip
    return {"panel": list(members)} if members else {}


def _complete(
    actor: User | None, promotion: Promotion, rule_id: int, version: int, today: date, now
) -> Certificate:
    """Issue the level certificate, replace the previous one, write the level history."""
    user = promotion.user
    old = list(
        db.session.scalars(
            db.select(Certificate)
            .where(
                Certificate.user_id == user.id,
                Certificate.kind == ExamKind.LEVEL.value,
                Certificate.status != CertificateStatus.REVOKED.value,
            )
            .order_by(Certificate.level.desc(), Certificate.id.desc())
        )
    )
    new = certificates.create(
        user, ExamKind.LEVEL, promotion.to_level, today,
        attempt_id=_free_attempt(promotion), replaces=old[0] if old else None,
    )  # fmt: skip
    audit.record(actor, "certificate.issued", new, number=new.number, user=user.id,
                 promotion=promotion.id)  # fmt: skip
    for cert in old:
        certificates.replace_on_promotion(actor, cert, new)
    decision = levels.CERTIFIED if promotion.from_level == 0 else levels.PROMOTED
    label = translate(level_code(promotion.to_level))
    basis = _("application #%(id)s: six steps completed; rules of %(level)s version %(v)s met",
              id=promotion.id, level=label, v=version)  # fmt: skip
    levels.record(actor, user, promotion.to_level, decision, basis, today, certificate=new,
                  promotion=promotion)  # fmt: skip
    _close(promotion, APPROVED, now)
    promotion.certificate_id, promotion.rule_set_id = new.id, rule_id
    audit.record(actor, "promotion.approved", promotion, user=user.id,
                 to_level=promotion.to_level, number=new.number)  # fmt: skip
    return new


def _free_attempt(promotion: Promotion) -> int | None:
    """The training test's attempt, when no certificate names it yet (the sitting's results
    then show the level certificate)."""
    for row in promotion.steps:
        if row.step == PromotionStep.TRAINING_TEST and row.outcome == PASSED:
            attempt_id = (row.evidence or {}).get("attempt_id")
            if isinstance(attempt_id, int) and not db.session.scalar(
                db.select(Certificate.id).where(Certificate.attempt_id == attempt_id)
            ):
                return attempt_id
    return None


def withdraw(actor: User, promotion_id: int, reason: str, now: datetime | None = None) -> Promotion:
    """Close an open application at the person's wish (the person, their org admin, admins)."""
    now, _today = clock(now)
    promotion = _locked(promotion_id)
    if not may_see(actor, promotion.user):
        raise NotFound(_("no such application"), code="unknown_promotion")
    if promotion.state != OPEN:
        raise Conflict(_("this application is closed"), code="closed")
    text = _note(reason)
    if not text:
        raise BadInput(_("give the reason"), code="reason_required")
    add_step(actor, promotion, promotion.current_step or "", WITHDREW, text, {}, now)
    _close(promotion, WITHDRAWN, now)
    audit.record(actor, "promotion.withdrawn", promotion, user=promotion.user_id, reason=text)
    db.session.commit()
    return promotion
