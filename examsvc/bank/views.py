from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from examsvc.bank import bp
from examsvc.bank.forms import CommentForm, QuestionForm
from examsvc.errors import flash_problems
from examsvc.extensions import limiter, read_only
from examsvc.labels import CHANNEL_LABELS, choices
from examsvc.services import bank, browse, review, similarity
from examsvc.services.errors import ServiceError
from examsvc.web import page_arg


def question_form(**kwargs) -> QuestionForm:
    """The question form; only verified institutions may pick the institution channel."""
    form = QuestionForm(**kwargs)
    allowed = {
        k: v for k, v in CHANNEL_LABELS.items() if k != "institution" or current_user.is_institution
    }
    form.channel.choices = choices(allowed)
    if current_user.is_institution and request.method == "GET":
        form.channel.data = "institution"
    return form


@bp.route("/submit", methods=["GET", "POST"])
def submit():
    form = question_form()
    if form.validate_on_submit():
        try:
            question = bank.submit_question(current_user, form.channel.data, form.question_fields())
        except ServiceError as exc:
            flash_problems(exc)
            return render_template("bank/submit.html", form=form), exc.status
        flash(
            _("Question #%(id)s submitted; an examiner will review it.", id=question.id), "success"
        )
        return redirect(url_for("bank.mine"))
    return render_template("bank/submit.html", form=form)


@bp.route("/mine")
def mine():
    query = request.args.get("q", "")[:100]
    page = browse.submissions_of(current_user, page_arg(), query)
    return render_template("bank/mine.html", page=page, query=query)


@bp.route("/questions/<int:question_id>")
def detail(question_id: int):
    question = _own_or_404(question_id)
    shown, revised = browse.as_written(question, current_user)
    return render_template(
        "bank/detail.html",
        question=question,
        shown=shown,
        revised=revised,
        comment_form=CommentForm(),
    )


@bp.route("/questions/<int:question_id>/edit", methods=["GET", "POST"])
def edit(question_id: int):
    question = _own_or_404(question_id)
    if question.status not in ("submitted", "returned"):  # the bank's text is not for editing
        flash(_("Only a submitted or returned question can be edited."), "warning")
        return redirect(url_for("bank.detail", question_id=question_id))
    form = question_form()
    if request.method == "GET":
        form.fill_from(question)
    if form.validate_on_submit():
        try:
            bank.edit_submission(current_user, question_id, form.question_fields())
        except ServiceError as exc:
            flash_problems(exc)
            return render_template("bank/submit.html", form=form, question=question), exc.status
        flash(_("Your changes are saved and the question is back in review."), "success")
        return redirect(url_for("bank.detail", question_id=question_id))
    return render_template("bank/submit.html", form=form, question=question)


@bp.route("/questions/<int:question_id>/comments", methods=["POST"])
def add_comment(question_id: int):
    form = CommentForm()
    if form.validate_on_submit():
        try:
            review.comment(current_user, question_id, form.body.data)
        except ServiceError as exc:
            flash(exc.message, "danger")
    target = request.form.get("back") == "review" and current_user.has_role("examiner")
    return redirect(url_for("review.detail" if target else "bank.detail", question_id=question_id))


@bp.route("/similar", methods=["POST"])
@limiter.limit("60 per minute")
@read_only
def similar():
    """Questions already in the bank that look like the one being written (JSON).

    Examiners see every look-alike in full. Anyone else sees their own questions in full
    and of everybody else's only that one exists (a coarse similarity and its status):
    never its text, so the lookup cannot be used to read the bank.
    """
    body = request.get_json(silent=True)
    body = body if isinstance(body, dict) else {}
    stem, options, exclude = body.get("stem"), body.get("options") or [], body.get("exclude")
    if not isinstance(stem, str) or not isinstance(options, list) or len(stem) > 2000:
        return jsonify({"error": "bad_request", "message": _("stem and options are required")}), 400
    if exclude is not None and (isinstance(exclude, bool) or not isinstance(exclude, int)):
        return jsonify(
            {"error": "bad_request", "message": _("exclude must be a question number or null")}
        ), 400
    matches = similarity.similar_questions(stem, [str(o) for o in options[:8]], exclude_id=exclude)
    examiner = current_user.has_role("examiner")
    shown = [similarity.shown_to(m, current_user.id, examiner) for m in matches]
    return jsonify({"similar": shown})


def _own_or_404(question_id: int):
    try:
        return bank.own_question(current_user, question_id)
    except ServiceError:
        abort(404)
