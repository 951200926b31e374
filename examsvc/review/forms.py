from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, Length, NumberRange, Optional

from examsvc.labels import (
    AREA_LABELS,
    CHANNEL_LABELS,
    EXAM_LABELS,
    STATUS_LABELS,
    TYPE_LABELS,
    choices,
)
from examsvc.web import MAX_ID, BaseForm

ANY = ("", _l("All"))


class ReviewForm(BaseForm):
    decision = HiddenField(
        validators=[DataRequired(), AnyOf(["approve", "return", "reject", "duplicate"])]
    )
    reason = TextAreaField(
        _l("Comment (required to return or reject)"), validators=[Length(max=2000)]
    )
    duplicate_of = IntegerField(
        _l("Duplicate of question #"), validators=[Optional(), NumberRange(1, MAX_ID)]
    )


class RetireForm(BaseForm):
    reason = StringField(_l("Why it leaves the bank"), validators=[DataRequired(), Length(max=500)])


class FilterForm(BaseForm):
    """The filters of the queue and the bank browser (GET, no CSRF)."""

    class Meta:
        csrf = False

    area = SelectField(_l("Area"), choices=choices(AREA_LABELS, first=ANY), default="")
    type = SelectField(_l("Type"), choices=choices(TYPE_LABELS, first=ANY), default="")
    difficulty = SelectField(
        _l("Difficulty"),
        choices=choices({str(d): str(d) for d in range(1, 6)}, first=ANY),
        default="",
    )
    status = SelectField(_l("Status"), choices=choices(STATUS_LABELS, first=ANY), default="")
    channel = SelectField(_l("Channel"), choices=choices(CHANNEL_LABELS, first=ANY), default="")
    exam = SelectField(_l("Exam"), choices=choices(EXAM_LABELS, first=ANY), default="")
    text = StringField(_l("Text"), validators=[Optional(), Length(max=100)])
