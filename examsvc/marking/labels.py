"""Display names of the item-analysis flags (DESIGN.md §4 codes)."""

from flask_babel import lazy_gettext as _l

FLAG_LABELS = {
    "key_suspect": _l("Key suspect"),
    "negative_discrimination": _l("Negative discrimination"),
    "too_easy": _l("Too easy"),
    "too_hard": _l("Too hard"),
    "non_functional_distractor": _l("Distractor nobody chooses"),
}
#: What each flag means, shown beside it.
FLAG_HELP = {
    "key_suspect": _l("a distractor goes with higher scores than the key: check the key"),
    "negative_discrimination": _l("candidates who did worse overall did better on this item"),
    "too_easy": _l("more than 95% answered right"),
    "too_hard": _l("fewer than 20% answered right"),
    "non_functional_distractor": _l("a wrong option chosen by fewer than 5%"),
}
