"""Publication, the objection window, certificates and their public check."""

import re
from datetime import date, timedelta

import pytest

from examsvc.extensions import db
from examsvc.i18n import to_local
from examsvc.models import AuditEntry, Certificate, utcnow
from examsvc.services import attempts, results
from examsvc.services.errors import Conflict, NotFound
from question_bank.checksum import mod11_2
from tests.services.test_attempts import correct_response


def sit(candidate, sitting, right=True):
    attempt = attempts.start_or_resume(candidate, sitting.id)
    if right:
        answers = {str(i.id): correct_response(None, i) for i in attempt.enrolment.paper.items}
        attempts.save_answers(candidate, attempt.id, answers, seq=1)
    return attempts.submit(candidate, attempt.id)


def test_publishing_waits_for_open_attempts_of_an_open_sitting(open_sitting):
    sitting, admin, (first, second) = open_sitting(candidates=2)
    sit(first, sitting)
    with pytest.raises(Conflict) as info:
        results.publish(admin, sitting.id)
    assert info.value.code == "sitting_not_finished"
    sit(second, sitting, right=False)
    results.publish(admin, sitting.id)
    with pytest.raises(Conflict) as info:
        results.publish(admin, sitting.id)
    assert info.value.code == "already_published"


def test_certificates_wait_for_five_working_days_of_public_notice(open_sitting):
    sitting, admin, (candidate,) = open_sitting()
    sit(candidate, sitting)
    with pytest.raises(Conflict) as info:
        results.issue_certificates(admin, sitting.id)
    assert info.value.code == "not_published"
    results.publish(admin, sitting.id)
    ends = results.notice_ends_on(sitting)
    # working days are counted in local (Beijing) days: at 16:00 UTC it is already tomorrow
    assert ends == results.add_working_days(to_local(sitting.results_published_at).date(), 5)
    assert to_local(sitting.results_published_at).date() == to_local(utcnow()).date()
    with pytest.raises(Conflict) as info:
        results.issue_certificates(admin, sitting.id, today=ends)  # the last day of the notice
    assert info.value.code == "notice_period"
    issued, refused = results.issue_certificates(admin, sitting.id, today=ends + timedelta(days=1))
    assert len(issued) == 1 and refused == []
    again, _ = results.issue_certificates(admin, sitting.id, today=ends + timedelta(days=1))
    assert again == []  # one certificate per passed attempt


def test_working_days_skip_weekends():
    friday = date(2026, 11, 20)
    assert results.add_working_days(friday, 1) == date(2026, 11, 23)
    assert results.add_working_days(friday, 5) == date(2026, 11, 27)
    assert results.add_working_days(friday, 0) == friday


def test_certificate_number_is_readable_and_checked(open_sitting):
    sitting, admin, (candidate,) = open_sitting()
    sit(candidate, sitting)
    results.publish(admin, sitting.id)
    today = results.notice_ends_on(sitting) + timedelta(days=1)
    (cert,), _ = results.issue_certificates(admin, sitting.id, today=today)
    match = re.fullmatch(r"Q0-0000-(\d{4})-(\d{8})([0-9X])", cert.number)
    assert match and match.group(1) == str(today.year) and int(match.group(2)) == cert.serial
    assert match.group(3) == mod11_2("".join(c for c in cert.number[:-1] if c.isdigit()))
    assert cert.valid_until == date(today.year + 3, today.month, today.day) - timedelta(days=1)
    assert db.session.scalar(db.select(AuditEntry).where(AuditEntry.action == "certificate.issued"))


def test_a_non_member_who_passes_gets_no_post_certificate(open_sitting, make_user):
    sitting, admin, (member,) = open_sitting()
    sit(member, sitting)
    outsider = make_user("candidate", party_member=False, name="钱非党")
    from examsvc.services import exams

    exams.enrol(admin, sitting.id, outsider.email)
    sit(outsider, sitting)
    results.publish(admin, sitting.id)
    issued, refused = results.issue_certificates(
        admin, sitting.id, today=results.notice_ends_on(sitting) + timedelta(days=1)
    )
    assert [c.user_id for c in issued] == [member.id]
    assert refused == ["钱非党：非中共党员"]


def test_failed_candidates_get_nothing(open_sitting):
    sitting, admin, (candidate,) = open_sitting()
    sit(candidate, sitting, right=False)
    results.publish(admin, sitting.id)
    issued, _ = results.issue_certificates(
        admin, sitting.id, today=results.notice_ends_on(sitting) + timedelta(days=1)
    )
    assert (
        issued == [] and db.session.scalar(db.select(db.func.count()).select_from(Certificate)) == 0
    )


def test_public_view_masks_the_name_and_reports_expiry(open_sitting, make_user):
    sitting, admin, (candidate,) = open_sitting()
    sit(candidate, sitting)
    results.publish(admin, sitting.id)
    (cert,), _ = results.issue_certificates(
        admin, sitting.id, today=results.notice_ends_on(sitting) + timedelta(days=1)
    )
    view = results.public_certificate(cert.number.lower())
    assert view["holder"] == results.mask_name(candidate.name) != candidate.name
    assert set(view) == {
        "number", "kind", "level", "holder", "organisation", "status", "issued_on", "valid_until"
    }  # fmt: skip
    assert view["status"] == "valid"
    later = results.public_certificate(cert.number, today=cert.valid_until + timedelta(days=1))
    assert later["status"] == "expired"
    with pytest.raises(NotFound):
        results.public_certificate("Q0-0000-2026-999999-1")


@pytest.mark.parametrize(
    ("name", "masked"), [("张三", "张*"), ("张三丰", "张*丰"), ("欧阳小明", "欧**明"), ("李", "*")]
)
def test_mask_name(name, masked):
    assert results.mask_name(name) == masked


def test_the_notice_counts_beijing_working_days(open_sitting):
    from datetime import UTC, datetime

    sitting, admin, (candidate,) = open_sitting()
    sit(candidate, sitting)
    # Sunday 17:30 UTC is Monday 01:30 in Beijing: the notice counts from Monday.
    results.publish(admin, sitting.id, now=datetime(2026, 11, 22, 17, 30, tzinfo=UTC))
    assert results.notice_ends_on(sitting) == date(2026, 11, 30)


def test_a_serial_number_taken_meanwhile_is_drawn_again(open_sitting, monkeypatch):
    from question_bank import certificate_numbers

    sitting, admin, (candidate,) = open_sitting()
    sit(candidate, sitting)
    results.publish(admin, sitting.id)
    ends = results.notice_ends_on(sitting)
    taken = Certificate(
        number="Q0-0000-2000-000001-0",
        kind="post_qualification",
        year=(ends + timedelta(days=1)).year,
        serial=1,
        user_id=candidate.id,
        issued_on=ends,
        valid_until=ends,
    )
    db.session.add(taken)
    db.session.commit()
    draws = iter([1, 2])
    monkeypatch.setattr(certificate_numbers, "random_serial", lambda: next(draws))
    (cert,), _ = results.issue_certificates(admin, sitting.id, today=ends + timedelta(days=1))
    assert cert.serial == 2
    assert db.session.scalar(db.select(db.func.count()).select_from(Certificate)) == 2
