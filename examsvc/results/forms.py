from flask_babel import lazy_gettext as _l
from wtforms import (
    DateField,
    DateTimeLocalField,
    DecimalField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from examsvc.admin.forms import SittingForm, plausible_year
from examsvc.labels import choices
from examsvc.web import BaseForm

ANY = ("", _l("All"))
OUTCOME_LABELS = {"pass": _l("Pass"), "fail": _l("Fail"), "absent": _l("Absent")}
REASON = [DataRequired(), Length(min=4, max=1000)]


class FilterForm(BaseForm):
    """The results list's filters (GET, no CSRF)."""

    class Meta:
        csrf = False

    org = SelectField(_l("Organisation"), choices=choices({}, first=ANY), default="")
    outcome = SelectField(_l("Result"), choices=choices(OUTCOME_LABELS, first=ANY), default="")
    score_min = DecimalField(
        _l("Score from"), places=None, validators=[Optional(), NumberRange(min=0, max=100000)]
    )
    score_max = DecimalField(_l("Score to"), places=None,
                             validators=[Optional(), NumberRange(min=0, max=100000)])  # fmt: skip


class AppealForm(BaseForm):
    reason = TextAreaField(_l("Why the result should be checked again"), validators=REASON)
    submit = SubmitField(_l("Ask for a re-check"))


class ObjectionForm(BaseForm):
    reason = TextAreaField(_l("What is wrong with this result"), validators=REASON)
    submit = SubmitField(_l("Raise the objection"))


class SendBackForm(BaseForm):
    note = StringField(_l("Note for the markers"), validators=[Optional(), Length(max=1000)])
    submit = SubmitField(_l("Send back for marking"))


class RejectForm(BaseForm):
    outcome = TextAreaField(_l("Why the result stands"), validators=REASON)
    submit = SubmitField(_l("Reject with this reason"))


class CorrectForm(BaseForm):
    item = SelectField(_l("Item"), coerce=int, validators=[InputRequired()])
    points = DecimalField(_l("New points"), places=None,
                          validators=[InputRequired(), NumberRange(min=0, max=1000)])  # fmt: skip
    outcome = TextAreaField(_l("Reason for the correction"), validators=REASON)
    submit = SubmitField(_l("Correct the score"))


DAY_KINDS = {"holiday": _l("Holiday (not worked)"), "workday": _l("Working day (调休)")}


class CalendarDayForm(BaseForm):
    day = DateField(_l("Date"), validators=[DataRequired(), plausible_year])
    kind = SelectField(_l("Kind"), choices=choices(DAY_KINDS), default="holiday")
    note = StringField(_l("Note"), validators=[Optional(), Length(max=200)])
    submit = SubmitField(_l("Add the day"))


class ResitForm(BaseForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    opens_at = DateTimeLocalField(_l("Opens at"), validators=[DataRequired(), plausible_year])
    closes_at = DateTimeLocalField(_l("Closes at"), validators=[DataRequired(), plausible_year])
    submit = SubmitField(_l("Create the resit"))

    to_utc = staticmethod(SittingForm.to_utc)
