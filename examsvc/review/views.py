from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from examsvc.review import bp
from examsvc.review.forms import ReviewForm
from examsvc.services import bank
from examsvc.services.errors import ServiceError


@bp.route("/")
def queue():
    return render_template("review/queue.html", questions=bank.review_queue())


@bp.route("/<int:question_id>", methods=["GET", "POST"])
def detail(question_id: int):
    try:
        question = bank.get_for_review(current_user, question_id)
    except ServiceError as exc:
        return render_template("errors.html", status=exc.status, message=exc.message), exc.status
    form = ReviewForm()
    if request.method == "POST" and form.validate_on_submit():
        try:
            bank.review(current_user, question_id, form.decision.data, form.reason.data or "")
        except ServiceError as exc:
            flash(exc.message, "danger")
            return render_template("review/detail.html", question=question, form=form), exc.status
        flash(_("Decision recorded for question #%(id)s.", id=question_id), "success")
        return redirect(url_for("review.queue"))
    return render_template("review/detail.html", question=question, form=form)
