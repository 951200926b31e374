"""Organisations (the party-organisation tree) and the person side of an account."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from examsvc.extensions import db
from examsvc.models.types import UTCDateTime, utcnow


class PersonStatus(enum.StrEnum):
    """The registration state of a person (users.status)."""

    PENDING = "pending"  #: 待审核: registered, waiting for an org admin or admin
    ACTIVE = "active"  #: 正常
    DISABLED = "disabled"  #: 停用: cannot log in


class Gender(enum.StrEnum):
    MALE = "M"
    FEMALE = "F"


#: Training-hours categories (DOMAIN.md, seed 003), roster 人员类别.
CATEGORIES = (
    "community",
    "organ",
    "soe",
    "two_new",
    "student",
    "floating",
    "village_secretary",
    "two_new_secretary",
    "village_official",
)


class Organisation(db.Model):
    """One party organisation: 区委 → 街道/乡镇党(工)委 → 党委/党总支 → 党支部, any depth."""

    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Letters, digits and '-'; unique; what rosters and the CLI name it by.
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    #: Free label such as 党委, 党总支, 党支部.
    kind: Mapped[str | None] = mapped_column(String(32))
    #: Ids from the root down, "/1/5/9/": a subtree is ``path LIKE '/1/5/%'``.
    path: Mapped[str] = mapped_column(String(1000), index=True, default="", server_default="")
    is_closed: Mapped[bool] = mapped_column(default=False, server_default=db.false())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    @property
    def depth(self) -> int:
        return max(self.path.count("/") - 2, 0)
