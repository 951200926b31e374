from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user

from examsvc.auth import bp
from examsvc.auth.forms import ChangePasswordForm, LoginForm, RegisterForm
from examsvc.extensions import csrf, limiter
from examsvc.security import log_in, log_out, login_token, safe_next
from examsvc.services import accounts
from examsvc.services.errors import ServiceError


def login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def address_limit() -> str:
    return current_app.config["LOGIN_ADDRESS_RATE_LIMIT"]


def account_key(account_id: int | None, login: str) -> str:
    """The per-account budget: the account a login resolves to, from any address and however
    its name was typed; a login of no account counts under its normalised text."""
    return f"account:{account_id}" if account_id is not None else f"login:{login}"


def typed_login(source) -> object:
    """The login as sent, under its name ``login`` or the older ``email``."""
    value = source.get("login")
    return source.get("email") if value is None else value


def login_key() -> str:
    """Failed logins are counted per account (form or JSON), whether e-mail or mobile typed."""
    body = request.get_json(silent=True) if request.is_json else None
    login = typed_login(body if isinstance(body, dict) else request.form)
    return account_key(*accounts.login_account(str(login or "")[:254]))


def _login_form() -> LoginForm:
    if request.method == "POST" and "login" in request.form and "email" not in request.form:
        data = request.form.copy()
        data["email"] = data.pop("login")
        return LoginForm(formdata=data)
    return LoginForm()


def _failed(response) -> bool:
    return response.status_code == 401


def login_rate_limit(view):
    """Failed logins only use up the budget (a full exam room logs in from one address):
    a tight one per account, a loose one per address; form and API share both."""
    per_account = limiter.shared_limit(
        login_limit, scope="login", key_func=login_key, methods=["POST"], deduct_when=_failed
    )
    per_address = limiter.shared_limit(
        address_limit, scope="login-address", methods=["POST"], deduct_when=_failed
    )
    return per_address(per_account(view))


@bp.route("/login", methods=["GET", "POST"])
@csrf.exempt  # checked after the rate limit: the form validates its own token
@login_rate_limit
def login():
    form = _login_form()
    if form.validate_on_submit():
        try:
            user = accounts.authenticate(form.email.data, form.password.data)
        except ServiceError as exc:  # a disabled account: say so
            flash(exc.message, "danger")
            return render_template("auth/login.html", form=form), exc.status
        if user is None:
            flash(_("Wrong e-mail address, mobile number or password."), "danger")
            return render_template("auth/login.html", form=form), 401
        log_in(user)
        if user.must_change_password:
            flash(_("Choose your own password before you continue."), "warning")
            return redirect(url_for("auth.change_password"))
        return redirect(safe_next(request.args.get("next")) or url_for("main.index"))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout():
    log_out()
    flash(_("You have logged out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/register", methods=["GET", "POST"])
def register():
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            user = accounts.register(form.email.data, form.name.data, form.password.data)
        except ServiceError as exc:
            flash(exc.message, "danger")
            return render_template("auth/register.html", form=form), exc.status
        log_in(user)
        flash(_("Welcome! Your account is ready."), "success")
        return redirect(url_for("main.index"))
    return render_template("auth/register.html", form=form)


@bp.route("/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            accounts.change_password(
                current_user, form.current.data, form.new.data, keep_token=login_token()
            )
        except ServiceError as exc:
            flash(exc.message, "danger")
            return render_template("auth/password.html", form=form), exc.status
        login_user(current_user._get_current_object())  # new session version in the cookie
        flash(_("Your password has been changed."), "success")
        return redirect(url_for("main.index"))
    return render_template("auth/password.html", form=form)


#: Pages a user who must change the password may still open.
_FREE_ENDPOINTS = {"auth.change_password", "auth.logout", "static"}


@bp.before_app_request
def _require_new_password():
    """An initial password is replaced before any web page; the exam API keeps working."""
    if (
        current_user.is_authenticated
        and current_user.must_change_password
        and request.endpoint not in _FREE_ENDPOINTS
        and not request.path.startswith("/api/")
    ):
        return redirect(url_for("auth.change_password"))
    return None
