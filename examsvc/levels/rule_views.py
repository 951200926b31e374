"""Admins' pages of the certificate rules: every credential's rules in force as sentences,
one credential's versions, and a new version written in a form of rows (condition, setting,
years), checked before saving with every problem named."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from examsvc.i18n import translate
from examsvc.levels import rules_bp
from examsvc.levels.forms import MAX_ROWS, RulesForm
from examsvc.models import RuleSet
from examsvc.services.errors import NotFound, ServiceError
from examsvc.services.levels import rules
from question_bank import certification, rule_sets

#: Empty rows offered below the conditions, to add some.
BLANK_ROWS = 3


def _code(row: RuleSet) -> str:
    return certification.credential_code(row.kind, row.level)


@rules_bp.route("/")
def index():
    rows = rules.all_current()
    return render_template(
        "levels/rules.html", rows=[(_code(r), r, rules.sentences(r.conditions)) for r in rows]
    )


def _in_force(credential: str) -> RuleSet:
    try:
        return rules.of_credential(credential)
    except NotFound:
        abort(404)


def _rows_form(conditions: list[dict], form: RulesForm | None = None) -> RulesForm:
    """The form with one row per condition and a few blank ones."""
    form = form or RulesForm()
    while form.conditions.entries:
        form.conditions.pop_entry()
    for condition in conditions[:MAX_ROWS]:
        check, value, years = (
            rule_sets.to_fields(condition)
            if condition.get("check") in certification.CHECKS
            else (str(condition.get("check", "")), None, None)
        )
        form.conditions.append_entry({"check": check, "value": _text(value), "years": _text(years)})
    for _blank in range(min(BLANK_ROWS, MAX_ROWS - len(form.conditions.entries))):
        form.conditions.append_entry({})
    return form


def _text(value) -> str:
    return "" if value is None else str(value)


def _choices(row: RuleSet) -> list[SelectChoice]:
    usable = [c for c in certification.CHECKS.values() if row.kind in c.kinds]
    return [SelectChoice("", _("— none —"))] + [
        SelectChoice(c.name, translate(rule_sets.title(c.name))) for c in usable
    ]


def _page(row: RuleSet, credential: str, form: RulesForm, problems=(), status: int = 200):
    for entry in form.conditions:
        entry.form.check.choices = _choices(row)
    usable = [c for c in certification.CHECKS.values() if row.kind in c.kinds]
    page = render_template(
        "levels/rule.html",
        credential=credential,
        row=row,
        sentences=rules.sentences(row.conditions),
        versions=[(v, rules.sentences(v.conditions)) for v in rules.versions(row)]
        if row.id is not None
        else [],
        form=form,
        problems=list(problems),
        checks=[(c, rule_sets.title(c.name), [rule_sets.setting_label(p.name) for p in c.params],
                 rule_sets.describe(_example(c))) for c in usable],
    )  # fmt: skip
    return page, status


def _example(check: certification.Check) -> dict:
    """A condition of the check with example settings, for the reference table."""
    example: dict = {"check": check.name}
    for param in check.params:
        example[param.name] = param.default if param.default is not None else param.low
    return example


@rules_bp.route("/<credential>")
def show(credential: str):
    row = _in_force(credential)
    form = _rows_form(row.conditions, RulesForm(base_version=str(row.version)))
    return _page(row, credential, form)


def _posted(form: RulesForm) -> list[dict]:
    """The conditions of the rows filled in, settings as numbers where they are numbers."""
    found = []
    for entry in form.conditions:
        check = (entry.form.check.data or "").strip()
        if check:
            value, years = (_number(entry.form.value.data), _number(entry.form.years.data))
            found.append(rule_sets.from_fields(check, value, years))
    return found


def _number(text: str | None):
    text = (text or "").strip()
    if text.isascii() and text.lstrip("-").isdigit() and len(text) <= 7:
        return int(text)
    return text or None


@rules_bp.post("/<credential>")
def save(credential: str):
    row = _in_force(credential)
    form = RulesForm()
    conditions = _posted(form)
    if not form.validate_on_submit():
        problems = rules.problems(row, conditions)
        if form.base_version.errors or form.csrf_token.errors:
            problems.insert(0, _("The form could not be read; open the page again."))
        return _page(row, credential, _rows_form(conditions, form), problems, 400)
    try:
        saved = rules.new_version(
            current_user, credential, conditions, form.note.data, int(form.base_version.data)
        )
    except ServiceError as exc:
        problems = exc.problems or [exc.message]
        return _page(row, credential, _rows_form(conditions, form), problems, exc.status)
    flash(_("Version %(v)s is in force from now on.", v=saved.version), "success")
    return redirect(url_for("rules.show", credential=credential))
