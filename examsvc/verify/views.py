from flask import redirect, render_template, request, url_for

from examsvc.extensions import limiter
from examsvc.services import certificates
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
        cert = certificates.public_view(number)
    except NotFound:
        return render_template("verify/show.html", cert=None, number=number, genuine=None), 404
    given = request.args.get("t")
    # None: no token (typed in); True/False: the PDF's QR code, genuine or not.
    genuine = None if given is None else certificates.token_ok(cert["number"], given[:100])
    return render_template("verify/show.html", cert=cert, number=number, genuine=genuine)
