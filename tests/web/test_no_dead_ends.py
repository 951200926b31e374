"""Every page leads somewhere: after hand-in, before opening, after closing."""

from datetime import timedelta

from examsvc.models import utcnow
from examsvc.services import attempts, exams
from tests.conftest import log_in


def test_reopening_a_handed_in_exam_shows_the_result_page_with_a_way_home(app, open_sitting):
    sitting, _, (candidate,) = open_sitting()
    attempt = attempts.start_or_resume(candidate, sitting.id)
    attempts.submit(candidate, attempt.id)
    client = log_in(app.test_client(), candidate)
    response = client.get(f"/exam/sittings/{sitting.id}")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/exam/attempts/{attempt.id}")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'id="result-pending"' in page and 'href="/"' in page
    assert 'id="submit-button"' not in page
    home = client.get("/").get_data(as_text=True)
    assert f'href="/exam/attempts/{attempt.id}"' in home
    assert f'href="/exam/sittings/{sitting.id}"' not in home


def test_a_sitting_not_yet_open_offers_its_opening_time_and_no_button(app, scheduled, make_user):
    sitting, admin = scheduled(candidates=0)
    candidate = make_user()
    exams.enrol(admin, sitting.id, candidate.email)
    client = log_in(app.test_client(), candidate)
    home = client.get("/").get_data(as_text=True)
    assert f'href="/exam/sittings/{sitting.id}"' not in home
    assert 'class="small text-body-secondary opens-at"' in home
    listing = client.get("/exam/").get_data(as_text=True)
    assert "opens-at" in listing and f'href="/exam/sittings/{sitting.id}"' not in listing
    page = client.get(f"/exam/sittings/{sitting.id}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert 'id="not-open"' in text and 'id="exam"' not in text and 'href="/"' in text


def test_a_closed_sitting_never_attempted_says_so(app, open_sitting):
    sitting, _, (candidate,) = open_sitting()
    sitting.closes_at = utcnow() - timedelta(minutes=1)
    sitting.opens_at = utcnow() - timedelta(hours=1)
    from examsvc.extensions import db

    db.session.commit()
    client = log_in(app.test_client(), candidate)
    text = client.get(f"/exam/sittings/{sitting.id}").get_data(as_text=True)
    assert 'id="not-open"' in text and 'id="exam"' not in text
    assert f'href="/exam/sittings/{sitting.id}"' not in client.get("/").get_data(as_text=True)


def test_an_open_sitting_and_an_attempt_in_progress_keep_their_exam_page(app, open_sitting):
    sitting, _, (fresh, started) = open_sitting(candidates=2)
    attempts.start_or_resume(started, sitting.id)
    for person in (fresh, started):
        client = log_in(app.test_client(), person)
        assert f'href="/exam/sittings/{sitting.id}"' in client.get("/").get_data(as_text=True)
        assert 'id="exam"' in client.get(f"/exam/sittings/{sitting.id}").get_data(as_text=True)


def test_an_attempt_whose_time_ran_out_opens_as_handed_in_not_in_a_loop(app, open_sitting):
    sitting, _, (candidate,) = open_sitting(duration=10)
    attempt = attempts.start_or_resume(candidate, sitting.id)
    from examsvc.extensions import db

    attempt.deadline = utcnow() - timedelta(minutes=5)  # the browser was closed; no sweep yet
    db.session.commit()
    client = log_in(app.test_client(), candidate)
    response = client.get(f"/exam/sittings/{sitting.id}")
    assert response.headers["Location"].endswith(f"/exam/attempts/{attempt.id}")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'id="submitted-note"' in page and 'id="result-pending"' in page
    assert f'href="/exam/sittings/{sitting.id}"' not in page
    db.session.expire_all()
    assert db.session.get(type(attempt), attempt.id).auto_submitted
