"""A person's own appeals (复核) and objections (异议), and asking for a re-check."""

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from examsvc.results import mine_bp as bp
from examsvc.results.forms import AppealForm
from examsvc.services.errors import NotFound, ServiceError
from examsvc.services.results import disputes, mask_name


@bp.route("/")
def index():
    return render_template(
        "results/mine.html", disputes=disputes.raised_by(current_user), mask_name=mask_name
    )


@bp.route("/attempts/<int:attempt_id>/appeal", methods=["POST"])
def appeal(attempt_id: int):
    form = AppealForm()
    if form.validate_on_submit():
        try:
            disputes.lodge_appeal(current_user, attempt_id, form.reason.data)
        except NotFound:
            from flask import abort

            abort(404)
        except ServiceError as exc:
            flash(exc.message, "danger")
        else:
            flash(_("Your request for a re-check has been received."), "success")
    else:
        for errors in form.errors.values():
            for error in errors:
                flash(error, "danger")
    return redirect(url_for("exam.result", attempt_id=attempt_id))
