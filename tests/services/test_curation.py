"""The curation workflow through the services, on SQLite and PostgreSQL."""

import pytest

from examsvc.extensions import db
from examsvc.models import AuditEntry, Paper, Question, QuestionVersion, Role
from examsvc.services import bank, browse, exams, review, similarity
from examsvc.services.browse import BankFilter
from examsvc.services.errors import BadInput, Conflict, Forbidden, NotFound
from tests.conftest import single_fields

TYPES = {
    "single": single_fields(1),
    "multiple": {
        "type": "multiple",
        "area": "practice",
        "stem": "三会一课包括（  ）。",
        "options": ["支部党员大会", "支部委员会", "党小组会", "职工代表大会"],
        "key": ["A", "B", "C"],
    },
    "judge": {"type": "judge", "area": "history", "stem": "遵义会议于1935年1月召开。", "key": True},
    "fill": {
        "type": "fill",
        "area": "constitution",
        "stem": "预备党员的预备期为____。",
        "key": [["一年", "1年"]],
    },
    "short": {
        "type": "short",
        "area": "practice",
        "stem": "简述发展党员的主要程序。",
        "key": "参考答案……",
        "rubric": [
            ["申请入党与入党积极分子的确定", "3"],
            ["发展对象的确定和考察", "3"],
            ["接收预备党员", "4"],
        ],
    },
}


@pytest.fixture
def people(make_user):
    return {
        "contributor": make_user(Role.CONTRIBUTOR),
        "other": make_user(Role.CONTRIBUTOR),
        "examiner": make_user(Role.EXAMINER),
        "examiner2": make_user(Role.EXAMINER),
        "admin": make_user(Role.ADMIN),
    }


@pytest.mark.parametrize("qtype", list(TYPES))
def test_every_type_is_submitted_with_its_first_version(people, qtype):
    question = bank.submit_question(people["contributor"], "public", TYPES[qtype])
    assert (question.status, question.type, question.version) == ("submitted", qtype, 1)
    version = db.session.scalar(
        db.select(QuestionVersion).where(QuestionVersion.question_id == question.id)
    )
    assert version.stem == question.stem and version.key == question.key
    assert len(question.fingerprint) == 64


def test_invalid_submission_lists_every_problem_and_saves_nothing(people):
    fields = {**TYPES["multiple"], "options": ["甲", "甲", ""], "key": ["A"]}
    with pytest.raises(BadInput) as info:
        bank.submit_question(people["contributor"], "public", fields)
    assert "选项 B 与选项 A 重复" in info.value.problems
    assert "多项选择题至少要有两个正确答案" in info.value.problems
    assert db.session.scalar(db.select(db.func.count()).select_from(Question)) == 0


def test_exact_duplicates_are_refused_even_reordered_or_rewidthed(people):
    first = bank.submit_question(people["contributor"], "public", TYPES["single"])
    variant = {
        **TYPES["single"],
        "options": TYPES["single"]["options"][::-1],
        "stem": TYPES["single"]["stem"].replace("（  ）", "(\u3000)"),
    }
    with pytest.raises(Conflict) as info:
        bank.submit_question(people["other"], "grassroots", variant)
    assert info.value.code == "duplicate" and f"#{first.id}" in info.value.message


def test_near_duplicates_are_found_with_a_score(people):
    original = bank.submit_question(people["contributor"], "public", TYPES["single"])
    bank.submit_question(people["contributor"], "public", TYPES["judge"])
    near = similarity.similar_questions(
        TYPES["single"]["stem"].replace("最高领导", "最高权力"), TYPES["single"]["options"]
    )
    assert [s.question.id for s in near] == [original.id]
    assert 0.6 <= near[0].score < 1


def test_contributors_cannot_review_and_examiners_not_their_own(people, make_user):
    question = bank.submit_question(people["contributor"], "public", TYPES["single"])
    with pytest.raises(Forbidden):
        review.review(people["contributor"], question.id, "approve")
    both = make_user(Role.EXAMINER, Role.CONTRIBUTOR)
    own = bank.submit_question(both, "public", TYPES["judge"])
    with pytest.raises(Forbidden) as info:
        review.review(both, own.id, "approve")
    assert info.value.code == "own_question"
    db.session.expire_all()
    assert {q.status for q in db.session.scalars(db.select(Question))} == {"submitted"}


@pytest.mark.parametrize("decision", ["return", "reject"])
def test_return_and_reject_need_a_reason(people, decision):
    question = bank.submit_question(people["contributor"], "public", TYPES["single"])
    with pytest.raises(BadInput) as info:
        review.review(people["examiner"], question.id, decision, "  ")
    assert info.value.code == "reason_required"
    review.review(people["examiner"], question.id, decision, "出处不明")
    assert question.status == {"return": "returned", "reject": "rejected"}[decision]
    assert [(c.kind, c.body) for c in question.comments] == [(decision, "出处不明")]


def test_returned_question_is_edited_and_resubmitted_by_its_contributor_only(people):
    question = bank.submit_question(people["contributor"], "public", TYPES["single"])
    review.review(people["examiner"], question.id, "return", "请补充出处")
    edited = {**TYPES["single"], "source": "《中国共产党章程》第十条"}
    with pytest.raises(NotFound):
        bank.edit_submission(people["other"], question.id, edited)
    bank.edit_submission(people["contributor"], question.id, edited)
    assert (question.status, question.source, question.version) == (
        "submitted",
        "《中国共产党章程》第十条",
        1,
    )
    assert [c.kind for c in question.comments] == ["return", "resubmit"]
    review.review(people["examiner"], question.id, "approve")
    with pytest.raises(Conflict):
        bank.edit_submission(people["contributor"], question.id, edited)


def test_editing_an_approved_question_makes_a_version_and_papers_keep_theirs(people, open_sitting):
    sitting, admin, (candidate,) = open_sitting()
    paper = db.session.scalar(db.select(Paper))
    item = paper.items[0]
    old_stem = item.content.stem
    examiner = db.session.get(type(people["examiner"]), item.question.reviewer_id)
    changed = {
        "type": "single",
        "area": item.question.area,
        "stem": old_stem + "（修订）",
        "options": item.question.options,
        "key": item.question.key,
    }
    with pytest.raises(BadInput):
        bank.edit_approved(examiner, item.question_id, changed, "  ")
    bank.edit_approved(examiner, item.question_id, changed, "题干措辞修订")
    db.session.expire_all()
    question = db.session.get(Question, item.question_id)
    assert question.version == 2 and question.stem.endswith("（修订）")
    paper = db.session.scalar(db.select(Paper))
    assert paper.items[0].question_version == 1 and paper.items[0].content.stem == old_stem
    history = browse.history(question)
    assert [v.version.version for v in history] == [1, 2]
    assert "stem" in [name for name, _lines in history[1].changes]
    with pytest.raises(BadInput) as info:
        bank.edit_approved(examiner, item.question_id, changed, "again")
    assert info.value.code == "unchanged"


def test_retiring_keeps_history_and_leaves_the_pool(people):
    question = bank.submit_question(people["contributor"], "public", TYPES["single"])
    review.review(people["examiner"], question.id, "approve")
    with pytest.raises(BadInput):
        review.retire(people["examiner"], question.id, "")
    review.retire(people["examiner"], question.id, "内容过时")
    assert question.status == "retired" and len(question.versions) == 1
    with pytest.raises(Conflict):
        review.review(people["examiner2"], question.id, "approve")


def test_marking_a_duplicate_points_at_the_original(people):
    original = bank.submit_question(people["contributor"], "public", TYPES["single"])
    copy = bank.submit_question(
        people["other"],
        "public",
        {**TYPES["single"], "stem": TYPES["single"]["stem"].replace("最高领导", "最高权力")},
    )
    with pytest.raises(BadInput):
        review.review(people["examiner"], copy.id, "duplicate", duplicate_of=copy.id)
    review.review(people["examiner"], copy.id, "duplicate", duplicate_of=original.id)
    assert (copy.status, copy.duplicate_of_id) == ("rejected", original.id)
    assert f"#{original.id}" in copy.comments[-1].body


@pytest.fixture
def app_config(request):
    return {"REVIEW_SECOND_APPROVAL": True} if "second_approval" in request.node.name else {}


def test_second_approval_needs_another_examiner(people):
    question = bank.submit_question(people["contributor"], "public", TYPES["single"])
    review.review(people["examiner"], question.id, "approve")
    assert (question.status, question.first_approver_id) == ("in_review", people["examiner"].id)
    with pytest.raises(Conflict) as info:
        review.review(people["examiner"], question.id, "approve")
    assert info.value.code == "same_approver"
    review.review(people["examiner2"], question.id, "approve")
    assert question.status == "approved"
    training_only = bank.submit_question(
        people["contributor"], "public", {**TYPES["judge"], "exams": ["training"]}
    )
    review.review(people["examiner"], training_only.id, "approve")
    assert training_only.status == "approved"  # not a certification question: one approval


def test_a_new_version_of_a_certification_question_needs_a_second_approval(people):
    question = bank.submit_question(people["contributor"], "public", TYPES["single"])
    review.review(people["examiner"], question.id, "approve")
    review.review(people["examiner2"], question.id, "approve")
    changed = {**TYPES["single"], "stem": TYPES["single"]["stem"] + "（修订）"}
    bank.edit_approved(people["examiner"], question.id, changed, "题干措辞修订")
    assert (question.status, question.first_approver_id) == ("in_review", people["examiner"].id)
    assert question.version == 2 and question.stem.endswith("（修订）")
    with pytest.raises(Conflict) as info:
        review.review(people["examiner"], question.id, "approve")
    assert info.value.code == "same_approver"
    review.review(people["examiner2"], question.id, "approve")
    assert question.status == "approved"
    with pytest.raises(Conflict):  # approving an approved question changes nothing
        review.review(people["examiner"], question.id, "approve")
    assert question.status == "approved"


def test_institution_channel_needs_verification(people):
    with pytest.raises(Forbidden) as info:
        bank.submit_question(people["contributor"], "institution", TYPES["single"])
    assert info.value.code == "not_institution"
    review.set_institution(people["admin"], people["contributor"].id, True)
    assert (
        bank.submit_question(people["contributor"], "institution", TYPES["single"]).channel
        == "institution"
    )


def test_comments_belong_to_the_contributor_and_examiners(people):
    question = bank.submit_question(people["contributor"], "public", TYPES["single"])
    review.comment(people["contributor"], question.id, "出处见党章第十条")
    review.comment(people["examiner"], question.id, "收到")
    with pytest.raises(NotFound):
        review.comment(people["other"], question.id, "我也想说")
    with pytest.raises(BadInput):
        review.comment(people["examiner"], question.id, " ")
    assert [c.body for c in question.comments] == ["出处见党章第十条", "收到"]


def test_queue_browser_counts_and_credit(people):
    ids = {
        t: bank.submit_question(people["contributor" if t != "judge" else "other"], "public", f).id
        for t, f in TYPES.items()
    }
    review.review(people["examiner"], ids["single"], "approve")
    review.review(people["examiner"], ids["judge"], "reject", "重复")
    queue = browse.review_queue(BankFilter())
    assert [q.id for q in queue] == sorted(set(ids.values()) - {ids["single"], ids["judge"]})
    assert [q.id for q in browse.review_queue(BankFilter(type="fill"))] == [ids["fill"]]
    assert browse.browse(BankFilter(status="approved"), 1).total == 1
    assert browse.browse(BankFilter(text="三会一课"), 1).items[0].id == ids["multiple"]
    assert browse.browse(BankFilter(text="%"), 1).total == 0
    assert browse.counts(BankFilter())[("constitution", "single", 2)] == 1
    people_credit, channel_credit = browse.credit()
    by_name = {c.name: c for c in people_credit}
    assert (
        by_name[people["contributor"].name].submitted,
        by_name[people["contributor"].name].accepted,
    ) == (4, 1)
    assert by_name[people["other"].name].rate == 0.0
    assert [(c.name, c.submitted, c.accepted) for c in channel_credit] == [("public", 5, 1)]


def test_questions_serve_only_the_exams_they_are_marked_for(people, make_user):
    admin = people["admin"]
    for i in range(3):
        q = bank.submit_question(
            people["contributor"],
            "public",
            {**TYPES["judge"], "stem": f"判断{i}", "exams": ["training"]},
        )
        review.review(people["examiner"], q.id, "approve")
    rows = [exams.RowSpec(None, "judge", 2, 50.0)]
    training = exams.create_blueprint(
        admin, name="培训", exam_kind="training", duration_minutes=30, pass_mark=60, rows=rows
    )
    assert exams.feasibility(training) == []
    with pytest.raises(Conflict) as info:  # none of them serves the post exam
        exams.create_blueprint(
            admin,
            name="上岗",
            exam_kind="post_qualification",
            duration_minutes=30,
            pass_mark=60,
            rows=rows,
        )
    assert info.value.code == "blueprint_infeasible"
    assert "不限领域 × 判断题：0/2" in info.value.message


def test_every_step_is_audited(people):
    question = bank.submit_question(people["contributor"], "public", TYPES["single"])
    review.review(people["examiner"], question.id, "return", "补充")
    bank.edit_submission(people["contributor"], question.id, {**TYPES["single"], "source": "党章"})
    review.review(people["examiner"], question.id, "approve")
    review.retire(people["examiner"], question.id, "过时")
    actions = list(
        db.session.scalars(
            db.select(AuditEntry.action).where(AuditEntry.subject_type == "question")
        )
    )
    assert actions == [
        "question.submitted",
        "question.returned",
        "question.edited",
        "question.approved",
        "question.retired",
    ]
