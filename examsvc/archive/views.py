"""A person's archive (printable) and an organisation's dashboard with charts."""

from __future__ import annotations

from flask import abort, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from examsvc.archive import bp
from examsvc.labels import CATEGORY_LABELS
from examsvc.models import Role
from examsvc.services import archive, certificates, charts, orgs, scope
from examsvc.services.inspections.facts import shown_reasons
from examsvc.web import int_arg
from question_bank.inspection import MIN_HOURS

LEVEL_NAMES = ("", "L1", "L2", "L3", "L4")


def _staff_only() -> None:
    if not current_user.has_role(Role.ADMIN, Role.ORG_ADMIN):
        abort(403)


def _person_page(person, own: bool):
    return render_template(
        "archive/person.html",
        record=archive.person(person),
        own=own,
        status_of=certificates.effective_status,
        inspection_reasons=shown_reasons,
        inspection_min_hours=MIN_HOURS,
    )


@bp.route("/")
def mine():
    return _person_page(current_user, own=True)


@bp.route("/people/<int:person_id>")
def person(person_id: int):
    _staff_only()
    return _person_page(scope.person_or_404(current_user, person_id), own=False)


@bp.route("/orgs/")
def organisations():
    """Org admins go to their organisation; admins choose one from the tree."""
    _staff_only()
    if not current_user.has_role(Role.ADMIN):
        root = scope.root_of(current_user)
        if root is None:
            abort(404)
        return redirect(url_for("archive.dashboard", org_id=root.id))
    return render_template("archive/organisations.html", rows=orgs.tree())


@bp.route("/orgs/<int:org_id>")
def dashboard(org_id: int):
    _staff_only()
    org = scope.org_or_404(current_user, org_id)
    today = certificates.today_local()
    year = int_arg("year", today.year)
    if not 2000 <= year <= today.year:
        year = today.year
    board = archive.dashboard(org, year, today)
    level_chart = charts.bars(
        [(_("No level") if level == 0 else LEVEL_NAMES[level], [count])
         for level, count in board.by_level.items()],
        label=_("People by level"),
    )  # fmt: skip
    hours_chart = charts.bars(
        [(str(CATEGORY_LABELS.get(category, _("No category"))), [met, short])
         for category, (met, short) in board.by_category.items()],
        legend=[_("Minimum met"), _("Below the minimum")],
        colours=("#198754", "#b71c1c"),
        label=_("Training hours against the minimum, by category"),
    )  # fmt: skip
    return render_template(
        "archive/dashboard.html",
        board=board,
        level_chart=level_chart,
        hours_chart=hours_chart,
        years=list(range(today.year, today.year - 5, -1)),
    )
