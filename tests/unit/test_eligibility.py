"""Who may be enrolled: the pure rules, plain values in, reasons out."""

import pytest

from question_bank.eligibility import Candidate, Exam, refusals

POST = Exam("post_qualification")
TRAINING = Exam("training")


def codes(exam: Exam, person: Candidate) -> list[str]:
    return [r.code for r in refusals(exam, person)]


def test_an_approved_person_who_never_passed_may_sit_the_post_exam():
    assert refusals(POST, Candidate("active")) == []


@pytest.mark.parametrize(
    ("status", "code"), [("pending", "not_approved"), ("disabled", "account_disabled")]
)
def test_a_registration_not_approved_or_a_disabled_account_is_refused(status, code):
    assert codes(POST, Candidate(status)) == [code]


def test_an_unknown_status_is_refused_not_let_through():
    assert codes(POST, Candidate("returned")) == ["unknown_status"]


def test_a_person_who_passed_the_same_kind_is_refused_and_the_reason_names_the_exam():
    person = Candidate("active", frozenset({("post_qualification", 0)}))
    (reason,) = refusals(POST, person)
    assert reason.code == "already_passed" and "post_qualification" in reason
    assert refusals(TRAINING, person) == []  # another kind of exam is no obstacle


def test_passing_a_level_exam_refuses_only_that_level():
    person = Candidate("active", frozenset({("level", 1)}), level=1)
    assert "already_passed" in codes(Exam("level", 1), person)
    assert refusals(Exam("level", 2), person) == []


def test_level_one_needs_no_prerequisite():
    assert refusals(Exam("level", 1), Candidate("active")) == []


def test_a_level_exam_needs_the_level_below():
    (reason,) = refusals(Exam("level", 3), Candidate("active", level=1))
    assert reason.code == "level_below_missing" and "L2" in reason and "L3" in reason
    assert refusals(Exam("level", 3), Candidate("active", level=2)) == []


def test_a_level_already_held_is_refused():
    assert codes(Exam("level", 2), Candidate("active", level=2)) == ["level_held"]
    assert codes(Exam("level", 2), Candidate("active", level=4)) == ["level_held"]


def test_a_level_exam_without_a_level_is_refused():
    assert codes(Exam("level", 0), Candidate("active")) == ["no_level"]


def test_every_reason_is_listed_not_only_the_first():
    person = Candidate("pending", frozenset({("level", 2)}), level=0)
    assert codes(Exam("level", 2), person) == [
        "not_approved",
        "already_passed",
        "level_below_missing",
    ]


def test_a_resit_is_only_for_those_who_failed_the_sitting_before():
    from question_bank.eligibility import Candidate, Exam, refusals

    first_resit = Exam("training", resit=1, resits_allowed=1)
    assert refusals(first_resit, Candidate("active", failed_previous=True)) == []
    (reason,) = refusals(first_resit, Candidate("active"))
    assert reason.code == "resit_not_failed"
    (reason,) = refusals(Exam("training", resit=2), Candidate("active", failed_previous=True))
    assert reason.code == "no_more_resits"
    assert refusals(Exam("training"), Candidate("active")) == []  # an original: no resit rule


def test_the_resits_allowed_count_every_resit_of_the_same_sitting():
    """A second resit of the same sitting (a sibling, not a follower) uses the allowance too."""
    sibling = Exam("training", resit=1, resits_allowed=1)
    used = Candidate("active", failed_previous=True, resits_taken=1)
    assert codes(sibling, used) == ["resits_used"]
    assert codes(Exam("training", resit=1, resits_allowed=2), used) == []


def test_a_passed_training_test_does_not_refuse_the_next_training_test():
    """A training test comes before certification and before each promotion."""
    person = Candidate("active", frozenset({("training", 0), ("post_qualification", 0)}), level=1)
    assert refusals(TRAINING, person) == []
    assert refusals(Exam("level", 2), person) == []
    assert codes(POST, person) == ["already_passed"]


def test_a_suspended_level_holder_may_not_sit_the_next_level():
    exam = Exam("level", 3)
    (reason,) = refusals(exam, Candidate("active", level=2, level_suspended=True))
    assert reason.code == "suspended"
    assert refusals(exam, Candidate("active", level=2)) == []
