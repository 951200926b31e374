"""The training archive (培训档案): courses, who attends them, and each person's records."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Date, Double, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from examsvc.extensions import db
from examsvc.models.accounts import User
from examsvc.models.exams import Blueprint
from examsvc.models.people import Organisation
from examsvc.models.types import UTCDateTime, utcnow


class TrainingKind(enum.StrEnum):
    """How a training was given (培训形式)."""

    CENTRAL = "central"  #: 集中培训
    ONLINE = "online"  #: 网络培训
    ROTATION = "rotation"  #: 轮训 (secretaries' rotation training, seed 004)
    OTHER = "other"  #: 其他 (专题讲座, 实地考察…)


class RecordSource(enum.StrEnum):
    MANUAL = "manual"  #: entered by an admin or org admin
    IMPORT = "import"  #: an xlsx batch
    COURSE = "course"  #: created when the person completed a course on its roster


class TrainingCourse(db.Model):
    """A training course (培训班) run by an organisation: its required hours, and optionally
    the blueprint of its training test (a 教育培训证书 needs both, seed 000)."""

    __tablename__ = "training_courses"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    #: Who ran it (主办单位), free text: 区委组织部, 区委党校…
    organiser: Mapped[str] = mapped_column(String(200), default="", server_default="")
    kind: Mapped[str] = mapped_column(String(16), default=TrainingKind.CENTRAL.value)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    #: The hours a person must have recorded to complete the course (学时).
    hours: Mapped[float] = mapped_column(Double())
    #: The organisation that owns the course; org admins manage courses of their subtree.
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    #: The training test's blueprint (exam_kind ``training``), if the course has one.
    blueprint_id: Mapped[int | None] = mapped_column(ForeignKey("blueprints.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: When the roster was completed (records written); None while the course runs.
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    organisation: Mapped[Organisation | None] = relationship()
    blueprint: Mapped[Blueprint | None] = relationship()


class CourseMember(db.Model):
    """One person on a course's roster and the hours they attended."""

    __tablename__ = "course_members"
    __table_args__ = (UniqueConstraint("course_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(
        ForeignKey("training_courses.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    #: Hours attended; None until recorded (the course's hours when completed in full).
    hours: Mapped[float | None] = mapped_column(Double())
    added_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    course: Mapped[TrainingCourse] = relationship()
    user: Mapped[User] = relationship()


class TrainingRecord(db.Model):
    """One training in a person's archive. Hours count in the calendar year of ``ends_on``
    (DOMAIN.md: hours are counted per calendar year; a day of training is 8 hours)."""

    __tablename__ = "training_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    course_id: Mapped[int | None] = mapped_column(ForeignKey("training_courses.id"), index=True)
    course_name: Mapped[str] = mapped_column(String(200))
    organiser: Mapped[str] = mapped_column(String(200), default="", server_default="")
    kind: Mapped[str] = mapped_column(String(16), default=TrainingKind.CENTRAL.value)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date, index=True)
    hours: Mapped[float] = mapped_column(Double())
    #: 结业证书/培训证明: the attendance certificate's number or a note; free text.
    attendance_certificate: Mapped[str] = mapped_column(String(200), default="", server_default="")
    source: Mapped[str] = mapped_column(String(16), default=RecordSource.MANUAL.value)
    note: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    course: Mapped[TrainingCourse | None] = relationship()
