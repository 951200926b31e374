"""Resits (补考): a sitting flagged as the resit of another, for those who failed it."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import datetime

from flask_babel import gettext as _

from examsvc.extensions import db
from examsvc.models import Attempt, AttemptStatus, Enrolment, Sitting, User, utcnow
from examsvc.models.results import resit_depth
from examsvc.services import audit, enrolment, exams
from examsvc.services.errors import BadInput, Conflict, NotFound
from examsvc.services.roster.writes import check_enrollable, enrol_many


def chain(sitting: Sitting) -> list[Sitting]:
    """The sitting and those it is a resit of, the original first."""
    found = [sitting]
    while found[-1].resit_of_id is not None and len(found) < 20:
        found.append(db.session.get(Sitting, found[-1].resit_of_id))
    return found[::-1]


def depth(sitting: Sitting) -> int:
    """1 for an original sitting, 2 for its first resit…"""
    return resit_depth(db.session.connection(), sitting.id)


def resit_ids(sitting: Sitting) -> list[int]:
    """Every resit of the sitting's original, at any depth (resits of resits)."""
    found: list[int] = []
    frontier = [chain(sitting)[0].id]
    while frontier and len(found) < 200:
        frontier = list(
            db.session.scalars(db.select(Sitting.id).where(Sitting.resit_of_id.in_(frontier)))
        )
        found += frontier
    return found


def resits_taken(sitting: Sitting, user_ids: Sequence[int]) -> dict[int, int]:
    """For each of these people, how many other resits of the same original sitting they sat
    or are enrolled in (one not closed yet): the blueprint's allowance counts over them all,
    whichever sitting each resit follows. People with none are left out."""
    others = [i for i in resit_ids(sitting) if i != sitting.id]
    ids = sorted(set(user_ids))
    if not others or not ids:
        return {}
    now = utcnow()
    taken: dict[int, int] = {}
    for start in range(0, len(ids), enrolment.CHUNK):
        taken.update(
            db.session.execute(
                db.select(Enrolment.user_id, db.func.count(Enrolment.id.distinct()))
                .join(Sitting, Sitting.id == Enrolment.sitting_id)
                .outerjoin(Attempt, Attempt.enrolment_id == Enrolment.id)
                .where(Enrolment.sitting_id.in_(others),
                       Enrolment.user_id.in_(ids[start : start + enrolment.CHUNK]),
                       db.or_(Attempt.id.is_not(None), Sitting.closes_at > now))
                .group_by(Enrolment.user_id)
            ).all()
        )  # fmt: skip
    return taken


def failed_user_ids(sitting_id: int) -> set[int]:
    """People whose handed-in attempt at the sitting failed, once its results are published."""
    return set(
        db.session.scalars(
            db.select(Enrolment.user_id)
            .join(Attempt, Attempt.enrolment_id == Enrolment.id)
            .join(Sitting, Sitting.id == Enrolment.sitting_id)
            .where(Enrolment.sitting_id == sitting_id,
                   Sitting.results_published_at.is_not(None),
                   Attempt.status == AttemptStatus.SUBMITTED.value,
                   Attempt.is_passed.is_(False))
        )
    )  # fmt: skip


def create_resit(
    admin: User, sitting_id: int, name: str, opens_at: datetime, closes_at: datetime
) -> Sitting:
    """Schedule the resit of a published sitting, with the same blueprint: one resit per
    sitting (the next one follows that resit), as many in the chain as the blueprint allows."""
    # The row lock: two admins scheduling a resit of the same sitting at once make one.
    original = db.session.scalar(
        db.select(Sitting).where(Sitting.id == sitting_id).with_for_update(of=Sitting)
    )
    if original is None:
        raise NotFound(_("no such sitting"))
    if original.results_published_at is None:
        raise Conflict(_("publish the results first"), code="not_published")
    blueprint = original.blueprint
    used = depth(original) - 1
    if used >= blueprint.resits_allowed:
        raise Conflict(
            _("No further resit: the blueprint allows %(n)s and %(name)s is resit %(k)s.",
              n=blueprint.resits_allowed, name=original.name, k=used)
            if used
            else _("The blueprint allows %(n)s resits.", n=blueprint.resits_allowed),
            code="no_more_resits",
        )  # fmt: skip
    existing = resits_of(original)
    if existing:
        raise Conflict(
            _("%(sitting)s already has a resit, %(resit)s: a sitting gets one resit (a further "
              "one, where the blueprint allows it, follows %(resit)s).",
              sitting=original.name, resit=existing[0].name),
            code="resit_exists",
        )  # fmt: skip
    if closes_at <= opens_at:
        raise BadInput(_("the sitting must close after it opens"), code="invalid_window")
    shortfalls = exams.feasibility(blueprint)
    if shortfalls:
        raise Conflict(_("The approved bank cannot fill this blueprint:") + " "
                       + _("; ").join(shortfalls), code="infeasible")  # fmt: skip
    resit = Sitting(
        name=name.strip(), blueprint=blueprint, opens_at=opens_at, closes_at=closes_at,
        seed=secrets.randbits(62), created_by_id=admin.id, resit_of_id=original.id,
    )  # fmt: skip
    db.session.add(resit)
    audit.record(
        admin, "sitting.resit_created", resit, name=resit.name, blueprint=blueprint.id,
        sitting=original.id, seed=resit.seed,
    )  # fmt: skip
    db.session.commit()
    return resit


def resits_of(sitting: Sitting) -> list[Sitting]:
    return list(
        db.session.scalars(
            db.select(Sitting).where(Sitting.resit_of_id == sitting.id).order_by(Sitting.id)
        )
    )


def enrol_failed(admin: User, resit_id: int) -> tuple[int, int]:
    """Enrol everyone who failed the sitting this one is a resit of and may sit it;
    returns (enrolled, refused)."""
    resit = db.session.get(Sitting, resit_id)
    if resit is None or resit.resit_of_id is None:
        raise NotFound(_("no such resit sitting"))
    check_enrollable(resit)  # not closed, results not published
    failed = failed_user_ids(resit.resit_of_id)
    statuses = dict(
        db.session.execute(db.select(User.id, User.status).where(User.id.in_(failed))).all()
    )
    refused = enrolment.refusals_for(resit, statuses)
    count = enrol_many(admin, resit, [u for u in statuses if u not in refused])
    audit.record(admin, "sitting.resit_enrolled", resit, enrolled=count, refused=len(refused))
    db.session.commit()
    return count, len(refused)


def counted_attempt(user_id: int, sitting: Sitting) -> Attempt | None:
    """The attempt that counts for the person across the sitting and those it resits:
    the latest, or the better (the later on a tie), as the blueprint says."""
    ids = [s.id for s in chain(sitting)]
    done = list(
        db.session.scalars(
            db.select(Attempt).join(Enrolment)
            .where(Enrolment.user_id == user_id, Enrolment.sitting_id.in_(ids),
                   Attempt.status == AttemptStatus.SUBMITTED.value)
            .order_by(Attempt.number, Attempt.id)
        )
    )  # fmt: skip
    if not done:
        return None
    if sitting.blueprint.resit_counts == "better":
        return max(reversed(done), key=lambda a: a.score or 0)
    return done[-1]
