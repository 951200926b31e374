"""Marking 简答 in a browser: the admin asks for double marking, two examiners mark blind
criterion by criterion, marks too far apart go to a third examiner who reconciles them, and
the results cannot be published until that is done."""

from datetime import timedelta

import pytest

from examsvc.models import Role, utcnow
from examsvc.services import orgs
from tests.browser.conftest import screenshot
from tests.browser.test_narrow_screens import overflow
from tests.browser.test_skeleton_browser import log_in
from tests.services.test_marking import RUBRIC, short_sitting  # noqa: F401 - the fixture

pytestmark = pytest.mark.browser

ANSWERS = ["党支部是党的基础组织，直接联系群众。", "党支部负责组织党员学习，例如三会一课。"]


def mark_next(page, points: list[str], shot: str | None = None) -> str:
    """Mark the answer shown, criterion by criterion; returns the answer's text."""
    page.wait_for_selector("#mark-form")
    assert overflow(page) <= 0
    text = page.locator("#answer-text").inner_text()
    labels = page.locator("#mark-form label.form-label").all_inner_texts()
    assert [criterion for criterion, _most in RUBRIC] == [
        label.split(" ")[0].split("（")[0].strip() for label in labels[: len(RUBRIC)]
    ]
    for i, value in enumerate(points):
        page.fill(f"#criteria-{i}", value)
    total = page.locator("#mark-total").inner_text()  # the running sum, as the server adds
    assert f"{sum(float(p) for p in points):g}" in total and "5" in total
    if shot:
        screenshot(page, shot)
    with page.expect_navigation():  # saved, then on to the next answer or the progress
        page.click("#save-mark")
    return text


def test_blind_double_marking_a_third_examiner_and_publication(
    app,
    backend,
    short_sitting,  # noqa: F811 - the fixture imported above
    make_user,
    new_page,
):
    from examsvc.extensions import db
    from examsvc.models import Attempt

    sitting, admin, people, handed = short_sitting(candidates=2, answer=ANSWERS)
    branch = orgs.create("931", "城东街道第一党支部")
    for person in people:
        person.organisation_id = branch.id
    sitting.closes_at = utcnow() - timedelta(minutes=1)
    one, two, three = (make_user(Role.EXAMINER, name=n) for n in ("赵阅", "钱阅", "孙阅"))
    db.session.commit()
    secret = [p.name for p in people] + [p.email for p in people] + [branch.name]
    secret += [db.session.get(Attempt, a).enrolment.admission_no for a in handed]
    sitting_id, admin_email = sitting.id, admin.email
    emails = [one.email, two.email, three.email]
    db.session.remove()  # the live server's requests need the database to themselves

    page = new_page()
    log_in(page, admin_email)
    page.goto(f"/marking/sittings/{sitting_id}")
    page.check("#is_double")
    page.fill("#tolerance", "1")
    with page.expect_navigation():
        page.click("#marking-plan button")
    assert "双评" in page.locator("#plan-summary").inner_text()
    assert page.locator("a[href*='/next']").count() == 0  # an admin who is no examiner marks not
    screenshot(page, f"marking-plan-{backend}")

    # The first examiner marks both answers 3 + 2.
    first = new_page()
    log_in(first, emails[0])
    first.goto("/marking/")
    first.click(f"#marking-sittings a[href$='/marking/sittings/{sitting_id}']")
    first.click("#start-marking")
    seen = []
    for n in range(2):
        content = first.content()
        assert not [s for s in secret if s in content], "the marker sees who wrote it"
        seen.append(mark_next(first, ["3", "2"], f"marking-mark-{backend}" if n == 0 else None))
    assert sorted(seen) == sorted(ANSWERS)
    assert "这里暂无待您评阅的答案" in " ".join(first.locator(".alert").all_inner_texts())

    # The second examiner agrees on one answer (4.5: within 1 point) and not on the other.
    second = new_page()
    log_in(second, emails[1])
    second.goto(f"/marking/sittings/{sitting_id}")
    second.click("#start-marking")
    agreed = mark_next(second, ["3", "1.5"], f"marking-second-{backend}")
    disputed = mark_next(second, ["1", "0"])
    assert {agreed, disputed} == set(ANSWERS)
    second.goto(f"/marking/sittings/{sitting_id}")
    assert "1份待第三评" in second.locator("#by-question").inner_text()
    assert second.locator("#others-to-mark").is_visible()  # why there is nothing to mark
    screenshot(second, f"marking-progress-{backend}")

    # Publication is refused while an answer waits.
    page.goto(f"/admin/sittings/{sitting_id}")
    with page.expect_navigation():
        page.click("button:has-text('公示成绩')")
    assert "还有 1 份答卷有未阅的题目" in page.locator(".alert-danger").inner_text()
    screenshot(page, f"marking-publish-refused-{backend}")
    assert page.locator("a.unmarked").count() == 1  # the sheet waiting, linked to the marking

    # The third examiner sees the two earlier marks and settles the answer.
    third = new_page()
    log_in(third, emails[2])
    third.goto("/marking/")
    third.click(f"#marking-sittings a[href$='/marking/sittings/{sitting_id}']")
    third.click("#start-marking")
    third.wait_for_selector("#mark-form")
    assert third.locator("#answer-text").inner_text() == disputed
    # criterion by criterion: the first examiner's 3 + 2, the second's 1 + 0
    rows = [r.split("\t") for r in third.locator("#earlier-marks tbody tr").all_inner_texts()]
    assert rows == [[RUBRIC[0][0], "3", "1"], [RUBRIC[1][0], "2", "0"]]
    assert third.locator("#earlier-marks tfoot td").all_inner_texts()[1:] == ["5", "1"]
    content = third.content()
    assert not [s for s in secret if s in content]
    mark_next(third, ["2", "1"], f"marking-third-{backend}")
    assert "这里暂无待您评阅的答案" in " ".join(third.locator(".alert").all_inner_texts())

    page.goto(f"/admin/sittings/{sitting_id}")
    with page.expect_navigation():
        page.click("button:has-text('公示成绩')")
    assert "成绩已公示" in page.locator(".alert-success").inner_text()

    scores = {
        a.enrolment.user_id: (a.score, a.is_passed) for a in db.session.scalars(db.select(Attempt))
    }
    by_answer = dict(zip(ANSWERS, [p.id for p in people], strict=True))
    # 2 singles right + the 简答: the mean of 5 and 4.5 cut to 4.75, or the third mark 3
    assert scores[by_answer[agreed]] == (6.75, True)
    assert scores[by_answer[disputed]] == (5.0, True)
