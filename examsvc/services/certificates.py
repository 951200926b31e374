"""Certificates: numbers, states, revocation and reissue, the public view and the PDF token.

States (DOMAIN.md "Certificates"): the stored ``status`` is ``valid``, ``suspended`` or
``revoked``. ``expired`` is never stored: it is computed when read, from ``valid_until``
and the local date, so it is right on the day without a sweep having run (and a later
reinstatement or correction of ``valid_until`` needs no un-expiring). A revoked certificate
stays revoked after its validity ends; a suspended one past its date reads as expired.

Numbers: question_bank/certificate_numbers.py, with a random serial (the system's secure
random source) tried again when the kind and year already have it, so nobody can list
certificates by counting. Numbers issued earlier keep their form and stay valid.

The PDF's QR code points at ``/verify/{number}?t=TOKEN``: ``TOKEN`` is an HMAC of the number
under a key derived from the application's secret key; the verify page compares it in
constant time and says whether the PDF is genuine.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from datetime import date, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from examsvc.extensions import db
from examsvc.i18n import today_local
from examsvc.models import (
    Attempt,
    Certificate,
    CertificateStatus,
    Enrolment,
    ExamKind,
    Role,
    Sitting,
    User,
    utcnow,
)
from examsvc.services import audit, scope
from examsvc.services.errors import BadInput, Conflict, NotFound
from question_bank import certificate_numbers

#: Tries for a free random serial before giving up (1 in 10⁸ per try is taken at 1M issued).
SERIAL_TRIES = 20
REASON_MAX = 500


# --- numbers and issue ---------------------------------------------------------------------


def _serial_taken(kind: str, year: int, serial: int) -> bool:
    return (
        db.session.scalar(
            db.select(Certificate.id).where(
                Certificate.kind == kind, Certificate.year == year, Certificate.serial == serial
            )
        )
        is not None
    )


def create(
    user: User,
    kind: ExamKind | str,
    level: int,
    today: date,
    *,
    attempt_id: int | None = None,
    valid_until: date | None = None,
    replaces: Certificate | None = None,
) -> Certificate:
    """A new valid certificate with a random serial, flushed (not committed, not audited).

    A serial the kind and year already hold is drawn again; one taken by a concurrent
    transaction between the check and the insert fails the insert inside a savepoint and is
    drawn again too."""
    kind = ExamKind(kind).value
    org = str(current_app.config["CERTIFICATE_ORG_CODE"])
    if valid_until is None:
        years = current_app.config["CERTIFICATE_VALID_YEARS"]
        valid_until = _years_later(today, years) - timedelta(days=1)
    for _try in range(SERIAL_TRIES):
        serial = certificate_numbers.random_serial()
        if _serial_taken(kind, today.year, serial):
            continue
        cert = Certificate(
            number=certificate_numbers.make(kind, level, org, today.year, serial),
            kind=kind,
            level=level,
            year=today.year,
            serial=serial,
            user=user,
            attempt_id=attempt_id,
            status=CertificateStatus.VALID.value,
            issued_on=today,
            valid_until=valid_until,
            replaces_id=replaces.id if replaces is not None else None,
        )
        try:
            with db.session.begin_nested():
                db.session.add(cert)
                db.session.flush()
        except IntegrityError:
            continue
        return cert
    raise Conflict(
        _("no free certificate number was found; try again"), code="busy"
    )  # pragma: no cover - needs 10⁸ certificates of one kind in a year


def _years_later(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


@dataclass
class IssueReport:
    issued: list[str]
    refused: list[dict]

    def as_json(self) -> dict:
        return {"issued": self.issued, "refused": self.refused}


def issue_for_sitting(
    admin: User | None, sitting_id: int, today: date | None = None
) -> IssueReport:
    """Issue the sitting's certificates (services/results refuses while the notice or a
    dispute is open). ``refused``: who passed but gets none, with the reason in Chinese."""
    from examsvc.services.results import issue_certificates_detailed

    issued, refused = issue_certificates_detailed(admin, sitting_id, today=today)
    return IssueReport(
        [c.number for c in issued],
        [{"candidate": name, "reason": reason} for name, reason in refused],
    )


# --- status --------------------------------------------------------------------------------


def effective_status(cert: Certificate, today: date | None = None) -> str:
    """The status as shown: ``expired`` once past ``valid_until`` unless revoked."""
    today = today or today_local()
    if cert.status != CertificateStatus.REVOKED and today > cert.valid_until:
        return CertificateStatus.EXPIRED.value
    return cert.status


def get(number: str) -> Certificate:
    cert = db.session.scalar(
        db.select(Certificate).where(Certificate.number == certificate_numbers.normalise(number))
    )
    if cert is None:
        raise NotFound(_("no certificate with this number"), code="unknown_certificate")
    return cert


def _reason(reason: str | None) -> str:
    text = " ".join((reason or "").split())
    if not text:
        raise BadInput(_("give the reason"), code="reason_required")
    if len(text) > REASON_MAX:
        raise BadInput(_("the reason is longer than %(n)s characters", n=REASON_MAX))
    return text


def _set_status(admin: User | None, cert: Certificate, status: str, reason: str, action: str):
    previous = cert.status
    cert.status = status
    cert.status_reason = reason
    cert.status_changed_at = utcnow()
    audit.record(admin, action, cert, number=cert.number, previous=previous, reason=reason)


def _change_level_status(
    admin: User | None, cert: Certificate, status: str, reason: str, action: str
) -> None:
    """Change the status; a level certificate's holder's level history follows
    (services/levels: suspended, reinstated, revoked)."""
    from examsvc.services import levels

    held = levels.standing(cert.user) if cert.kind == ExamKind.LEVEL else None
    _set_status(admin, cert, status, reason, action)
    if held is not None:
        levels.on_certificate_status(admin, cert, held, reason)


def replace_on_promotion(admin: User | None, old: Certificate, new: Certificate) -> None:
    """Revoke a level certificate a promotion replaced (晋级换发), within the caller's
    transaction: the record stays, its reason names the new number."""
    why = _("replaced by %(n)s on promotion", n=new.number)
    _set_status(admin, old, CertificateStatus.REVOKED.value, why, "certificate.revoked")


#: The stored status each change leads to, and its audit action.
_CHANGES = {
    "revoke": (CertificateStatus.REVOKED.value, "certificate.revoked"),
    "suspend": (CertificateStatus.SUSPENDED.value, "certificate.suspended"),
    "reinstate": (CertificateStatus.VALID.value, "certificate.reinstated"),
}


def change_status(
    admin: User | None, cert: Certificate, change: str, reason: str, *, level_history: bool = True
) -> bool:
    """Revoke, suspend or reinstate ``cert`` inside the caller's transaction (audited, not
    committed): False when it already has that status. Only a valid certificate is
    suspended and only a suspended one reinstated (Conflict otherwise). A level
    certificate's holder gets a line of level history, unless the caller writes those
    itself in bulk (``level_history=False``: the 年检's closing)."""
    text = _reason(reason)
    status, action = _CHANGES[change]
    if not check_change(change, cert.status):
        return False
    if level_history:
        _change_level_status(admin, cert, status, text, action)
    else:
        _set_status(admin, cert, status, text, action)
    return True


def check_change(change: str, current: str) -> bool:
    """Whether ``change`` changes a certificate of status ``current`` (False: it has that
    status already); Conflict when the change is not allowed from ``current``."""
    if current == _CHANGES[change][0]:
        return False
    if change == "suspend" and current != CertificateStatus.VALID:
        raise Conflict(_("only a valid certificate can be suspended"), code="not_valid")
    if change == "reinstate" and current != CertificateStatus.SUSPENDED:
        raise Conflict(_("a revoked certificate cannot be reinstated"), code="revoked")
    return True


def revoke(admin: User | None, number: str, reason: str) -> tuple[Certificate, bool]:
    """Revoke a certificate (the record stays, with the reason). Revoking a revoked one
    changes nothing: ``(cert, False)``."""
    return _change(admin, number, "revoke", reason)


def suspend(admin: User | None, number: str, reason: str) -> tuple[Certificate, bool]:
    """Suspend a valid certificate (a failed 年检); a suspended one is left as it is."""
    return _change(admin, number, "suspend", reason)


def reinstate(admin: User | None, number: str, reason: str) -> tuple[Certificate, bool]:
    """A suspended certificate valid again (the next 年检 passed); a valid one is left."""
    return _change(admin, number, "reinstate", reason)


def _change(admin: User | None, number: str, change: str, reason: str):
    _reason(reason)  # a missing reason is named before an unknown number
    cert = get(number)
    changed = change_status(admin, cert, change, reason)
    if changed:
        db.session.commit()
    return cert, changed


def reissue(admin: User | None, number: str, reason: str, today: date | None = None) -> Certificate:
    """Replace a valid certificate (lost, damaged, a corrected name) with a new number and
    the same validity; the old one is revoked with the reason and points to nothing new,
    the new one names the old in ``replaces_id``. A suspended, revoked or expired
    certificate is not reissued."""
    text = _reason(reason)
    today = today or today_local()
    old = db.session.scalar(
        db.select(Certificate)
        .where(Certificate.id == get(number).id)
        .with_for_update(of=Certificate)
    )
    status = effective_status(old, today)
    if status != CertificateStatus.VALID:
        message = _("only a valid certificate can be reissued; this one is %(s)s",
                    s=status_label(status))  # fmt: skip
        raise Conflict(message, code="not_valid")
    attempt_id, old.attempt_id = old.attempt_id, None  # the sitting's result shows the new one
    db.session.flush()
    new = create(
        old.user, old.kind, old.level, today, attempt_id=attempt_id,
        valid_until=old.valid_until, replaces=old,
    )  # fmt: skip
    why = _("replaced by %(n)s: %(r)s", n=new.number, r=text)
    _set_status(admin, old, CertificateStatus.REVOKED.value, why, "certificate.revoked")
    audit.record(admin, "certificate.reissued", new, number=new.number, replaced=old.number,
                 reason=text, user=new.user_id)  # fmt: skip
    db.session.commit()
    return new


def status_label(status: str) -> str:
    from examsvc.labels import CERTIFICATE_STATUS_LABELS

    return str(CERTIFICATE_STATUS_LABELS.get(status, status))


# --- who sees what -------------------------------------------------------------------------


def mine(user: User) -> list[Certificate]:
    return list(
        db.session.scalars(
            db.select(Certificate)
            .where(Certificate.user_id == user.id)
            .order_by(Certificate.issued_on.desc(), Certificate.id.desc())
        )
    )


def as_json(cert: Certificate, today: date | None = None) -> dict:
    """One certificate for its holder (`GET /api/v1/me/certificates`)."""
    return {
        "number": cert.number,
        "kind": cert.kind,
        "level": int(cert.level),
        "status": effective_status(cert, today),
        "issued_on": cert.issued_on.isoformat(),
        "valid_until": cert.valid_until.isoformat(),
    }


def may_download(user: User, cert: Certificate) -> bool:
    """The holder, admins, and the org admin whose subtree holds the holder."""
    if user.id == cert.user_id or user.has_role(Role.ADMIN):
        return True
    return user.has_role(Role.ORG_ADMIN) and scope.can_see_person(user, cert.user)


def for_download(user: User, number: str) -> Certificate:
    """The certificate when ``user`` may have its PDF; else NotFound (never a 403)."""
    cert = get(number)
    if not may_download(user, cert):
        raise NotFound(_("no certificate with this number"), code="unknown_certificate")
    return cert


def of_sitting(sitting_id: int) -> tuple[Sitting, list[Certificate]]:
    """A sitting's certificates (the current ones: a replaced certificate's attempt moved on)."""
    sitting = db.session.get(Sitting, sitting_id)
    if sitting is None:
        raise NotFound(_("no such sitting"))
    certs = list(
        db.session.scalars(
            db.select(Certificate)
            .join(Attempt, Attempt.id == Certificate.attempt_id)
            .join(Enrolment, Enrolment.id == Attempt.enrolment_id)
            .where(Enrolment.sitting_id == sitting_id)
            .order_by(Enrolment.id)
        )
    )
    return sitting, certs


def history(cert: Certificate) -> list[Certificate]:
    """The certificates this one replaced and those that replaced it, oldest first."""
    chain = [cert]
    seen = {cert.id}
    back = cert
    while back.replaces_id is not None and back.replaces_id not in seen:
        back = db.session.get(Certificate, back.replaces_id)
        seen.add(back.id)
        chain.insert(0, back)
    forward = cert
    while True:
        nxt = db.session.scalar(db.select(Certificate).where(Certificate.replaces_id == forward.id))
        if nxt is None or nxt.id in seen:
            break
        seen.add(nxt.id)
        chain.append(nxt)
        forward = nxt
    return chain


# --- the public view and the PDF's token ---------------------------------------------------


def _token_key() -> bytes:
    secret = current_app.config["SECRET_KEY"]
    secret = secret if isinstance(secret, bytes) else str(secret).encode()
    return hmac.new(secret, b"examsvc certificate pdf token v1", hashlib.sha256).digest()


def token(number: str) -> str:
    """The HMAC a genuine PDF of this certificate carries in its QR code (22 characters)."""
    digest = hmac.new(_token_key(), number.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:16]).decode().rstrip("=")


def token_ok(number: str, given: str | None) -> bool:
    if not given:
        return False
    return hmac.compare_digest(token(number).encode(), given.strip().encode("utf-8", "replace"))


def mask_name(name: str) -> str:
    from examsvc.services.results import mask_name as mask

    return mask(name)


def public_view(number: str, today: date | None = None) -> dict:
    """What anyone may see: never the ID number, the name masked (DESIGN.md §4)."""
    cert = get(number)
    org = cert.user.organisation
    return {
        "number": cert.number,
        "kind": cert.kind,
        "level": int(cert.level),
        "holder": mask_name(cert.user.name),
        "organisation": org.name if org is not None else None,
        "status": effective_status(cert, today),
        "issued_on": cert.issued_on.isoformat(),
        "valid_until": cert.valid_until.isoformat(),
    }
