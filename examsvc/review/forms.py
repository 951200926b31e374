from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, Length


class ReviewForm(FlaskForm):
    decision = HiddenField(validators=[DataRequired(), AnyOf(["approve", "return", "reject"])])
    reason = TextAreaField(
        _l("Comment (required to return or reject)"), validators=[Length(max=2000)]
    )
