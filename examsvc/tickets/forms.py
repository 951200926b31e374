from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, IntegerField, StringField, SubmitField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from examsvc.web import BaseForm
from question_bank.seating import DEFAULT_PATTERN, MAX_PATTERN_LENGTH, MAX_ROOM_SIZE


class SeatingForm(BaseForm):
    """The place of a sitting and the rule that seats its candidates."""

    place = StringField(
        _l("Place"),
        validators=[Optional(), Length(max=200)],
        description=_l("Printed on the admission tickets, e.g. the address of the exam hall."),
    )
    room_size = IntegerField(
        _l("Candidates per room"),
        default=30,
        validators=[InputRequired(), NumberRange(min=1, max=MAX_ROOM_SIZE)],
    )
    pattern = StringField(
        _l("Room names"),
        default=DEFAULT_PATTERN,
        validators=[Optional(), Length(max=MAX_PATTERN_LENGTH)],
        description=_l("{n} stands for the room number: 01, 02 and so on."),
    )
    keep = BooleanField(_l("Keep the seats already given; seat only the others"), default=True)
    submit = SubmitField(_l("Assign rooms and seats"))
