from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, SelectField, SubmitField

from examsvc.web import BaseForm


class RosterForm(BaseForm):
    file = FileField(_l("Roster file (xlsx or CSV)"), validators=[FileRequired()])
    org = SelectField(_l("Organisation the people join"), choices=[])
    sitting = SelectField(_l("Also enrol them in the sitting"), choices=[], default="")
    skip_bad = BooleanField(_l("Import the good rows and leave out the bad ones"))
    submit = SubmitField(_l("Preview"))

    def options(self) -> dict:
        return {
            "org_code": self.org.data,
            "sitting_id": int(self.sitting.data) if self.sitting.data else None,
            "skip_bad": bool(self.skip_bad.data),
        }


class ConfirmForm(BaseForm):
    submit = SubmitField(_l("Import"))
