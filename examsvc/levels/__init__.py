"""Levels and their certificate rules: the person's level and history, level applications
in six steps, changes of post (职务变动), and the certificate rules as data.

- ``bp`` (/levels): admins and org admins (their subtree; another subtree's person or
  application is a 404) — applications, a person's level page, changes of post.
- ``mine_bp`` (/levels/mine): any logged-in account — their own level, history and
  applications; candidates declare (个人申报) from here.
- ``rules_bp`` (/levels/rules): admins — the rule sets, their versions, a new version.
"""

from flask import Blueprint

from examsvc.models import Role
from examsvc.security import guard

bp = Blueprint("levels", __name__, url_prefix="/levels")
guard(bp, Role.ADMIN, Role.ORG_ADMIN)

mine_bp = Blueprint("my_level", __name__, url_prefix="/levels/mine")
guard(mine_bp)

rules_bp = Blueprint("rules", __name__, url_prefix="/levels/rules")
guard(rules_bp, Role.ADMIN)


@bp.app_template_global()
def rule_sentences(conditions) -> list[str]:
    """Stored conditions as sentences (the audit log shows rule versions this way)."""
    from examsvc.services.levels import rules

    return rules.sentences(conditions if isinstance(conditions, list) else [])


from examsvc.levels import mine, rule_views, views  # noqa: E402,F401

BLUEPRINTS = (bp, mine_bp, rules_bp)
