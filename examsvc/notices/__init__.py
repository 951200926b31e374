"""The person's notices (年检 outcomes and the like): any logged-in account, their own."""

from flask import Blueprint

from examsvc.security import guard

bp = Blueprint("notices", __name__, url_prefix="/notices")
guard(bp)


@bp.app_context_processor
def _unread() -> dict:
    """``unread_notices()`` for the top bar: one indexed COUNT, run only when the page asks."""

    def unread_notices() -> int:
        from flask_login import current_user

        from examsvc.services import notices

        return notices.unread_count(current_user) if current_user.is_authenticated else 0

    return {"unread_notices": unread_notices}


from examsvc.notices import views  # noqa: E402,F401
