"""Enrolment: who may sit a sitting, enrolling an organisation at once, removing a candidate.

Eligibility is the pure rule set of question_bank/eligibility.py; this module gathers what it
needs for many people in a few batched queries (CHUNK ids per IN list), so enrolling an
organisation of thousands costs a handful of statements, not one per person.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from flask_babel import gettext as _

from examsvc.extensions import db
from examsvc.i18n import translate
from examsvc.models import (
    Attempt,
    Blueprint,
    Enrolment,
    ExamKind,
    Organisation,
    Paper,
    PaperItem,
    Role,
    Sitting,
    TimeExtension,
    User,
    UserRole,
    utcnow,
)
from examsvc.services import audit, orgs
from examsvc.services.errors import Conflict, NotFound
from examsvc.services.roster.writes import (
    already_enrolled,
    enrol_many,
    enrollable_sitting,
    enrolment_race,
)
from question_bank.eligibility import Candidate, Exam, refusals
from question_bank.errors import Msg

#: Ids per IN (...) list.
CHUNK = 500


def exam_of(sitting: Sitting) -> Exam:
    blueprint = sitting.blueprint
    level = blueprint.level if blueprint.exam_kind == ExamKind.LEVEL else 0
    resit = 0
    if sitting.resit_of_id is not None:
        from examsvc.services.results.resits import depth

        resit = depth(sitting) - 1
    return Exam(blueprint.exam_kind, level, resit, blueprint.resits_allowed)


def _chunks(ids: Sequence[int]) -> Iterable[list[int]]:
    ids = sorted(set(ids))
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


def current_levels(user_ids: Sequence[int]) -> dict[int, int]:
    """The level (1–4) each person holds now; people holding none are left out.

    The hook of the level rule: the latest line of each person's level history
    (services/levels: certified, promoted, suspended — the level is kept —, reinstated,
    revoked — level 0); for people with no history yet, their highest valid level
    certificate. Its contract is only "user id → level held now, for these ids"."""
    from examsvc.services import levels

    return levels.current_levels(user_ids)


def _standings(user_ids: Sequence[int]) -> dict:
    """The level each person holds now and whether it is suspended (services/levels)."""
    from examsvc.services import levels

    return levels.standings(user_ids)


def passed_exams(user_ids: Sequence[int]) -> dict[int, set[tuple[str, int]]]:
    """The exams (``Exam.key``) each person passed in a sitting whose results are published."""
    passed: dict[int, set[tuple[str, int]]] = {}
    for chunk in _chunks(user_ids):
        rows = db.session.execute(
            db.select(Enrolment.user_id, Blueprint.exam_kind, Blueprint.level)
            .join(Attempt, Attempt.enrolment_id == Enrolment.id)
            .join(Sitting, Sitting.id == Enrolment.sitting_id)
            .join(Blueprint, Blueprint.id == Sitting.blueprint_id)
            .where(
                Attempt.is_passed.is_(True),
                Sitting.results_published_at.is_not(None),
                Enrolment.user_id.in_(chunk),
            )
            .distinct()
        )
        for user_id, kind, level in rows:
            passed.setdefault(user_id, set()).add(Exam(kind, level or 0).key)
    return passed


def refusals_for(sitting: Sitting, statuses: dict[int, str]) -> dict[int, list[Msg]]:
    """The reasons each person (user id → registration status) may not sit the sitting;
    people who may are left out."""
    exam = exam_of(sitting)
    ids = list(statuses)
    passed = passed_exams(ids)
    held = _standings(ids) if exam.kind == ExamKind.LEVEL else {}
    levels = {i: s.level for i, s in held.items()}
    suspended = {i for i, s in held.items() if s.level and s.suspended}
    failed: set[int] = set()
    taken: dict[int, int] = {}
    if sitting.resit_of_id is not None:
        from examsvc.services.results.resits import failed_user_ids, resits_taken

        failed = failed_user_ids(sitting.resit_of_id)
        taken = resits_taken(sitting, ids)
    found: dict[int, list[Msg]] = {}
    for user_id, status in statuses.items():
        person = Candidate(
            status, frozenset(passed.get(user_id, ())), levels.get(user_id, 0), user_id in failed,
            level_suspended=user_id in suspended,
            resits_taken=taken.get(user_id, 0),
        )  # fmt: skip
        reasons = refusals(exam, person)
        if reasons:
            found[user_id] = reasons
    return found


def reason_text(reasons: Sequence[Msg]) -> str:
    """The reasons in the user's language, as one line."""
    return _("; ").join(translate(r) for r in reasons)


def check_eligible(user: User, sitting: Sitting) -> None:
    """Raise Conflict naming the reasons when ``user`` may not sit ``sitting``."""
    reasons = refusals_for(sitting, {user.id: user.status}).get(user.id)
    if reasons:
        raise Conflict(
            _("%(who)s cannot be enrolled: %(reasons)s", who=user.name or user.login,
              reasons=reason_text(reasons)),
            code="not_eligible",
        )  # fmt: skip


@dataclass
class Refusal:
    user_id: int
    name: str
    login: str
    reason: str


@dataclass
class OrgEnrolReport:
    """What enrolling an organisation did."""

    organisation: str = ""
    enrolled: int = 0
    already: int = 0
    #: Enrolled people who are no party members: they may sit, but get no post certificate.
    non_members: int = 0
    refused: list[Refusal] = field(default_factory=list)


def enrol_organisation(
    admin: User,
    sitting_id: int,
    org_id: int,
    *,
    party_only: bool = False,
    category: str | None = None,
) -> OrgEnrolReport:
    """Enrol everyone eligible in the organisation's subtree (optionally party members only,
    or of one training category) who is not enrolled yet; one transaction."""
    sitting = enrollable_sitting(sitting_id)
    assert sitting is not None
    org = db.session.get(Organisation, org_id)
    if org is None:
        raise NotFound(_("no such organisation"), code="unknown_org")
    query = db.select(User.id, User.name, User.email, User.mobile, User.status,
                      User.is_party_member).where(
        User.organisation_id.in_(orgs.subtree_ids(org))
    )  # fmt: skip
    if party_only:
        query = query.where(User.is_party_member.is_(True))
    if category:
        query = query.where(User.category == category)
    people = db.session.execute(query.order_by(User.id)).all()
    report = OrgEnrolReport(organisation=f"{org.code} {org.name}")
    enrolled = already_enrolled(sitting, [p.id for p in people])
    report.already = len(enrolled)
    waiting = [p for p in people if p.id not in enrolled]
    takers = candidates([p.id for p in waiting])
    refused = refusals_for(sitting, {p.id: p.status for p in waiting if p.id in takers})
    not_candidate = _("holds no candidate role (an account for staff, not for sitting exams)")
    report.refused = [
        Refusal(p.id, p.name, p.email or p.mobile or "",
                reason_text(refused[p.id]) if p.id in takers else not_candidate)
        for p in waiting
        if p.id in refused or p.id not in takers
    ]  # fmt: skip
    eligible = [p for p in waiting if p.id in takers and p.id not in refused]
    with enrolment_race():
        report.enrolled = enrol_many(admin, sitting, [p.id for p in eligible])
        if sitting.blueprint.exam_kind == ExamKind.POST_QUALIFICATION:
            report.non_members = sum(1 for p in eligible if not p.is_party_member)
        audit.record(
            admin, "sitting.org_enrolled", sitting, org=org.code, enrolled=report.enrolled,
            already=report.already, refused=len(report.refused), party_only=party_only,
            category=category,
        )  # fmt: skip
        db.session.commit()
    return report


def candidates(user_ids: Sequence[int]) -> set[int]:
    """Which of these people hold the candidate role (only they sit exams)."""
    found: set[int] = set()
    for chunk in _chunks(user_ids):
        found.update(db.session.scalars(
            db.select(UserRole.user_id).where(
                UserRole.user_id.in_(chunk), UserRole.role == str(Role.CANDIDATE)
            )
        ))  # fmt: skip
    return found


def _scheduled_enrolment(sitting_id: int, enrolment_id: int) -> Enrolment:
    enrolment = db.session.get(Enrolment, enrolment_id)
    if enrolment is None or enrolment.sitting_id != sitting_id:
        raise NotFound(_("no such candidate in this sitting"), code="unknown_enrolment")
    return enrolment


def remove(admin: User, sitting_id: int, enrolment_id: int) -> str:
    """Take a candidate off a sitting that has not opened; their drawn paper is released.
    Returns the admission number."""
    enrolment = _scheduled_enrolment(sitting_id, enrolment_id)
    sitting = enrolment.sitting
    if sitting.state(utcnow()) != "scheduled":
        raise Conflict(
            _("the sitting has opened: candidates can no longer be removed"),
            code="sitting_opened",
        )
    if db.session.scalar(db.select(Attempt.id).where(Attempt.enrolment_id == enrolment.id)):
        raise Conflict(_("the candidate has started the exam"), code="attempt_exists")
    paper_id = db.session.scalar(db.select(Paper.id).where(Paper.enrolment_id == enrolment.id))
    if paper_id is not None:
        db.session.execute(db.delete(PaperItem).where(PaperItem.paper_id == paper_id))
        db.session.execute(db.delete(Paper).where(Paper.id == paper_id))
    db.session.execute(db.delete(TimeExtension).where(TimeExtension.enrolment_id == enrolment.id))
    number, user = enrolment.admission_no, enrolment.user
    audit.record(
        admin, "sitting.unenrolled", sitting, admission_no=number, user=user.id,
        paper_released=paper_id is not None,
    )  # fmt: skip
    db.session.execute(db.delete(Enrolment).where(Enrolment.id == enrolment.id))
    db.session.expunge(enrolment)
    db.session.commit()
    return number
