from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from examsvc.bank.forms import CommentForm, EditApprovedForm
from examsvc.errors import flash_problems
from examsvc.review import bp
from examsvc.review.forms import FilterForm, RetireForm, ReviewForm
from examsvc.services import bank, browse, review, similarity
from examsvc.services.browse import BankFilter
from examsvc.services.errors import ServiceError
from examsvc.web import page_arg


def _filters() -> tuple[FilterForm, BankFilter]:
    form = FilterForm(request.args)
    form.validate()

    def value(field) -> str:  # a filter outside its choices (or too long) filters nothing
        return "" if field.errors or not field.data else field.data

    difficulty = value(form.difficulty)
    filters = BankFilter(
        area=value(form.area),
        type=value(form.type),
        difficulty=int(difficulty) if difficulty else None,
        status=value(form.status),
        channel=value(form.channel),
        exam=value(form.exam),
        text=value(form.text),
    )
    return form, filters


@bp.route("/")
def queue():
    form, filters = _filters()
    page = browse.review_page(filters, page_arg())
    return render_template("review/queue.html", page=page, filter_form=form)


@bp.route("/bank")
def bank_browser():
    form, filters = _filters()
    page = browse.browse(filters, page_arg())
    return render_template(
        "review/bank.html", page=page, counts=browse.counts(filters), filter_form=form
    )


@bp.route("/credit")
def credit():
    query = request.args.get("q", "")[:100]
    people = browse.contributor_credit(page_arg(), query)
    return render_template(
        "review/credit.html", people=people, channels=browse.channel_credit(), query=query
    )


@bp.route("/<int:question_id>", methods=["GET", "POST"])
def detail(question_id: int):
    question = _question_or_404(question_id)
    form = ReviewForm()
    if request.method == "POST" and form.validate_on_submit():
        try:
            review.review(
                current_user,
                question_id,
                form.decision.data,
                form.reason.data or "",
                form.duplicate_of.data,
            )
        except ServiceError as exc:
            flash(exc.message, "danger")
            return _render_detail(question, form), exc.status
        flash(_("Decision recorded for question #%(id)s.", id=question_id), "success")
        return redirect(url_for("review.queue"))
    return _render_detail(question, form)


def _render_detail(question, form):
    similar = similarity.similar_questions(
        question.stem, question.options or [], exclude_id=question.id
    )
    return render_template(
        "review/detail.html",
        question=question,
        form=form,
        similar=similar,
        comment_form=CommentForm(),
        retire_form=RetireForm(),
    )


@bp.route("/<int:question_id>/edit", methods=["GET", "POST"])
def edit(question_id: int):
    question = _question_or_404(question_id)
    form = EditApprovedForm()
    if request.method == "GET":
        form.fill_from(question)
    if form.validate_on_submit():
        try:
            bank.edit_approved(current_user, question_id, form.question_fields(), form.note.data)
        except ServiceError as exc:
            flash_problems(exc)
            return render_template("bank/submit.html", form=form, question=question), exc.status
        if question.status == "in_review":
            flash(_("Saved as version %(v)s; it waits for a second examiner's approval.",
                    v=question.version), "success")  # fmt: skip
        else:
            flash(_("Saved as version %(v)s.", v=question.version), "success")
        return redirect(url_for("review.history", question_id=question_id))
    return render_template("bank/submit.html", form=form, question=question)


@bp.route("/<int:question_id>/retire", methods=["POST"])
def retire(question_id: int):
    form = RetireForm()
    if form.validate_on_submit():
        try:
            review.retire(current_user, question_id, form.reason.data)
            flash(_("Question #%(id)s retired.", id=question_id), "success")
        except ServiceError as exc:
            flash(exc.message, "danger")
    else:
        flash(_("Say why the question leaves the bank."), "danger")
    return redirect(url_for("review.detail", question_id=question_id))


@bp.route("/<int:question_id>/history")
def history(question_id: int):
    question = _question_or_404(question_id)
    return render_template(
        "review/history.html", question=question, versions=browse.history(question)
    )


def _question_or_404(question_id: int):
    try:
        return bank.own_question(current_user, question_id)
    except ServiceError:
        abort(404)
