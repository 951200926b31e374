"""``/auth/reset/<token>``: a person sets a new password through a one-time link."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import PasswordField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length

from examsvc.auth import bp
from examsvc.auth.forms import PASSWORD_HINT
from examsvc.extensions import limiter
from examsvc.services import password_links
from examsvc.services.errors import ServiceError
from examsvc.web import BaseForm


class SetPasswordForm(BaseForm):
    password = PasswordField(
        _l("New password"),
        validators=[DataRequired(), Length(min=10, max=200)],
        description=PASSWORD_HINT,
    )
    confirm = PasswordField(
        _l("Repeat new password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords differ."))],
    )
    submit = SubmitField(_l("Set password"))


def reset_limit() -> str:
    return current_app.config.get("RESET_RATE_LIMIT", "30 per hour")


def _unusable(exc: ServiceError):
    response = render_template("auth/reset.html", form=None, problem=exc.message, person=None)
    return response, exc.status


@bp.route("/reset/<token>", methods=["GET", "POST"])
@limiter.limit(reset_limit)  # per address: links cannot be guessed, nor the page hammered
def reset_password(token: str):
    try:
        link = password_links.find(token)
    except ServiceError as exc:
        return _unusable(exc)
    form = SetPasswordForm()
    if form.validate_on_submit():
        try:
            password_links.use(token, form.password.data)
        except password_links.LinkUnusable as exc:
            return _unusable(exc)
        except ServiceError as exc:  # a weak password: the link stays usable
            flash(exc.message, "danger")
            return render_template("auth/reset.html", form=form, problem=None), exc.status
        flash(_("Your password is set. Log in with it."), "success")
        return redirect(url_for("auth.login"))
    return render_template("auth/reset.html", form=form, problem=None, expires=link.expires_at)
