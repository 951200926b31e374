"""Admission tickets (准考证): what a ticket shows, whose tickets a viewer may print, and the
rooms and seats of a sitting (the rule itself is ``question_bank.seating``)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select

from examsvc.extensions import db
from examsvc.i18n import format_local, to_local, translate
from examsvc.labels import GENDER_LABELS
from examsvc.models import (
    AuditEntry,
    Enrolment,
    Registration,
    RegistrationDocument,
    Role,
    Sitting,
    User,
)
from examsvc.services import audit, registration, scope
from examsvc.services.errors import BadInput, Conflict, NotFound
from examsvc.services.identity import masked_id_of
from question_bank import seating

#: 考生须知, printed on every ticket.
RULES = (
    _l(
        "Bring this admission ticket and your own resident ID card; without both you will "
        "not be admitted."
    ),
    _l(
        "Arrive at the exam room 30 minutes before the start, take the seat of your ticket "
        "and put the ticket and ID card on the desk for checking."
    ),
    _l("Latecomers are not admitted once the exam has been under way for 15 minutes."),
    _l(
        "Mobile phones, smart watches and other communication devices, books and notes are "
        "not allowed at the desk: switch them off and hand them to the invigilators."
    ),
    _l(
        "Answer on the computer the invigilators assign you; do not switch windows or open "
        "other programs: leaving the exam page is recorded."
    ),
    _l(
        "If the computer fails, raise your hand and wait for an invigilator; your saved "
        "answers are not lost."
    ),
    _l(
        "The exam is handed in automatically when the time is up. Follow the invigilators' "
        "instructions; cheating is dealt with under the exam rules."
    ),
    _l("Keep this ticket: it is needed to look up results and to collect certificates."),
)


@dataclass(frozen=True)
class Ticket:
    """One admission ticket, every text ready to print (the ID number masked)."""

    enrolment_id: int
    admission_no: str
    name: str
    masked_id: str
    gender: str
    organisation: str
    sitting: str
    time: str
    duration: str
    place: str
    room: str  #: "" when the sitting has no rooms
    seat: str
    photo: tuple[bytes, str] | None = None
    #: The photo's (document id, sha256): PDFs read its page-size copy one page at a time
    #: (services/photos.py) instead of carrying the original.
    photo_ref: tuple[int, str] | None = None

    def texts(self) -> list[str]:
        """Every text the ticket prints (to choose the PDF font)."""
        fields = ("admission_no", "name", "masked_id", "gender", "organisation", "sitting",
                  "time", "duration", "place", "room", "seat")  # fmt: skip
        return [getattr(self, name) for name in fields]


def _photo(person: User) -> tuple[bytes, str] | None:
    """The person's registration photo (bytes, content type), None without one."""
    return registration.photo(person) or None


def exam_time(sitting: Sitting) -> str:
    """ "2026-12-05 09:00 to 11:00" in the display time zone (the end's date when it differs)."""
    start, end = to_local(sitting.opens_at), to_local(sitting.closes_at)
    same_day = start.date() == end.date()
    end_text = format_local(sitting.closes_at, "%H:%M" if same_day else "%Y-%m-%d %H:%M")
    return _("%(start)s to %(end)s", start=format_local(sitting.opens_at), end=end_text)


def photo_refs(user_ids: list[int]) -> dict[int, tuple[int, str]]:
    """Each person's latest photo as (document id, sha256), for many people in one query."""
    if not user_ids:
        return {}
    rows = db.session.execute(
        db.select(Registration.user_id, RegistrationDocument.id, RegistrationDocument.sha256)
        .join(Registration, Registration.id == RegistrationDocument.registration_id)
        .where(Registration.user_id.in_(user_ids), RegistrationDocument.kind == "photo")
        .order_by(RegistrationDocument.id)
    )
    return {user_id: (document_id, sha) for user_id, document_id, sha in rows}


def ticket(
    enrolment: Enrolment,
    with_photo: bool = True,
    photo_ref: tuple[int, str] | None = None,
) -> Ticket:
    """The enrolment's ticket; ``with_photo``: with the photo's bytes (for the web page),
    else only ``photo_ref`` (for PDFs)."""
    person, sitting = enrolment.user, enrolment.sitting
    gender = GENDER_LABELS.get(person.gender or "")
    return Ticket(
        enrolment_id=enrolment.id,
        admission_no=enrolment.admission_no,
        name=person.name,
        masked_id=masked_id_of(person) or "—",
        gender=str(gender) if gender else "—",
        organisation=person.organisation.name if person.organisation else "—",
        sitting=sitting.name,
        time=exam_time(sitting),
        duration=_("%(n)s minutes", n=sitting.blueprint.duration_minutes),
        place=sitting.place or _("To be announced"),
        room=enrolment.room or "",
        seat=f"{enrolment.seat:02d}" if enrolment.seat else "",
        photo=_photo(person) if with_photo else None,
        photo_ref=photo_ref,
    )


def own_enrolment(user: User, sitting_id: int) -> Enrolment:
    """The user's own enrolment in the sitting; NotFound for anyone not enrolled."""
    enrolment = db.session.scalar(
        db.select(Enrolment).where(Enrolment.sitting_id == sitting_id, Enrolment.user_id == user.id)
    )
    if enrolment is None:
        raise NotFound(_("no such sitting"))
    return enrolment


def scoped_enrolments(viewer: User, sitting: Sitting) -> Select:
    """The sitting's enrolments ``viewer`` may print, in admission-number order: all for
    admins, those of the org admin's subtree for org admins, none for anyone else."""
    return (
        db.select(Enrolment)
        .join(User, User.id == Enrolment.user_id)
        .where(Enrolment.sitting_id == sitting.id)
        .where(scope.org_condition(viewer, User.organisation_id))
        .order_by(Enrolment.admission_no, Enrolment.id)
    )


def tickets_for(viewer: User, sitting: Sitting, batch: int = 500) -> Iterator[Ticket]:
    """The tickets ``viewer`` may print for the sitting, read in batches: one query for the
    photos of each batch, and none of the photos' bytes (the PDF reads them page by page)."""
    query = scoped_enrolments(viewer, sitting).execution_options(yield_per=batch)
    for rows in db.session.scalars(query).partitions():
        refs = photo_refs([row.user_id for row in rows])
        for enrolment in rows:
            yield ticket(enrolment, with_photo=False, photo_ref=refs.get(enrolment.user_id))


def sitting_for(viewer: User, sitting_id: int) -> Sitting:
    """The sitting when ``viewer`` is an admin or has people in it; else NotFound (404)."""
    sitting = db.session.get(Sitting, sitting_id)
    if sitting is None:
        raise NotFound(_("no such sitting"))
    if viewer.has_role(Role.ADMIN):
        return sitting
    first = db.session.scalar(scoped_enrolments(viewer, sitting).with_only_columns(Enrolment.id))
    if first is None:
        raise NotFound(_("no such sitting"))
    return sitting


# --- rooms and seats -----------------------------------------------------------------------


@dataclass(frozen=True)
class Seating:
    """How a sitting is seated: people with and without a seat, and the rooms."""

    seated: int
    unseated: int
    rooms: list[str]


def seating_of(sitting: Sitting) -> Seating:
    rows = db.session.execute(
        db.select(Enrolment.room, db.func.count())
        .where(Enrolment.sitting_id == sitting.id)
        .group_by(Enrolment.room)
        .order_by(Enrolment.room)
    ).all()
    rooms = [room for room, _ in rows if room]
    seated = sum(n for room, n in rows if room)
    unseated = sum(n for room, n in rows if not room)
    return Seating(seated=seated, unseated=unseated, rooms=rooms)


def last_rule(sitting: Sitting) -> dict:
    """The room size and names the sitting was last seated with ({} if never): the form
    offers them again, so seating late enrolments keeps the rooms as they were."""
    details = db.session.scalar(
        db.select(AuditEntry.details)
        .where(
            AuditEntry.action == "sitting.seats_assigned",
            AuditEntry.subject_type == "sitting",
            AuditEntry.subject_id == sitting.id,
        )
        .order_by(AuditEntry.id.desc())
        .limit(1)
    )
    return {k: details[k] for k in ("room_size", "pattern") if details and k in details}


def arrange(
    admin: User, sitting_id: int, *, place: str, room_size: int, pattern: str, keep: bool
) -> Seating:
    """Set the sitting's place and give every candidate a room and seat, in admission-number
    order (``keep``: people already seated stay where they are, newcomers fill free seats)."""
    sitting = db.session.get(Sitting, sitting_id)
    if sitting is None:
        raise NotFound(_("no such sitting"))
    if sitting.results_published_at is not None:
        raise Conflict(_("the results are published: the seating can no longer change"))
    place = (place or "").strip()
    if len(place) > 200:
        raise BadInput(_("The place is too long (at most 200 characters)."))
    enrolments = list(db.session.scalars(
        db.select(Enrolment).where(Enrolment.sitting_id == sitting.id)
        .order_by(Enrolment.admission_no, Enrolment.id)
    ))  # fmt: skip
    kept = {e.id: (e.room, e.seat) for e in enrolments if keep and e.room and e.seat}
    try:
        seats = seating.assign([e.id for e in enrolments], room_size, pattern, kept)
    except seating.SeatingError as exc:
        raise BadInput(translate(exc.message), code=exc.message.code) from None
    changed = 0
    for enrolment in enrolments:
        room, seat = seats[enrolment.id]
        if (enrolment.room, enrolment.seat) != (room, seat):
            enrolment.room, enrolment.seat = room, seat
            changed += 1
    previous_place, sitting.place = sitting.place, place
    audit.record(
        admin,
        "sitting.seats_assigned",
        sitting,
        place=place,
        previous=previous_place,
        room_size=room_size,
        pattern=seating.check(room_size, pattern),
        rooms=len(seating.rooms_used(seats)),
        count=len(enrolments),
        changed=changed,
        kept=len(kept),
    )
    db.session.commit()
    return seating_of(sitting)
