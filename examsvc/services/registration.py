"""个人报名: a person registers with a profile, consent and documents; staff review it.

The account starts ``pending`` (待审核) and can log in to see and finish its registration;
it becomes ``active`` — and so can be enrolled in a sitting — only when an org admin of the
person's organisation (or an admin) approves it. A returned registration carries a reason;
the person fixes the profile or the documents and submits again.

The ID number is checked (GB 11643), kept encrypted with a keyed hash for uniqueness
(services/identity.py) and never written to the audit log. The separate consent of PIPL
art. 29 is recorded with its time and the version of the text the person agreed to.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError
from werkzeug.security import generate_password_hash

from examsvc.extensions import db
from examsvc.i18n import today_local, translate
from examsvc.models import (
    CATEGORIES,
    Organisation,
    Registration,
    RegistrationDocument,
    RegistrationState,
    Role,
    User,
    UserRole,
    utcnow,
)
from examsvc.services import accounts, audit, identity, photos, scope
from examsvc.services import registration_files as files
from examsvc.services.errors import BadInput, Conflict, Forbidden, NotFound
from question_bank import documents

#: The version of the consent text (templates/registration/_consent.html) people agree to;
#: change it whenever that text changes, so each record names the text it was given for.
CONSENT_VERSION = "2026-12-v1"
MAX_REASON = 1000


#: The key of ``ProfileProblems.fields`` for a problem of the whole form, not of one field.
FORM = ""


class ProfileProblems(BadInput):
    """Bad profile fields: ``fields`` maps a field name (or FORM) to what is wrong with it."""

    def __init__(self, problems: dict[str, str]):
        super().__init__(next(iter(problems.values())), problems=list(problems.values()))
        self.fields = problems


@dataclass
class Profile:
    """What the person enters about themselves (the form's fields, as typed)."""

    name: str
    id_number: str
    gender: str
    mobile: str
    email: str
    is_party_member: bool
    party_joined_on: date | None
    post: str
    category: str
    organisation_id: int | None


# --- registering and editing ----------------------------------------------------------------


def register(profile: Profile, password: str, consent: bool) -> User:
    """Create a pending candidate account and its draft registration (profile and consent)."""
    if not consent:
        raise BadInput(
            _("Registration needs your separate consent to the processing of your ID number."),
            code="consent_required",
        )
    user = User(name="", password_hash="", status="pending")
    user.role_rows = [UserRole(role=str(Role.CANDIDATE))]
    checked = _apply_profile(user, profile)
    accounts.check_password_rules(password, user.login, user.name)
    user.password_hash = generate_password_hash(
        password, method=current_app.config["PASSWORD_HASH_METHOD"]
    )
    db.session.add(user)
    registration = Registration(
        user=user, state="draft", consent_at=utcnow(), consent_version=CONSENT_VERSION
    )
    db.session.add(registration)
    _flush_unique()
    identity.assign_id_number(user, checked)
    audit.record(user, "registration.created", registration, consent_version=CONSENT_VERSION)
    _commit()
    return user


def update_profile(user: User, profile: Profile) -> None:
    """Change the profile of a registration that is not yet submitted, or was returned."""
    registration = _editable(user)
    if not profile.id_number.strip() and user.id_number_enc:  # left empty: keep the number
        profile.id_number = identity.decrypt_id(user.id_number_enc)
    before = _snapshot(user)
    number = _apply_profile(user, profile)
    old_hash = user.id_number_hash
    identity.assign_id_number(user, number)
    changed = sorted(k for k, v in _snapshot(user).items() if before[k] != v)
    if user.id_number_hash != old_hash:
        changed.append("id_number")
    if changed:
        audit.record(user, "registration.profile_updated", registration, fields=changed)
    _commit()


_PROFILE_COLUMNS = (
    "name", "gender", "mobile", "email", "is_party_member", "party_joined_on", "post",
    "category", "organisation_id",
)  # fmt: skip


def _snapshot(user: User) -> dict:
    return {n: getattr(user, n) for n in _PROFILE_COLUMNS}


def _apply_profile(user: User, profile: Profile) -> str:
    """Check the profile and set it on ``user``; returns the normalised ID number."""
    problems: dict[str, str] = {}

    def check(field: str, fn):
        try:
            return fn()
        except BadInput as exc:
            problems.setdefault(field, exc.message)
            return None

    name = profile.name.strip()
    if not name or len(name) > 100:
        problems["name"] = _("a name of 1 to 100 characters is required")
    number = check("id_number", lambda: identity.normalize_id(profile.id_number))
    if profile.gender not in ("M", "F"):
        problems["gender"] = _("Choose male or female.")
    elif number and documents.gender_of_id(number) != profile.gender:
        problems["gender"] = _("The gender does not match the ID number; check both.")
    mobile = check("mobile", lambda: _optional(profile.mobile, accounts.normalize_mobile))
    email = check("email", lambda: _optional(profile.email, accounts.normalize_email))
    if not (profile.mobile.strip() or profile.email.strip()):
        problems["mobile"] = _("Give a mobile number or an e-mail address: you log in with it.")
    joined = profile.party_joined_on if profile.is_party_member else None
    if joined is not None and joined > today_local():
        problems["party_joined_on"] = _("The date of joining the Party is in the future.")
    if profile.category not in CATEGORIES:
        problems["category"] = _("Choose a category from the list.")
    org = db.session.get(Organisation, profile.organisation_id or 0)
    if org is None or org.is_closed:
        problems["organisation"] = _("Choose an organisation from the list.")
    _check_taken(user, number, mobile, email, problems)
    if problems:
        raise ProfileProblems(problems)
    user.name, user.gender, user.mobile, user.email = name, profile.gender, mobile, email
    user.is_party_member, user.party_joined_on = profile.is_party_member, joined
    user.post, user.category = profile.post.strip()[:100], profile.category
    user.organisation_id = org.id if org else None
    return number or ""


def _optional(value: str, normalise):
    return normalise(value) if value.strip() else None


def _check_taken(user: User, number, mobile, email, problems: dict[str, str]) -> None:
    others = db.select(User.id).where(User.id != (user.id or 0))
    digest = identity.id_lookup_hash(number) if number else None
    if digest and db.session.scalar(others.where(User.id_number_hash == digest)) is not None:
        # Said without naming the ID number: the public form must not tell who is registered.
        problems.setdefault(FORM, _("Registration with these details is not possible; contact "
                                    "your organisation."))  # fmt: skip
    if mobile and db.session.scalar(others.where(User.mobile == mobile)) is not None:
        problems.setdefault("mobile", _("An account with this mobile number exists."))
    if email and db.session.scalar(others.where(User.email == email)) is not None:
        problems.setdefault("email", _("an account with this e-mail address exists"))


def _flush_unique() -> None:
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise _taken() from None


def _commit() -> None:
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise _taken() from None


def _taken() -> Conflict:
    return Conflict(
        _("The ID number, mobile number or e-mail address is already registered."),
        code="already_registered",
    )


# --- documents ------------------------------------------------------------------------------


def of(user: User) -> Registration | None:
    """The person's own registration, or None (accounts made by rosters or admins have none)."""
    return db.session.scalar(db.select(Registration).where(Registration.user_id == user.id))


def _editable(user: User) -> Registration:
    registration = of(user)
    if registration is None:
        raise NotFound(_("You have no registration."))
    if not RegistrationState(registration.state).editable:
        raise Conflict(
            _("The registration has been submitted; it can be changed only if it is returned."),
            code="not_editable",
        )
    return registration


def by_kind(registration: Registration) -> dict[str, list[RegistrationDocument]]:
    """The documents of each kind (every kind present, maybe with an empty list)."""
    grouped: dict[str, list[RegistrationDocument]] = {k.code: [] for k in documents.KINDS}
    for document in registration.documents:
        grouped.setdefault(document.kind, []).append(document)
    return grouped


def add_documents(user: User, kind_code: str, uploads: list[bytes]) -> int:
    """Keep the files as documents of a kind; beyond its maximum the oldest are replaced.

    Every file is checked first (type from the content, size): one bad file keeps them all out.
    """
    registration = _editable(user)
    kind = documents.KIND_BY_CODE.get(kind_code)
    if kind is None:
        raise BadInput(_("Choose which document this is."), code="unknown_kind")
    uploads = [data for data in uploads if data]
    if not uploads:
        raise BadInput(_("Choose a file to upload."), code="no_file")
    if len(uploads) > kind.maximum:
        raise BadInput(
            _("At most %(n)d files of this kind.", n=kind.maximum), code="too_many_files"
        )
    limit = int(current_app.config["UPLOAD_MAX_BYTES"])
    for number, data in enumerate(uploads, 1):
        problem = documents.file_problem(data, kind, limit) or photos.problem(data, kind.code)
        if problem is not None:
            raise BadInput(
                _("File %(n)d: %(problem)s.", n=number, problem=translate(problem)),
                code=problem.code,
            )
    existing = by_kind(registration)[kind.code]
    surplus = max(len(existing) + len(uploads) - kind.maximum, 0)
    replaced = [d.stored_name for d in existing[:surplus] if d.stored_name]
    for old in existing[:surplus]:
        registration.documents.remove(old)
    written: list[str] = []
    try:
        for data in uploads:
            document = RegistrationDocument(kind=kind.code, content_type=documents.sniff(data))
            files.keep(document, data)
            if document.stored_name:
                written.append(document.stored_name)
            registration.documents.append(document)
        audit.record(
            user, "registration.documents_added", registration, kind=kind.code,
            count=len(uploads), replaced=surplus,
        )  # fmt: skip
        db.session.commit()
    except BaseException:
        db.session.rollback()
        files.forget(written)  # no row names them: they would stay in the folder for ever
        raise
    files.forget(replaced)  # the file of a replaced document, once the change is committed
    return len(uploads)


def remove_document(user: User, document_id: int) -> None:
    """Remove one of the person's own documents while the registration may be changed."""
    registration = _editable(user)
    document = next((d for d in registration.documents if d.id == document_id), None)
    if document is None:
        raise NotFound(_("No such document."))
    stored = [document.stored_name] if document.stored_name else []
    registration.documents.remove(document)
    audit.record(user, "registration.document_removed", registration, kind=document.kind)
    db.session.commit()
    files.forget(stored)


def missing_kinds(registration: Registration) -> list[str]:
    counts = Counter(d.kind for d in registration.documents)
    return [kind.code for kind in documents.missing(counts)]


def submit(user: User) -> None:
    """Send the registration for review once every required document is there."""
    registration = _editable(user)
    missing = missing_kinds(registration)
    if missing:
        from examsvc.labels import DOCUMENT_LABELS

        names = _("、").join(str(DOCUMENT_LABELS[code]) for code in missing)
        raise BadInput(
            _("Upload these documents first: %(names)s.", names=names), code="documents_missing"
        )
    resubmitted = registration.state == RegistrationState.RETURNED
    registration.state = RegistrationState.SUBMITTED.value
    registration.submitted_at = utcnow()
    audit.record(user, "registration.submitted", registration, again=resubmitted)
    db.session.commit()


# --- review ---------------------------------------------------------------------------------


def queue(viewer: User, state: str, page: int, per_page: int = 50):
    """The registrations in ``state`` of the people ``viewer`` may see, oldest first."""
    query = (
        db.select(Registration)
        .join(User, User.id == Registration.user_id)
        .where(Registration.state == state, scope.org_condition(viewer, User.organisation_id))
        .order_by(Registration.submitted_at, Registration.id)
    )
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


def for_review(viewer: User, registration_id: int) -> Registration:
    """A registration of someone ``viewer`` may see; NotFound otherwise (another subtree)."""
    registration = db.session.get(Registration, registration_id)
    if registration is None or not scope.can_see_person(viewer, registration.user):
        raise NotFound(_("No such registration."))
    return registration


def _decidable(actor: User, registration: Registration) -> User:
    person = registration.user
    if person.id == actor.id:
        raise Forbidden(_("You cannot review your own registration."))
    if registration.state != RegistrationState.SUBMITTED:
        raise Conflict(
            _("Only a submitted registration can be approved or returned."), code="not_submitted"
        )
    return person


def _decide(actor: User, registration: Registration, state: str, reason: str | None) -> None:
    """Write the decision only if the registration is still submitted in the database: of two
    reviewers deciding at once, the second is told, never silently overwrites the first."""
    result = db.session.execute(
        db.update(Registration)
        .where(
            Registration.id == registration.id,
            Registration.state == RegistrationState.SUBMITTED.value,
        )
        .values(state=state, decided_at=utcnow(), decided_by_id=actor.id, return_reason=reason)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        db.session.rollback()
        raise Conflict(
            _("Someone else has just decided this registration; reload the page to see the "
              "decision."),
            code="already_decided",
        )  # fmt: skip
    db.session.refresh(registration)


def approve(actor: User, registration: Registration) -> None:
    """Approve: the account becomes active (正常) and may be enrolled in sittings."""
    person = _decidable(actor, registration)
    if person.status == "disabled":
        raise Conflict(_("The account is disabled."), code="disabled")
    _decide(actor, registration, RegistrationState.APPROVED.value, None)
    person.status = "active"
    audit.record(actor, "registration.approved", registration, user=person.id)
    db.session.commit()


def return_to_person(actor: User, registration: Registration, reason: str) -> None:
    """Send it back with a reason the person reads (any ID number in it masked)."""
    person = _decidable(actor, registration)
    reason = identity.mask_text((reason or "").strip())
    if not reason:
        raise BadInput(_("Give the reason for returning the registration."), code="no_reason")
    if len(reason) > MAX_REASON:
        raise BadInput(
            _("The reason is too long (at most %(n)d characters).", n=MAX_REASON),
            code="reason_too_long",
        )
    _decide(actor, registration, RegistrationState.RETURNED.value, reason)
    audit.record(actor, "registration.returned", registration, user=person.id, reason=reason)
    db.session.commit()


# --- reading documents ----------------------------------------------------------------------


def document_for(viewer: User, document_id: int) -> tuple[RegistrationDocument, bytes]:
    """A document and its bytes for its owner, their org admin or an admin; else NotFound."""
    document = db.session.get(RegistrationDocument, document_id)
    if document is None:
        raise NotFound(_("No such document."))
    person = document.registration.user
    if person.id != viewer.id and not scope.can_see_person(viewer, person):
        raise NotFound(_("No such document."))
    try:
        return document, files.read(document)
    except OSError:
        current_app.logger.error("registration document %s: stored file missing", document.id)
        raise NotFound(_("The file of this document is missing.")) from None


def photo(person: User) -> tuple[bytes, str] | None:
    """The person's latest photo (证件照) and its content type, for admission tickets."""
    document = db.session.scalar(
        db.select(RegistrationDocument)
        .join(Registration)
        .where(Registration.user_id == person.id, RegistrationDocument.kind == "photo")
        .order_by(RegistrationDocument.id.desc())
        .limit(1)
    )
    if document is None:
        return None
    try:
        return files.read(document), document.content_type
    except OSError:
        return None


def profile_of(user: User) -> Profile:
    """The person's current profile as the edit form shows it: the ID number left empty."""
    return Profile(
        name=user.name,
        id_number="",
        gender=user.gender or "",
        mobile=user.mobile or "",
        email=user.email or "",
        is_party_member=user.is_party_member,
        party_joined_on=user.party_joined_on,
        post=user.post or "",
        category=user.category or "",
        organisation_id=user.organisation_id,
    )
