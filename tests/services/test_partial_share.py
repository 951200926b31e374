"""The 多选 rule fixed_partial with the share the blueprint stores (少选得一半 by default):
at hand-in, in bulk scoring and after a key correction, on both databases; the blueprint
refuses a share outside 0 < share < 1 and the form asks for it only under that rule."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from examsvc.extensions import db
from examsvc.models import Answer, Attempt, AttemptAreaScore, Blueprint, PaperItem, Role, utcnow
from examsvc.services import attempts, bank, exams, scoring
from examsvc.services.errors import BadInput
from question_bank.model import OPTION_LABELS
from tests.conftest import post_form
from tests.services.test_marking import _fields_of
from tests.web.test_skeleton import FAIRNESS

#: Two 多选 items of 2 points each (key A and C in the question's own labels).
ROWS = [exams.RowSpec(None, "multiple", 2, 2.0)]


@pytest.fixture
def share_sitting(make_user, bank_of):
    def factory(share: float | None, candidates: int = 1):
        admin = make_user(Role.ADMIN)
        bank_of(3, "multiple")
        extra = {} if share is None else {"partial_share": share}
        blueprint = exams.create_blueprint(
            admin,
            name="少选得分",
            exam_kind="training",
            duration_minutes=30,
            pass_mark=2.5,
            rows=ROWS,
            multiple_rule="fixed_partial",
            **extra,
        )
        now = utcnow()
        sitting = exams.create_sitting(
            admin, blueprint.id, "少选场次", now - timedelta(minutes=5), now + timedelta(hours=1)
        )
        people = [make_user(Role.CANDIDATE) for _ in range(candidates)]
        for person in people:
            exams.enrol(admin, sitting.id, person.email)
        return sitting, admin, people

    return factory


def shown(item: PaperItem, labels: list[str]) -> list[str]:
    """The display labels (after the option shuffle) of the question's own ``labels``."""
    return sorted(OPTION_LABELS[item.option_order.index(OPTION_LABELS.index(k))] for k in labels)


def hand_in(person, sitting, picks: list[list[str]]) -> Attempt:
    """Answer the paper's items in order with these original labels and hand in."""
    attempt = attempts.start_or_resume(person, sitting.id)
    items = attempt.enrolment.paper.items
    answers = {str(i.id): shown(i, p) for i, p in zip(items, picks, strict=True)}
    attempts.save_answers(person, attempt.id, answers, seq=1)
    return attempts.submit(person, attempt.id)


def item_points(attempt: Attempt) -> list[float]:
    """The points of each item of the attempt, in the paper's order."""
    return list(
        db.session.scalars(
            db.select(Answer.points)
            .join(PaperItem, PaperItem.id == Answer.paper_item_id)
            .where(Answer.attempt_id == attempt.id)
            .order_by(PaperItem.position)
        )
    )


def test_a_correct_subset_earns_the_blueprints_share_of_the_points(share_sitting):
    sitting, _admin, (person,) = share_sitting(0.3)
    attempt = hand_in(person, sitting, [["A"], ["A", "C"]])  # one right option of two; all
    assert item_points(attempt) == [0.6, 2.0]
    assert (attempt.score, attempt.is_passed) == (2.6, True)
    attempt.score, attempt.is_passed = None, None  # bulk scoring works it out again
    db.session.commit()
    assert scoring.score_sitting(sitting.id)["passed"] == 1
    db.session.expire_all()
    attempt = db.session.get(Attempt, attempt.id)
    assert (attempt.score, attempt.is_passed) == (2.6, True)
    assert db.session.get(AttemptAreaScore, attempt.id).areas == {"constitution": 2.6}


def test_the_share_defaults_to_half(share_sitting):
    sitting, _admin, (person,) = share_sitting(None)
    assert sitting.blueprint.partial_share == 0.5
    attempt = hand_in(person, sitting, [["C"], ["A", "B"]])  # a subset; a wrong pick
    assert item_points(attempt) == [1.0, 0.0] and attempt.score == 1.0


def test_a_key_correction_rescores_a_subset_with_the_share(share_sitting, make_user):
    sitting, admin, (person,) = share_sitting(0.25)
    attempt = hand_in(person, sitting, [["A", "B"], ["A", "C"]])  # B is a wrong pick: 0
    assert attempt.score == 2.0
    first = attempt.enrolment.paper.items[0].question
    fields = {**_fields_of(first), "key": ["A", "B", "D"]}
    bank.edit_approved(make_user(Role.EXAMINER), first.id, fields, "答案更正：应选ABD")
    applied, changes = scoring.preview(sitting.id, [first.id])
    assert [(c.before, c.after) for c in changes] == [(2.0, 2.5)]
    assert changes[0].passed_before is False and changes[0].passed_after is True
    scoring.apply(admin, sitting.id, [first.id], scoring.digest(applied, changes))
    db.session.expire_all()
    attempt = db.session.get(Attempt, attempt.id)
    assert (attempt.score, attempt.is_passed) == (2.5, True)
    assert item_points(attempt) == [0.5, 2.0]  # a subset of A, B, D: a quarter of 2 points


@pytest.mark.parametrize("share", [0, 1, 1.5, -0.5, 0.333, float("nan")])
def test_a_share_outside_zero_to_one_is_refused(share_sitting, share):
    with pytest.raises(BadInput) as info:
        share_sitting(share)
    assert info.value.code == "invalid_blueprint"
    assert db.session.scalar(db.select(db.func.count()).select_from(Blueprint)) == 0


def _blueprint_form(rule: str, share: str) -> dict:
    return {
        "name": "少选得分",
        "exam_kind": "training",
        "level": "0",
        "duration_minutes": "30",
        "pass_mark": "2",
        "multiple_rule": rule,
        "partial_share": share,
        **FAIRNESS,
        "rows-0-area": "",
        "rows-0-qtype": "multiple",
        "rows-0-count": "2",
        "rows-0-points": "2",
    }


def test_the_blueprint_form_asks_for_the_share_under_fixed_partial_only(login_as, bank_of):
    bank_of(3, "multiple")
    client, _ = login_as(Role.ADMIN)
    page = client.get("/admin/blueprints/new").get_data(as_text=True)
    assert 'id="partial-share-group" hidden' in page and 'value="0.50"' in page
    for bad in ("1", "0", "0.333", "一半"):
        response = post_form(client, "/admin/blueprints/new", _blueprint_form("fixed_partial", bad))
        assert response.status_code == 200, bad
        html = response.get_data(as_text=True)
        assert re.findall(r'is-invalid" id="([^"]+)"', html) == ["partial_share"], bad
    assert db.session.scalar(db.select(db.func.count()).select_from(Blueprint)) == 0
    response = post_form(client, "/admin/blueprints/new", _blueprint_form("fixed_partial", "0.4"))
    assert response.status_code == 302
    # Under another rule the share is not asked for: whatever the hidden field holds is ignored.
    response = post_form(client, "/admin/blueprints/new", _blueprint_form("per_option", "x"))
    assert response.status_code == 302
    stored = db.session.execute(
        db.select(Blueprint.multiple_rule, Blueprint.partial_share).order_by(Blueprint.id)
    ).all()
    assert stored == [("fixed_partial", 0.4), ("per_option", 0.5)]
