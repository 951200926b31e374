"""`examsvc roster import` (组织报名): report and exit codes, all-or-nothing, updates, enrolment."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from werkzeug.security import check_password_hash

from examsvc.extensions import db
from examsvc.models import AuditEntry, Enrolment, Role, User, utcnow
from examsvc.services import exams, initial_passwords, orgs
from examsvc.services.identity import assign_id_number, id_lookup_hash

ID_A = "11010519491231002X"
ID_B = "440524188001010014"
ID_C = "34052419800101001X"
ID_D = "110105199001010015"
BAD_CHECK = "340524198001010013"
HEADER = "姓名,身份证号码,手机号,邮箱,政治面貌,入党时间,职务,人员类别,所属组织"
KEYS = ["imported", "skipped", "errors", "by_type", "created", "updated", "enrolled", "accounts"]


@pytest.fixture
def tree(app):
    """区委 000 → 街道 000-01 → 支部 000-01-1; a second root 999 outside it."""
    root = orgs.create("000", "区委组织部")
    street = orgs.create("000-01", "某街道党工委", root)
    branch = orgs.create("000-01-1", "第一党支部", street)
    other = orgs.create("999", "另一区委")
    return root, street, branch, other


@pytest.fixture
def roster(tmp_path):
    def write(*lines: str, encoding: str = "utf-8-sig") -> str:
        path = tmp_path / "名单.csv"
        path.write_bytes("\n".join([HEADER, *lines]).encode(encoding))
        return str(path)

    return write


@pytest.fixture
def run(app, tree):
    runner = app.test_cli_runner()

    def invoke(file: str, *args: str, org: str = "000-01", password: str | None = None):
        extra = ["--password-stdin"] if password is not None else []
        result = runner.invoke(
            args=["roster", "import", file, "--org", org, *extra, *args, "--json"],
            input=(password + "\n") if password is not None else None,
        )
        db.session.remove()
        if result.exception and not isinstance(result.exception, SystemExit):
            raise result.exception
        return result, json.loads(result.output)

    return invoke


def people() -> list[User]:
    return list(db.session.scalars(db.select(User).order_by(User.id)))


def test_new_people_get_accounts_with_initial_passwords_shown_once(run, roster, tree):
    file = roster(
        f"张三,{ID_A},138 0013 8000,,中共党员,2020年7月1日,支部书记,机关事业单位,000-01-1",
        f"李四,{ID_B},,Li@Example.com,群众,,,,",
    )
    result, body = run(file)
    assert result.exit_code == 0, result.output
    assert list(body) == KEYS
    assert (body["imported"], body["created"], body["updated"], body["skipped"]) == (2, 2, 0, 0)
    assert body["by_type"] == {"organ": 1, "unspecified": 1}
    assert [(a["row"], a["login"]) for a in body["accounts"]] == [
        (2, "13800138000"),
        (3, "li@example.com"),
    ]
    zhang, li = people()
    assert zhang.mobile == "13800138000" and zhang.email is None and li.email == "li@example.com"
    assert zhang.organisation.code == "000-01-1" and li.organisation.code == "000-01"
    assert zhang.is_party_member and zhang.party_joined_on.isoformat() == "2020-07-01"
    assert zhang.leader and zhang.category == "organ" and zhang.gender == "F"
    assert not li.is_party_member and li.gender == "M"
    assert zhang.must_change_password and li.must_change_password
    assert zhang.roles == {Role.CANDIDATE}
    assert zhang.id_number_hash == id_lookup_hash(ID_A) and ID_A not in zhang.id_number_enc
    for person, account in zip((zhang, li), body["accounts"], strict=True):
        assert initial_passwords.is_initial(person.password_hash)
        assert initial_passwords.check(person.password_hash, account["initial_password"])
        assert not initial_passwords.check(person.password_hash, "wrong-password-1")
    created = db.select(db.func.count()).where(AuditEntry.action == "user.created")
    assert db.session.scalar(created.select_from(AuditEntry)) == 2


def test_a_bad_row_rejects_the_whole_file_and_nothing_is_written(run, roster):
    file = roster(f"张三,{ID_A},13800138000,,,,,,", f"王五,{BAD_CHECK},13800138001,,,,,,")
    result, body = run(file)
    assert result.exit_code == 1
    assert (body["imported"], body["created"], body["accounts"]) == (0, 0, [])
    assert body["skipped"] == 1
    assert body["errors"][0]["where"] == "第 3 行"
    assert "身份证号" in body["errors"][0]["message"] and BAD_CHECK not in result.output
    assert people() == []


def test_skip_bad_imports_the_good_rows_and_lists_the_bad(run, roster):
    file = roster(
        f"张三,{ID_A},13800138000,,,,,,",
        f"王五,{BAD_CHECK},13800138001,,,,,,",
        f"赵六,{ID_A},13800138002,,,,,,",  # the same ID number as row 2
        f"钱七,{ID_B},13800138003,,,,,火星,",
        f"孙八,{ID_C},13800138004,,,,,,",
    )
    result, body = run(file, "--skip-bad")
    assert result.exit_code == 0, result.output
    assert (body["imported"], body["skipped"]) == (2, 3)
    assert sorted({e["where"] for e in body["errors"]}) == ["第 3 行", "第 4 行", "第 5 行"]
    assert [p.name for p in people()] == ["张三", "孙八"]


def test_a_known_person_is_updated_never_duplicated(run, roster):
    run(roster(f"张三,{ID_A},13800138000,,群众,,,,"))
    first_id, first_hash = people()[0].id, people()[0].password_hash
    row = f"张三丰,{ID_A},13900139000,z@example.com,中共党员,2021-07-01,组织委员,,000-01-1"
    result, body = run(roster(row))
    assert result.exit_code == 0, result.output
    assert (body["created"], body["updated"], body["accounts"]) == (0, 1, [])
    (person,) = people()
    assert person.id == first_id and person.name == "张三丰"
    assert person.is_party_member and person.post == "组织委员" and person.leader
    assert person.organisation.code == "000-01-1"
    assert person.mobile == "13900139000"  # the roster's new mobile number replaces the old
    assert person.email == "z@example.com"  # one they lacked is added
    assert person.password_hash == first_hash
    assert body["by_type"] == {"unspecified": 1}
    entry = db.session.scalars(
        db.select(AuditEntry).where(AuditEntry.action == "user.roster_updated")
        .order_by(AuditEntry.id.desc())
    ).first()  # fmt: skip
    assert entry.subject_id == first_id
    assert entry.details["logins"] == {"mobile": ["13800138000", "13900139000"],
                                       "email": [None, "z@example.com"]}  # fmt: skip


def test_an_account_registered_by_e_mail_without_an_id_number_is_the_same_person(
    run, roster, make_user
):
    existing_id = make_user(Role.CANDIDATE, email="li@example.com").id
    result, body = run(roster(f"李四,{ID_B},,li@example.com,,,,,"))
    assert result.exit_code == 0, result.output
    assert (body["created"], body["updated"]) == (0, 1)
    (person,) = people()
    assert person.id == existing_id and person.id_number_hash == id_lookup_hash(ID_B)


def test_a_login_of_another_person_is_a_bad_row(run, roster, make_user):
    other = make_user(Role.CANDIDATE, email="taken@example.com")
    assign_id_number(other, ID_C)
    db.session.commit()
    result, body = run(roster(f"李四,{ID_B},,taken@example.com,,,,,"))
    assert result.exit_code == 1
    assert body["errors"][0]["where"] == "第 2 行"
    assert len(people()) == 1


def test_people_and_organisations_outside_the_subtree_are_bad_rows(run, roster, tree, make_user):
    root, street, branch, other = tree
    outsider = make_user(Role.CANDIDATE)
    assign_id_number(outsider, ID_C)
    outsider.organisation_id = other_id = other.id
    db.session.commit()
    outsider_id = outsider.id
    file = roster(
        f"甲,{ID_A},13800138000,,,,,,000",  # the parent of 000-01: outside the subtree
        f"乙,{ID_B},13800138001,,,,,,999",  # another tree
        f"丙,{ID_C},13800138002,,,,,,",  # a person of organisation 999
        f"丁,{ID_D},13800138003,,,,,,NOPE",  # no such organisation
    )
    result, body = run(file)
    assert result.exit_code == 1 and body["skipped"] == 4
    assert sorted({e["where"] for e in body["errors"]}) == [f"第 {n} 行" for n in (2, 3, 4, 5)]
    assert db.session.get(User, outsider_id).organisation_id == other_id
    # imported from the root, the same rows are fine except the outsider
    result, body = run(file, "--skip-bad", org="000")
    assert (body["imported"], body["skipped"]) == (1, 3), body


def test_password_stdin_gives_every_new_account_that_password_hashed_once(run, roster):
    file = roster(f"张三,{ID_A},13800138000,,,,,,", f"李四,{ID_B},13800138001,,,,,,")
    result, body = run(file, password="Roster-pass-2026")
    assert result.exit_code == 0, result.output
    assert [a["initial_password"] for a in body["accounts"]] == [None, None]
    hashes = {p.password_hash for p in people()}
    assert len(hashes) == 1
    assert check_password_hash(hashes.pop(), "Roster-pass-2026")
    assert all(p.must_change_password for p in people())


def test_a_weak_password_from_stdin_rejects_the_import(run, roster):
    result, body = run(roster(f"张三,{ID_A},13800138000,,,,,,"), password="123")
    assert result.exit_code == 1 and body["errors"] and people() == []


def test_dry_run_reports_and_writes_nothing(run, roster):
    result, body = run(roster(f"张三,{ID_A},13800138000,,,,,,"), "--dry-run")
    assert result.exit_code == 0
    assert (body["imported"], body["created"]) == (1, 1)
    assert body["accounts"] == [{"row": 2, "login": "13800138000", "initial_password": None}]
    assert people() == []


def test_an_unknown_org_or_sitting_rejects_the_file(run, roster):
    file = roster(f"张三,{ID_A},13800138000,,,,,,")
    result, body = run(file, org="NOPE")
    assert result.exit_code == 1 and body["errors"][0]["where"] == "文件"
    result, body = run(file, "--sitting", "9999")
    assert result.exit_code == 1 and people() == []


def test_sitting_enrols_every_good_row_once(run, roster, scheduled):
    sitting_id = scheduled(candidates=1)[0].id
    file = roster(f"张三,{ID_A},13800138000,,,,,,", f"李四,{ID_B},13800138001,,,,,,")
    result, body = run(file, "--sitting", str(sitting_id))
    assert result.exit_code == 0, result.output
    assert body["enrolled"] == 2
    enrolments = db.session.scalars(
        db.select(Enrolment).where(Enrolment.sitting_id == sitting_id).order_by(Enrolment.id)
    ).all()
    assert len(enrolments) == 3
    numbers = [e.admission_no for e in enrolments]
    assert len(set(numbers)) == 3 and all(n.isdigit() for n in numbers)
    result, body = run(file, "--sitting", str(sitting_id), "--dry-run")
    assert (body["updated"], body["enrolled"]) == (2, 0)
    result, body = run(file, "--sitting", str(sitting_id))
    assert (body["updated"], body["enrolled"]) == (2, 0)


def test_late_enrolment_draws_a_paper(run, roster, open_sitting):
    sitting, admin, _people = open_sitting()
    result, body = run(roster(f"张三,{ID_A},13800138000,,,,,,"), "--sitting", str(sitting.id))
    assert result.exit_code == 0, result.output
    enrolment = db.session.scalar(
        db.select(Enrolment).join(User).where(User.mobile == "13800138000")
    )
    assert enrolment.paper is not None and enrolment.paper.items


def test_a_closed_sitting_refuses_the_enrolment(run, roster, scheduled):
    sitting, admin = scheduled(candidates=1)
    sitting = db.session.merge(sitting)
    sitting.opens_at = utcnow() - timedelta(days=2)
    sitting.closes_at = utcnow() - timedelta(days=1)
    db.session.commit()
    result, body = run(roster(f"张三,{ID_A},13800138000,,,,,,"), "--sitting", str(sitting.id))
    assert result.exit_code == 1
    assert db.session.scalar(db.select(User).where(User.mobile == "13800138000")) is None


def test_gb18030_and_xls(run, roster, tmp_path):
    result, body = run(roster(f"张三,{ID_A},13800138000,,,,,,", encoding="gb18030"))
    assert result.exit_code == 0 and body["created"] == 1
    xls = tmp_path / "名单.xls"
    xls.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504)
    result, body = run(str(xls))
    assert result.exit_code == 1 and ".xlsx" in body["errors"][0]["message"]


def test_service_enrol_people_skips_those_enrolled(app, scheduled):
    sitting, admin = scheduled(candidates=2)
    from examsvc.services import roster

    ids = [e.user_id for e in exams.enrolments_of(sitting)]
    assert roster.enrol_people(admin, sitting.id, ids) == 0
    assert len(exams.enrolments_of(db.session.merge(sitting))) == 2


def test_an_initial_password_logs_in_and_must_be_changed(run, roster, app):
    from tests.conftest import csrf_token

    result, body = run(roster(f"张三,{ID_A},13800138000,,,,,,"))
    initial = body["accounts"][0]["initial_password"]
    client = app.test_client()
    headers = {"X-CSRFToken": csrf_token(client)}
    wrong = client.post(
        "/api/v1/session", json={"login": "13800138000", "password": "x" + initial}, headers=headers
    )
    assert wrong.status_code == 401
    answer = client.post(
        "/api/v1/session", json={"login": "138 0013 8000", "password": initial}, headers=headers
    )
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json()["must_change_password"] is True
    from examsvc.services import accounts

    person = people()[0]
    accounts.change_password(person, initial, "Chosen-pass-2026x")
    person = people()[0]
    assert not initial_passwords.is_initial(person.password_hash)
    assert not person.must_change_password


def test_no_id_number_is_stored_in_the_clear_after_an_import(run, roster, app, backend):
    from tests.at_rest import assert_no_id_number, stored_bytes

    file = roster(f"张三,{ID_A.lower()},13800138000,,,,,,", f"李四,{BAD_CHECK},13800138001,,,,,,")
    result, body = run(file, "--skip-bad")
    assert body["created"] == 1 and BAD_CHECK not in result.output
    stored = stored_bytes(app, backend)
    for number in (ID_A, BAD_CHECK):
        assert_no_id_number(stored, number)
