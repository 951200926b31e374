"""Helpers of the level tests (not a test module): organisations and people, a level exam
open now, a promotion taken through its steps."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from examsvc.extensions import db
from examsvc.models import ExamKind, Promotion, Role, Sitting, TrainingRecord, User, utcnow
from examsvc.services import exams, orgs, results
from examsvc.services.levels import promotions
from tests.services.test_results import sit

#: The rows of the conftest's open_sitting, on the bank it approves.
ROWS = [
    exams.RowSpec("constitution", "single", 3, 1.0),
    exams.RowSpec(None, "multiple", 2, 2.0),
    exams.RowSpec(None, "judge", 2, 1.0),
    exams.RowSpec(None, "fill", 1, 2.0),
]


def tree(make_user) -> dict:
    """区委 → 支部 with an org admin over the 区委, and another root with its own org admin."""
    root = orgs.create("710", "晋级区委")
    branch = orgs.create("710-1", "晋级支部", root)
    other = orgs.create("720", "别的区委")
    org_admin = make_user(Role.ORG_ADMIN, name="赵组织")
    org_admin.managed_organisation_id = root.id
    stranger = make_user(Role.ORG_ADMIN, name="钱外区")
    stranger.managed_organisation_id = other.id
    db.session.commit()
    return {"root": root, "branch": branch, "other": other, "org_admin": org_admin,
            "stranger": stranger}  # fmt: skip


def member(make_user, org, name: str = "孙晋级", **kwargs) -> User:
    person = make_user(Role.CANDIDATE, name=name, **kwargs)
    person.organisation_id = org.id
    db.session.commit()
    return person


def level_sitting(admin: User, level: int, people: list[User]) -> Sitting:
    """An L(level) exam open now with these people enrolled (the bank of open_sitting)."""
    blueprint = exams.create_blueprint(
        admin, name=f"资格等级L{level}", exam_kind=ExamKind.LEVEL.value, level=level,
        duration_minutes=30, pass_mark=8, rows=ROWS,
    )  # fmt: skip
    now = utcnow()
    sitting = exams.create_sitting(
        admin, blueprint.id, f"L{level}考试", now - timedelta(minutes=5), now + timedelta(hours=3)
    )
    for person in people:
        exams.enrol(admin, sitting.id, person.email)
    return sitting


def pass_and_issue(admin: User, sitting: Sitting, people: list[User]):
    """The people pass the sitting; results published, certificates issued after the notice."""
    for person in people:
        sit(person, sitting)
    results.publish(admin, sitting.id)
    today = results.notice_ends_on(sitting) + timedelta(days=1)
    return results.issue_certificates_detailed(admin, sitting.id, today=today)


def hours(person: User, year: int, amount: float) -> None:
    db.session.add(
        TrainingRecord(
            user_id=person.id, course_name=f"{year}年度培训", starts_on=date(year, 5, 1),
            ends_on=date(year, 5, 3), hours=amount,
        )
    )  # fmt: skip
    db.session.commit()


def walk(
    promotion: Promotion,
    org_admin: User,
    admin: User,
    *,
    now: datetime | None = None,
    test_note: str = "",
    panel: str = "",
) -> Promotion:
    """Record every step after the declaration as passed (the training test from its note
    when it still waits for one)."""
    promotions.decide(org_admin, promotion.id, "org_review", "passed", "材料齐全", now=now)
    if promotion.current_step == "training_test":
        note = test_note or "区委党校培训测试合格（86分）"
        promotions.decide(admin, promotion.id, "training_test", "passed", note, now=now)
    promotions.decide(admin, promotion.id, "field_visit", "passed", "走访所在党组织", now=now)
    promotions.decide(admin, promotion.id, "assessment", "passed", "综合评定通过",
                      panel_text=panel, now=now)  # fmt: skip
    return promotions.decide(admin, promotion.id, "public_notice", "passed", "公示无异议",
                             now=now)  # fmt: skip
