from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DecimalField,
    FieldList,
    HiddenField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from examsvc.web import BaseForm


class MarkForm(BaseForm):
    """Points per rubric criterion (the fields are made for the rubric shown)."""

    criteria = FieldList(StringField(validators=[InputRequired(), Length(max=10)]), min_entries=0)
    #: The round the page showed (a second, blind mark or the third, reconciling one).
    round = HiddenField()
    comment = TextAreaField(
        _l("Note (shown to a third examiner only; optional)"),
        validators=[Optional(), Length(max=2000)],
    )


class PlanForm(BaseForm):
    is_double = BooleanField(_l("Double marking: two examiners mark every answer independently"))
    tolerance = DecimalField(
        _l("Tolerance (points): marks further apart go to a third examiner"),
        places=2,
        validators=[InputRequired(), NumberRange(0, 100)],
        default=2,
    )
    exclude_own_org = BooleanField(_l("Examiners never mark candidates of their own organisation"))


class RescoreForm(BaseForm):
    """The corrections chosen (question ids; choices set from the sitting's corrections) and
    the fingerprint of the preview seen."""

    questions = SelectMultipleField(coerce=int, choices=[], validate_choice=True)
    seen = HiddenField(validators=[Optional(), Length(max=64)])


class ResolveFlagForm(BaseForm):
    note = StringField(_l("Decision"), validators=[InputRequired(), Length(max=500)])
