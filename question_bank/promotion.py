"""The six steps of a level certification or promotion (seed 001) and who may apply.

个人申报 → 组织审核 → 培训测试 → 实地走访 → 综合评定 → 结果公示, in order; one level at a time;
a suspended holder is not promoted. Plain values in, the reasons for a refusal out.
"""

from __future__ import annotations

import re

from question_bank.errors import Code, Msg

#: The highest level (特级, L4).
TOP_LEVEL = 4


def _level(n: int) -> Code:
    return Code(f"L{n}", "exam")


#: The six steps of a level certification or promotion (seed 001), in order:
#: 个人申报 → 组织审核 → 培训测试 → 实地走访 → 综合评定 → 结果公示.
STEPS = ("declare", "org_review", "training_test", "field_visit", "assessment", "public_notice")


def next_step(step: str) -> str | None:
    """The step after ``step``; None after the last."""
    index = STEPS.index(step)
    return STEPS[index + 1] if index + 1 < len(STEPS) else None


def declaration_refusals(
    to_level: int, held: int, suspended: bool, open_to: int | None = None
) -> list[Msg]:
    """Why a person may not apply for ``to_level`` now (empty: they may)."""
    if not 1 <= to_level <= TOP_LEVEL:
        return [Msg("levels go from 1 to %(top)s", code="no_level", top=TOP_LEVEL)]
    if open_to is not None:
        return [Msg("an application for %(level)s is still open", code="already_open",
                    level=_level(open_to))]  # fmt: skip
    reasons: list[Msg] = []
    if held >= to_level:
        reasons.append(Msg("already holds %(held)s", code="level_held", held=_level(held)))
    elif held != to_level - 1:
        reasons.append(
            Msg("%(level)s needs %(below)s first: promotions go one level at a time",
                code="level_missing", level=_level(to_level), below=_level(to_level - 1))
        )  # fmt: skip
    if suspended:
        reasons.append(Msg("the level certificate is suspended (a failed annual inspection): a "
                           "suspended holder cannot be promoted", code="suspended"))  # fmt: skip
    return reasons


#: Names in a panel list are separated by new lines, commas or 、.
_NAME_SEPARATORS = re.compile(r"[\n\r,，、;；]+")


def panel_members(text: str) -> tuple[str, ...]:
    """The panel's members from what an admin typed, each once, in order."""
    names: list[str] = []
    for part in _NAME_SEPARATORS.split(text or ""):
        name = " ".join(part.split())
        if name and name not in names:
            names.append(name)
    return tuple(names)
