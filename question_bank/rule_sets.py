"""Rule sets as admins write and read them: checking a list of conditions (every problem
named), the rows of the editing form, and each condition as a sentence. The conditions and
their evaluation are question_bank/certification.py."""

from __future__ import annotations

from collections.abc import Mapping

from question_bank.certification import (
    CHECKS,
    DEFAULT_RULES,
    MAX_CONDITIONS,
    Param,
    setting,
    whole,
)
from question_bank.errors import Code, Msg


def _level(n: int) -> Code:
    return Code(f"L{n}", "exam")


# --- checking ----------------------------------------------------------------------------


def validate(kind: str, level: int, conditions: object) -> list[Msg]:
    """Every problem of a rule set an admin wrote for the credential (empty: it is usable)."""
    if (kind, level) not in DEFAULT_RULES:
        return [Msg("there is no credential %(kind)s of level %(level)s", code="unknown_credential",
                    kind=kind, level=level)]  # fmt: skip
    if not isinstance(conditions, list):
        return [Msg("the conditions must be a list", code="not_a_list")]
    if not conditions:
        return [Msg("a rule set needs at least one condition", code="no_conditions")]
    if len(conditions) > MAX_CONDITIONS:
        return [Msg("a rule set holds at most %(n)s conditions", code="too_many", n=MAX_CONDITIONS)]
    problems: list[Msg] = []
    seen: dict[str, int] = {}
    for number, condition in enumerate(conditions, start=1):
        for problem in _condition_problems(kind, level, condition):
            problems.append(Msg("condition %(n)s: %(problem)s", code=problem.code, n=number,
                                problem=problem))  # fmt: skip
        name = condition.get("check") if isinstance(condition, dict) else None
        if isinstance(name, str) and name in CHECKS:
            if name in seen:
                problems.append(
                    Msg("condition %(n)s repeats condition %(first)s", code="repeated",
                        n=number, first=seen[name])
                )  # fmt: skip
            seen.setdefault(name, number)
    return problems


def _condition_problems(kind: str, level: int, condition: object) -> list[Msg]:
    if not isinstance(condition, dict):
        return [Msg("a condition names one check and its settings", code="not_an_object")]
    name = condition.get("check")
    if not isinstance(name, str) or name not in CHECKS:
        return [Msg("choose a condition from the list", code="unknown_check")]
    check = CHECKS[name]
    if kind not in check.kinds:
        return [Msg("“%(check)s” does not apply to this credential", code="not_applicable",
                    check=title(name))]  # fmt: skip
    problems: list[Msg] = []
    known = {p.name for p in check.params}
    if any(key != "check" and key not in known for key in condition):
        problems.append(Msg("“%(check)s” takes no such setting", code="unknown_setting",
                            check=title(name)))  # fmt: skip
    for param in check.params:
        problems += _param_problems(param, condition.get(param.name))
    if name == "level_held" and not problems and condition["level"] != level - 1:
        problems.append(
            Msg("a level %(level)s rule asks for level %(below)s held: promotions go one level "
                "at a time", code="one_level_at_a_time", level=level, below=level - 1)
        )  # fmt: skip
    return problems


def _param_problems(param: Param, value: object) -> list[Msg]:
    if value is None:
        if param.default is None:
            return [Msg("give the %(key)s", code="missing_setting", key=setting_label(param.name))]
        return []
    number = whole(value)
    if number is None or not param.low <= number <= param.high:
        return [
            Msg("the %(key)s must be a whole number from %(low)s to %(high)s", code="bad_setting",
                key=setting_label(param.name), low=param.low, high=param.high)
        ]  # fmt: skip
    return []


def from_fields(check: str, value: object = None, years: object = None) -> dict:
    """A condition from a form's row: the check, its first setting and (hours per year) the
    years. Settings left empty are left out (their defaults apply, or validate names them)."""
    condition: dict = {"check": check}
    spec = CHECKS.get(check)
    if spec is None:
        return condition
    for param, given in zip(spec.params, (value, years), strict=False):
        if given is not None and given != "":
            condition[param.name] = given
    return condition


def to_fields(condition: Mapping) -> tuple[str, int | None, int | None]:
    """A stored condition as a form's row: (check, first setting, years)."""
    spec = CHECKS[condition["check"]]
    values = [whole(condition.get(p.name, p.default)) for p in spec.params] + [None, None]
    return spec.name, values[0], values[1]


def normalise(conditions: list[dict]) -> list[dict]:
    """Valid conditions as stored: "check" first, settings as whole numbers, defaults filled."""
    stored = []
    for condition in conditions:
        check = CHECKS[condition["check"]]
        row: dict = {"check": check.name}
        for param in check.params:
            value = condition.get(param.name, param.default)
            row[param.name] = whole(value)
        stored.append(row)
    return stored


# --- sentences -----------------------------------------------------------------------------


def title(check: str) -> Msg:
    """The check's short name, for lists and choices."""
    titles = {
        "party_member": Msg("Party member", code="party_member"),
        "passed_exam": Msg("Passed the exam", code="passed_exam"),
        "course_hours": Msg("Completed the course hours", code="course_hours"),
        "level_held": Msg("Level held now", code="level_held"),
        "months_in_level": Msg("Months in the level", code="months_in_level"),
        "hours_per_year": Msg("Training hours per year", code="hours_per_year"),
        "training_test_passed": Msg("Training test passed", code="training_test_passed"),
        "panel_assessment": Msg("Assessment by a panel", code="panel_assessment"),
        "certificate_not_suspended": Msg("Certificate not suspended", code="not_suspended"),
    }
    return titles.get(check, Msg("Unknown condition", code="unknown_check"))


def setting_label(name: str) -> Msg:
    """What a setting means, as an admin reads it."""
    labels = {
        "level": Msg("level held (0 for none)", code="level"),
        "months": Msg("number of months", code="months"),
        "hours": Msg("hours a year", code="hours"),
        "years": Msg("number of years", code="years"),
        "within_months": Msg("within months (0: at any time)", code="within_months"),
        "members": Msg("least number of panel members", code="members"),
    }
    return labels.get(name, Msg("setting", code="setting"))


def describe(condition: Mapping) -> Msg:
    """The condition as a sentence an admin reads."""
    name = condition.get("check")
    if name == "party_member":
        return Msg("Is a party member (full or probationary)", code=name)
    if name == "passed_exam":
        return Msg("Passed the exam behind this certificate", code=name)
    if name == "course_hours":
        return Msg("Completed the training course: the hours recorded in the training archive "
                   "reach the hours the course requires", code=name)  # fmt: skip
    if name == "level_held":
        held = setting(condition, "level")
        if held == 0:
            return Msg("Holds no level yet", code=name)
        return Msg("Holds %(level)s now (promotions go one level at a time)", code=name,
                   level=_level(held))  # fmt: skip
    if name == "months_in_level":
        return Msg("Has held the current level for at least %(months)s months", code=name,
                   months=setting(condition, "months"))  # fmt: skip
    if name == "hours_per_year":
        return Msg("Recorded at least %(hours)s training hours in each of the last %(years)s "
                   "calendar years", code=name, hours=setting(condition, "hours"),
                   years=setting(condition, "years"))  # fmt: skip
    if name == "training_test_passed":
        months = setting(condition, "within_months")
        if months == 0:
            return Msg("Passed the training test of the level", code=name)
        return Msg("Passed the training test of the level within the last %(months)s months",
                   code=name, months=months)  # fmt: skip
    if name == "panel_assessment":
        return Msg("The comprehensive assessment was decided by a panel of at least "
                   "%(members)s members", code=name,
                   members=setting(condition, "members"))  # fmt: skip
    if name == "certificate_not_suspended":
        return Msg("The level certificate is not suspended (a suspended holder cannot be "
                   "promoted)", code=name)  # fmt: skip
    return Msg("Unknown condition %(check)s", code="unknown_check", check=str(name))
