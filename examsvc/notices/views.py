"""The person's notices: the list (unread first), marking one or all read."""

from flask import abort, redirect, render_template, url_for
from flask_login import current_user

from examsvc.admin.forms import ActionForm
from examsvc.notices import bp
from examsvc.services import notices
from examsvc.services.errors import NotFound
from examsvc.web import page_arg


@bp.route("/")
def index():
    return render_template(
        "notices/index.html", page=notices.mine(current_user, page_arg()), text=notices.text,
        form=ActionForm(),
    )  # fmt: skip


@bp.post("/<int:notice_id>/read")
def read(notice_id: int):
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        notices.mark_read(current_user, notice_id)
    except NotFound:
        abort(404)
    return redirect(url_for("notices.index"))


@bp.post("/read")
def read_all():
    if not ActionForm().validate_on_submit():
        abort(400)
    notices.mark_all_read(current_user)
    return redirect(url_for("notices.index"))
