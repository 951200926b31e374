"""The person's own page: what the service holds about them, the ID number masked."""

from flask import render_template
from flask_login import current_user

from examsvc.orgs import me_bp
from examsvc.services import people


@me_bp.route("/")
def profile():
    return render_template(
        "orgs/me.html", person=current_user, exams=people.exam_history(current_user)
    )
