"""Forms of the accounts pages: a person's profile, roles, a new account."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    DateField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    widgets,
)
from wtforms.validators import DataRequired, Length, Optional

from examsvc.labels import CATEGORY_LABELS, GENDER_LABELS, ROLE_LABELS, choices
from examsvc.models import User
from examsvc.services.account_admin import Profile
from examsvc.services.orgs import TreeRow
from examsvc.web import BaseForm, past_party_date

#: The value of a select meaning "none".
NONE = ""


class CheckboxesField(SelectMultipleField):
    """Several choices as a list of checkboxes."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


def org_choices(rows: list[TreeRow]) -> list[SelectChoice]:
    """Organisations in tree order, indented by depth, led by "none"; closed ones marked."""
    closed = str(_l("(closed)"))
    labels = {
        str(r.org.id): "\u3000" * r.depth
        + f"{r.org.code} {r.org.name}"
        + (closed if r.org.is_closed else "")
        for r in rows
    }
    return choices(labels, first=(NONE, _l("— none —")))


def _optional_int(value: str | None) -> int | None:
    return int(value) if value else None


class ProfileForm(BaseForm):
    name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=100)])
    email = StringField(
        _l("E-mail"),
        validators=[Optional(), Length(max=254)],
        description=_l("An e-mail address, a mobile number or both: the person logs in with them."),
    )
    mobile = StringField(_l("Mobile"), validators=[Optional(), Length(max=40)])
    gender = SelectField(
        _l("Gender"),
        choices=choices(GENDER_LABELS, first=(NONE, _l("— not given —"))),
        validate_choice=True,
    )
    id_number = StringField(
        _l("ID number"),
        validators=[Optional(), Length(max=40)],
        description=_l("Optional; stored encrypted and shown masked."),
    )
    is_party_member = RadioField(
        _l("Party member"), choices=choices({"1": _l("yes"), "0": _l("no")}), default="0"
    )
    party_joined_on = DateField(
        _l("Date joined the Party"), validators=[Optional(), past_party_date]
    )
    post = StringField(
        _l("Post"), validators=[Optional(), Length(max=100)], description=_l("Such as 支部书记.")
    )
    category = SelectField(
        _l("Category"),
        choices=choices(CATEGORY_LABELS, first=(NONE, _l("— not given —"))),
        validate_choice=True,
    )
    organisation = SelectField(_l("Organisation"), choices=[], validate_choice=True)
    submit = SubmitField(_l("Save"))

    def fill_from(self, person: User) -> None:
        """Show the stored values (on a GET of the edit page)."""
        self.name.data, self.email.data = person.name, person.email or ""
        self.mobile.data, self.gender.data = person.mobile or "", person.gender or NONE
        self.is_party_member.data = "1" if person.is_party_member else "0"
        self.party_joined_on.data, self.post.data = person.party_joined_on, person.post
        self.category.data = person.category or NONE
        self.organisation.data = str(person.organisation_id or NONE)

    def profile(self) -> Profile:
        member = self.is_party_member.data == "1"
        return Profile(
            name=self.name.data or "",
            email=self.email.data or "",
            mobile=self.mobile.data or "",
            gender=self.gender.data or None,
            is_party_member=member,
            party_joined_on=self.party_joined_on.data if member else None,
            post=self.post.data or "",
            category=self.category.data or None,
            organisation_id=_optional_int(self.organisation.data),
            id_number=self.id_number.data or "",
        )


class RolesForm(BaseForm):
    roles = CheckboxesField(_l("Roles"), choices=choices(ROLE_LABELS), validate_choice=True)
    managed_organisation = SelectField(
        _l("Organisation managed (organisation admins)"), choices=[], validate_choice=True
    )
    submit = SubmitField(_l("Save roles"))

    def managed_id(self) -> int | None:
        return _optional_int(self.managed_organisation.data)


class NewAccountForm(ProfileForm):
    roles = CheckboxesField(
        _l("Roles"), choices=choices(ROLE_LABELS), validate_choice=True, default=["candidate"]
    )
    managed_organisation = SelectField(
        _l("Organisation managed (organisation admins)"), choices=[], validate_choice=True
    )
    password_by = RadioField(
        _l("The person's first password"),
        choices=choices(
            {
                "link": _l("A one-time link to set it (recommended)"),
                "initial": _l("A random initial password, changed at first login"),
            }
        ),
        default="link",
    )
    submit = SubmitField(_l("Create account"))

    def managed_id(self) -> int | None:
        return _optional_int(self.managed_organisation.data)
