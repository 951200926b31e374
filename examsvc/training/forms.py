from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from examsvc.admin.forms import FiniteDecimalField, plausible_year
from examsvc.labels import TRAINING_KIND_LABELS, choices
from examsvc.web import BaseForm

#: More hours than any training has (a year is 8,784): a bigger number is a typing slip.
MAX_HOURS = 10_000
#: The select value meaning "no organisation" / "no blueprint".
NONE = ""


class RecordForm(BaseForm):
    course_name = StringField(
        _l("Name of the training"), validators=[DataRequired(), Length(max=200)]
    )
    organiser = StringField(
        _l("Organiser"),
        validators=[Optional(), Length(max=200)],
        description=_l("Such as 区委组织部 or 区委党校."),
    )
    kind = SelectField(_l("Form of training"), choices=choices(TRAINING_KIND_LABELS))
    starts_on = DateField(_l("Start date"), validators=[DataRequired(), plausible_year])
    ends_on = DateField(_l("End date"), validators=[DataRequired(), plausible_year])
    hours = FiniteDecimalField(
        _l("Hours"),
        places=None,
        validators=[InputRequired(), NumberRange(min=0, max=MAX_HOURS)],
        description=_l("More than 0, at most 8 a day of the training; one decimal place."),
    )
    attendance_certificate = StringField(
        _l("Certificate of attendance"),
        validators=[Optional(), Length(max=200)],
        description=_l("The number of the 结业证书 or a note on the proof of attendance."),
    )
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=1000)])
    submit = SubmitField(_l("Save"))


class CourseForm(BaseForm):
    name = StringField(_l("Name of the course"), validators=[DataRequired(), Length(max=200)])
    organiser = StringField(_l("Organiser"), validators=[Optional(), Length(max=200)])
    kind = SelectField(_l("Form of training"), choices=choices(TRAINING_KIND_LABELS))
    starts_on = DateField(_l("Start date"), validators=[DataRequired(), plausible_year])
    ends_on = DateField(_l("End date"), validators=[DataRequired(), plausible_year])
    hours = FiniteDecimalField(
        _l("Required hours"),
        places=None,
        validators=[InputRequired(), NumberRange(min=0, max=MAX_HOURS)],
        description=_l("The hours of the whole course, written into each member's archive."),
    )
    organisation = SelectField(_l("Organisation running it"), choices=[], validate_choice=True)
    blueprint = SelectField(
        _l("Training test"),
        choices=[],
        validate_choice=True,
        description=_l("Optional: the blueprint of the course's training test."),
    )
    submit = SubmitField(_l("Save"))


class MembersForm(BaseForm):
    logins = TextAreaField(
        _l("E-mail addresses or mobile numbers"),
        validators=[DataRequired(), Length(max=20000)],
        description=_l("One a line, or separated by commas."),
    )
    submit = SubmitField(_l("Add to the roster"))


class MemberOrgForm(BaseForm):
    organisation = SelectField(_l("Everyone of"), choices=[], validate_choice=True)
    submit = SubmitField(_l("Add the organisation"))


class MemberHoursForm(BaseForm):
    hours = FiniteDecimalField(
        _l("Hours attended"), places=None,
        validators=[Optional(), NumberRange(min=0, max=MAX_HOURS)],
        description=_l("Empty: the course's hours; 0: did not attend."),
    )  # fmt: skip
    submit = SubmitField(_l("Set"))


class ImportForm(BaseForm):
    file = FileField(_l("Sheet of trainings (xlsx or CSV)"), validators=[FileRequired()])
    org = SelectField(_l("Organisation of the people"), choices=[])
    submit = SubmitField(_l("Preview"))


class ConfirmForm(BaseForm):
    submit = SubmitField(_l("Import"))
