"""The demo's levels: the certificate rules saved (version 1 of each), a member at L2 with
the history of two six-step applications and the hours behind them, and the demo candidate's
own application to L1 waiting for the organisation review."""

from __future__ import annotations

from datetime import date, timedelta

from examsvc.extensions import db
from examsvc.models import LevelRecord, Promotion, TrainingRecord, User, utcnow
from examsvc.services.levels import promotions, rules

#: The member who holds L2 (demo_people.MEMBERS), and when each level was reached.
L2_HOLDER = "member1@demo.examsvc.cn"
L1_DAYS_AGO, L2_DAYS_AGO = 1100, 90
PANEL = "王评审\n李评审\n张评审"


def seed(admin: User, org_admin: User, candidate: User) -> None:
    """Create what is missing; running it again changes nothing."""
    rules.ensure_defaults(admin)
    holder = db.session.scalar(db.select(User).where(User.email == L2_HOLDER))
    if holder is not None and _has_history(holder) is False:
        _hours(holder)
        _climb(holder, org_admin, admin)
    if db.session.scalar(db.select(Promotion.id).where(Promotion.user_id == candidate.id)) is None:
        promotions.declare(candidate, candidate.id, 1, "从事社区党务工作两年，参加区委党校轮训。")


def _has_history(person: User) -> bool:
    found = db.session.scalar(db.select(LevelRecord.id).where(LevelRecord.user_id == person.id))
    return found is not None


def _hours(person: User) -> None:
    """The trainings the L2 rules ask for: 24 hours in each of the two years before."""
    this_year = utcnow().year
    for year in (this_year - 3, this_year - 2, this_year - 1):
        db.session.add(
            TrainingRecord(
                user_id=person.id, course_name=f"{year}年度两新组织党务工作者轮训",
                organiser="区委组织部", kind="rotation", starts_on=date(year, 4, 8),
                ends_on=date(year, 4, 10), hours=24.0, source="manual",
            )
        )  # fmt: skip
    db.session.commit()


def _climb(person: User, org_admin: User, admin: User) -> None:
    for level, days_ago in ((1, L1_DAYS_AGO), (2, L2_DAYS_AGO)):
        now = utcnow() - timedelta(days=days_ago)
        promotion = promotions.declare(person, person.id, level, "本人申报。", now=now)
        steps = [
            (org_admin, "org_review", "党组织审核同意。", ""),
            (admin, "training_test", "区委党校培训测试合格（88分）。", ""),
            (admin, "field_visit", "实地走访所在党组织，群众评价良好。", ""),
            (admin, "assessment", "综合评定合格。", PANEL),
            (admin, "public_notice", "公示五个工作日，无异议。", ""),
        ]
        for actor, step, note, panel in steps:
            promotions.decide(actor, promotion.id, step, "passed", note, panel_text=panel,
                              now=now)  # fmt: skip
