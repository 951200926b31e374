"""The demo's archive: three years of trainings for the people of the demo organisations
(some below their minimum), two training courses, levels with their history (certified,
promoted, one suspended by last year's 年检) and that 年检 closed, so a newcomer opens a full
archive page and organisation dashboard. Rows are written in bulk; running it again changes
nothing."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np

from examsvc.extensions import db
from examsvc.models import (
    Assessment,
    Inspection,
    InspectionResult,
    LevelRecord,
    Notice,
    RecordSource,
    TrainingCourse,
    TrainingKind,
    TrainingRecord,
    User,
    utcnow,
)
from examsvc.services import audit, certificates, notices, orgs
from examsvc.services.inspections.closing import notice_message
from examsvc.services.inspections.facts import stored_reasons
from examsvc.services.training import year_totals
from question_bank import hours as hour_rules
from question_bank.inspection import Facts, judge

ROOT = "000"
INSPECTED = "000-02"
#: (name, organiser, kind, month, day, days, hours)
COURSES = [
    ("基层党务工作者集中轮训班", "区委组织部", TrainingKind.ROTATION, 4, 8, 3, 24.0),
    ("党支部书记示范培训班", "区委党校", TrainingKind.CENTRAL, 9, 14, 2, 16.0),
]
#: (name, organiser, kind, hours) of the smaller trainings people record themselves.
SMALL = [
    ("“三会一课”规范化专题讲座", "街道党工委", TrainingKind.OTHER, 4.0),
    ("发展党员工作实务网络课程", "党员教育网络平台", TrainingKind.ONLINE, 8.0),
    ("党费收缴使用管理专题培训", "区委组织部", TrainingKind.CENTRAL, 8.0),
    ("两新组织党建工作培训", "区两新工委", TrainingKind.CENTRAL, 16.0),
    ("换届选举工作网络课程", "党员教育网络平台", TrainingKind.ONLINE, 4.0),
]


def seed(admin: User) -> int:
    """Trainings, levels and a 年检 for the demo organisations; returns the records written
    (0 when they are there already)."""
    if db.session.scalar(db.select(TrainingCourse.id).where(TrainingCourse.name == COURSES[0][0])):
        return 0
    root = orgs.require_code(ROOT)
    people = db.session.scalars(
        db.select(User).where(User.organisation_id.in_(orgs.subtree_ids(root))).order_by(User.id)
    ).all()
    if not people:
        return 0
    rng = np.random.default_rng(2026)
    today = certificates.today_local()
    years = [today.year - 2, today.year - 1, today.year]
    written = _trainings(admin, root, people, years, today, rng)
    _levels_and_inspection(admin, people, today, rng)
    _earlier_certificates(people, today, rng)
    audit.record(admin, "demo.archive_seeded", None, count=written)
    db.session.commit()
    return written


def _trainings(admin, root, people, years, today, rng) -> int:
    rows = []
    for year in years:
        for name, organiser, kind, month, day, days, hours in COURSES:
            start = date(year, month, day)
            if start + timedelta(days=days) > today:
                continue
            course = TrainingCourse(
                name=name if year == years[-1] else f"{name}（{year}年）",
                organiser=organiser, kind=kind.value, starts_on=start,
                ends_on=start + timedelta(days=days - 1), hours=hours,
                organisation_id=root.id, created_by_id=admin.id,
                completed_at=utcnow() if year < today.year else None,
            )  # fmt: skip
            db.session.add(course)
            db.session.flush()
            attendees = [p for p in people if rng.random() < 0.35]
            rows += [
                _row(p, course.name, organiser, kind, start, days, hours, admin, course.id)
                for p in attendees
            ]
        for person in people:
            for _ in range(int(rng.integers(0, 4))):
                name, organiser, kind, hours = SMALL[int(rng.integers(len(SMALL)))]
                start = date(year, int(rng.integers(1, 13)), int(rng.integers(1, 28)))
                if start <= today:
                    rows.append(_row(person, name, organiser, kind, start, 1, hours, admin))
    db.session.execute(db.insert(TrainingRecord), rows)
    return len(rows)


def _row(person, name, organiser, kind, start, days, hours, admin, course_id=None) -> dict:
    return {
        "user_id": person.id,
        "course_id": course_id,
        "course_name": name,
        "organiser": organiser,
        "kind": kind.value,
        "starts_on": start,
        "ends_on": start + timedelta(days=days - 1),
        "hours": hours,
        "attendance_certificate": f"结业〔{start.year}〕{person.id:04d}号" if course_id else "",
        "source": (RecordSource.COURSE if course_id else RecordSource.MANUAL).value,
        "created_by_id": admin.id,
        "created_at": utcnow(),
    }


def _levels_and_inspection(admin, people, today, rng) -> None:
    """About one in six people hold L1 (a few L2); last year's 年检 of the inspected street
    is closed: most pass, those short of hours or assessed 不称职 are suspended."""
    last = today.year - 1
    with_history = set(db.session.scalars(db.select(LevelRecord.user_id)))
    holders = [
        p for p in people
        if p.is_party_member and rng.random() < 0.17 and p.id not in with_history
    ]  # fmt: skip
    inspected_ids = set(db.session.scalars(orgs.subtree_ids(orgs.require_code(INSPECTED))))
    inspection = Inspection(
        organisation_id=orgs.require_code(INSPECTED).id, year=last, state="closed",
        created_by_id=admin.id, closed_by_id=admin.id, closed_at=utcnow(),
    )  # fmt: skip
    db.session.add(inspection)
    db.session.flush()
    totals = year_totals([p.id for p in holders], last)
    for n, person in enumerate(holders):
        certified = date(last - 1, 6, 1) + timedelta(days=int(rng.integers(0, 120)))
        cert = certificates.create(person, "level", 1, certified)
        db.session.add(LevelRecord(user_id=person.id, level=1, effective_on=certified,
                                   decision="certified", basis="初级资格考试合格、培训测试合格",
                                   certificate_id=cert.id, recorded_by_id=admin.id))  # fmt: skip
        if n % 7 == 3:
            promoted = certified.replace(year=last, month=11, day=20)
            cert.status, cert.status_reason = "revoked", "晋级换发"
            cert = certificates.create(person, "level", 2, promoted)
            db.session.add(LevelRecord(user_id=person.id, level=2, effective_on=promoted,
                                       decision="promoted", basis="中级考试合格，六步晋级完成",
                                       certificate_id=cert.id,
                                       recorded_by_id=admin.id))  # fmt: skip
        if person.organisation_id not in inspected_ids:
            continue
        total = totals.get(person.id)
        hours, trainings = (total.hours, total.trainings) if total else (0.0, 0)
        minimum = hour_rules.minimum(person.category, person.leader, person.party_joined_on, last)
        assessment = Assessment.INCOMPETENT if n % 11 == 5 else Assessment.COMPETENT
        verdict = judge(Facts(True, trainings, hours, minimum.hours, assessment.value))
        reasons = stored_reasons(verdict.reasons)
        outcome = verdict.outcome.value
        db.session.add(
            InspectionResult(
                inspection_id=inspection.id, user_id=person.id, certificate_id=cert.id,
                assessment=assessment.value, in_party_post=True, trainings=trainings,
                hours=hours, minimum_hours=float(minimum.hours), passed=verdict.passed,
                outcome=outcome, reasons=reasons, decided_at=utcnow(),
            )
        )  # fmt: skip
        told = notice_message(verdict.outcome, cert.number, last)  # as closing a 年检 does
        db.session.add(Notice(**notices.row(person.id, "inspection", told, "/certificates/",
                                            reasons=reasons)))  # fmt: skip
        if not verdict.passed:
            cert.status, cert.status_reason = "suspended", f"{last}年度年检未通过"
            db.session.add(LevelRecord(user_id=person.id, level=cert.level,
                                       effective_on=date(today.year, 1, 20), decision="suspended",
                                       basis=f"{last}年度年检未通过", certificate_id=cert.id,
                                       recorded_by_id=admin.id))  # fmt: skip


def _earlier_certificates(people, today, rng) -> None:
    """Certificates of last year's exams, so every kind shows: 上岗资格 for party members
    (about one in four) and 教育培训 for those who completed last year's rotation course."""
    last = today.year - 1
    course = db.session.scalar(
        db.select(TrainingCourse).where(TrainingCourse.name == f"{COURSES[0][0]}（{last}年）")
    )
    completed = set()
    if course is not None:
        completed = set(
            db.session.scalars(
                db.select(TrainingRecord.user_id).where(TrainingRecord.course_id == course.id)
            )
        )
    for person in people:
        if person.is_party_member and rng.random() < 0.25:
            certificates.create(person, "post_qualification", 0, date(last, 6, 18))
        if person.id in completed and rng.random() < 0.6:
            certificates.create(person, "training", 0, date(last, 5, 8))
