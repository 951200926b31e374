"""The public notice (公示): no login to read; an objection needs one (and is rate-limited)."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from examsvc.extensions import limiter
from examsvc.results import notice_bp as bp
from examsvc.results.forms import ObjectionForm
from examsvc.security import _unauthorized
from examsvc.services.errors import NotFound, ServiceError
from examsvc.services.results import disputes, public
from examsvc.web import page_arg


@bp.route("/")
def index():
    return render_template("results/notices.html", notices=public.running_notices())


@bp.route("/<int:sitting_id>")
@limiter.limit("120 per minute")
def show(sitting_id: int):
    try:
        notice, page = public.notice(sitting_id, page=page_arg())
    except NotFound:
        abort(404)
    return render_template("results/notice.html", notice=notice, page=page)


@bp.route("/<int:sitting_id>/results/<int:attempt_id>/objection", methods=["GET", "POST"])
@limiter.limit("20 per hour", methods=["POST"])
def objection(sitting_id: int, attempt_id: int):
    if not current_user.is_authenticated:
        return _unauthorized()  # anyone may object, but not anonymously (spam)
    try:
        notice, _page = public.notice(sitting_id)
    except NotFound:
        abort(404)
    row = public.notice_row(sitting_id, attempt_id)
    if row is None:
        abort(404)
    form = ObjectionForm()
    if notice.running and form.validate_on_submit():
        try:
            disputes.lodge_objection(current_user, sitting_id, attempt_id, form.reason.data)
        except ServiceError as exc:
            flash(exc.message, "danger")
        else:
            flash(_("Objection received. You will find the outcome under My appeals and "
                    "objections."), "success")  # fmt: skip
            return redirect(url_for("my_results.index"))
    return render_template(
        "results/objection.html", notice=notice, row=row, form=form, back=request.referrer
    )
