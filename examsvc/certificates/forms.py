from flask_babel import lazy_gettext as _l
from wtforms import SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length

from examsvc.web import BaseForm

REASON = [DataRequired(), Length(min=2, max=500)]


class RevokeForm(BaseForm):
    reason = TextAreaField(_l("Reason for the revocation"), validators=REASON)
    submit = SubmitField(_l("Revoke"))


class ReissueForm(BaseForm):
    reason = TextAreaField(_l("Reason for the reissue"), validators=REASON)
    submit = SubmitField(_l("Reissue with a new number"))


class SuspendForm(BaseForm):
    reason = TextAreaField(_l("Reason for the suspension"), validators=REASON)
    submit = SubmitField(_l("Suspend"))


class ReinstateForm(BaseForm):
    reason = TextAreaField(_l("Reason for the reinstatement"), validators=REASON)
    submit = SubmitField(_l("Reinstate"))
