"""个人报名 as a service: consent, profile checks, documents, states, review, photo."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy.orm.attributes import set_committed_value

from examsvc.extensions import db
from examsvc.models import AuditEntry, Registration, RegistrationDocument, Role, User
from examsvc.services import orgs, registration
from examsvc.services.errors import BadInput, Conflict, Forbidden
from tests.registration_helpers import (
    JPEG,
    PASSWORD,
    PDF,
    PNG,
    complete,
    id_number,
    profile,
    register,
)


@pytest.fixture
def branch(app):
    return orgs.create("B1", "第一支部", orgs.create("D", "区委"))


def _count(model) -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(model))


def test_consent_is_required_and_nothing_is_written_without_it(branch):
    with pytest.raises(BadInput) as refused:
        registration.register(profile(branch), PASSWORD, consent=False)
    assert refused.value.code == "consent_required"
    assert _count(User) == 0 and _count(Registration) == 0


def test_the_consent_and_the_pending_state_are_recorded(branch):
    person = register(branch)
    reg = registration.of(person)
    assert person.status == "pending" and person.roles == {"candidate"}
    assert reg.consent_version == registration.CONSENT_VERSION and reg.consent_at is not None
    entry = db.session.scalar(
        db.select(AuditEntry).where(AuditEntry.action == "registration.created")
    )
    assert entry.details == {"consent_version": registration.CONSENT_VERSION}


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"id_number": "340524198001010013"}, "id_number"),
        ({"gender": "F"}, "gender"),
        ({"mobile": "", "email": ""}, "mobile"),
        ({"mobile": "12345"}, "mobile"),
        ({"email": "not-an-address"}, "email"),
        ({"category": "astronaut"}, "category"),
        ({"organisation_id": 999}, "organisation"),
        ({"party_joined_on": date.today() + timedelta(days=2)}, "party_joined_on"),  # Beijing: +1
        ({"name": " "}, "name"),
    ],
)
def test_profile_problems_name_their_field(branch, overrides, field):
    with pytest.raises(registration.ProfileProblems) as refused:
        register(branch, **overrides)
    assert field in refused.value.fields
    assert _count(User) == 0


def test_a_closed_organisation_cannot_be_chosen(branch):
    orgs.close(branch)
    with pytest.raises(registration.ProfileProblems) as refused:
        register(branch)
    assert "organisation" in refused.value.fields


def test_the_id_number_mobile_and_email_are_unique(branch):
    register(branch, email="a@example.com")
    for overrides in (
        {"mobile": "13900000000", "email": ""},  # the same ID number
        {"id_number": id_number(sequence="135")},  # the same mobile
        {"id_number": id_number(sequence="137"), "mobile": "", "email": "A@example.com"},
    ):
        with pytest.raises(registration.ProfileProblems):
            register(branch, **overrides)
    assert _count(User) == 1


def test_party_date_is_dropped_for_non_members(branch):
    person = register(branch, is_party_member=False)
    assert person.party_joined_on is None and not person.is_party_member


def test_photos_beyond_two_replace_the_oldest(branch):
    person = register(branch)
    registration.add_documents(person, "photo", [JPEG, PNG])
    registration.add_documents(person, "photo", [PNG + b"new"])
    photos = list(
        db.session.scalars(
            db.select(RegistrationDocument).where(RegistrationDocument.kind == "photo")
        )
    )
    assert [p.content_type for p in photos] == ["image/png", "image/png"]
    assert registration.photo(person) == (PNG + b"new", "image/png")
    with pytest.raises(BadInput):
        registration.add_documents(person, "photo", [JPEG, JPEG, JPEG])


def test_one_bad_file_keeps_the_whole_upload_out(branch):
    person = register(branch)
    with pytest.raises(BadInput) as refused:
        registration.add_documents(person, "honour", [PDF, b"PK\x03\x04zip"])
    assert refused.value.code == "file_forged"
    assert _count(RegistrationDocument) == 0


def test_submitting_needs_every_required_document(branch):
    person = register(branch)
    registration.add_documents(person, "application_form", [PDF])
    with pytest.raises(BadInput) as refused:
        registration.submit(person)
    assert refused.value.code == "documents_missing" and "证件照" in refused.value.message


def test_a_submitted_registration_is_locked_until_returned(branch, make_user):
    person = register(branch)
    complete(person)
    with pytest.raises(Conflict):
        registration.add_documents(person, "honour", [PDF])
    with pytest.raises(Conflict):
        registration.update_profile(person, profile(branch, post="书记"))
    admin = make_user(Role.ADMIN)
    reg = registration.of(person)
    with pytest.raises(BadInput):
        registration.return_to_person(admin, reg, "  ")
    number = id_number(sequence="999")
    registration.return_to_person(admin, reg, f"身份证号 {number} 与复印件不符")
    assert number not in reg.return_reason and "**********" in reg.return_reason
    registration.update_profile(person, profile(branch, id_number="", post="书记"))
    registration.submit(person)
    registration.approve(admin, reg)
    assert person.status == "active" and reg.state == "approved"
    with pytest.raises(Conflict):
        registration.approve(admin, reg)


def test_nobody_reviews_their_own_registration(branch):
    person = register(branch)
    complete(person)
    person.role_rows.append(type(person.role_rows[0])(role=str(Role.ORG_ADMIN)))
    person.managed_organisation_id = branch.id
    db.session.commit()
    with pytest.raises(Forbidden):
        registration.approve(person, registration.of(person))


def test_changing_the_id_number_is_audited_without_the_number(branch):
    person = register(branch)
    new_number = id_number(born="19900101", sequence="111")
    registration.update_profile(person, profile(branch, id_number=new_number))
    entry = db.session.scalar(
        db.select(AuditEntry).where(AuditEntry.action == "registration.profile_updated")
    )
    assert entry.details == {"fields": ["id_number"]}
    texts = " ".join(str(e.details) for e in db.session.scalars(db.select(AuditEntry)))
    assert new_number not in texts and id_number() not in texts


def test_no_photo_without_a_registration(make_user):
    assert registration.photo(make_user()) is None


def test_removed_documents_leave_the_shared_folder(app, branch, tmp_path):
    app.config["UPLOAD_PATH"] = str(tmp_path)
    person = register(branch)
    registration.add_documents(person, "honour", [PDF])
    document = db.session.scalar(db.select(RegistrationDocument))
    stored = list(tmp_path.rglob(document.stored_name))
    assert len(stored) == 1 and stored[0].read_bytes() == PDF
    registration.remove_document(person, document.id)
    assert not stored[0].exists()


@pytest.mark.parametrize("decided", ["approved", "returned"])
@pytest.mark.parametrize("decision", ["approve", "return"])
def test_a_decision_on_a_registration_decided_meanwhile_is_a_conflict(
    app, branch, make_user, decided, decision
):
    person = register(branch)
    complete(person)
    admin = make_user(Role.ADMIN)
    reg = registration.of(person)
    reg_id, person_id = reg.id, person.id
    # Another reviewer's decision is committed while this request holds the registration as
    # it read it before: submitted.
    db.session.execute(
        db.update(Registration).where(Registration.id == reg_id).values(state=decided)
        .execution_options(synchronize_session=False)
    )  # fmt: skip
    db.session.commit()
    set_committed_value(reg, "state", "submitted")
    with app.test_request_context(), pytest.raises(Conflict) as refused:
        if decision == "approve":
            registration.approve(admin, reg)
        else:
            registration.return_to_person(admin, reg, "照片不清晰")
    assert refused.value.code == "already_decided" and "刷新" in refused.value.message
    assert db.session.get(Registration, reg_id).state == decided
    assert db.session.get(User, person_id).status == "pending"
    assert db.session.get(Registration, reg_id).return_reason is None


def test_files_of_a_failed_commit_leave_the_shared_folder(app, branch, tmp_path, monkeypatch):
    app.config["UPLOAD_PATH"] = str(tmp_path / "uploads")
    person = register(branch)

    def fail():
        raise RuntimeError("database went away")

    monkeypatch.setattr(db.session, "commit", fail)
    with pytest.raises(RuntimeError):
        registration.add_documents(person, "photo", [JPEG, PNG])
    monkeypatch.undo()
    assert [p for p in (tmp_path / "uploads").rglob("*") if p.is_file()] == []
    assert _count(RegistrationDocument) == 0
