"""职务变动: a change of a person's post, reported by their org admin or an admin (seed 001's
职务变动报告制度). The person's ``post`` becomes the new one; the 年检 reads whether they
were still in a party-affairs post at the end of the year inspected (``in_party_post``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from flask_babel import gettext as _

from examsvc.extensions import db
from examsvc.models import PostChange, Role, User
from examsvc.services import audit, levels, scope
from examsvc.services.errors import BadInput, NotFound

POST_MAX = 100
NOTE_MAX = 500
#: The founding of the Party: no post change is dated before.
PARTY_FOUNDED = date(1921, 7, 1)
#: A change may be reported ahead of time, but not further ahead than this.
AHEAD = timedelta(days=366)


def _person(actor: User, person_id: int) -> User:
    person = db.session.get(User, person_id)
    if (
        person is None
        or not actor.has_role(Role.ADMIN, Role.ORG_ADMIN)
        or not scope.can_see_person(actor, person)
    ):
        raise NotFound(_("no such person"), code="unknown_person")
    return person


def _text(value: str | None, limit: int, what: str) -> str:
    text = " ".join((value or "").split())
    if len(text) > limit:
        raise BadInput(_("%(what)s is longer than %(n)s characters", what=what, n=limit))
    return text


def record_change(
    actor: User,
    person_id: int,
    *,
    new_post: str,
    in_party_post: bool,
    effective_on: date,
    old_post: str | None = None,
    note: str = "",
    today: date | None = None,
) -> PostChange:
    """Record a change of post; ``old_post`` defaults to the post the person holds now."""
    person = _person(actor, person_id)
    today = today or levels.today_local()
    new = _text(new_post, POST_MAX, _("The new post"))
    if not new:
        raise BadInput(_("give the new post"), code="post_required")
    old = _text(person.post if old_post is None else old_post, POST_MAX, _("The previous post"))
    if not PARTY_FOUNDED <= effective_on <= today + AHEAD:
        raise BadInput(
            _("the date the change takes effect must lie between %(first)s and %(last)s",
              first=PARTY_FOUNDED.isoformat(), last=(today + AHEAD).isoformat()),
            code="bad_date",
        )  # fmt: skip
    text = _text(note, NOTE_MAX, _("The note"))
    change = PostChange(
        user_id=person.id, old_post=old, new_post=new, in_party_post=bool(in_party_post),
        effective_on=effective_on, note=text, reported_by_id=actor.id,
    )  # fmt: skip
    db.session.add(change)
    previous = person.post
    person.post = new
    audit.record(
        actor, "user.post_changed", change, user=person.id, old_post=old, new_post=new,
        in_party_post=bool(in_party_post), effective_on=effective_on.isoformat(), note=text,
        post={"before": previous, "after": new},
    )  # fmt: skip
    db.session.commit()
    return change


def history(person: User) -> list[PostChange]:
    """The person's changes of post, the latest effective first."""
    return list(
        db.session.scalars(
            db.select(PostChange)
            .where(PostChange.user_id == person.id)
            .order_by(PostChange.effective_on.desc(), PostChange.id.desc())
        )
    )


def in_party_post(user_ids: Sequence[int], on: date) -> dict[int, bool]:
    """Whether each person was in a party-affairs post on ``on``: their latest change
    effective by then says so; a person with none is in post."""
    found = {i: True for i in user_ids}
    ids = sorted(set(user_ids))
    for start in range(0, len(ids), levels.CHUNK):
        rows = db.session.execute(
            db.select(PostChange.user_id, PostChange.in_party_post)
            .where(
                PostChange.user_id.in_(ids[start : start + levels.CHUNK]),
                PostChange.effective_on <= on,
            )
            .order_by(PostChange.user_id, PostChange.effective_on, PostChange.id)
        )
        for user_id, in_post in rows:
            found[user_id] = bool(in_post)  # the latest row of each person comes last
    return found
