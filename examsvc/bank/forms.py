"""The question form for every type: the fields of the chosen type are read, the rest ignored."""

from flask_babel import lazy_gettext as _l
from wtforms import (
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from examsvc.labels import AREA_LABELS, CHANNEL_LABELS, EXAM_LABELS, TYPE_LABELS, choices
from examsvc.web import BaseForm
from question_bank.model import EXAMS, OPTION_LABELS

#: Alternatives of one blank are separated by any of these.
ALTERNATIVE_SEPARATORS = ("|", "｜", "／", "；", ";")


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _option_field(letter: str) -> StringField:
    return StringField(
        _l("Option %(letter)s", letter=letter), validators=[Optional(), Length(max=500)]
    )


class QuestionForm(BaseForm):
    type = SelectField(_l("Question type"), choices=choices(TYPE_LABELS), default="single")
    area = SelectField(
        _l("Knowledge area"), choices=choices(AREA_LABELS), validators=[DataRequired()]
    )
    point = StringField(_l("Knowledge point (optional)"), validators=[Optional(), Length(max=100)])
    difficulty = IntegerField(
        _l("Difficulty (1 easy – 5 hard)"), default=3, validators=[NumberRange(1, 5)]
    )
    exams = MultiCheckboxField(_l("May serve"), choices=choices(EXAM_LABELS), default=list(EXAMS))
    channel = SelectField(
        _l("Channel"), choices=choices(CHANNEL_LABELS), validators=[DataRequired()]
    )
    stem = TextAreaField(_l("Question"), validators=[DataRequired(), Length(max=2000)])
    option_a = _option_field("A")
    option_b = _option_field("B")
    option_c = _option_field("C")
    option_d = _option_field("D")
    option_e = _option_field("E")
    option_f = _option_field("F")
    option_g = _option_field("G")
    option_h = _option_field("H")
    key = RadioField(
        _l("Correct option"), choices=choices({k: k for k in OPTION_LABELS}), validate_choice=False
    )
    keys = SelectMultipleField(
        _l("Correct options"), choices=choices({k: k for k in OPTION_LABELS})
    )
    judge_key = RadioField(
        _l("The statement is"),
        choices=choices({"true": _l("True"), "false": _l("False")}),
        validate_choice=False,
    )
    blanks = TextAreaField(
        _l("Answers, one line per blank; alternatives separated by |"),
        validators=[Optional(), Length(max=4000)],
    )
    reference = TextAreaField(_l("Reference answer"), validators=[Optional(), Length(max=4000)])
    rubric = TextAreaField(
        _l("Marking rubric, one line per criterion: criterion | points"),
        validators=[Optional(), Length(max=4000)],
    )
    explanation = TextAreaField(_l("Explanation"), validators=[Optional(), Length(max=4000)])
    source = StringField(
        _l("Source (document and article)"), validators=[Optional(), Length(max=500)]
    )
    submit = SubmitField(_l("Submit for review"))

    def option_fields(self):
        return [getattr(self, f"option_{k.lower()}") for k in OPTION_LABELS]

    def question_fields(self) -> dict:
        """Raw input for question_bank.model.build_question, which does the validation."""
        qtype = self.type.data
        fields = {
            "type": qtype,
            "area": self.area.data,
            "point": self.point.data or "",
            "difficulty": self.difficulty.data,
            "stem": self.stem.data or "",
            "explanation": self.explanation.data or "",
            "source": self.source.data or "",
            "exams": list(self.exams.data or []),
        }
        if qtype in ("single", "multiple"):
            texts = [f.data or "" for f in self.option_fields()]
            while texts and not texts[-1].strip():
                texts.pop()
            fields["options"] = texts
            fields["key"] = self.key.data if qtype == "single" else list(self.keys.data or [])
        elif qtype == "judge":
            fields["key"] = {"true": True, "false": False}.get(self.judge_key.data or "")
        elif qtype == "fill":
            fields["key"] = [
                _alternatives(line)
                for line in (self.blanks.data or "").splitlines()
                if line.strip()
            ]
        else:
            fields["key"] = self.reference.data or ""
            fields["rubric"] = [
                _rubric_row(line) for line in (self.rubric.data or "").splitlines() if line.strip()
            ]
        return fields

    def fill_from(self, question) -> None:
        """Put a stored question into the form (for editing)."""
        self.type.data, self.area.data, self.point.data = (
            question.type,
            question.area,
            question.point,
        )
        self.difficulty.data, self.stem.data = question.difficulty, question.stem
        self.exams.data = sorted(question.exams)
        self.explanation.data, self.source.data, self.channel.data = (
            question.explanation,
            question.source,
            question.channel,
        )
        for field, text in zip(self.option_fields(), question.options or [], strict=False):
            field.data = text
        if question.type == "single":
            self.key.data = question.key
        elif question.type == "multiple":
            self.keys.data = list(question.key)
        elif question.type == "judge":
            self.judge_key.data = "true" if question.key else "false"
        elif question.type == "fill":
            self.blanks.data = "\n".join(" | ".join(alts) for alts in question.key)
        else:
            self.reference.data = question.key
            self.rubric.data = "\n".join(f"{c} | {p:g}" for c, p in question.rubric)


class EditApprovedForm(QuestionForm):
    note = StringField(
        _l("What this version changes"), validators=[DataRequired(), Length(max=500)]
    )
    submit = SubmitField(_l("Save as a new version"))


class CommentForm(BaseForm):
    body = TextAreaField(_l("Comment"), validators=[DataRequired(), Length(max=2000)])
    submit = SubmitField(_l("Add comment"))


def _alternatives(line: str) -> list[str]:
    for sep in ALTERNATIVE_SEPARATORS[1:]:
        line = line.replace(sep, ALTERNATIVE_SEPARATORS[0])
    return [part.strip() for part in line.split(ALTERNATIVE_SEPARATORS[0]) if part.strip()]


def _rubric_row(line: str) -> tuple[str, str]:
    criterion, _, points = line.replace("｜", "|").rpartition("|")
    return (criterion.strip(), points.strip()) if criterion else (line.strip(), "")
