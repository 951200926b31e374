"""An admin enrols a candidate by e-mail address or by mobile number (roster people may
have only a mobile)."""

import pytest

from examsvc.extensions import db
from examsvc.models import Enrolment, Role
from examsvc.services import exams
from examsvc.services.errors import Conflict, NotFound


def test_a_person_with_only_a_mobile_number_is_enrolled_by_it(open_sitting, make_user):
    sitting, admin, _ = open_sitting()
    person = make_user(Role.CANDIDATE)
    person.email, person.mobile = None, "13800138000"
    db.session.commit()
    enrolment = exams.enrol(admin, sitting.id, "+86 138 0013 8000")
    assert enrolment.user_id == person.id
    with pytest.raises(Conflict) as info:
        exams.enrol(admin, sitting.id, "１３８００１３８０００")
    assert "13800138000" in info.value.message


def test_an_unknown_login_enrols_nobody(open_sitting):
    sitting, admin, _ = open_sitting()
    count = db.session.scalar(db.select(db.func.count()).select_from(Enrolment))
    with pytest.raises(NotFound):
        exams.enrol(admin, sitting.id, "13900000000")
    assert db.session.scalar(db.select(db.func.count()).select_from(Enrolment)) == count
