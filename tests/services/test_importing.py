"""Importing files into the bank (all-or-nothing, skip-bad, dry run, duplicates) and exporting."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask_babel import gettext

from examsvc.extensions import db
from examsvc.i18n import translate
from examsvc.models import AuditEntry, Question, Role
from examsvc.services import importing
from examsvc.services.errors import Forbidden
from question_bank import formats
from question_bank.formats.common import at_line
from tests.unit.formats.conftest import ours, shared, xlsx_of

TYPES = ["single", "multiple", "judge", "fill", "short"]
HEADER = ["题型", "题干", "选项A", "选项B", "选项C", "答案", "知识点"]


def count(model=Question) -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(model))


@pytest.fixture
def examiner(make_user):
    return make_user(Role.EXAMINER)


def test_the_report_has_exactly_the_documented_shape(app, examiner):
    report = importing.import_file(examiner, ours("quirks.gift"), skip_bad=True, channel="public")
    body = report.as_json()
    assert list(body) == ["imported", "skipped", "errors", "by_type"]
    assert list(body["by_type"]) == TYPES
    assert all(list(e) == ["where", "message"] for e in body["errors"])
    assert body["imported"] == sum(body["by_type"].values()) == 6


def test_one_bad_item_refuses_the_whole_file(app, examiner):
    report = importing.import_file(
        examiner, shared("cn-eldercare-template.xlsx"), channel="public", default_area="practice"
    )
    assert report.rejected and report.imported == 0
    assert report.errors[0]["where"] == "row 12"
    assert count() == 0 and count(AuditEntry) == 1  # only the examiner's account creation


def test_skip_bad_imports_the_good_items_in_one_transaction(app, examiner):
    report = importing.import_file(
        examiner, shared("cn-eldercare-template.xlsx"), channel="grassroots",
        default_area="practice", skip_bad=True, filename="题库模板.xlsx",
    )  # fmt: skip
    assert not report.rejected
    assert (report.imported, report.skipped) == (11, 1)
    assert report.as_json()["by_type"] == {"single": 5, "multiple": 3, "judge": 3, "fill": 0,
                                           "short": 0}  # fmt: skip
    questions = db.session.scalars(db.select(Question)).all()
    assert len(questions) == 11
    assert {(q.status, q.channel, q.area, q.contributor_id) for q in questions} == {
        ("submitted", "grassroots", "practice", examiner.id)
    }
    entry = db.session.scalar(db.select(AuditEntry).where(AuditEntry.action == "bank.imported"))
    assert entry.details["imported"] == 11 and entry.details["file"] == "题库模板.xlsx"


def test_a_dry_run_reports_the_same_and_writes_nothing(app, examiner):
    report = importing.import_file(
        examiner, ours("quirks.gift"), channel="public", skip_bad=True, dry_run=True
    )
    assert report.imported == 6 and report.skipped == 4
    assert count() == 0
    assert db.session.scalar(db.select(db.func.count()).select_from(AuditEntry)) == 1


def test_exact_duplicates_in_the_bank_and_in_the_file_are_skipped_and_counted(app, examiner):
    first = importing.import_file(examiner, ours("quirks.gift"), channel="public", skip_bad=True)
    again = importing.import_file(examiner, ours("quirks.gift"), channel="public", skip_bad=True)
    assert (first.imported, again.imported) == (6, 0)
    assert again.skipped == first.skipped + 6 and not again.rejected
    ids = db.session.scalars(db.select(Question.id)).all()
    assert sorted(e["message"] for e in again.errors[-6:]) == sorted(
        gettext("skipped: already in the bank as #%(id)s", id=n) for n in ids
    )
    row = ["判断题", "党员应当按月交纳党费。", "", "", "", "对", "党建实务"]
    report = importing.import_file(examiner, xlsx_of([HEADER, row, row]), channel="public")
    assert (report.imported, report.skipped) == (1, 1) and not report.rejected
    expected = gettext("skipped: the same question is at %(where)s", where="row 2")
    assert report.errors == [{"where": "row 3", "message": expected}]


def test_items_without_an_area_need_a_default(app, examiner):
    rows = [HEADER, ["判断题", "没有知识点的题目。", "", "", "", "对", ""]]
    refused = importing.import_file(examiner, xlsx_of(rows), channel="public")
    no_area = gettext("no knowledge area: name one in 知识点 (category) or choose a default area")
    assert refused.rejected and refused.errors == [{"where": "row 2", "message": no_area}]
    done = importing.import_file(examiner, xlsx_of(rows), channel="public", default_area="law")
    assert done.imported == 1 and db.session.scalar(db.select(Question.area)) == "law"


def test_an_unreadable_file_is_refused_even_when_skipping_bad_items(app, examiner):
    report = importing.import_file(examiner, ours("moodle-malformed.xml"), skip_bad=True,
                                   channel="public")  # fmt: skip
    assert report.rejected and report.errors[0]["where"] == "line 4" and count() == 0


def test_an_admin_may_import_straight_into_the_bank(app, make_user):
    admin = make_user(Role.ADMIN, Role.EXAMINER)
    report = importing.import_file(
        admin, ours("quirks-aiken.txt"), channel="public", default_area="constitution",
        skip_bad=True, approve=True,
    )  # fmt: skip
    assert report.imported == 2
    statuses = db.session.execute(db.select(Question.status, Question.reviewer_id)).all()
    assert set(statuses) == {("approved", admin.id)}


@pytest.mark.parametrize("roles", [[Role.EXAMINER], [Role.CONTRIBUTOR]])
def test_an_import_that_approves_is_refused_to_everyone_but_admins(app, make_user, roles):
    """Nobody reviews their own questions: an examiner's import goes to another examiner."""
    importer = make_user(*roles)
    with pytest.raises(Forbidden) as refused:
        importing.import_file(importer, ours("quirks-aiken.txt"), channel="public",
                              default_area="constitution", approve=True)  # fmt: skip
    assert refused.value.code == "approve_forbidden" and count() == 0


def test_an_admins_approval_of_certification_questions_needs_a_second_examiner(app, make_user):
    app.config["REVIEW_SECOND_APPROVAL"] = True
    admin = make_user(Role.ADMIN, Role.EXAMINER)
    importing.import_file(admin, ours("quirks-aiken.txt"), channel="public",
                          default_area="constitution", skip_bad=True, approve=True)  # fmt: skip
    rows = db.session.execute(db.select(Question.status, Question.first_approver_id)).all()
    assert set(rows) == {("in_review", admin.id)}


def test_only_verified_institutions_import_through_the_institution_channel(app, make_user):
    contributor = make_user(Role.CONTRIBUTOR)
    with pytest.raises(Forbidden):
        importing.import_file(contributor, ours("quirks.gift"), channel="institution")
    contributor.is_institution = True
    db.session.commit()
    report = importing.import_file(contributor, ours("quirks.gift"), skip_bad=True)
    assert report.imported == 6
    assert set(db.session.scalars(db.select(Question.channel))) == {"institution"}


def test_the_near_duplicate_hook_sees_the_added_questions(app, examiner):
    seen: list[list[int]] = []
    importing.import_file(
        examiner, ours("quirks.gift"), channel="public", skip_bad=True,
        flag_near_duplicates=seen.append,
    )  # fmt: skip
    assert len(seen) == 1 and len(seen[0]) == 6
    assert set(seen[0]) == set(db.session.scalars(db.select(Question.id)))


@pytest.mark.parametrize("fmt", formats.WRITABLE)
def test_export_writes_the_approved_bank_and_reimports_as_duplicates(app, bank_of, tmp_path, fmt):
    bank_of(3, "single")
    bank_of(2, "judge")
    bank_of(2, "fill")
    path = Path(tmp_path) / f"bank{formats.EXTENSIONS[fmt]}"
    exported = importing.export_bank(fmt, path)
    assert exported.exported == 7 and exported.skipped == []
    parsed = formats.read(path.read_bytes())
    assert parsed.problems == [] and len(parsed.items) == 7
    assert {i.area for i in parsed.items} == {"constitution"}


def test_near_duplicates_are_reported_and_flagged_for_review(app, examiner, make_user):
    from examsvc.models import ReviewComment
    from examsvc.services import bank as bank_service

    existing = bank_service.submit_question(
        make_user("contributor"),
        "public",
        {
            "type": "judge",
            "area": "history",
            "stem": "遵义会议是党的历史上一个生死攸关的转折点。",
            "key": True,
        },
    )
    csv_text = (
        "题型,题干,答案,知识点\n"
        "判断题,遵义会议是党历史上一个生死攸关的转折点。,对,党的历史\n"
        "判断题,预备党员的预备期为一年。,对,党章党规\n"
    ).encode()
    report = importing.import_file(
        examiner, csv_text, fmt="csv", channel="public", filename="near.csv"
    )
    assert report.imported == 2
    notes = [e for e in report.errors if f"#{existing.id}" in e["message"]]
    assert [n["where"] for n in notes] == [translate(at_line(2))]  # "第 2 行" in Chinese
    flagged = db.session.scalars(
        db.select(ReviewComment).where(ReviewComment.body.contains(f"#{existing.id}"))
    )
    assert len(list(flagged)) == 1


def test_a_non_examiner_dry_run_reports_only_a_coarse_similarity(app, examiner, make_user):
    from examsvc.services import bank as bank_service

    bank_service.submit_question(
        make_user("contributor"),
        "public",
        {"type": "judge", "area": "history", "stem": "遵义会议是党的历史上一个生死攸关的转折点。",
         "key": True},
    )  # fmt: skip
    institution = make_user(Role.CONTRIBUTOR)
    institution.is_institution = True
    db.session.commit()
    csv_text = (
        "题型,题干,答案,知识点\n判断题,遵义会议是党历史上一个生死攸关的转折点。,对,党的历史\n"
    )

    def scores(actor):
        report = importing.import_file(
            actor, csv_text.encode(), fmt="csv", filename="near.csv", dry_run=True
        )
        (note,) = [e["message"] for e in report.errors if e["where"] == translate(at_line(2))]
        return note

    precise, coarse = scores(examiner), scores(institution)
    assert re.search(r"0\.\d\d\b", precise)
    assert re.search(r"0\.\d\b", coarse) and not re.search(r"0\.\d\d", coarse)
    assert "遵义会议是党的历史上" not in coarse
