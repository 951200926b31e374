"""Domain errors carry a message template, a code and parameters, so the service can translate."""

from __future__ import annotations

import pickle

import pytest

from question_bank.errors import AssemblyInfeasible, Code, InvalidQuestion, InvalidResponse, Msg
from question_bank.model import QuestionType, build_question
from question_bank.scoring import check_response


def test_question_problems_are_messages_with_codes_and_english_text():
    with pytest.raises(InvalidQuestion) as info:
        build_question(type="single", area="history", stem="题干", options=["甲", "乙"], key="C")
    (problem,) = info.value.problems
    assert isinstance(problem, Msg) and problem.code == "single_key"
    assert problem.template == "a single-choice question needs exactly one key among its options"
    assert problem == problem.template  # logs and joins keep the English text


def test_parameters_stay_apart_from_the_template():
    with pytest.raises(InvalidQuestion) as info:
        build_question(
            type="multiple", area="history", stem="题干", options=["甲", "甲", "丙"], key="AB"
        )
    repeated = next(p for p in info.value.problems if p.code == "repeated_option")
    assert repeated.template == "option %(label)s repeats option %(first)s"
    assert repeated.params == {"label": "B", "first": "A"}
    assert repeated == "option B repeats option A"


def test_a_shortfall_names_its_area_and_type_as_codes_the_service_can_label():
    from question_bank.errors import Shortfall

    error = AssemblyInfeasible([Shortfall(2, "discipline", "fill", 50, 3)])
    (message,) = error.messages
    assert message == "row 3 (discipline × fill): needs 50, bank has 3"
    cell = message.params["cell"]
    assert isinstance(cell, Msg) and cell.code == "cell"
    assert isinstance(cell.params["area"], Code) and cell.params["area"].kind == "area"
    assert isinstance(cell.params["qtype"], Code) and cell.params["qtype"].kind == "type"
    assert str(error) == "blueprint cannot be met: row 3 (discipline × fill): needs 50, bank has 3"


def test_a_response_error_is_a_message():
    with pytest.raises(InvalidResponse) as info:
        check_response(QuestionType.SINGLE, "Z", 4, 0)
    message = info.value.args[0]
    assert isinstance(message, Msg) and message.params == {"labels": ("A", "B", "C", "D")}
    assert message == "expected one of A, B, C, D"


def test_messages_and_codes_survive_pickling_for_background_jobs():
    cell = Msg("%(area)s × %(qtype)s", code="cell", area=Code("law", "area"), qtype="fill")
    copy = pickle.loads(pickle.dumps(cell))
    assert (copy.template, copy.code, copy) == (cell.template, "cell", "law × fill")
    assert isinstance(copy.params["area"], Code) and copy.params["area"].kind == "area"
