from flask_babel import lazy_gettext as _l
from flask_wtf.file import MultipleFileField
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    PasswordField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, EqualTo, Length, Optional

from examsvc.auth.forms import PASSWORD_HINT
from examsvc.labels import CATEGORY_LABELS, GENDER_LABELS, choices
from examsvc.services.registration import Profile
from examsvc.web import BaseForm, past_party_date

YES_NO = [SelectChoice("yes", _l("Yes")), SelectChoice("no", _l("No"))]


class ProfileForm(BaseForm):
    """The person's profile; the service checks it (ID number, logins taken, organisation)."""

    name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=100)])
    id_number = StringField(
        _l("ID number"),
        validators=[DataRequired(), Length(max=40)],
        description=_l("The 18-character number of your resident identity card."),
    )
    gender = RadioField(_l("Gender"), choices=choices(GENDER_LABELS))
    mobile = StringField(_l("Mobile"), validators=[Length(max=40)])
    email = StringField(
        _l("E-mail"),
        validators=[Length(max=254)],
        description=_l("Give a mobile number, an e-mail address or both: you log in with them."),
    )
    is_party_member = RadioField(_l("Member of the Communist Party of China"), choices=YES_NO)
    party_joined_on = DateField(
        _l("Date of joining the Party"),
        validators=[Optional(), past_party_date],
        description=_l("Party members only."),
    )
    organisation = SelectField(_l("Your organisation"), choices=[])
    category = SelectField(
        _l("Category"),
        choices=choices(CATEGORY_LABELS, first=("", _l("— choose —"))),
        description=_l("Decides the training hours you need each year."),
    )
    post = StringField(
        _l("Post"),
        validators=[Length(max=100)],
        description=_l("Such as 支部书记 or 组织委员; leave empty if none."),
    )

    def profile(self) -> Profile:
        return Profile(
            name=self.name.data or "",
            id_number=self.id_number.data or "",
            gender=self.gender.data or "",
            mobile=self.mobile.data or "",
            email=self.email.data or "",
            is_party_member=self.is_party_member.data == "yes",
            party_joined_on=self.party_joined_on.data,
            post=self.post.data or "",
            category=self.category.data or "",
            organisation_id=int(self.organisation.data) if self.organisation.data else None,
        )


class RegistrationForm(ProfileForm):
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(), Length(min=10, max=200)],
        description=PASSWORD_HINT,
    )
    confirm = PasswordField(
        _l("Repeat password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords differ."))],
    )
    #: PIPL art. 29: a separate consent, never ticked in advance.
    consent = BooleanField(
        _l("I agree to the processing of my ID number and documents as described above.")
    )
    submit = SubmitField(_l("Register and continue to the documents"))


class EditForm(ProfileForm):
    id_number = StringField(
        _l("ID number"),
        validators=[Optional(), Length(max=40)],
        description=_l("Leave empty to keep the number you gave."),
    )
    submit = SubmitField(_l("Save"))


class DocumentForm(BaseForm):
    kind = HiddenField()
    files = MultipleFileField(_l("Files (PDF, JPEG or PNG)"))
    submit = SubmitField(_l("Upload"))


class ReturnForm(BaseForm):
    reason = TextAreaField(
        _l("Reason for returning"),
        validators=[DataRequired(), Length(max=1000)],
        description=_l("The person reads this and fixes what you name."),
    )
    submit = SubmitField(_l("Return to the person"))
