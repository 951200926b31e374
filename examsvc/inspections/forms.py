from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, IntegerField, SelectField, SubmitField
from wtforms.validators import DataRequired, InputRequired, NumberRange, Optional

from examsvc.labels import ASSESSMENT_LABELS, choices
from examsvc.web import BaseForm


class OpenForm(BaseForm):
    org = SelectField(_l("Organisation"), choices=[], validators=[InputRequired()])
    year = IntegerField(_l("Year inspected"), validators=[InputRequired(), NumberRange(2000, 9999)])
    submit = SubmitField(_l("Open the annual inspection"))


class AssessmentForm(BaseForm):
    assessment = SelectField(
        _l("Annual assessment"),
        choices=choices(ASSESSMENT_LABELS, first=("", _l("Not entered"))),
        validators=[Optional()],
    )
    submit = SubmitField(_l("Save"))


class ImportForm(BaseForm):
    file = FileField(_l("Sheet of annual assessments (xlsx or CSV)"), validators=[FileRequired()])
    submit = SubmitField(_l("Import the assessments"))


class CloseForm(BaseForm):
    missing_fail = BooleanField(_l("People without an annual assessment fail"))
    confirm = BooleanField(
        _l("I have checked every outcome: certificates will be suspended, reinstated or revoked"),
        validators=[DataRequired()],
    )
    submit = SubmitField(_l("Close the annual inspection"))
