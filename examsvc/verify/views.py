from flask import redirect, render_template, request, url_for

from examsvc.extensions import limiter
from examsvc.services import results
from examsvc.services.errors import NotFound
from examsvc.verify import bp


@bp.route("/")
def lookup():
    number = (request.args.get("number") or "").strip()
    if number:
        return redirect(url_for("verify.show", number=number))
    return render_template("verify/lookup.html")


@bp.route("/<number>")
@limiter.limit("60 per minute")
def show(number: str):
    try:
        cert = results.public_certificate(number)
    except NotFound:
        return render_template("verify/show.html", cert=None, number=number), 404
    return render_template("verify/show.html", cert=cert, number=number)
