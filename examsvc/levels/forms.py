from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from wtforms import (
    DateField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    Optional,
    Regexp,
    ValidationError,
)

from examsvc.i18n import today_local
from examsvc.web import BaseForm

NO_ATTEMPT = ""
#: A change of post takes effect after the Party's founding, and at most a year ahead.
PARTY_FOUNDED = date(1921, 7, 1)
AHEAD = timedelta(days=366)


def plausible_date(form, field) -> None:
    """A form validator: a change of post dated between July 1921 and a year from today."""
    if field.data is not None and not PARTY_FOUNDED <= field.data <= today_local() + AHEAD:
        raise ValidationError(_l("The date must lie between July 1921 and a year from today."))


#: Rows of the rule form: every condition a rule set may hold.
MAX_ROWS = 20


class DeclareForm(BaseForm):
    """个人申报: the level applied for travels with the form, so a page left open after the
    level changed cannot apply for the wrong one."""

    to_level = HiddenField(validators=[DataRequired(), Regexp(r"^[1-4]$")])
    note = TextAreaField(
        _l("Statement"),
        validators=[Optional(), Length(max=2000)],
        description=_l("Work done in the post, trainings, results: what the application rests on."),
    )
    submit = SubmitField(_l("Apply"))


class StepForm(BaseForm):
    """The step an application waits for; ``step`` names the step the page showed."""

    step = HiddenField(validators=[DataRequired(), Length(max=16)])
    outcome = RadioField(
        _l("Outcome"),
        choices=[
            SelectChoice("passed", _l("Step passed")),
            SelectChoice("failed", _l("Failed: the application is refused")),
        ],
        validators=[InputRequired()],
    )
    #: Checked by the service (one of the person's passed attempts at the level's exam).
    attempt = SelectField(_l("Passed exam"), choices=[], validate_choice=False)
    panel = TextAreaField(
        _l("Panel members"),
        validators=[Optional(), Length(max=3000)],
        description=_l("One name a line (or separated by 、)."),
    )
    note = TextAreaField(
        _l("Note"),
        validators=[Optional(), Length(max=2000)],
        description=_l("Required when the step failed: the reason."),
    )
    submit = SubmitField(_l("Record the step"))


class WithdrawForm(BaseForm):
    reason = TextAreaField(
        _l("Reason for withdrawing"), validators=[DataRequired(), Length(max=2000)]
    )
    submit = SubmitField(_l("Withdraw the application"))


class ConditionRow(Form):
    """One condition of a rule set: the check, its setting and (hours per year) the years."""

    check = SelectField(_l("Condition"), choices=[], validate_choice=False)
    #: Free text: what is no whole number in range is named by the rules' own check.
    value = StringField(_l("Setting"))
    years = StringField(_l("Years"))


class RulesForm(BaseForm):
    """A new version of a credential's rules; ``base_version`` the version edited."""

    conditions = FieldList(FormField(ConditionRow), max_entries=MAX_ROWS)
    note = StringField(
        _l("Why this version"),
        validators=[DataRequired(), Length(max=500)],
        description=_l("For example the document that changed the rule."),
    )
    base_version = HiddenField(validators=[DataRequired(), Regexp(r"^\d{1,6}$")])
    submit = SubmitField(_l("Save as a new version"))


class PostChangeForm(BaseForm):
    old_post = StringField(_l("Previous post"), validators=[Optional(), Length(max=100)])
    new_post = StringField(_l("New post"), validators=[DataRequired(), Length(max=100)])
    in_party_post = RadioField(
        _l("Still in a party-affairs post"),
        choices=[SelectChoice("yes", _l("Yes")), SelectChoice("no", _l("No"))],
        validators=[InputRequired()],
    )
    effective_on = DateField(_l("Takes effect on"), validators=[DataRequired(), plausible_date])
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=500)])
    submit = SubmitField(_l("Record the change of post"))
