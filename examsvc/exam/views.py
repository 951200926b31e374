from flask import abort, redirect, render_template, url_for
from flask_login import current_user

from examsvc.exam import bp
from examsvc.models import utcnow
from examsvc.results.forms import AppealForm
from examsvc.services import attempts, exams, integrity, papers, proctor, results
from examsvc.services.errors import NotFound
from examsvc.services.levels import issue as certificate_rules
from examsvc.services.levels import today_local
from examsvc.services.results.mine import my_result


@bp.route("/")
def my_sittings():
    return render_template("exam/list.html", sittings=results.my_sittings(current_user))


@bp.route("/sittings/<int:sitting_id>")
def take(sitting_id: int):
    """The exam page; its script starts or resumes the attempt through the API."""
    sitting = next((s for s in results.my_sittings(current_user) if s["id"] == sitting_id), None)
    if sitting is None:
        abort(404)
    if sitting["attempt_status"] == "submitted":  # handed in: the result, never a blank paper
        return redirect(url_for("exam.result", attempt_id=sitting["attempt_id"]))
    if sitting["attempt_status"] != "in_progress" and (
        sitting["state"] != "open" or sitting["results_published"]  # nobody starts it any more
    ):
        return render_template("exam/not_open.html", sitting=sitting)
    return render_template("exam/take.html", sitting=sitting, info=exams.get_sitting(sitting_id))


@bp.route("/attempts/<int:attempt_id>")
def result(attempt_id: int):
    try:
        attempt = attempts.settled(current_user, attempt_id)  # time over: shown as handed in
    except NotFound:
        abort(404)
    return render_template(
        "exam/result.html",
        state=papers.attempt_state(attempt, utcnow()),
        attempt=attempt,
        at_focus_limit=integrity.handed_in_at_limit(attempt.id),
        by_invigilator=proctor.handed_in_by_invigilator(attempt.id),
        mine=my_result(current_user, attempt),
        certificate=certificate_rules.outlook(attempt, today_local()),
        appeal_form=AppealForm(),
    )
