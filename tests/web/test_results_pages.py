"""Results pages: admins and org admins (their subtree only), exports, the public notice,
appeals and objections through the web, the notice calendar."""

import io
from datetime import timedelta

import openpyxl
import pytest

from examsvc.extensions import db
from examsvc.models import Dispute, Role
from examsvc.services import identity, orgs, results
from examsvc.services.results import disputes
from tests.conftest import log_in, post_form
from tests.services.test_results import sit

ID_NUMBER = "11010519491231002X"


@pytest.fixture
def published(app, open_sitting, make_user):
    """A published sitting: 张三丰 (branch A, passed, an ID number on file), 李四 (B, failed)."""
    sitting, admin, (first, second) = open_sitting(candidates=2)
    first.name, second.name = "张三丰", "李四"
    district = orgs.create("810", "测试区委")
    branch_a = orgs.create("810-1", "第一支部", district)
    branch_b = orgs.create("820", "另一区委")
    first.organisation_id, second.organisation_id = branch_a.id, branch_b.id
    identity.assign_id_number(first, ID_NUMBER)
    db.session.commit()
    won, lost = sit(first, sitting), sit(second, sitting, right=False)
    results.publish(admin, sitting.id)
    return {"sitting": sitting, "admin": admin, "won": won, "lost": lost, "district": district,
            "other": branch_b}  # fmt: skip


def test_admin_results_page_filters_and_draws_the_histogram(app, published):
    client = log_in(app.test_client(), published["admin"])
    path = f"/results/sittings/{published['sitting'].id}"
    page = client.get(path).get_data(as_text=True)
    assert 'id="score-histogram"' in page
    assert "<script" not in page.split("<main")[1].split("</main>")[0]  # drawn on the server
    assert "张三丰" in page and "李四" in page
    failing = client.get(f"{path}?outcome=fail").get_data(as_text=True)
    assert "李四" in failing and "张三丰" not in failing
    band = client.get(f"{path}?score_min=5&score_max=1000").get_data(as_text=True)
    assert "张三丰" in band and "李四" not in band
    by_org = client.get(f"{path}?org={published['other'].id}").get_data(as_text=True)
    assert "李四" in by_org and "张三丰" not in by_org
    for odd in ("score_min=abc&org=zz&outcome=x", "score_min=NaN&score_max=Infinity",
                "score_min=-1e999&org=99999999999999999999"):  # fmt: skip
        assert client.get(f"{path}?{odd}").status_code == 200, odd
    detail = client.get(f"{path}/candidates/{published['won'].enrolment_id}")
    assert detail.status_code == 200 and 'id="areas"' in detail.get_data(as_text=True)


def test_org_admin_sees_only_their_subtree_and_another_subtrees_sitting_is_404(
    app, published, make_user
):
    org_admin = make_user(Role.ORG_ADMIN)
    org_admin.managed_organisation_id = published["district"].id
    db.session.commit()
    client = log_in(app.test_client(), org_admin)
    sitting_id = published["sitting"].id
    page = client.get(f"/results/sittings/{sitting_id}").get_data(as_text=True)
    assert "张三丰" in page and "李四" not in page
    outsider = f"/results/sittings/{sitting_id}/candidates/{published['lost'].enrolment_id}"
    assert client.get(outsider).status_code == 404
    sheet = client.get(f"/results/sittings/{sitting_id}/results.xlsx")
    names = [r[1] for r in openpyxl.load_workbook(io.BytesIO(sheet.data)).active.iter_rows(
        min_row=2, values_only=True)]  # fmt: skip
    assert names == ["张三丰"]
    stranger = make_user(Role.ORG_ADMIN)
    stranger.managed_organisation_id = orgs.create("900", "无关区委").id
    db.session.commit()
    other = log_in(app.test_client(), stranger)
    assert other.get(f"/results/sittings/{sitting_id}").status_code == 404
    assert other.get(f"/results/sittings/{sitting_id}/results.xlsx").status_code == 404


def test_exports_open_in_a_spreadsheet_reader_and_hold_no_id_number(app, published):
    client = log_in(app.test_client(), published["admin"])
    sitting_id = published["sitting"].id
    response = client.get(f"/results/sittings/{sitting_id}/results.xlsx")
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
    book = openpyxl.load_workbook(io.BytesIO(response.data), read_only=True)
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    assert len(rows) == 3 and rows[1][1] == "张三丰" and rows[1][3] == published["won"].score
    assert ID_NUMBER not in repr(rows)
    matrix = client.get(f"/results/admin/sittings/{sitting_id}/answers.xlsx")
    book = openpyxl.load_workbook(io.BytesIO(matrix.data), read_only=True)
    responses, points = (list(s.iter_rows(values_only=True)) for s in book.worksheets)
    items = len(published["won"].enrolment.paper.items)
    assert len(responses) == 4 and len(points) == 3  # header, key row, two candidates
    won_points = [p for p in points[1][2:] if p is not None]
    assert len(won_points) == items and sum(won_points) == published["won"].score


def test_the_public_notice_masks_names_and_shows_no_id_number(app, published):
    client = app.test_client()
    sitting_id = published["sitting"].id
    assert sitting_id and str(sitting_id) in client.get("/notice/").get_data(as_text=True)
    page = client.get(f"/notice/{sitting_id}").get_data(as_text=True)
    assert "张*丰" in page and "李*" in page and "第一支部" in page
    assert "张三丰" not in page and ID_NUMBER not in page and "1101" not in page
    assert client.get("/notice/999").status_code == 404


def test_after_the_notice_the_page_says_it_has_ended(app, published):
    sitting = published["sitting"]
    sitting.results_published_at -= timedelta(days=30)
    db.session.commit()
    page = app.test_client().get(f"/notice/{sitting.id}").get_data(as_text=True)
    assert 'id="notice-ended"' in page and "张*丰" not in page


def test_an_objection_needs_a_login_and_its_outcome_is_shown_to_the_raiser(
    app, published, make_user
):
    sitting_id, won = published["sitting"].id, published["won"]
    path = f"/notice/{sitting_id}/results/{won.id}/objection"
    anonymous = app.test_client().post(path, data={"reason": "匿名异议"})
    assert anonymous.status_code in (302, 400)
    raiser = make_user(Role.CANDIDATE)
    client = log_in(app.test_client(), raiser)
    response = post_form(client, path, {"reason": "该考生当天不在考场。"})
    assert response.status_code == 302
    objection = db.session.scalar(db.select(Dispute))
    assert (objection.kind, objection.raised_by_id) == ("objection", raiser.id)
    admin = log_in(app.test_client(), published["admin"])
    dispute_path = f"/results/admin/disputes/{objection.id}"
    assert "该考生当天不在考场。" in admin.get(dispute_path).get_data(as_text=True)
    post_form(admin, dispute_path, {"reject-outcome": "经核查签到表，该考生在场。",
                                    "reject-submit": "1"})  # fmt: skip
    mine = client.get("/my-results/").get_data(as_text=True)
    assert "经核查签到表，该考生在场。" in mine


def test_a_candidate_appeals_from_the_result_page_and_sees_the_correction(app, published):
    lost = published["lost"]
    candidate = log_in(app.test_client(), lost.enrolment.user)
    result_path = f"/exam/attempts/{lost.id}"
    page = candidate.get(result_path).get_data(as_text=True)
    assert 'id="appeal-form"' in page and 'id="my-areas"' in page
    stems = [i.content.stem for i in lost.enrolment.paper.items]
    assert not any(stem in page for stem in stems)  # areas, never the questions
    post_form(candidate, f"/my-results/attempts/{lost.id}/appeal", {"reason": "请复核判断题。"},
              page=result_path)  # fmt: skip
    appeal = db.session.scalar(db.select(Dispute))
    assert appeal.kind == "appeal"
    item = lost.enrolment.paper.items[0]
    admin = log_in(app.test_client(), published["admin"])
    post_form(admin, f"/results/admin/disputes/{appeal.id}", {
        "correct-item": str(item.id), "correct-points": "1", "correct-outcome": "第一题应得分。",
        "correct-submit": "1"})  # fmt: skip
    db.session.expire_all()
    assert disputes.get(appeal.id).state == "corrected"
    refused = post_form(admin, f"/results/admin/disputes/{appeal.id}", {
        "correct-item": str(item.id), "correct-points": "NaN", "correct-outcome": "再次更正。",
        "correct-submit": "1"})  # fmt: skip
    assert refused.status_code == 200  # the form says what is wrong; never a 500
    page = candidate.get(result_path).get_data(as_text=True)
    assert "第一题应得分。" in page and 'id="appeal-form"' not in page


def test_another_candidate_cannot_appeal_someone_elses_result(app, published, make_user):
    client = log_in(app.test_client(), make_user(Role.CANDIDATE))
    response = post_form(client, f"/my-results/attempts/{published['won'].id}/appeal",
                         {"reason": "我想复核别人的成绩"}, page="/my-results/")  # fmt: skip
    assert response.status_code == 404
    assert db.session.scalar(db.select(Dispute)) is None


def test_the_notice_calendar_page_adds_and_removes_days(app, published):
    client = log_in(app.test_client(), published["admin"])
    ends = results.notice_ends_on(published["sitting"])
    post_form(client, "/results/admin/calendar",
              {"day": ends.isoformat(), "kind": "holiday", "note": "临时停工"})  # fmt: skip
    assert results.notice_ends_on(published["sitting"]) > ends
    page = client.get("/results/admin/calendar").get_data(as_text=True)
    assert "临时停工" in page
    from examsvc.models import CalendarDay

    day = db.session.scalar(db.select(CalendarDay))
    post_form(
        client, f"/results/admin/calendar/{day.id}/remove", {}, page="/results/admin/calendar"
    )
    assert results.notice_ends_on(published["sitting"]) == ends


def test_a_sitting_with_a_resit_offers_no_second_one(app, published):
    """One resit per sitting: the page stops offering one, and a form posted anyway (another
    tab) says which resit exists and schedules nothing."""
    from examsvc.models import Sitting, utcnow
    from examsvc.services.results import resits

    sitting, admin = published["sitting"], published["admin"]
    client = log_in(app.test_client(), admin)
    path = f"/results/sittings/{sitting.id}"
    assert 'id="new-resit"' in client.get(path).get_data(as_text=True)
    form_page = f"/results/admin/sittings/{sitting.id}/resit"
    opens = (utcnow() + timedelta(days=1)).astimezone()
    data = {"opens_at": opens.strftime("%Y-%m-%dT%H:%M"),
            "closes_at": (opens + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")}  # fmt: skip
    assert post_form(client, form_page, {"name": "第一次补考", **data}).status_code == 302
    page = client.get(path).get_data(as_text=True)
    assert 'id="new-resit"' not in page and "第一次补考" in page
    response = post_form(client, form_page, {"name": "第二次补考", **data})
    assert "第一次补考" in response.get_data(as_text=True)  # the message names it
    assert [r.name for r in resits.resits_of(db.session.get(Sitting, sitting.id))] == ["第一次补考"]
