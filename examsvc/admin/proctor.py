"""The live view of a sitting (监考): a page that refreshes itself from a JSON twin, and the
invigilator's two actions on one candidate, extra time and handing in for them."""

from __future__ import annotations

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import IntegerField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from examsvc.admin import bp
from examsvc.i18n import format_local
from examsvc.labels import EVENT_LABELS
from examsvc.services import extra_time, proctor
from examsvc.services.errors import NotFound, ServiceError
from examsvc.web import BaseForm, page_arg

#: Seconds between two refreshes of the page.
REFRESH_SECONDS = 12


class _Back(BaseForm):
    """Where the page was (filter, search, page): the action returns there."""

    state = StringField(validators=[Length(max=20)])
    q = StringField(validators=[Length(max=proctor.MAX_QUERY)])
    page = StringField(validators=[Length(max=8)])


class LiveExtraTimeForm(_Back):
    minutes = IntegerField(
        _l("Extra minutes"),
        validators=[InputRequired(), NumberRange(1, extra_time.MAX_MINUTES)],
    )
    reason = TextAreaField(
        _l("Reason"), validators=[DataRequired(), Length(max=extra_time.MAX_REASON)]
    )


class HandInForm(_Back):
    reason = TextAreaField(
        _l("Reason"), validators=[DataRequired(), Length(max=proctor.MAX_REASON)]
    )


def _filters() -> dict:
    state = request.args.get("state", "")
    return {
        "state": state if state in proctor.STATES else "",
        "q": request.args.get("q", "")[: proctor.MAX_QUERY],
        "page": page_arg(),
    }


def _view(filters: dict) -> proctor.LiveView:
    try:
        return proctor.live(
            request.view_args["sitting_id"], state=filters["state"] or None,
            query=filters["q"], page=filters["page"],
        )  # fmt: skip
    except NotFound:
        abort(404)


def _row_json(row: proctor.LiveRow) -> dict:
    return {
        "enrolment_id": row.enrolment_id,
        "admission_no": row.admission_no,
        "name": row.name,
        "organisation": row.organisation,
        "state": row.state,
        "attempt_id": row.attempt_id,
        "answered": row.answered,
        "items": row.items,
        "last_saved_at": row.last_saved_at.isoformat() if row.last_saved_at else None,
        "last_saved": format_local(row.last_saved_at, "%H:%M:%S") if row.last_saved_at else "",
        "deadline": row.deadline.isoformat() if row.deadline else None,
        "seconds_left": row.seconds_left,
        "focus_losses": row.focus_losses,
        "other_events": row.other_events,
        "events": row.events,
        "extra_minutes": row.extra_minutes,
        "by_invigilator": row.by_invigilator,
        "at_focus_limit": row.at_focus_limit,
    }


@bp.route("/sittings/<int:sitting_id>/live")
def live(sitting_id: int):
    return _page(_filters())


def _page(filters: dict, failed: tuple[int, str, BaseForm] | None = None, status: int = 200):
    view = _view(filters)
    return render_template(
        "admin/proctor.html", view=view, sitting=view.sitting, filters=filters,
        states=proctor.STATES, refresh_seconds=REFRESH_SECONDS, failed=failed,
        event_labels=EVENT_LABELS, other_events=proctor.OTHER_EVENTS,
        max_minutes=extra_time.MAX_MINUTES, max_reason=proctor.MAX_REASON,
        json_url=url_for("admin.live_json", sitting_id=view.sitting.id, **_args(filters)),
        event_texts={k: str(v) for k, v in EVENT_LABELS.items()},
    ), status  # fmt: skip


def _args(filters: dict) -> dict:
    """The query arguments of a filter: none for the defaults."""
    return {k: v for k, v in filters.items() if v and not (k == "page" and v == 1)}


@bp.route("/sittings/<int:sitting_id>/live.json")
def live_json(sitting_id: int):
    view = _view(_filters())
    return jsonify(
        {
            "sitting_id": sitting_id,
            "now": view.now.isoformat(),
            "refreshed": format_local(view.now, "%H:%M:%S"),
            "state": view.sitting.state(view.now),
            "counts": view.counts,
            "total": view.page.total,
            "rows": [_row_json(r) for r in view.page.items],
        }
    )


def _back(form: _Back) -> dict:
    state = form.state.data or ""
    page = form.page.data or ""
    return {
        "state": state if state in proctor.STATES else "",
        "q": (form.q.data or "")[: proctor.MAX_QUERY],
        "page": int(page) if page.isascii() and page.isdigit() and 0 < int(page) < 10**6 else 1,
    }


def _redirect(sitting_id: int, back: dict, enrolment_id: int):
    return redirect(
        url_for("admin.live", sitting_id=sitting_id, **_args(back)) + f"#candidate-{enrolment_id}"
    )


def _act(sitting_id: int, enrolment_id: int, form: _Back, kind: str, action, done: str):
    back = _back(form)
    if not form.validate_on_submit():
        flash(_("Check the highlighted fields."), "danger")
        return _page(back, (enrolment_id, kind, form), 400)
    try:
        action()
    except NotFound:
        abort(404)
    except ServiceError as exc:
        flash(exc.message, "danger")
        return _page(back, (enrolment_id, kind, form), exc.status)
    flash(done, "success")
    return _redirect(sitting_id, back, enrolment_id)


@bp.route("/sittings/<int:sitting_id>/live/<int:enrolment_id>/extra-time", methods=["POST"])
def live_extra_time(sitting_id: int, enrolment_id: int):
    form = LiveExtraTimeForm()
    return _act(
        sitting_id, enrolment_id, form, "extra",
        lambda: extra_time.grant(
            current_user, sitting_id, enrolment_id, form.minutes.data, form.reason.data
        ),
        _("Extra time recorded."),
    )  # fmt: skip


@bp.route("/sittings/<int:sitting_id>/live/<int:enrolment_id>/hand-in", methods=["POST"])
def live_hand_in(sitting_id: int, enrolment_id: int):
    form = HandInForm()
    return _act(
        sitting_id, enrolment_id, form, "hand_in",
        lambda: proctor.hand_in_for(current_user, sitting_id, enrolment_id, form.reason.data),
        _("Handed in for the candidate; their answers are scored."),
    )  # fmt: skip
