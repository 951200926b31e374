"""Certificates: random numbers, states, revocation, reissue, the CLI and the public view."""

import json
import re
from datetime import date, timedelta

import pytest

from examsvc.extensions import db
from examsvc.models import AuditEntry, Certificate, Role
from examsvc.services import certificates, results
from examsvc.services.errors import BadInput, Conflict, NotFound
from question_bank import certificate_numbers
from tests.services.test_results import sit

NUMBER = re.compile(r"Q0-0000-(\d{4})-(\d{8})([0-9X])")


@pytest.fixture
def app_config() -> dict:
    return {"NOTICE_WORKING_DAYS": 0}


@pytest.fixture
def issued(open_sitting):
    """A published sitting whose one candidate passed, and their certificate."""
    sitting, admin, (candidate,) = open_sitting()
    sit(candidate, sitting)
    results.publish(admin, sitting.id)
    (cert,), _ = results.issue_certificates(admin, sitting.id)
    return sitting, admin, candidate, cert


def audits(action: str) -> list[AuditEntry]:
    return list(db.session.scalars(db.select(AuditEntry).where(AuditEntry.action == action)))


def test_issued_numbers_have_the_form_and_check_of_domain_md(issued):
    _sitting, _admin, _candidate, cert = issued
    match = NUMBER.fullmatch(cert.number)
    assert match, cert.number
    assert certificate_numbers.is_valid(cert.number)
    assert int(match.group(2)) == cert.serial and cert.year == int(match.group(1))


def test_fifty_certificates_show_no_sequence(app, make_user):
    person = make_user()
    today = date(2026, 12, 3)
    certs = [certificates.create(person, "post_qualification", 0, today) for _ in range(50)]
    db.session.commit()
    serials = [c.serial for c in certs]
    assert len(set(serials)) == 50
    assert all(certificate_numbers.is_valid(c.number) for c in certs)
    steps = {b - a for a, b in zip(serials, serials[1:], strict=False)}
    assert len(steps) > 40  # no constant step, neither +1 nor any other
    assert sum(1 for s in steps if abs(s) < 1000) < 5
    assert sorted(serials) != serials and sorted(serials, reverse=True) != serials
    # spread over the eight digits, not clustered low
    assert max(serials) > 10**7 and len({s // 10**7 for s in serials}) >= 5


def test_a_taken_serial_is_drawn_again(app, make_user, monkeypatch):
    person = make_user()
    today = date(2026, 12, 3)
    first = certificates.create(person, "level", 1, today)
    db.session.commit()
    draws = iter([first.serial, first.serial, 4242])
    monkeypatch.setattr(certificate_numbers, "random_serial", lambda: next(draws))
    second = certificates.create(person, "level", 1, today)
    db.session.commit()
    assert second.serial == 4242 and second.number.startswith("L1-0000-2026-00004242")
    # Another kind or year may hold the same serial.
    draws = iter([4242])
    assert certificates.create(person, "training", 0, today).serial == 4242


def test_revoking_keeps_the_record_and_is_idempotent(issued):
    _sitting, admin, _candidate, cert = issued
    with pytest.raises(BadInput):
        certificates.revoke(admin, cert.number, "  ")
    revoked, changed = certificates.revoke(admin, cert.number.lower(), "考试舞弊，经查属实。")
    assert (
        changed and revoked.status == "revoked" and revoked.status_reason == "考试舞弊，经查属实。"
    )
    again, changed = certificates.revoke(admin, cert.number, "再次撤销")
    assert not changed and again.status_reason == "考试舞弊，经查属实。"
    assert len(audits("certificate.revoked")) == 1
    assert results.public_certificate(cert.number)["status"] == "revoked"
    with pytest.raises(NotFound):
        certificates.revoke(admin, "Q0-0000-2026-000000000", "无此证书")


def test_suspend_and_reinstate(issued):
    _sitting, admin, _candidate, cert = issued
    assert certificates.suspend(admin, cert.number, "年检不合格")[1]
    assert certificates.public_view(cert.number)["status"] == "suspended"
    assert not certificates.suspend(admin, cert.number, "年检不合格")[1]
    assert certificates.reinstate(admin, cert.number, "次年年检合格")[1]
    assert certificates.public_view(cert.number)["status"] == "valid"
    certificates.revoke(admin, cert.number, "连续两年年检不合格")
    with pytest.raises(Conflict):
        certificates.reinstate(admin, cert.number, "恢复")
    with pytest.raises(Conflict):
        certificates.suspend(admin, cert.number, "暂停")
    assert [e.action for e in db.session.scalars(db.select(AuditEntry).order_by(AuditEntry.id))
            if e.action.startswith("certificate.")][-3:] == [
        "certificate.suspended", "certificate.reinstated", "certificate.revoked"]  # fmt: skip


def test_expired_is_computed_from_the_validity(issued):
    _sitting, admin, _candidate, cert = issued
    after = cert.valid_until + timedelta(days=1)
    assert certificates.effective_status(cert, cert.valid_until) == "valid"
    assert certificates.effective_status(cert, after) == "expired"
    assert certificates.public_view(cert.number, after)["status"] == "expired"
    certificates.suspend(admin, cert.number, "年检不合格")
    assert certificates.effective_status(cert, after) == "expired"
    certificates.revoke(admin, cert.number, "撤销")
    assert certificates.effective_status(cert, after) == "revoked"
    assert cert.status != "expired"  # never stored


def test_reissue_gives_a_new_number_and_revokes_the_old(issued):
    sitting, admin, candidate, cert = issued
    old_number, valid_until = cert.number, cert.valid_until
    new = certificates.reissue(admin, old_number, "证书遗失，申请补发。")
    assert new.number != old_number and certificate_numbers.is_valid(new.number)
    assert new.valid_until == valid_until and new.replaces_id == cert.id
    assert new.user_id == candidate.id and new.attempt_id is not None
    old = certificates.get(old_number)
    assert old.status == "revoked" and new.number in old.status_reason
    assert old.attempt_id is None
    (row,) = results.sitting_results(sitting)
    assert row.certificate.number == new.number
    assert [c.number for c in certificates.history(old)] == [old_number, new.number]
    assert audits("certificate.reissued")[0].details["replaced"] == old_number
    with pytest.raises(Conflict):
        certificates.reissue(admin, old_number, "再补发")
    # Issuing the sitting again gives nobody a third certificate.
    assert results.issue_certificates(admin, sitting.id) == ([], [])


def test_the_public_view_shows_organisation_and_never_the_id_number(issued):
    from examsvc.services import identity, orgs

    _sitting, _admin, candidate, cert = issued
    branch = orgs.create("880", "测试党支部")
    candidate.organisation_id = branch.id
    candidate.name = "王小明"
    identity.assign_id_number(candidate, "11010519491231002X")
    db.session.commit()
    view = certificates.public_view(cert.number)
    assert view["organisation"] == "测试党支部" and view["holder"] == "王*明"
    assert view["level"] == 0 and isinstance(view["level"], int)
    flat = json.dumps(view, ensure_ascii=False)
    assert "11010519491231002X" not in flat and "1101" not in flat.replace(cert.number, "")


def test_an_earlier_sequential_number_stays_valid(app, make_user):
    person = make_user()
    old = Certificate(
        number="Q0-0000-2025-000001-3", kind="post_qualification", year=2025, serial=1,
        user=person, issued_on=date(2025, 6, 1), valid_until=date(2099, 5, 31), status="valid",
    )  # fmt: skip
    db.session.add(old)
    db.session.commit()
    assert certificates.public_view("q0-0000-2025-000001-3")["status"] == "valid"
    assert certificates.token_ok(old.number, certificates.token(old.number))


def test_the_token_is_an_hmac_of_the_number(app):
    token = certificates.token("Q0-0000-2026-123456787")
    assert len(token) == 22 and token == certificates.token("Q0-0000-2026-123456787")
    assert certificates.token_ok("Q0-0000-2026-123456787", token)
    assert not certificates.token_ok(
        "Q0-0000-2026-123456787", token[:-1] + "A" * (token[-1] != "A")
    )
    assert not certificates.token_ok("E0-1101-2026-999999992", token)
    assert not certificates.token_ok("Q0-0000-2026-123456787", None)
    assert not certificates.token_ok("Q0-0000-2026-123456787", "不是令牌")
    app.config["SECRET_KEY"] = "another deployment"
    assert certificates.token("Q0-0000-2026-123456787") != token


# --- the command line ----------------------------------------------------------------------


def cli(app, *args):
    result = app.test_cli_runner().invoke(args=["certificates", *args])
    return result, (json.loads(result.output) if "--json" in args and result.output else None)


def test_cli_issue_prints_numbers_and_refusals(app, open_sitting, make_user):
    from examsvc.services import exams

    sitting, admin, (member, loser) = open_sitting(candidates=2)
    outsider = make_user(Role.CANDIDATE, party_member=False, name="钱非党")
    exams.enrol(admin, sitting.id, outsider.email)
    sit(member, sitting)
    sit(loser, sitting, right=False)
    sit(outsider, sitting)
    result, out = cli(app, "issue", str(sitting.id), "--json")
    assert result.exit_code == 1 and out["error"] == "not_published"
    results.publish(admin, sitting.id)
    result, out = cli(app, "issue", str(sitting.id), "--json")
    assert result.exit_code == 0, result.output
    assert set(out) == {"issued", "refused"}
    (number,) = out["issued"]
    assert NUMBER.fullmatch(number)
    assert out["refused"] == [{"candidate": "钱非党", "reason": "非中共党员"}]
    result, out = cli(app, "issue", str(sitting.id), "--json")
    assert result.exit_code == 0 and out["issued"] == []
    result, out = cli(app, "issue", "9999", "--json")
    assert result.exit_code == 1


def test_cli_issue_exits_1_during_the_notice_and_while_a_dispute_is_open(app, open_sitting):
    from examsvc.services.results import disputes

    sitting, admin, (candidate,) = open_sitting()
    attempt = sit(candidate, sitting)
    results.publish(admin, sitting.id)
    app.config["NOTICE_WORKING_DAYS"] = 5
    result, out = cli(app, "issue", str(sitting.id), "--json")
    assert result.exit_code == 1 and out["error"] == "notice_period"
    disputes.lodge_appeal(candidate, attempt.id, "请复核我的答案。")
    app.config["NOTICE_WORKING_DAYS"] = 0
    result, out = cli(app, "issue", str(sitting.id), "--json")
    assert result.exit_code == 1 and out["error"] == "disputes_open"
    assert db.session.scalar(db.select(db.func.count()).select_from(Certificate)) == 0


def test_cli_revoke(app, issued):
    _sitting, _admin, _candidate, cert = issued
    result, _ = cli(app, "revoke", "Q0-0000-2026-000000000", "--reason", "无")
    assert result.exit_code == 1
    result, _ = cli(app, "revoke", cert.number, "--reason", "违规取得")
    assert result.exit_code == 0 and "revoked" in result.output
    result, out = cli(app, "revoke", cert.number, "--reason", "再次", "--json")
    assert result.exit_code == 0 and out == {"number": cert.number, "status": "revoked",
                                             "changed": False}  # fmt: skip
    db.session.expire_all()
    assert certificates.get(cert.number).status_reason == "违规取得"
    entry = audits("certificate.revoked")[0]
    assert entry.actor_id is None and entry.details["reason"] == "违规取得"
    result, _ = cli(app, "revoke", cert.number)
    assert result.exit_code != 0  # --reason is required
