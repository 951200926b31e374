"""Editing a sitting before it opens: name, times, grace, and its blueprint until papers exist
(and only to one whose exam everybody enrolled may sit)."""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _

from examsvc.extensions import db
from examsvc.models import Blueprint, Enrolment, Paper, Sitting, User, utcnow
from examsvc.services import audit
from examsvc.services.enrolment import reason_text, refusals_for
from examsvc.services.errors import BadInput, Conflict, NotFound

MAX_GRACE_SECONDS = 600


def has_papers(sitting: Sitting) -> bool:
    """Whether any paper of the sitting is drawn (by randomize or for a late enrolment)."""
    if sitting.papers_drawn_at is not None:
        return True
    return (
        db.session.scalar(
            db.select(Paper.id).join(Enrolment).where(Enrolment.sitting_id == sitting.id).limit(1)
        )
        is not None
    )


def edit(
    admin: User,
    sitting_id: int,
    *,
    name: str,
    opens_at: datetime,
    closes_at: datetime,
    grace_seconds: int,
    blueprint_id: int | None = None,
    place: str | None = None,
    focus_loss_limit: int | None | object = ...,
) -> Sitting:
    """Change a sitting that has not opened yet; the blueprint only while no paper is drawn."""
    sitting = db.session.get(Sitting, sitting_id)
    if sitting is None:
        raise NotFound(_("no such sitting"))
    now = utcnow()
    if sitting.state(now) != "scheduled":
        raise Conflict(
            _("the sitting has opened: it can no longer be edited"), code="sitting_opened"
        )
    name = (name or "").strip()
    if not name or len(name) > 200:
        raise BadInput(_("a name of 1 to 200 characters is required"), code="invalid_name")
    if closes_at <= opens_at:
        raise BadInput(_("the sitting must close after it opens"), code="invalid_window")
    if closes_at <= now:
        raise BadInput(_("the sitting must close in the future"), code="invalid_window")
    if opens_at <= now:  # it would open at once, without its papers drawn or time to remove
        raise BadInput(_("the sitting must open in the future"), code="invalid_window")
    if not 0 <= grace_seconds <= MAX_GRACE_SECONDS:
        raise BadInput(
            _("the grace period must be 0 to %(max)s seconds", max=MAX_GRACE_SECONDS),
            code="invalid_grace",
        )
    place = sitting.place if place is None else place.strip()
    if len(place) > 200:
        raise BadInput(_("The place is too long (at most 200 characters)."), code="invalid_place")
    limit = sitting.focus_loss_limit if focus_loss_limit is ... else focus_loss_limit
    if limit is not None and not (isinstance(limit, int) and 1 <= limit <= 100):
        raise BadInput(
            _("the focus-loss limit must be 1 to 100, or empty"), code="invalid_focus_loss_limit"
        )
    changes = _blueprint_change(sitting, blueprint_id)
    before = {
        "focus_loss_limit": sitting.focus_loss_limit,
        "place": sitting.place,
        "name": sitting.name,
        "opens_at": sitting.opens_at.isoformat(),
        "closes_at": sitting.closes_at.isoformat(),
        "grace_seconds": sitting.grace_seconds,
    }
    sitting.name, sitting.opens_at, sitting.closes_at = name, opens_at, closes_at
    sitting.grace_seconds, sitting.place = grace_seconds, place
    sitting.focus_loss_limit = limit
    after = {
        "focus_loss_limit": limit,
        "place": place,
        "name": sitting.name,
        "opens_at": opens_at.isoformat(),
        "closes_at": closes_at.isoformat(),
        "grace_seconds": grace_seconds,
    }
    changes.update({k: [before[k], after[k]] for k in after if before[k] != after[k]})
    audit.record(admin, "sitting.edited", sitting, **changes)
    db.session.commit()
    return sitting


def _blueprint_change(sitting: Sitting, blueprint_id: int | None) -> dict:
    if blueprint_id is None or blueprint_id == sitting.blueprint_id:
        return {}
    if has_papers(sitting):
        raise Conflict(
            _("papers are drawn from the present blueprint: it can no longer be changed"),
            code="papers_drawn",
        )
    blueprint = db.session.get(Blueprint, blueprint_id)
    if blueprint is None:
        raise NotFound(_("no such blueprint"))
    from examsvc.services.exams import _refuse_infeasible

    _refuse_infeasible(blueprint)
    previous, previous_blueprint = sitting.blueprint_id, sitting.blueprint
    sitting.blueprint = blueprint
    unsuited = _unsuited(sitting)
    if unsuited:
        sitting.blueprint = previous_blueprint
        raise Conflict(
            _("%(n)s enrolled candidates may not sit the exam of this blueprint: %(people)s. "
              "Remove them from the sitting first, or choose another blueprint.",
              n=len(unsuited), people=_("; ").join(unsuited[:SHOWN]) + (
                  _(" and %(more)s more", more=len(unsuited) - SHOWN)
                  if len(unsuited) > SHOWN else "")),
            code="enrolled_not_eligible",
        )  # fmt: skip
    return {"blueprint": [previous, blueprint.id]}


#: People named in the refusal of a blueprint change (the rest are counted).
SHOWN = 10


def _unsuited(sitting: Sitting) -> list[str]:
    """ "Name (reasons)" for each enrolled person who may not sit the sitting's (new) exam.

    Only the rules of the exam are asked (already passed, the level held): the registration
    status is the same whatever the blueprint, and was checked when the person was enrolled.
    """
    people = db.session.scalars(
        db.select(User)
        .join(Enrolment, Enrolment.user_id == User.id)
        .where(Enrolment.sitting_id == sitting.id)
        .order_by(Enrolment.admission_no)
    ).all()
    refused = refusals_for(sitting, {person.id: "active" for person in people})
    return [
        _("%(who)s (%(reasons)s)", who=person.name or person.login,
          reasons=reason_text(refused[person.id]))
        for person in people if person.id in refused
    ]  # fmt: skip
