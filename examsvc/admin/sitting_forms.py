"""Forms of a sitting's enrolment and editing pages."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, IntegerField, SelectField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from examsvc.admin.forms import SittingForm
from examsvc.labels import CATEGORY_LABELS, choices
from examsvc.services.extra_time import MAX_MINUTES, MAX_REASON
from examsvc.services.sittings import MAX_GRACE_SECONDS
from examsvc.web import BaseForm


class SittingEditForm(SittingForm):
    """The new-sitting form with the grace period; the blueprint locks once papers exist."""

    grace_seconds = IntegerField(
        _l("Grace for late saves (seconds)"),
        default=30,
        validators=[InputRequired(), NumberRange(0, MAX_GRACE_SECONDS)],
        description=_l("Answers arriving this long after a deadline are still taken."),
    )
    submit = SubmitField(_l("Save changes"))


class EnrolOrgForm(BaseForm):
    org_id = SelectField(_l("Organisation (with the organisations beneath it)"), coerce=int,
                         validators=[DataRequired()])  # fmt: skip
    party_only = BooleanField(_l("Party members only"))
    category = SelectField(
        _l("Category"),
        choices=choices(CATEGORY_LABELS, first=("", _l("Any category"))),
        default="",
    )
    submit = SubmitField(_l("Enrol the organisation"))


class ExtraTimeForm(BaseForm):
    minutes = IntegerField(
        _l("Extra minutes"),
        validators=[InputRequired(), NumberRange(1, MAX_MINUTES)],
        description=_l("1 to 600 minutes"),
    )
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=MAX_REASON)])
    submit = SubmitField(_l("Grant extra time"))
