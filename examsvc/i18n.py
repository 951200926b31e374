"""Language choice (Chinese first, English second) and display of times."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from flask import Flask, current_app, has_request_context, request, session
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from examsvc.extensions import babel
from examsvc.labels import template_labels


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale)
    app.before_request(_remember_lang_choice)
    app.jinja_env.filters["localtime"] = format_local
    app.jinja_env.filters["translate"] = translate  # domain messages (Msg) in templates
    app.jinja_env.globals["current_locale"] = select_locale
    app.context_processor(template_labels)


def _remember_lang_choice() -> None:
    lang = request.args.get("lang")
    if lang in current_app.config["LANGUAGES"]:
        session["lang"] = lang


def select_locale() -> str:
    if not has_request_context():  # CLI and background work: messages in the default language
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    languages = current_app.config["LANGUAGES"]
    chosen = session.get("lang")
    if chosen in languages:
        return chosen
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def to_local(value: datetime) -> datetime:
    return value.astimezone(ZoneInfo(current_app.config["DISPLAY_TIMEZONE"]))


def today_local() -> date:
    """Today in the display time zone: the day users see, on which working days and dates
    of birth, joining and validity are counted (at 16:00 UTC it is tomorrow in Beijing)."""
    return to_local(datetime.now(UTC)).date()


def format_local(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    if value is None:
        return "—"
    return to_local(value).strftime(fmt)


def translate(message: object) -> str:
    """A domain message (``question_bank.errors.Msg``) in the user's language; other text as is.

    Parameters that are messages are translated too, and codes (``question_bank.errors.Code``:
    a knowledge area, a question type…) are shown by their labels.
    """
    from flask_babel import gettext

    from question_bank.errors import Code, Msg

    if isinstance(message, Code):
        return str(label_of(message.kind, message))
    if not isinstance(message, Msg):
        return str(message)
    if not message.params:
        return gettext(message.template)
    params = {k: _shown(v) for k, v in message.params.items()}
    return gettext(message.template, **params)


def _shown(value: object) -> object:
    """A parameter of a domain message as the user reads it."""
    from flask_babel import gettext

    from question_bank.errors import Code, Msg

    if isinstance(value, tuple | list):  # a list: "A、B、C" in Chinese
        return gettext(", ").join(str(_shown(v)) for v in value)
    return translate(value) if isinstance(value, Msg | Code) else value


def translate_all(messages) -> str:
    """Several domain messages as one text, joined the way the user's language joins clauses."""
    from flask_babel import gettext

    return gettext("; ").join(translate(m) for m in messages)


def label_of(kind: str, code: str) -> str:
    """The display name of a code (``kind``: area, type, exam, channel, status); else the code."""
    from examsvc import labels

    mapping = {
        "area": labels.AREA_LABELS,
        "type": labels.TYPE_LABELS,
        "exam": labels.EXAM_LABELS,
        "channel": labels.CHANNEL_LABELS,
        "status": labels.STATUS_LABELS,
        "promotion_step": labels.PROMOTION_STEP_LABELS,
    }.get(kind, {})
    return str(mapping.get(code, code))


#: WTForms messages that its own Chinese catalog leaves out (fuzzy) or writes with ASCII
#: colons; the forms take ours first (form_translations).
WTFORMS_MESSAGES = (
    _l("Invalid value, must be one of: %(values)s."),
    _l("Invalid value, can't be any of: %(values)s."),
    _l("Invalid email address."),
    _l("This field is disabled and cannot have a value."),
)
_FORM_TRANSLATIONS: dict[str, object] = {}


def _wtforms_plurals() -> None:
    """Marks WTForms' plural messages for extraction into our catalog (never called)."""

    def ngettext(singular: str, plural: str, n: int) -> str:
        return singular

    ngettext(
        "'%(value)s' is not a valid choice for this field.",
        "'%(value)s' are not valid choices for this field.",
        1,
    )


def form_translations():
    """WTForms' catalog for the user's language, overridden by ours where ours has the text."""
    from babel import support
    from flask_babel import get_locale, get_translations
    from wtforms.i18n import messages_path

    locale = str(get_locale())
    merged = _FORM_TRANSLATIONS.get(locale)
    if merged is None:
        merged = support.Translations.load(messages_path(), [locale], domain="wtforms")
        ours = get_translations()
        if isinstance(merged, support.Translations) and isinstance(ours, support.Translations):
            merged.merge(ours)
        _FORM_TRANSLATIONS[locale] = merged
    return merged
