"""Display names of codes, translated lazily."""

from flask_babel import lazy_gettext as _l
from wtforms import SelectChoice

AREA_LABELS = {
    "theory": _l("Party theory"),
    "constitution": _l("Party Constitution and regulations"),
    "history": _l("Party history"),
    "practice": _l("Party-building practice"),
    "discipline": _l("Discipline and integrity"),
    "two_new": _l("Party building in two-new organisations"),
    "management": _l("Enterprise management"),
    "social_work": _l("Social work and mass work"),
    "law": _l("Laws and regulations"),
    "it": _l("Information technology"),
    "propaganda": _l("Publicity and ideology"),
}
TYPE_LABELS = {
    "single": _l("Single choice"),
    "multiple": _l("Multiple choice"),
    "judge": _l("True or false"),
    "fill": _l("Fill in the blank"),
    "short": _l("Short answer"),
}
CHANNEL_LABELS = {
    "public": _l("Public (open call)"),
    "grassroots": _l("Grassroots party worker"),
    "institution": _l("Professional institution"),
}


def template_labels() -> dict:
    return {
        "area_labels": AREA_LABELS,
        "type_labels": TYPE_LABELS,
        "channel_labels": CHANNEL_LABELS,
        "exam_labels": EXAM_LABELS,
        "status_labels": STATUS_LABELS,
    }


def choices(mapping: dict, *, first: tuple | None = None) -> list[SelectChoice]:
    """Select options from a code → label mapping, optionally led by an extra option."""
    items = ([first] if first else []) + list(mapping.items())
    return [SelectChoice(str(value), label) for value, label in items]


EXAM_LABELS = {
    "training": _l("Training test"),
    "post_qualification": _l("Post qualification"),
    "L1": _l("Level 1 (junior)"),
    "L2": _l("Level 2 (intermediate)"),
    "L3": _l("Level 3 (senior)"),
    "L4": _l("Level 4 (special)"),
}
STATUS_LABELS = {
    "submitted": _l("Submitted"),
    "in_review": _l("In review"),
    "approved": _l("Approved"),
    "returned": _l("Returned"),
    "rejected": _l("Rejected"),
    "retired": _l("Retired"),
}
