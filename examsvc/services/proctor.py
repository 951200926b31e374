"""The live view of a sitting for invigilators (监考): who has started, how far they are, what
the exam page reported, how long each has left; and handing in for a candidate.

The view of a page of candidates costs the same few aggregate queries whatever the size of
the sitting: one for the counts per state, two for the page of enrolments (count and ids),
one for their rows, one each for answers, events, paper sizes and extra time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import String, case, cast, func

from examsvc.extensions import db
from examsvc.models import (
    Answer,
    Attempt,
    AttemptEvent,
    AttemptStatus,
    Enrolment,
    Organisation,
    Paper,
    PaperItem,
    Sitting,
    TimeExtension,
    User,
    utcnow,
)
from examsvc.services import attempts, audit, identity
from examsvc.services.errors import BadInput, Conflict, NotFound
from examsvc.services.integrity import FOCUS_LOSS, LIMIT_REACHED
from examsvc.services.queries import contains

#: The states of a candidate, in the order the page shows them.
STATES = ("not_started", "in_progress", "time_over", "handed_in", "auto_handed_in")
#: Events the page reports that count as "other" (focus loss is counted on its own; coming
#: back and going online again are the ends of a loss, not news).
OTHER_EVENTS = ("fullscreen_exit", "copy", "paste", "offline")
#: Recorded by the server when an invigilator hands an attempt in (shown to the candidate).
INVIGILATOR_HAND_IN = "invigilator_hand_in"
PER_PAGE = 100
MAX_REASON = 500
MAX_QUERY = 100


@dataclass(frozen=True)
class LiveRow:
    enrolment_id: int
    admission_no: str
    name: str
    organisation: str
    room: str | None
    seat: int | None
    state: str
    attempt_id: int | None
    answered: int
    items: int
    last_saved_at: datetime | None
    deadline: datetime | None
    seconds_left: int | None
    focus_losses: int
    other_events: int
    events: dict[str, int]
    extra_minutes: int
    by_invigilator: bool
    at_focus_limit: bool


@dataclass
class LiveView:
    sitting: Sitting
    now: datetime
    counts: dict[str, int]
    page: object  #: a Flask-SQLAlchemy pagination whose items are LiveRow


def _latest_attempt():
    """The join condition of an enrolment's latest attempt (a resit has a higher number)."""
    latest = (
        db.select(func.max(Attempt.number))
        .where(Attempt.enrolment_id == Enrolment.id)
        .correlate(Enrolment)
        .scalar_subquery()
    )
    return db.and_(Attempt.enrolment_id == Enrolment.id, Attempt.number == latest)


def _state(now: datetime):
    in_progress = Attempt.status == AttemptStatus.IN_PROGRESS.value
    return case(
        (Attempt.id.is_(None), "not_started"),
        (db.and_(in_progress, Attempt.deadline < now), "time_over"),
        (in_progress, "in_progress"),
        (Attempt.auto_submitted, "auto_handed_in"),
        else_="handed_in",
    )


def _base(sitting_id: int):
    return (
        db.select(Enrolment.id)
        .join(User, User.id == Enrolment.user_id)
        .outerjoin(Attempt, _latest_attempt())
        .where(Enrolment.sitting_id == sitting_id)
    )


def _search(query, text: str):
    text = text.strip()[:MAX_QUERY]
    if not text:
        return query
    return query.where(db.or_(contains(User.name, text), contains(Enrolment.admission_no, text)))


def counts(sitting_id: int, now: datetime) -> dict[str, int]:
    """How many candidates of the sitting are in each state (one query)."""
    states = _base(sitting_id).add_columns(_state(now).label("state")).subquery()
    found = dict(
        db.session.execute(db.select(states.c.state, func.count()).group_by(states.c.state)).all()
    )
    return {s: int(found.get(s, 0)) for s in STATES}


def live(
    sitting_id: int,
    *,
    state: str | None = None,
    query: str = "",
    page: int = 1,
    per_page: int = PER_PAGE,
    now: datetime | None = None,
) -> LiveView:
    """The counts of the whole sitting and one page of candidates (in a state, matching a
    name or admission number), ordered by room, seat and admission number."""
    now = now or utcnow()
    sitting = db.session.get(Sitting, sitting_id)
    if sitting is None:
        raise NotFound(_("no such sitting"))
    ids = _search(_base(sitting_id), query)
    if state in STATES:
        ids = ids.where(_state(now) == state)
    ids = ids.order_by(Enrolment.room, Enrolment.seat, Enrolment.admission_no)
    found = db.paginate(ids, page=page, per_page=per_page, error_out=False)
    found.items = rows(list(found.items), now)
    return LiveView(sitting, now, counts(sitting_id, now), found)


def rows(enrolment_ids: Sequence[int], now: datetime) -> list[LiveRow]:
    """The live rows of these enrolments, in the order given: five queries for any number."""
    if not enrolment_ids:
        return []
    ids = list(enrolment_ids)
    base = db.session.execute(
        db.select(Enrolment.id, Enrolment.admission_no, User.name, Organisation.name,
                  Enrolment.room, Enrolment.seat, Attempt.id, Attempt.deadline, _state(now))
        .join(User, User.id == Enrolment.user_id)
        .outerjoin(Organisation, Organisation.id == User.organisation_id)
        .outerjoin(Attempt, _latest_attempt())
        .where(Enrolment.id.in_(ids))
    ).all()  # fmt: skip
    attempt_ids = [r[6] for r in base if r[6] is not None]
    answered = _answers(attempt_ids)
    events = _events(attempt_ids)
    items = dict(
        db.session.execute(
            db.select(Paper.enrolment_id, func.count(PaperItem.id))
            .join(PaperItem, PaperItem.paper_id == Paper.id)
            .where(Paper.enrolment_id.in_(ids))
            .group_by(Paper.enrolment_id)
        ).all()
    )
    extra = dict(
        db.session.execute(
            db.select(TimeExtension.enrolment_id, func.sum(TimeExtension.minutes))
            .where(TimeExtension.enrolment_id.in_(ids))
            .group_by(TimeExtension.enrolment_id)
        ).all()
    )
    by_id = {}
    for eid, number, name, org, room, seat, aid, deadline, state in base:
        count, last = answered.get(aid, (0, None))
        kinds = events.get(aid, {})
        left = None
        if state == "in_progress":
            left = max(0, int((deadline - now).total_seconds()))
        elif state == "time_over":
            left = 0
        by_id[eid] = LiveRow(
            enrolment_id=eid, admission_no=number, name=name, organisation=org or "",
            room=room, seat=seat, state=state, attempt_id=aid, answered=int(count),
            items=int(items.get(eid, 0)), last_saved_at=last, deadline=deadline,
            seconds_left=left, focus_losses=kinds.get(FOCUS_LOSS, 0),
            other_events=sum(kinds.get(k, 0) for k in OTHER_EVENTS),
            events={k: v for k, v in kinds.items() if k in (FOCUS_LOSS, *OTHER_EVENTS)},
            extra_minutes=int(extra.get(eid) or 0),
            by_invigilator=INVIGILATOR_HAND_IN in kinds, at_focus_limit=LIMIT_REACHED in kinds,
        )  # fmt: skip
    return [by_id[e] for e in ids if e in by_id]


def _answers(attempt_ids: list[int]) -> dict[int, tuple[int, datetime | None]]:
    """Attempt id → (answered items, last save). An answer cleared again (null, no option
    picked) is stored but is no answer."""
    if not attempt_ids:
        return {}
    given = func.coalesce(cast(Answer.response, String), "null").not_in(["null", "[]"])
    return {
        aid: (count, last)
        for aid, count, last in db.session.execute(
            db.select(
                Answer.attempt_id,
                func.count(case((given, 1))),
                func.max(Answer.saved_at),
            )
            .where(Answer.attempt_id.in_(attempt_ids))
            .group_by(Answer.attempt_id)
        )
    }


def _events(attempt_ids: list[int]) -> dict[int, dict[str, int]]:
    if not attempt_ids:
        return {}
    found: dict[int, dict[str, int]] = {}
    for aid, kind, count in db.session.execute(
        db.select(AttemptEvent.attempt_id, AttemptEvent.type, func.count())
        .where(AttemptEvent.attempt_id.in_(attempt_ids))
        .group_by(AttemptEvent.attempt_id, AttemptEvent.type)
    ):
        found.setdefault(aid, {})[kind] = int(count)
    return found


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise BadInput(_("give the reason for handing in for the candidate"),
                       code="reason_required")  # fmt: skip
    if len(reason) > MAX_REASON:
        raise BadInput(
            _("the reason may be at most %(max)s characters", max=MAX_REASON), code="bad_reason"
        )
    return identity.mask_text(reason)


def hand_in_for(
    admin: User, sitting_id: int, enrolment_id: int, reason: str, now: datetime | None = None
) -> Attempt:
    """Hand in a candidate's attempt in progress, as their own hand-in would: closed and every
    stored answer scored; audited with the reason and the admin, and marked for the candidate.

    Refused unless the attempt is in progress; an attempt whose time is already over is
    closed by the server as the sweep would close it, and the hand-in refused."""
    now = now or utcnow()
    reason = _reason(reason)
    enrolment = db.session.scalar(
        db.select(Enrolment).where(Enrolment.id == enrolment_id).with_for_update(of=Enrolment)
    )
    if enrolment is None or enrolment.sitting_id != sitting_id:
        raise NotFound(_("no such candidate in this sitting"), code="unknown_enrolment")
    attempt = db.session.scalar(
        db.select(Attempt)
        .where(Attempt.enrolment_id == enrolment.id)
        .order_by(Attempt.number.desc())
        .with_for_update(of=Attempt)
        .execution_options(populate_existing=True)
    )
    if attempt is None:
        raise Conflict(_("the candidate has not started the exam"), code="not_started")
    if attempt.status != AttemptStatus.IN_PROGRESS:
        raise Conflict(_("the candidate has already handed in"), code="attempt_submitted")
    if attempts.close_if_over(attempt, now):
        db.session.commit()
        raise Conflict(
            _("the candidate's time was already over: the server has handed the exam in"),
            code="time_over",
        )
    attempts.hand_in(attempt, now)
    db.session.add(
        AttemptEvent(
            attempt_id=attempt.id, type=INVIGILATOR_HAND_IN, client_at=now.isoformat()[:40],
            recorded_at=now,
        )
    )  # fmt: skip
    audit.record(
        admin, "attempt.handed_in_by_invigilator", attempt, sitting=sitting_id,
        admission_no=enrolment.admission_no, user=enrolment.user_id, reason=reason,
        score=attempt.score,
    )  # fmt: skip
    db.session.commit()
    return attempt


def handed_in_by_invigilator(attempt_id: int) -> bool:
    """Whether an invigilator handed the attempt in (the candidate's result page says so)."""
    return (
        db.session.scalar(
            db.select(AttemptEvent.id).where(
                AttemptEvent.attempt_id == attempt_id, AttemptEvent.type == INVIGILATOR_HAND_IN
            )
        )
        is not None
    )
