"""Background jobs and the uploads waiting between an import's preview and its confirmation."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from examsvc.extensions import db
from examsvc.models.accounts import User
from examsvc.models.types import UTCDateTime, utcnow


class JobState(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"

    @property
    def finished(self) -> bool:
        return self in (JobState.DONE, JobState.FAILED)


class Job(db.Model):
    """One piece of long work: its state and progress, readable by every host's pages."""

    __tablename__ = "jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: What it does: import, randomize (services/jobs.py RUNNERS).
    kind: Mapped[str] = mapped_column(String(32))
    state: Mapped[str] = mapped_column(String(16), default=JobState.QUEUED.value, index=True)
    #: Steps done out of total (rows, papers); total 0 while unknown.
    progress: Mapped[int] = mapped_column(default=0, server_default="0")
    total: Mapped[int] = mapped_column(default=0, server_default="0")
    #: What the runner needs (ids and options), JSON.
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    #: What it did, JSON (an import's report), once done.
    result: Mapped[dict | None] = mapped_column(JSON)
    #: Why it failed, in words the person who started it can read.
    error: Mapped[str] = mapped_column(Text, default="", server_default="")
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: Moved on with every step: a running job not moved for long has died with its worker.
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    created_by: Mapped[User | None] = relationship()

    @property
    def job_state(self) -> JobState:
        return JobState(self.state)

    @property
    def percent(self) -> int:
        if self.job_state is JobState.DONE:
            return 100
        return min(100, self.progress * 100 // self.total) if self.total else 0


class Upload(db.Model):
    """A question file kept between preview and confirm, where every host can read it."""

    __tablename__ = "uploads"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Random; only the uploader's signed session holds it.
    token: Mapped[str] = mapped_column(String(32), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(200), default="", server_default="")
    #: The import options chosen at preview.
    options: Mapped[dict] = mapped_column(JSON, default=dict)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
