"""Every page, as every role, in the Chinese UI: no English sentence outside user data.

The walk reads the routes from ``app.url_map`` when it runs, so a page added later is walked
without editing this file: its ``<int:…_id>`` parameters are filled from rows of the model
of that name (``sitting_id`` → the first ``Sitting``; ``attempt_id`` → the role's own attempt
when it has one), ``<number>`` with a certificate number. A route whose parameters cannot be
filled fails the test (teach ``_resolver`` the new name). After the pages, every form found on
them is posted empty (with its CSRF token) to check the messages of a refused form, and the
404 and 403 pages are checked too.
"""

from __future__ import annotations

import html
import re
from datetime import date, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient

from examsvc.extensions import db
from examsvc.models import (
    Blueprint,
    Organisation,
    Question,
    RegistrationDocument,
    Role,
    Sitting,
    TrainingCourse,
    TrainingRecord,
    User,
    utcnow,
)
from examsvc.services import (
    attempts,
    bank,
    certificates,
    demo,
    demo_people,
    exams,
    importing,
    inspections,
    orgs,
    password_links,
    registration,
    results,
    review,
    tickets,
)
from examsvc.services.inspections import closing
from tests import snapshots
from tests.conftest import PASSWORD, csrf_token, question_fields
from tests.registration_helpers import PASSWORD as REGISTRANT_PASSWORD
from tests.registration_helpers import complete as complete_registration
from tests.registration_helpers import id_number as registration_id_number
from tests.registration_helpers import register as register_person
from tests.services.test_attempts import correct_response

#: Every role, and a candidate in the middle of an exam (the exam page and its texts).
ROLES = ["anonymous", "candidate", "contributor", "examiner", "org_admin", "admin", "sitting"]
#: ... and a person whose 个人报名 was returned (their registration page, its forms).
ROLES += ["registrant"]
#: Demo accounts walked for each role (DEMO_USERS in examsvc/services/demo.py).
DEMO_LOGIN = {
    "candidate": "candidate@demo.examsvc.cn",
    "contributor": "contributor@demo.examsvc.cn",
    "examiner": "examiner@demo.examsvc.cn",
    "org_admin": "orgadmin@demo.examsvc.cn",
    "admin": "admin@demo.examsvc.cn",
}
#: Latin words that may stand in the Chinese UI, each for a reason.
ALLOWED_WORDS = {
    # the language switch names the other language in that language
    "english",
    # file formats and standards, named as their users know them
    "pdf", "csv", "xlsx", "xls", "json", "xml", "moodle", "gift", "aiken", "qti", "ims",
    "excel", "zip", "utf", "jpeg", "jpg", "png",
    # question types as a file's format names them, quoted in "不支持此题型（matching）"
    "matching", "numerical", "essay", "cloze", "calculated", "ddwtos", "gapselect",
    # protocol and product names
    "api", "http", "https", "id",
    # the numerical library whose version a paper draw records (reproducibility)
    "numpy",
}  # fmt: skip
#: Runs of Latin words (two or more): "Save changes", "row 12", "Back to the list".
LATIN_RUN = re.compile(r"[A-Za-z][A-Za-z'’]*(?:[ \t\-/,:;.()]+[A-Za-z][A-Za-z'’]*)+")
#: Option letters of a key ("ACD") are no English.
OPTION_LETTERS = re.compile(r"[A-H]+")
#: ASCII punctuation against Chinese text: "确认交卷?", "出题人: 王" (write ？ and ：).
ASCII_PUNCTUATION = re.compile(r"[\u4e00-\u9fff）][:?!;]|[:?!;][\u4e00-\u9fff（]")
#: One Latin word of three or more letters: "Submit", "Papers".
LATIN_WORD = re.compile(r"(?<![A-Za-z0-9_])[A-Za-z]{3,}(?![A-Za-z0-9_])")
#: Hex digests (a paper's bank hash in the audit log) are codes.
DIGEST = re.compile(r"\b[0-9a-f]{16,}\b")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
#: Names of files people uploaded ("第一批题目.gift") are user data.
FILE_NAME = re.compile(r"[\w.-]+\.(?:gift|txt|xml|xlsx|xls|csv|zip|json|pdf)\b", re.IGNORECASE)
#: Dotted codes ("sitting.enrolled", an audit action in a tooltip) are codes, not sentences.
CODE = re.compile(r"\b[a-z_]+(?:\.[a-z_]+)+\b")
URL = re.compile(r"https?://\S+|/[\w./?=&%-]+")
SHOWN_ATTRIBUTES = re.compile(
    r'\s(?:title|placeholder|aria-label|alt|data-bs-title)="([^"]*)"'
    r'|<input[^>]*type="(?:submit|button)"[^>]*value="([^"]*)"',
    re.IGNORECASE,
)


def visible_text(page: str) -> str:
    """What a reader sees: text outside tags, shown attributes and JSON text blocks for scripts."""
    data_blocks = re.findall(
        r'<script[^>]*type="application/json"[^>]*>(.*?)</script>', page, flags=re.S
    )
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S | re.IGNORECASE)
    shown = [a or b for a, b in SHOWN_ATTRIBUTES.findall(body)]
    body = re.sub(r"<!--.*?-->", " ", body, flags=re.S)
    body = re.sub(r"<[^>]+>", "\n", body)  # a phrase ends with its element
    strings = [s for block in data_blocks for s in re.findall(r'"((?:[^"\\]|\\.)*)"', block)]
    # JSON keys and codes are no text: keep strings that hold a space or CJK characters
    strings = [s for s in strings if " " in s or re.search(r"[\u4e00-\u9fff]", s)]
    strings = [re.sub(r"\{\w*\}", " ", s) for s in strings]  # {n}: filled in by the script
    return html.unescape(" \n ".join([body, *shown, *strings]))


def english_in(text: str, user_data: list[str]) -> list[str]:
    """Latin words and phrases in the text that are neither user data nor allowed words."""
    # Addresses and digests first: user data replaced inside one ("sim042@…" less an option
    # "42", "…766bfbf10ce4…" less "10") would leave a stray Latin word.
    text = URL.sub(" ", EMAIL.sub(" ", DIGEST.sub(" ", text)))
    for value in sorted(user_data, key=len, reverse=True):
        text = text.replace(value, " ")
    text = URL.sub(" ", EMAIL.sub(" ", FILE_NAME.sub(" ", text)))
    text = CODE.sub(" ", text)
    found = []
    for match in LATIN_RUN.finditer(text):
        words = re.findall(r"[A-Za-z]+", match.group(0))
        if any(w.lower() not in ALLOWED_WORDS for w in words if len(w) > 1):
            found.append(match.group(0).strip())
    text = LATIN_RUN.sub(" ", text)
    found += [
        w
        for w in LATIN_WORD.findall(text)
        if w.lower() not in ALLOWED_WORDS and not OPTION_LETTERS.fullmatch(w)
    ]
    found += [f"ASCII punctuation {m!r}" for m in ASCII_PUNCTUATION.findall(text)]
    return found


WALK_GIFT = """\
::walk1:: 中国共产党党员必须履行的义务有几项 {=八项 ~六项 ~十项}

::walk2:: 把下列会议与年份配对 {=中共一大 -> 1921 =遵义会议 -> 1935 =古田会议 -> 1929}
"""


@pytest.fixture
def app_config() -> dict:
    return {"NOTICE_WORKING_DAYS": 0}


@pytest.fixture
def world(app: Flask, make_user) -> dict:
    """The demo, plus what the walk needs to see: a result, a certificate, a review thread.

    Built once per test process and database (tests/snapshots.py): every role walks it."""
    built = snapshots.cached("chinese-walk", lambda: _build_world(make_user))
    built["users"] = {role: db.session.get(User, id_) for role, id_ in built["users"].items()}
    return built


def _build_world(make_user) -> dict:
    seeded = demo.seed()
    users = {
        role: db.session.scalar(db.select(User).where(User.email == email))
        for role, email in DEMO_LOGIN.items()
    }
    passwords = {u["email"]: u["password"] for u in seeded["users"]}
    sitting_id = seeded["sittings"][0]["id"]
    candidate = users["candidate"]
    attempt = attempts.start_or_resume(candidate, sitting_id)
    answers = {str(i.id): correct_response(None, i) for i in attempt.enrolment.paper.items}
    attempts.save_answers(candidate, attempt.id, answers, seq=1)
    attempts.submit(candidate, attempt.id)
    for email, *_ in demo_people.MEMBERS:  # the demo's organisation members sit it too
        member = db.session.scalar(db.select(User).where(User.email == email))
        attempts.submit(member, attempts.start_or_resume(member, sitting_id).id)
    results.publish(users["admin"], sitting_id)
    ends = results.notice_ends_on(exams.get_sitting(sitting_id))
    results.issue_certificates(users["admin"], sitting_id, today=ends + timedelta(days=1))
    # During the notice: an objection to the candidate's result, and their own re-check.
    from examsvc.services.results import disputes

    disputes.lodge_objection(users["examiner"], sitting_id, attempt.id, "该成绩与考场记录不符。")
    disputes.lodge_appeal(candidate, attempt.id, "请复核我的判断题。")
    question = bank.submit_question(
        users["contributor"], "public", question_fields("single", "walk-submitted")
    )
    review.comment(users["examiner"], question.id, "请补充题目出处。")
    # An import with a left-out item: a job and its report.
    importing.import_file(
        users["examiner"], WALK_GIFT.encode(), filename="walk.gift", default_area="history",
        skip_bad=True,
    )  # fmt: skip
    # A second sitting, open now, with a candidate in the middle of the exam.
    now = utcnow()
    blueprint_id = exams.get_sitting(sitting_id).blueprint_id
    second = exams.create_sitting(
        users["admin"], blueprint_id, "第二场", now - timedelta(hours=1), now + timedelta(days=1)
    )
    users["sitting"] = make_user(Role.CANDIDATE, name="李考生")
    exams.enrol(users["admin"], second.id, users["sitting"].email)
    tickets.arrange(
        users["admin"], second.id, place="区委党校", room_size=30, pattern="", keep=True
    )
    sitting_attempt = attempts.start_or_resume(users["sitting"], second.id)
    # ... who is also enrolled in a sitting that opens tomorrow; and a question sent back.
    later = exams.create_sitting(
        users["admin"], blueprint_id, "第三场", now + timedelta(days=1), now + timedelta(days=2)
    )
    exams.enrol(users["admin"], later.id, users["sitting"].email)
    returned = bank.submit_question(
        users["contributor"], "public", question_fields("judge", "walk-returned")
    )
    review.review(users["examiner"], returned.id, "return", "题干表述不够准确，请修改。")
    # An organisation the org admin manages, with the candidate in a branch beneath it.
    district = orgs.create("990", "走查区委")
    branch = orgs.create("990-1", "走查党支部", district)
    candidate.organisation_id = branch.id
    users["org_admin"].managed_organisation_id = district.id
    db.session.commit()
    # 年检: the candidate holds a level certificate; this year's batch is open (walked), and
    # last year's closed one left them a notice.
    certificates.create(candidate, "level", 1, date(2023, 3, 1), valid_until=date(2031, 1, 1))
    db.session.commit()
    batch = inspections.open_batch(users["admin"], district.id, inspections.default_year())
    closing.close(
        users["admin"],
        inspections.open_batch(users["admin"], district.id, batch.year - 1).id,
        missing_fail=True,
    )
    # 个人报名: a submitted registration with its documents, in the org admin's subtree.
    complete_registration(register_person(branch, name="赵报名", mobile="13912345678"))
    users["registrant"] = register_person(
        branch, name="钱报名", mobile="13912345679", email="qian@example.com",
        id_number=registration_id_number(sequence="135"),
    )  # fmt: skip
    complete_registration(users["registrant"])
    registration.return_to_person(
        users["admin"], registration.of(users["registrant"]), "照片不清晰，请重新上传。"
    )
    # 培训档案: a course of the district with the candidate on its roster, and a record.
    _training(users["admin"], district, candidate)
    # A set-password link an administrator gave the candidate in the middle of the exam.
    reset_token, _expires = password_links.issue(users["admin"], users["sitting"])
    return {
        "users": {role: user.id for role, user in users.items()},
        "passwords": {
            **{role: passwords[email] for role, email in DEMO_LOGIN.items()},
            "sitting": PASSWORD,
            "registrant": REGISTRANT_PASSWORD,
        },
        "attempts": {"candidate": attempt.id, "sitting": sitting_attempt.id},
        "sittings": {"candidate": sitting_id, "sitting": second.id},
        "question_id": question.id,
        "reset_token": reset_token,
    }


def _training(admin: User, district: Organisation, candidate: User) -> None:
    from examsvc.services.training import courses, records

    course = courses.create(
        admin,
        courses.CourseInput(name="走查书记轮训班", starts_on=date(2025, 4, 7),
                            ends_on=date(2025, 4, 9), hours=24, kind="rotation",
                            organiser="区委组织部", organisation_id=district.id),
    )  # fmt: skip
    courses.add_by_logins(admin, course, candidate.email)
    records.add(
        admin, candidate,
        records.RecordInput(course_name="走查网络学习", starts_on=date(2025, 5, 6),
                            ends_on=date(2025, 5, 6), hours=2.5, kind="online",
                            organiser="区委党校", attendance_certificate="WL-1"),
    )  # fmt: skip


def _resolver(world: dict):
    """A function (role, parameter name) → a value for the URL, or None when unknown."""
    models = {
        mapper.class_.__name__.lower(): mapper.class_
        for mapper in db.Model.registry.mappers
        if hasattr(mapper.class_, "id")
    }
    from examsvc.models import Certificate

    number = db.session.scalar(db.select(Certificate.number).limit(1))

    def resolve(role: str, name: str):
        if name == "number":
            return number
        if name == "token":
            return world["reset_token"]
        if name == "attempt_id" and role in world["attempts"]:
            return world["attempts"][role]
        if name == "sitting_id" and role in world["sittings"]:
            return world["sittings"][role]
        if name == "question_id":
            return world["question_id"]
        if name == "user_id" and role in world["users"]:
            return world["users"][role].id
        if name == "person_id":
            return world["users"]["candidate"].id
        if name == "document_id":  # a registration's document (RegistrationDocument)
            return db.session.scalar(db.select(RegistrationDocument.id).limit(1))
        if name == "credential":  # a certificate rule set: /levels/rules/<credential>
            return "L2"
        if name == "org_id":
            return db.session.scalar(db.select(Organisation.id).order_by(Organisation.id))
        if name == "record_id":  # a training record (models.TrainingRecord)
            return db.session.scalar(db.select(TrainingRecord.id).order_by(TrainingRecord.id))
        if name == "course_id":  # a training course (models.TrainingCourse)
            return db.session.scalar(db.select(TrainingCourse.id).order_by(TrainingCourse.id))
        if name.endswith("_id"):
            model = models.get(name[: -len("_id")].replace("_", ""))
            if model is not None:
                return db.session.scalar(db.select(model.id).order_by(model.id).limit(1))
        return None

    return resolve


def _client(app: Flask, world: dict, role: str) -> FlaskClient:
    client = app.test_client()
    if role != "anonymous":
        response = client.post(
            "/api/v1/session",
            json={"email": world["users"][role].email, "password": world["passwords"][role]},
            headers={"X-CSRFToken": csrf_token(client)},
        )
        assert response.status_code == 200, response.get_json()
    return client


def _get_pages(app: Flask, resolve, role: str) -> tuple[list[str], list[str]]:
    """Every GET route of the app with its parameters filled; routes that cannot be filled."""
    paths, unfilled = [], []
    for rule in app.url_map.iter_rules():
        if "GET" not in (rule.methods or ()) or rule.endpoint == "static":
            continue
        values = {name: resolve(role, name) for name in rule.arguments}
        if any(v is None for v in values.values()):
            unfilled.append(rule.rule)
            continue
        with app.test_request_context():
            from flask import url_for

            paths.append(url_for(rule.endpoint, **values))
    return paths, unfilled


def _check(response, where: str, user_data: list[str], problems: list[str]) -> str:
    kind = response.content_type or ""
    if 300 <= response.status_code < 400:
        return ""  # Werkzeug's "Redirecting..." body: browsers follow the redirect unseen
    if kind.startswith("application/json"):
        body = response.get_json(silent=True)
        text = body.get("message", "") if isinstance(body, dict) else ""
        text = text if isinstance(text, str) else ""
    elif kind.startswith("text/html"):
        text = visible_text(response.get_data(as_text=True))
    else:
        return ""
    english = english_in(text, user_data)
    if english:
        problems.append(f"{where} [{response.status_code}]: {sorted(set(english))}")
    return response.get_data(as_text=True) if kind.startswith("text/html") else ""


def _forms(page: str) -> list[tuple[str, str]]:
    """(action, csrf token) of every POST form of a page."""
    found = []
    for form in re.findall(r"<form\b[^>]*>.*?</form>", page, flags=re.S | re.IGNORECASE):
        if not re.search(r'method="post"', form, flags=re.IGNORECASE):
            continue
        action = re.search(r'action="([^"]*)"', form)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form) or re.search(
            r'value="([^"]+)"[^>]*name="csrf_token"', form
        )
        if action and token:
            found.append((html.unescape(action.group(1)), token.group(1)))
    return found


def _user_data() -> list[str]:
    """Text that users wrote: names, question text, titles of blueprints and sittings."""
    data = [name for (name,) in db.session.execute(db.select(User.name))]
    for columns in db.session.execute(
        db.select(
            Question.stem,
            Question.options,
            Question.explanation,
            Question.source,
            Question.point,
        )
    ):
        for value in columns:
            data += value if isinstance(value, list) else [str(value or "")]
    data += [name for (name,) in db.session.execute(db.select(Sitting.name))]
    data += [name for (name,) in db.session.execute(db.select(Blueprint.name))]
    return [str(d) for d in data if len(str(d).strip()) > 1]


@pytest.mark.parametrize("role", ROLES)
def test_every_page_is_chinese_for_every_role(app, world, role):
    resolve = _resolver(world)
    client = _client(app, world, role)
    paths, unfilled = _get_pages(app, resolve, role)
    assert not unfilled, f"teach _resolver these route parameters: {unfilled}"
    assert len(paths) >= 20, paths
    user_data = _user_data()
    problems: list[str] = []
    forms: dict[str, str] = {}
    for path in paths:
        page = _check(client.get(path), f"GET {path}", user_data, problems)
        for action, token in _forms(page):
            forms.setdefault(action, token)
    for path in ["/no/such/page", "/admin/sittings/999999", "/admin/"]:
        _check(client.get(path), f"GET {path}", user_data, problems)
    # Refused forms: posted empty, the page and its flashed messages must be Chinese too.
    for action, token in sorted(forms.items()):
        if "logout" in action or not action.startswith("/"):
            continue
        response = client.post(action, data={"csrf_token": token}, follow_redirects=True)
        _check(response, f"POST {action} (empty)", user_data, problems)
    assert not problems, "English in the Chinese UI:\n" + "\n".join(problems)


def test_the_walk_finds_english():
    """The detector flags sentences and lone words, and lets user data and formats through."""
    page = '<p>题库</p><button title="Save it">保存</button><p>Moodle XML 与 CSV</p><p>row 12</p>'
    assert english_in(visible_text(page), []) == ["Save it", "row"]
    assert english_in("参考答案 ACD", []) == []
    assert english_in("确认交卷?", []) == ["ASCII punctuation '卷?'"]
    assert english_in("出题人: 王出题 · 10:30", ["王出题"]) == ["ASCII punctuation '人:'"]
    assert english_in("出题人：Zhang Wei", ["Zhang Wei"]) == []
    assert english_in("请填写 name@example.com", []) == []
    assert english_in("Papers", []) == ["Papers"]
