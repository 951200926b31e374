from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, RadioField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from examsvc.labels import AREA_LABELS, CHANNEL_LABELS, choices

OPTION_KEYS = "ABCDEF"


class SingleChoiceForm(FlaskForm):
    area = SelectField(
        _l("Knowledge area"), choices=choices(AREA_LABELS), validators=[DataRequired()]
    )
    point = StringField(_l("Knowledge point (optional)"), validators=[Optional(), Length(max=100)])
    difficulty = IntegerField(
        _l("Difficulty (1 easy – 5 hard)"), default=3, validators=[NumberRange(1, 5)]
    )
    stem = TextAreaField(_l("Question"), validators=[DataRequired(), Length(max=2000)])
    option_a = StringField(_l("Option A"), validators=[DataRequired(), Length(max=500)])
    option_b = StringField(_l("Option B"), validators=[DataRequired(), Length(max=500)])
    option_c = StringField(_l("Option C"), validators=[Optional(), Length(max=500)])
    option_d = StringField(_l("Option D"), validators=[Optional(), Length(max=500)])
    option_e = StringField(_l("Option E"), validators=[Optional(), Length(max=500)])
    option_f = StringField(_l("Option F"), validators=[Optional(), Length(max=500)])
    key = RadioField(
        _l("Correct option"),
        choices=choices({k: k for k in OPTION_KEYS}),
        validators=[DataRequired()],
    )
    explanation = TextAreaField(_l("Explanation"), validators=[Optional(), Length(max=4000)])
    source = StringField(
        _l("Source (document and article)"), validators=[Optional(), Length(max=500)]
    )
    channel = SelectField(
        _l("Channel"), choices=choices(CHANNEL_LABELS), validators=[DataRequired()]
    )
    submit = SubmitField(_l("Submit for review"))

    def option_fields(self):
        return [getattr(self, f"option_{k.lower()}") for k in OPTION_KEYS]

    def question_fields(self) -> dict:
        """The options given, in order; a gap (C empty, D filled) is kept so validation names it."""
        texts = [f.data or "" for f in self.option_fields()]
        while texts and not texts[-1].strip():
            texts.pop()
        return {
            "type": "single",
            "area": self.area.data,
            "point": self.point.data or "",
            "difficulty": self.difficulty.data,
            "stem": self.stem.data,
            "options": texts,
            "key": self.key.data,
            "explanation": self.explanation.data or "",
            "source": self.source.data or "",
        }
