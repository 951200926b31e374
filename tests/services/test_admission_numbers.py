"""An admission number is never given twice: not even after the newest enrolment is removed."""

from __future__ import annotations

from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from examsvc.extensions import db
from examsvc.models import Enrolment, Role
from examsvc.services import enrolment, exams
from tests.services.test_migrations import _fresh_app


def test_removing_the_last_enrolled_does_not_free_their_admission_number(scheduled, make_user):
    sitting, admin = scheduled(candidates=2)
    last = max(exams.enrolments_of(sitting), key=lambda row: row.id)
    removed_no, removed_id = last.admission_no, last.id
    enrolment.remove(admin, sitting.id, last.id)
    exams.enrol(admin, sitting.id, make_user(Role.CANDIDATE).email)
    numbers = {row.admission_no for row in exams.enrolments_of(sitting)}
    assert len(numbers) == 2 and removed_no not in numbers
    assert db.session.scalar(db.select(db.func.max(Enrolment.id))) > removed_id


def _enrolments_sql() -> str:
    with db.engine.connect() as conn:
        return conn.scalar(
            text("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'enrolments'")
        )


def test_the_migration_gives_sqlite_enrolments_autoincrement(tmp_path, request):
    app = _fresh_app("sqlite", tmp_path, request)
    with app.app_context():
        upgrade(revision="1c6f8bad2e32")
        assert "AUTOINCREMENT" not in _enrolments_sql()
        upgrade()
        assert "AUTOINCREMENT" in _enrolments_sql()
        downgrade(revision="1c6f8bad2e32")
        assert "AUTOINCREMENT" not in _enrolments_sql()
        db.engine.dispose()
