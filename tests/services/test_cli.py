"""The examsvc command line."""

from examsvc.extensions import db
from examsvc.models import User


def test_users_create_reads_the_password_from_stdin(app):
    result = app.test_cli_runner().invoke(
        args=[
            "users",
            "create",
            "Admin@Example.com",
            "--role",
            "admin",
            "--role",
            "examiner",
            "--name",
            "管理员",
            "--password-stdin",
        ],
        input="Strong-pass-1\n",
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(db.select(User).where(User.email == "admin@example.com"))
    assert user.roles == {"admin", "examiner"} and user.name == "管理员"
    assert "Strong-pass-1" not in user.password_hash


def test_users_create_refuses_a_weak_password_and_an_unknown_role(app):
    runner = app.test_cli_runner()
    weak = runner.invoke(
        args=["users", "create", "a@example.com", "--role", "admin", "--password-stdin"],
        input="short\n",
    )
    assert weak.exit_code != 0 and "10" in weak.output
    role = runner.invoke(
        args=["users", "create", "a@example.com", "--role", "king", "--password-stdin"], input="x\n"
    )
    assert role.exit_code != 0 and "king" in role.output
    assert db.session.scalar(db.select(db.func.count()).select_from(User)) == 0


def test_close_expired_command_reports_a_count(app):
    result = app.test_cli_runner().invoke(args=["attempts", "close-expired"])
    assert result.exit_code == 0 and "closed 0 attempts" in result.output
