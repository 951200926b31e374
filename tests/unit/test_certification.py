"""Certificate rules as data: every check with the reason it refuses, the defaults of the seeds,
the checking of rule sets admins write, and the six steps of a promotion."""

from __future__ import annotations

from datetime import date

import pytest

from question_bank import certification, rule_sets
from question_bank import promotion as steps
from question_bank.certification import DEFAULT_RULES, CourseHours, Facts, evaluate
from question_bank.errors import Code, Msg

TODAY = date(2026, 6, 15)


def codes(reasons: list[Msg]) -> list[str]:
    return [r.code for r in reasons]


def test_a_non_member_who_passed_gets_no_post_certificate_and_is_told_why():
    post = DEFAULT_RULES[("post_qualification", 0)]
    (reason,) = evaluate(post, Facts(TODAY, party_member=False, passed_exam=True))
    assert reason.code == "not_party_member" and reason == "not a party member"
    assert evaluate(post, Facts(TODAY, party_member=True, passed_exam=True)) == []


def test_a_training_certificate_needs_the_course_hours_and_the_test():
    training = DEFAULT_RULES[("training", 0)]
    course = CourseHours("基层党务培训班", 16.0, 12.5)
    (short,) = evaluate(training, Facts(TODAY, passed_exam=True, courses=(course,)))
    assert short.code == "hours_short"
    assert short == "recorded 12.5 of the 16 hours of the course 基层党务培训班"
    (no_course,) = evaluate(training, Facts(TODAY, passed_exam=True))
    assert no_course.code == "no_course"
    done = CourseHours("基层党务培训班", 16.0, 16.0)
    assert evaluate(training, Facts(TODAY, passed_exam=True, courses=(done,))) == []
    # one of several courses behind the same test is enough
    two = (course, CourseHours("第二期", 8.0, 8.0))
    assert evaluate(training, Facts(TODAY, passed_exam=True, courses=two)) == []
    assert codes(evaluate(training, Facts(TODAY, passed_exam=False, courses=(done,)))) == [
        "exam_not_passed"
    ]


def level_facts(**changes) -> Facts:
    """Someone at L2 since 2022 with 30 hours a year and a fresh test and panel: L3 passes."""
    values = dict(
        today=TODAY,
        party_member=True,
        level=2,
        level_since=date(2022, 1, 10),
        hours_by_year={2023: 30.0, 2024: 30.0, 2025: 30.0},
        training_test_on=date(2026, 3, 1),
        panel=("甲", "乙", "丙"),
    )
    values.update(changes)
    return Facts(**values)


def test_the_default_level_rules_pass_someone_who_meets_them():
    assert evaluate(DEFAULT_RULES[("level", 3)], level_facts()) == []
    assert evaluate(DEFAULT_RULES[("level", 4)], level_facts(level=3, hours_by_year={
        2023: 40.0, 2024: 40.0, 2025: 41.0})) == []  # fmt: skip


def test_l3_without_l2_is_refused_one_level_at_a_time():
    (reason,) = evaluate(DEFAULT_RULES[("level", 3)][:1], level_facts(level=1))
    assert reason.code == "level_missing"
    assert reason.params["held"] == Code("L1", "exam")
    assert reason.params["level"] == Code("L2", "exam")
    (none,) = evaluate(DEFAULT_RULES[("level", 3)][:1], level_facts(level=0, level_since=None))
    assert none.params["held"].code == "no_level"
    (again,) = evaluate(DEFAULT_RULES[("level", 1)][:1], level_facts(level=1))
    assert again.code == "level_held"


def test_hours_short_in_any_year_are_refused_naming_the_year():
    facts = level_facts(hours_by_year={2023: 30.0, 2024: 20.0})
    reasons = evaluate([{"check": "hours_per_year", "hours": 24, "years": 3}], facts)
    assert reasons == [
        "recorded 20 training hours in 2024; 24 are needed",
        "recorded 0 training hours in 2025; 24 are needed",
    ]
    assert {r.params["year"] for r in reasons} == {2024, 2025}


def test_a_suspended_holder_cannot_be_promoted():
    (reason,) = evaluate(DEFAULT_RULES[("level", 3)], level_facts(suspended=True))
    assert reason.code == "suspended"


def test_time_in_level_counts_whole_months():
    assert certification.months_between(date(2024, 3, 31), date(2024, 4, 30)) == 0
    assert certification.months_between(date(2024, 3, 31), date(2024, 5, 1)) == 1
    assert certification.months_between(date(2026, 1, 1), date(2025, 1, 1)) == 0
    rule = [{"check": "months_in_level", "months": 24}]
    (reason,) = evaluate(rule, level_facts(level_since=date(2025, 1, 1)))
    assert reason.code == "months_short" and reason.params["held"] == 17
    assert evaluate(rule, level_facts(level_since=date(2024, 6, 15))) == []
    assert codes(evaluate(rule, level_facts(level=0, level_since=None))) == ["no_level"]


def test_the_training_test_must_be_passed_and_recent_enough():
    rule = [{"check": "training_test_passed", "within_months": 12}]
    assert codes(evaluate(rule, level_facts(training_test_on=None))) == ["test_not_passed"]
    (old,) = evaluate(rule, level_facts(training_test_on=date(2025, 6, 15)))
    assert old.code == "test_too_old" and old.params["date"] == "2025-06-15"
    assert evaluate(rule, level_facts(training_test_on=date(2025, 6, 16))) == []
    anytime = [{"check": "training_test_passed"}]
    assert evaluate(anytime, level_facts(training_test_on=date(2001, 1, 1))) == []


def test_l4_needs_the_panels_assessment():
    rule = [{"check": "panel_assessment", "members": 3}]
    (reason,) = evaluate(rule, level_facts(panel=("甲", "乙")))
    assert reason.code == "no_panel" and reason.params == {"n": 2, "needed": 3}
    assert evaluate(rule, level_facts()) == []


def test_every_default_rule_set_is_valid_and_reads_as_sentences():
    for (kind, level), conditions in DEFAULT_RULES.items():
        assert rule_sets.validate(kind, level, conditions) == [], (kind, level)
        assert rule_sets.normalise(conditions) == [
            {**{"check": c["check"]}, **{k: v for k, v in c.items() if k != "check"}} | _defaults(c)
            for c in conditions
        ]
        sentences = [rule_sets.describe(c) for c in conditions]
        assert all(isinstance(s, Msg) and s.code != "unknown_check" for s in sentences)
    assert rule_sets.describe({"check": "level_held", "level": 0}) == "Holds no level yet"
    assert rule_sets.describe({"check": "hours_per_year", "hours": 24, "years": 2}) == (
        "Recorded at least 24 training hours in each of the last 2 calendar years"
    )


def _defaults(condition: dict) -> dict:
    check = certification.CHECKS[condition["check"]]
    return {p.name: condition.get(p.name, p.default) for p in check.params}


@pytest.mark.parametrize(
    ("kind", "level", "conditions", "code"),
    [
        ("level", 2, {"check": "party_member"}, "not_a_list"),
        ("level", 2, [], "no_conditions"),
        ("level", 2, [{"check": "party_member"}] * 21, "too_many"),
        ("level", 2, ["party_member"], "not_an_object"),
        ("level", 2, [{"check": "astrology"}], "unknown_check"),
        ("post_qualification", 0, [{"check": "months_in_level", "months": 3}], "not_applicable"),
        ("level", 2, [{"check": "months_in_level"}], "missing_setting"),
        ("level", 2, [{"check": "months_in_level", "months": -1}], "bad_setting"),
        ("level", 2, [{"check": "months_in_level", "months": True}], "bad_setting"),
        ("level", 2, [{"check": "months_in_level", "months": "12"}], "bad_setting"),
        ("level", 2, [{"check": "months_in_level", "months": 2.5}], "bad_setting"),
        ("level", 2, [{"check": "months_in_level", "months": 3, "weeks": 1}], "unknown_setting"),
        ("level", 3, [{"check": "level_held", "level": 1}], "one_level_at_a_time"),
        ("level", 2, [{"check": "party_member"}, {"check": "party_member"}], "repeated"),
        ("level", 5, [{"check": "party_member"}], "unknown_credential"),
    ],
)
def test_a_bad_rule_set_is_refused_naming_the_problem(kind, level, conditions, code):
    problems = rule_sets.validate(kind, level, conditions)
    assert problems and problems[0].code == code, problems


def test_a_problem_names_the_condition_by_its_number():
    (problem,) = rule_sets.validate(
        "level", 2, [{"check": "party_member"}, {"check": "months_in_level", "months": 999}]
    )
    assert problem == "condition 2: the number of months must be a whole number from 0 to 240"


def test_form_rows_and_stored_conditions_round_trip():
    stored = {"check": "hours_per_year", "hours": 24, "years": 2}
    assert rule_sets.to_fields(stored) == ("hours_per_year", 24, 2)
    assert rule_sets.from_fields("hours_per_year", 24, 2) == stored
    assert rule_sets.from_fields("party_member", "", None) == {"check": "party_member"}
    assert rule_sets.to_fields({"check": "panel_assessment"}) == ("panel_assessment", 3, None)
    assert rule_sets.normalise([{"check": "panel_assessment"}]) == [
        {"check": "panel_assessment", "members": 3}
    ]


def test_the_six_steps_go_in_order():
    assert steps.STEPS[0] == "declare" and steps.STEPS[-1] == "public_notice"
    assert [steps.next_step(s) for s in steps.STEPS] == [*steps.STEPS[1:], None]


def test_who_may_apply_for_which_level():
    assert steps.declaration_refusals(1, 0, False) == []
    assert steps.declaration_refusals(3, 2, False) == []
    assert codes(steps.declaration_refusals(3, 1, False)) == ["level_missing"]
    assert codes(steps.declaration_refusals(2, 2, False)) == ["level_held"]
    assert codes(steps.declaration_refusals(3, 2, True)) == ["suspended"]
    assert codes(steps.declaration_refusals(3, 2, False, open_to=3)) == ["already_open"]
    assert codes(steps.declaration_refusals(5, 4, False)) == ["no_level"]


def test_panel_members_are_read_from_lines_or_list_marks():
    names = steps.panel_members("王一\n李二、张三, 王一；赵四\n\n")
    assert names == ("王一", "李二", "张三", "赵四")
    assert steps.panel_members("  ") == ()
