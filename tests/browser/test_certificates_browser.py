"""Certificates in a browser: the holder's list, the PDF's QR address on the verify page,
the admin's certificate page with its forms; at 1280 and 390 px, and a PDF page as an image."""

import shutil
import subprocess

import pytest

from examsvc.extensions import db
from examsvc.services import certificates, orgs, results
from tests.browser.conftest import ARTIFACTS, screenshot
from tests.browser.test_skeleton_browser import log_in
from tests.services.test_results import sit

pytestmark = pytest.mark.browser


@pytest.fixture
def app_config() -> dict:
    return {"NOTICE_WORKING_DAYS": 0}


def overflow(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def test_holder_verify_and_admin_pages(app, backend, open_sitting, new_page):
    sitting, admin, (candidate,) = open_sitting()
    candidate.name = "欧阳小明"
    candidate.organisation_id = orgs.create("660", "区委组织部机关党支部").id
    db.session.commit()
    sit(candidate, sitting)
    results.publish(admin, sitting.id)
    (cert,), _ = results.issue_certificates(admin, sitting.id)
    number, admin_email, email = cert.number, admin.email, candidate.email
    sitting_id = sitting.id
    db.session.remove()

    page = new_page()
    log_in(page, email)
    page.goto("/certificates/")
    assert number in page.locator("#my-certificates").inner_text()
    screenshot(page, f"certificates-mine-1280px-{backend}")
    response = page.request.get(f"/certificates/{number}.pdf")
    assert response.ok and response.body().startswith(b"%PDF-")
    if shutil.which("pdftoppm"):
        ARTIFACTS.mkdir(exist_ok=True)
        (ARTIFACTS / "certificate.pdf").write_bytes(response.body())
        subprocess.run(["pdftoppm", "-png", "-r", "60", "-singlefile",
                        str(ARTIFACTS / "certificate.pdf"),
                        str(ARTIFACTS / f"certificates-pdf-{backend}")], check=True)  # fmt: skip
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    assert overflow(page) <= 0
    screenshot(page, f"certificates-mine-390px-{backend}")

    url = f"/verify/{number}?t={certificates.token(number)}"
    visitor = new_page()
    visitor.goto(url)
    assert visitor.locator("#cert-genuine").is_visible()
    assert "欧**明" in visitor.locator(".certificate-card").inner_text()
    screenshot(visitor, f"certificates-verify-1280px-{backend}")
    visitor.set_viewport_size({"width": 390, "height": 844})
    visitor.goto(url[:-3] + "xyz")
    assert visitor.locator("#cert-not-genuine").is_visible()
    assert overflow(visitor) <= 0
    screenshot(visitor, f"certificates-verify-bad-390px-{backend}")

    staff = new_page()
    log_in(staff, admin_email)
    staff.goto(f"/admin/sittings/{sitting_id}")
    staff.click(".cert-number")
    staff.fill("#reissue-reason", "证书遗失，申请补发。")
    staff.click("#reissue-form [type=submit]")
    assert "原编号已撤销" in staff.locator("body").inner_text()
    assert staff.locator("#cert-chain li").count() == 2
    screenshot(staff, f"certificates-admin-1280px-{backend}")
    staff.set_viewport_size({"width": 390, "height": 844})
    staff.reload()
    assert overflow(staff) <= 0
    screenshot(staff, f"certificates-admin-390px-{backend}")
