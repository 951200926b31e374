"""组织报名 in Chromium: a roster with a bad row is refused in the preview, then imported
without it; a new person logs in with the initial password and must choose their own."""

import re

import pytest

from examsvc.extensions import db
from examsvc.models import Role
from examsvc.services import orgs
from tests.browser.conftest import screenshot
from tests.browser.test_skeleton_browser import log_in

pytestmark = pytest.mark.browser

ROSTER = (
    "姓名,身份证号码,手机号,政治面貌,所属组织\n"
    "张三,11010519491231002X,138 0013 8000,中共党员,A1\n"
    "王五,340524198001010013,13800138001,群众,\n"
)


def test_roster_upload_with_errors_in_the_browser(app, backend, make_user, new_page, tmp_path):
    root = orgs.create("000", "区委")
    a = orgs.create("A", "甲街道党工委", root)
    orgs.create("A1", "甲第一支部", a)
    admin = make_user(Role.ORG_ADMIN, name="甲管理员")
    admin.managed_organisation_id = a.id
    db.session.commit()
    email = admin.email
    db.session.remove()
    roster = tmp_path / "名单.csv"
    roster.write_bytes(ROSTER.encode("utf-8-sig"))

    page = new_page()
    log_in(page, email)
    page.click("a[href='/roster/']")
    page.set_input_files("#file", str(roster))
    page.select_option("#org", "A")
    page.click("#submit")
    preview = page.inner_text("#preview-title >> xpath=..")
    assert "第 3 行" in preview and "身份证号无效" in preview and "校验" in preview
    assert page.locator("form[action='/roster/confirm']").count() == 0
    screenshot(page, f"roster-refused-{backend}")

    page.set_input_files("#file", str(roster))
    page.check("#skip_bad")
    page.click("#submit")
    page.click("form[action='/roster/confirm'] button")
    page.wait_for_url(re.compile(r"/roster/confirm$"))
    assert "已导入 1 人" in page.inner_text("main")
    row = page.locator("#accounts-title >> xpath=.. >> tbody tr").first
    login, password = row.locator("td").nth(1).inner_text(), row.locator("code").inner_text()
    assert login == "13800138000" and len(password) == 12
    assert page.locator("a[download='initial-passwords.xlsx']").count() == 1
    screenshot(page, f"roster-imported-{backend}")

    person = new_page()
    person.goto("/auth/login")
    person.fill("#email", "138 0013 8000")
    person.fill("#password", password)
    person.click("#submit")
    person.wait_for_url(re.compile(r"/auth/password"))
    person.goto("/exam/")
    assert "/auth/password" in person.url  # no page before a password of their own
