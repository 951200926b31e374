import decimal
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    DecimalField,
    FieldList,
    Form,
    FormField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    StopValidation,
    ValidationError,
)

from examsvc.labels import AREA_LABELS, TYPE_LABELS, choices
from examsvc.services.exams import Fairness, RowSpec
from examsvc.web import BaseForm

KIND_LABELS = {
    "post_qualification": _l("Post qualification"),
    "training": _l("Training test"),
    "level": _l("Level exam"),
}
RULE_LABELS = {
    "all_or_nothing": _l("All or nothing"),
    "per_option": _l("Share per correct option"),
    "fixed_partial": _l("A fixed share of the points for a correct subset"),
}
ROW_SLOTS = 12
DIFFICULTIES = {str(d): str(d) for d in range(1, 6)}
MODE_LABELS = {
    "per_candidate": _l("A paper for every candidate"),
    "shared": _l("One paper for all, in each candidate's own order"),
}


class FiniteDecimalField(DecimalField):
    """A number field that reads "NaN", "sNaN" and "Infinity" as no number.

    WTForms' NumberRange cannot compare a signalling NaN and would raise instead of refusing.
    """

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        if isinstance(self.data, decimal.Decimal) and not self.data.is_finite():
            self.data = None
            raise ValueError(self.gettext("Not a valid decimal value."))


class RowForm(Form):
    area = SelectField(
        _l("Knowledge area"), choices=choices(AREA_LABELS, first=("", _l("Any area")))
    )
    #: 简答 rows are marked by examiners (examsvc/marking) against each question's rubric.
    qtype = SelectField(_l("Type"), choices=choices(TYPE_LABELS))
    count = IntegerField(_l("Count"), validators=[InputRequired(), NumberRange(1, 500)])
    points = FiniteDecimalField(
        _l("Points each"), places=1, validators=[InputRequired(), NumberRange(0.5, 100)]
    )
    difficulty_min = SelectField(_l("Difficulty from"), choices=choices(DIFFICULTIES), default="1")
    difficulty_max = SelectField(_l("to"), choices=choices(DIFFICULTIES), default="5")
    section = StringField(_l("Section title"), validators=[Optional(), Length(max=100)])

    def band(self) -> tuple[int, int] | None:
        low, high = int(self.difficulty_min.data or 1), int(self.difficulty_max.data or 5)
        return None if (low, high) == (1, 5) else (low, high)

    def is_blank(self) -> bool:
        return not self.count.raw_data or not (self.count.raw_data[0] or "").strip()

    def validate(self, extra_validators=None) -> bool:
        # An unused row slot is not an error.
        return True if self.is_blank() else super().validate(extra_validators)


class BlueprintForm(BaseForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    exam_kind = SelectField(_l("Exam"), choices=choices(KIND_LABELS))
    level = SelectField(
        _l("Level"),
        choices=choices({"0": "—", "1": "L1", "2": "L2", "3": "L3", "4": "L4"}),
        default="0",
    )
    duration_minutes = IntegerField(
        _l("Duration (minutes)"), default=90, validators=[DataRequired(), NumberRange(1, 600)]
    )
    pass_mark = FiniteDecimalField(
        _l("Pass mark"), default=60, validators=[DataRequired(), NumberRange(0.5, 1000)]
    )
    multiple_rule = SelectField(_l("Multiple-choice scoring"), choices=choices(RULE_LABELS))
    #: Asked for (and shown) only when the rule is fixed_partial.
    partial_share = FiniteDecimalField(
        _l("Share of the points for a correct subset"),
        default=decimal.Decimal("0.5"),
        places=2,
        validators=[NumberRange(0, 1)],
        description=_l("Between 0 and 1, to the hundredth: 0.5 gives half the points."),
    )
    paper_mode = SelectField(_l("Papers"), choices=choices(MODE_LABELS))
    exposure_cap = FiniteDecimalField(
        _l("Exposure cap (percent of papers)"),
        default=20,
        validators=[DataRequired(), NumberRange(1, 100)],
    )
    tolerance_points = FiniteDecimalField(
        _l("Parallel forms: expected score within ± points"),
        default=0.5,
        places=2,
        validators=[DataRequired(), NumberRange(0.05, 10)],
    )
    shuffle_questions = BooleanField(_l("Shuffle questions"), default=True)
    shuffle_options = BooleanField(_l("Shuffle options (never true/false)"), default=True)
    enemy_rule = BooleanField(_l("Keep near-duplicates off the same paper"), default=True)
    rows = FieldList(FormField(RowForm), min_entries=ROW_SLOTS, max_entries=ROW_SLOTS)
    submit = SubmitField(_l("Create blueprint"))

    def validate_partial_share(self, field) -> None:
        if self.multiple_rule.data != "fixed_partial":
            field.errors.clear()  # hidden and unused under the other rules
            raise StopValidation()
        share = field.data
        if (
            field.errors
            or share is None
            or not 0 < share < 1
            or share != share.quantize(decimal.Decimal("0.01"))
        ):
            field.errors.clear()  # one message says what is wanted
            raise ValidationError(
                _l("Give the share as a number between 0 and 1, to the hundredth (e.g. 0.5).")
            )

    def share(self) -> float:
        """The share to store: the default under the rules that do not use it."""
        if self.multiple_rule.data != "fixed_partial" or self.partial_share.data is None:
            return 0.5
        return float(self.partial_share.data)

    def fairness(self) -> Fairness:
        return Fairness(
            exposure_cap=float(self.exposure_cap.data) / 100,
            tolerance_points=float(self.tolerance_points.data),
            paper_mode=self.paper_mode.data,
            enemy_rule=self.enemy_rule.data,
            shuffle_questions=self.shuffle_questions.data,
            shuffle_options=self.shuffle_options.data,
        )

    def row_specs(self) -> list[RowSpec]:
        return [
            RowSpec(
                r.area.data or None,
                r.qtype.data,
                int(r.count.data),
                float(r.points.data),
                r.form.band(),
                r.section.data or "",
            )
            for r in self.rows
            if not r.form.is_blank()
        ]


def plausible_year(form, field) -> None:
    """A date of this century: year 1 in Beijing time is before the first UTC year (overflow)."""
    if field.data is not None and not 2000 <= field.data.year <= 2100:
        raise ValidationError(_l("Choose a date between the years 2000 and 2100."))


class SittingForm(BaseForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    blueprint_id = SelectField(_l("Blueprint"), coerce=int, validators=[DataRequired()])
    opens_at = DateTimeLocalField(_l("Opens at"), validators=[DataRequired(), plausible_year])
    closes_at = DateTimeLocalField(_l("Closes at"), validators=[DataRequired(), plausible_year])
    place = StringField(
        _l("Place"),
        validators=[Optional(), Length(max=200)],
        description=_l("Printed on the admission tickets, e.g. the address of the exam hall."),
    )
    focus_loss_limit = IntegerField(
        _l("Hand in after this many focus losses"),
        validators=[Optional(), NumberRange(min=1, max=100)],
        description=_l("Empty: focus losses are only recorded, never acted on."),
    )
    submit = SubmitField(_l("Create sitting"))

    @staticmethod
    def to_utc(local: datetime) -> datetime:
        return local.replace(tzinfo=ZoneInfo(current_app.config["DISPLAY_TIMEZONE"]))


class EnrolForm(BaseForm):
    email = StringField(
        _l("Candidate's e-mail or mobile number"), validators=[DataRequired(), Length(max=254)]
    )
    submit = SubmitField(_l("Enrol"))


class ActionForm(BaseForm):
    """An action button: only the CSRF token travels."""
