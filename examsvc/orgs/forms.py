from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from examsvc.web import BaseForm

#: The value of the parent select meaning "no parent: a root of the tree".
NO_PARENT = "0"


class OrgForm(BaseForm):
    code = StringField(
        _l("Code"),
        validators=[
            DataRequired(),
            Length(max=32),
            Regexp(r"^[A-Za-z0-9-]+$", message=_l("Letters, digits and '-' only.")),
        ],
        description=_l("Letters, digits and '-'; cannot be changed later."),
    )
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    parent = SelectField(_l("Parent organisation"), choices=[], validate_choice=True)
    kind = StringField(
        _l("Kind"),
        validators=[Optional(), Length(max=32)],
        description=_l("Such as 党委 or 党支部."),
    )
    submit = SubmitField(_l("Create"))


class RenameForm(BaseForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    submit = SubmitField(_l("Rename"))


class AdminForm(BaseForm):
    login = StringField(_l("E-mail or mobile number"), validators=[DataRequired(), Length(max=254)])
    submit = SubmitField(_l("Make organisation admin"))


class MoveForm(BaseForm):
    parent = SelectField(_l("New parent organisation"), choices=[], validate_choice=True)
    submit = SubmitField(_l("Move"))


def parent_choices(orgs_list) -> list[tuple[str, str]]:
    return [(NO_PARENT, str(_l("— none (top of the tree) —")))] + [
        (str(o.id), f"{o.code} {o.name}") for o in orgs_list
    ]
