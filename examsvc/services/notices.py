"""Notices to one person (a 年检 outcome, a change of their certificate), kept until read.

A notice stores a domain message (question_bank.errors.Msg): its English template, which
the catalog translates, and its parameters; it is shown in the reader's language. A
parameter named ``reasons`` holds stored messages (services/inspections/facts.py) and is
shown as the list of their translations.
"""

from __future__ import annotations

from flask_babel import gettext as _

from examsvc.extensions import db
from examsvc.i18n import translate
from examsvc.models import Notice, User, utcnow
from examsvc.services.errors import NotFound
from question_bank.errors import Msg

PER_PAGE = 30


def row(user_id: int, kind: str, message: Msg, link: str | None = None, **stored) -> dict:
    """A notice as a row for a bulk insert; ``stored`` parameters replace the message's."""
    return {
        "user_id": user_id,
        "kind": kind,
        "message": message.template,
        "params": {**message.params, **stored},
        "link": link,
        "created_at": utcnow(),
        "read_at": None,
    }


def text(notice: Notice) -> str:
    """The notice in the reader's language."""
    params = dict(notice.params or {})
    if isinstance(params.get("reasons"), list):
        reasons = [Msg(r["template"], r.get("code", ""), **r.get("params", {}))
                   for r in params["reasons"]]  # fmt: skip
        params["reasons"] = _("; ").join(translate(r) for r in reasons)
    return translate(Msg(notice.message, **params))


def unread_count(user: User) -> int:
    """One indexed COUNT: the number the top bar shows."""
    return db.session.scalar(
        db.select(db.func.count())
        .select_from(Notice)
        .where(Notice.user_id == user.id, Notice.read_at.is_(None))
    ) or 0  # fmt: skip


def mine(user: User, page_no: int = 1, per_page: int = PER_PAGE):
    """The person's notices, the unread and the newest first."""
    query = (
        db.select(Notice)
        .where(Notice.user_id == user.id)
        .order_by(Notice.read_at.is_not(None), Notice.created_at.desc(), Notice.id.desc())
    )
    return db.paginate(query, page=page_no, per_page=per_page, error_out=False)


def mark_read(user: User, notice_id: int) -> Notice:
    """Mark one of the person's notices read (another's: NotFound)."""
    notice = db.session.get(Notice, notice_id)
    if notice is None or notice.user_id != user.id:
        raise NotFound(_("no such notice"), code="unknown_notice")
    if notice.read_at is None:
        notice.read_at = utcnow()
        db.session.commit()
    return notice


def mark_all_read(user: User) -> int:
    """Mark every unread notice of the person read; how many were."""
    result = db.session.execute(
        db.update(Notice)
        .where(Notice.user_id == user.id, Notice.read_at.is_(None))
        .values(read_at=utcnow()),
        execution_options={"synchronize_session": False},
    )
    db.session.commit()
    return getattr(result, "rowcount", 0) or 0
