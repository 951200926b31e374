"""An administrator's "show in full" of an ID number: POST only, with a reason, audited."""

from __future__ import annotations

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import StringField, SubmitField
from wtforms.validators import DataRequired, Length

from examsvc.admin import bp
from examsvc.services import identity
from examsvc.services.errors import NotFound, ServiceError
from examsvc.web import BaseForm


class RevealIdForm(BaseForm):
    reason = StringField(
        _l("Reason for seeing it in full"), validators=[DataRequired(), Length(max=500)]
    )
    submit = SubmitField(_l("Show in full"))


@bp.route("/users/<int:user_id>/id-number", methods=["POST"])
def reveal_id_number(user_id: int):
    back = url_for("admin.users", q=request.args.get("q", "")[:100] or None)
    form = RevealIdForm()
    if not form.validate_on_submit():
        flash(_("Give the reason for seeing the ID number in full."), "danger")
        return redirect(back)
    try:
        person, number = identity.reveal(current_user, user_id, form.reason.data)
    except NotFound:
        abort(404)
    except ServiceError as exc:
        flash(exc.message, "danger")
        return redirect(back)
    response = make_response(
        render_template("admin/id_number.html", person=person, number=number, back=back)
    )
    response.headers["Cache-Control"] = "no-store"
    return response
