from flask import render_template
from flask_login import current_user

from examsvc.main import bp
from examsvc.services import results


@bp.route("/")
def index():
    sittings = results.my_sittings(current_user) if current_user.is_authenticated else []
    return render_template("main/index.html", sittings=sittings)


@bp.route("/healthz")
def healthz():
    return {"status": "ok"}
