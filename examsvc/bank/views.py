from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from examsvc.bank import bp
from examsvc.bank.forms import SingleChoiceForm
from examsvc.services import bank
from examsvc.services.errors import ServiceError


@bp.route("/submit", methods=["GET", "POST"])
def submit():
    form = SingleChoiceForm()
    if form.validate_on_submit():
        try:
            question = bank.submit_question(current_user, form.channel.data, form.question_fields())
        except ServiceError as exc:
            for problem in exc.problems or [exc.message]:
                flash(problem, "danger")
            return render_template("bank/submit.html", form=form), exc.status
        flash(
            _("Question #%(id)s submitted; an examiner will review it.", id=question.id), "success"
        )
        return redirect(url_for("bank.mine"))
    return render_template("bank/submit.html", form=form)


@bp.route("/mine")
def mine():
    return render_template("bank/mine.html", questions=bank.submissions_of(current_user))
