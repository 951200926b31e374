"""A realistic demo: users for every role, an approved bank, a blueprint and an open sitting."""

from __future__ import annotations

import json
from datetime import timedelta
from importlib import resources

from examsvc.extensions import db
from examsvc.models import Blueprint, Enrolment, QuestionStatus, Role, Sitting, User, utcnow
from examsvc.services import (
    accounts,
    audit,
    bank,
    demo_archive,
    demo_levels,
    demo_people,
    demo_results,
    exams,
)
from examsvc.services.errors import Conflict

DEMO_USERS = [
    ("admin@demo.examsvc.cn", "组织部管理员", [Role.ADMIN], "Zuzhibu-2026-demo"),
    ("examiner@demo.examsvc.cn", "李审题", [Role.EXAMINER], "Shenti-2026-demo"),
    ("contributor@demo.examsvc.cn", "王出题", [Role.CONTRIBUTOR], "Contrib-2026-demo"),
    ("institution@demo.examsvc.cn", "市党建研究会", [Role.CONTRIBUTOR], "Institute-2026-demo"),
    ("orgadmin@demo.examsvc.cn", "赵组织", [Role.ORG_ADMIN], "Jiceng-2026-demo"),
    (
        "candidate@demo.examsvc.cn",
        "张明华",
        [Role.CANDIDATE, Role.CONTRIBUTOR],
        "Kaosheng-2026-demo",
    ),
]
BLUEPRINT_NAME = "党务工作者上岗资格考试"
SITTING_NAME = "党务工作者上岗资格考试（演示场次）"
#: Areas of the post-qualification exam (DOMAIN.md): single, multiple, judge counts per area.
POST_QUALIFICATION_ROWS = [
    ("constitution", 10, 5, 5),
    ("practice", 10, 5, 5),
    ("theory", 6, 3, 3),
    ("history", 4, 2, 2),
    ("discipline", 4, 2, 2),
    ("law", 4, 2, 2),
    ("it", 2, 1, 1),
]
CHANNELS = ["public", "grassroots", "institution"]


def load_questions() -> list[dict]:
    """The demo bank shipped with the package, one JSON file per area."""
    folder = resources.files("examsvc") / "demo" / "questions"
    questions: list[dict] = []
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".json"):
            questions.extend(json.loads(entry.read_text(encoding="utf-8")))
    return questions


def database_is_empty() -> bool:
    return db.session.scalar(db.select(User.id).limit(1)) is None


def seed() -> dict:
    """Create whatever of the demo is missing; running it again changes nothing that exists."""
    users = {
        email: _user(email, name, roles, password) for email, name, roles, password in DEMO_USERS
    }
    contributor = users["contributor@demo.examsvc.cn"]
    institution = users["institution@demo.examsvc.cn"]
    if not institution.is_institution:
        institution.is_institution = True  # verified by the demo's admin
        db.session.commit()
    examiner = users["examiner@demo.examsvc.cn"]
    admin = users["admin@demo.examsvc.cn"]
    added = _questions(
        {"public": contributor, "grassroots": contributor, "institution": institution}, examiner
    )
    blueprint = _blueprint(admin)
    sitting = _sitting(admin, blueprint)
    _enrol(admin, sitting, users["candidate@demo.examsvc.cn"])
    candidate = users["candidate@demo.examsvc.cn"]
    members = demo_people.seed_people(admin, users["orgadmin@demo.examsvc.cn"], sitting, candidate)
    demo_results.seed(admin, examiner, institution)  # a finished, marked, published sitting
    demo_levels.seed(admin, users["orgadmin@demo.examsvc.cn"], candidate)  # levels, rules
    demo_archive.seed(admin)  # trainings, more levels and a 年检 for the archive pages
    return {
        "users": [
            {
                "email": email,
                "password": password,
                "roles": sorted(str(r) for r in roles),
                "name": name,
            }
            for email, name, roles, password in DEMO_USERS
        ]
        + members,
        "sittings": [{"id": sitting.id, "name": sitting.name}],
        "questions_added": added,
    }


def _user(email: str, name: str, roles: list[Role], password: str) -> User:
    user = db.session.scalar(db.select(User).where(User.email == email))
    if user is None:
        user = accounts.create_user(
            email, roles, password, name, is_party_member=Role.CANDIDATE in roles
        )
    return user


def _questions(contributors: dict[str, User], examiner: User) -> int:
    added = 0
    for i, raw in enumerate(load_questions()):
        fields = {
            k: raw[k] for k in ("type", "area", "stem", "explanation", "difficulty") if k in raw
        }
        fields.update(
            options=raw.get("options", []),
            key=raw["answer"],
            point=raw.get("point", ""),
            source=raw.get("source", ""),
        )
        try:
            channel = CHANNELS[i % 3]
            question = bank.new_question(
                contributors[channel], channel, fields, QuestionStatus.APPROVED
            )
        except Conflict:
            continue  # already seeded
        question.reviewer_id, question.reviewed_at = examiner.id, utcnow()
        added += 1
    if added:
        audit.record(examiner, "demo.questions_seeded", None, count=added)
        db.session.commit()
    return added


def _blueprint(admin: User) -> Blueprint:
    existing = db.session.scalar(db.select(Blueprint).where(Blueprint.name == BLUEPRINT_NAME))
    if existing is not None:
        return existing
    rows = [exams.RowSpec(area, "single", n, 1.0) for area, n, _, _ in POST_QUALIFICATION_ROWS]
    rows += [exams.RowSpec(area, "multiple", n, 2.0) for area, _, n, _ in POST_QUALIFICATION_ROWS]
    rows += [exams.RowSpec(area, "judge", n, 1.0) for area, _, _, n in POST_QUALIFICATION_ROWS]
    return exams.create_blueprint(
        admin,
        name=BLUEPRINT_NAME,
        exam_kind="post_qualification",
        duration_minutes=90,
        pass_mark=60,
        rows=rows,
    )


def _sitting(admin: User, blueprint: Blueprint) -> Sitting:
    existing = db.session.scalar(db.select(Sitting).where(Sitting.name == SITTING_NAME))
    if existing is not None:
        return existing
    now = utcnow().replace(second=0, microsecond=0)
    return exams.create_sitting(
        admin, blueprint.id, SITTING_NAME, now - timedelta(hours=1), now + timedelta(days=30)
    )


def _enrol(admin: User, sitting: Sitting, candidate: User) -> None:
    exists = db.session.scalar(
        db.select(Enrolment.id).where(
            Enrolment.sitting_id == sitting.id, Enrolment.user_id == candidate.id
        )
    )
    if exists is None:
        exams.enrol(admin, sitting.id, candidate.email)
