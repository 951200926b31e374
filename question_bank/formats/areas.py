"""Knowledge-area names as files write them (Chinese or English), mapped to our area codes."""

from __future__ import annotations

import re

from question_bank.model import AREAS, normalize_text

#: code → (Chinese name, English name), as the UI shows them.
AREA_NAMES: dict[str, tuple[str, str]] = {
    "theory": ("党的理论", "Party theory"),
    "constitution": ("党章党规", "Party Constitution and regulations"),
    "history": ("党的历史", "Party history"),
    "practice": ("党建实务", "Party-building practice"),
    "discipline": ("纪律与廉洁", "Discipline and integrity"),
    "two_new": ("两新组织党建", "Party building in two-new organisations"),
    "management": ("企业管理", "Enterprise management"),
    "social_work": ("社会工作与群众工作", "Social work and mass work"),
    "law": ("法律法规", "Laws and regulations"),
    "it": ("信息技术应用", "Information technology"),
    "propaganda": ("宣传思想工作", "Publicity and ideology"),
}
assert set(AREA_NAMES) == set(AREAS)

_LOOKUP = {name.casefold(): code for code, names in AREA_NAMES.items() for name in (code, *names)}
_SEGMENT_SPLIT = re.compile(r"\s*[/>\\]\s*")
#: Path segments Moodle and other tools put in front of the real category.
_NOISE = re.compile(r"^(\$\w+\$|top|默认|default( for .*)?)$", re.IGNORECASE)


def area_code(name: str) -> str | None:
    """The area code a name (code, Chinese or English name) stands for, if any."""
    return _LOOKUP.get(normalize_text(name).casefold())


def split_category(category: str) -> tuple[str | None, str]:
    """(area code or None, knowledge point) from a category path like "$course$/top/党章党规/党员".

    The last segment naming an area gives the area and what follows it the point; with no
    area named, the most specific segment is kept as the point.
    """
    segments = [s for s in _SEGMENT_SPLIT.split(normalize_text(category)) if s]
    segments = [s for s in segments if not _NOISE.match(s)]
    for i in range(len(segments) - 1, -1, -1):
        code = area_code(segments[i])
        if code:
            return code, "/".join(segments[i + 1 :])[:100]
    return None, (segments[-1][:100] if segments else "")


def category_of(area: str, point: str = "") -> str:
    """The category text writers give an area (and point): "党章党规" or "党章党规/党员"."""
    name = AREA_NAMES[area][0]
    return f"{name}/{point}" if point else name
