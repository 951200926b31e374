"""The integrity events of one attempt, as evidence for the admins."""

from flask import abort, render_template

from examsvc.admin import bp
from examsvc.labels import EVENT_LABELS
from examsvc.services import integrity
from examsvc.services.errors import NotFound


@bp.route("/attempts/<int:attempt_id>/events")
def attempt_events(attempt_id: int):
    try:
        attempt, events, counts = integrity.attempt_events(attempt_id)
    except NotFound:
        abort(404)
    return render_template(
        "admin/attempt_events.html",
        attempt=attempt,
        events=events,
        counts=counts,
        at_limit=integrity.handed_in_at_limit(attempt_id),
        event_labels=EVENT_LABELS,
    )
