"""Certificate pages: the holder's list and PDF, the verify page's token, the admin's page."""

import io
import re
from urllib.parse import parse_qs, urlsplit

import numpy as np
import pytest
import segno
from pypdf import PdfReader
from pypdf.generic import ContentStream

from examsvc.extensions import db
from examsvc.models import Role
from examsvc.services import certificates, identity, orgs, results
from tests.conftest import csrf_token, log_in
from tests.services.test_results import sit

ID_NUMBER = "11010519491231002X"


@pytest.fixture
def app_config() -> dict:
    return {"NOTICE_WORKING_DAYS": 0}


@pytest.fixture
def issued(app, open_sitting):
    sitting, admin, (candidate,) = open_sitting()
    branch = orgs.create("770", "证书测试支部")
    candidate.organisation_id = branch.id
    candidate.name = "王小明"
    identity.assign_id_number(candidate, ID_NUMBER)
    db.session.commit()
    sit(candidate, sitting)
    results.publish(admin, sitting.id)
    (cert,), _ = results.issue_certificates(admin, sitting.id)
    return sitting, admin, candidate, cert, branch


def pdf_text(data: bytes) -> tuple[PdfReader, str]:
    reader = PdfReader(io.BytesIO(data))
    text = "".join(page.extract_text() or "" for page in reader.pages).replace("\x00", "")
    return reader, text


def drawn_qr(reader: PdfReader, page) -> tuple[str, np.ndarray]:
    """(the link's address, the dark modules drawn under the link) of a certificate page,
    read from the page's drawing operators as a viewer paints them: rectangles filled
    under the current transformation (q/Q/cm), whatever way the page draws them."""
    (annotation,) = [a.get_object() for a in page.get("/Annots", [])]
    left, bottom, right, top = (float(v) for v in annotation["/Rect"])
    ctm, saved, path, filled = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0), [], [], []
    for operands, operator in ContentStream(page.get_contents(), reader).operations:
        if operator == b"q":
            saved.append(ctm)
        elif operator == b"Q":
            ctm = saved.pop()
        elif operator == b"cm":
            a, b, c, d, e, f = (float(v) for v in operands)
            A, B, C, D, E, F = ctm
            ctm = (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D,
                   e * A + f * C + E, e * B + f * D + F)  # fmt: skip
        elif operator == b"re":
            x, y, w, h = (float(v) for v in operands)
            corners = [(ctm[0] * px + ctm[2] * py + ctm[4], ctm[1] * px + ctm[3] * py + ctm[5])
                       for px, py in ((x, y), (x + w, y + h))]  # fmt: skip
            path.append(corners)
        elif operator in (b"f", b"F", b"f*", b"B", b"B*"):
            filled += path
            path = []
        elif operator in (b"S", b"n"):
            path = []
    boxes = [(min(p[0], q[0]), min(p[1], q[1]), max(p[0], q[0]), max(p[1], q[1]))
             for p, q in filled]  # fmt: skip
    inside = [b for b in boxes if b[0] >= left - 0.1 and b[2] <= right + 0.1
              and b[1] >= bottom - 0.1 and b[3] <= top + 0.1]  # fmt: skip
    module = min(b[3] - b[1] for b in inside)
    size = round((right - left) / module)
    modules = np.zeros((size, size), dtype=bool)
    for x0, y0, x1, y1 in inside:
        col, row = round((x0 - left) / module), round((top - y1) / module)
        modules[row : row + round((y1 - y0) / module), col : col + round((x1 - x0) / module)] = 1
    return annotation["/A"]["/URI"], modules


def test_the_qr_code_on_the_pdf_is_the_verify_address_with_its_token(app, issued):
    _sitting, _admin, candidate, cert, _branch = issued
    client = log_in(app.test_client(), candidate)
    reader = PdfReader(io.BytesIO(client.get(f"/certificates/{cert.number}.pdf").data))
    uri, modules = drawn_qr(reader, reader.pages[0])
    # The modules drawn are those of the QR code of the link's address, mask and all.
    assert np.array_equal(modules, np.array(segno.make(uri, error="m").matrix, dtype=bool))
    parts = urlsplit(uri)
    assert parts.path == f"/verify/{cert.number}"
    assert certificates.token_ok(cert.number, parse_qs(parts.query)["t"][0])
    token = certificates.token(cert.number)
    tampered = token[:-1] + ("B" if token.endswith("A") else "A")
    assert not certificates.token_ok(cert.number, tampered)


def test_the_holder_lists_and_downloads_their_certificate(app, issued):
    _sitting, _admin, candidate, cert, _branch = issued
    client = log_in(app.test_client(), candidate)
    page = client.get("/certificates/").get_data(as_text=True)
    assert cert.number in page and "我的证书" in page and ID_NUMBER not in page
    response = client.get(f"/certificates/{cert.number}.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    reader, text = pdf_text(response.data)
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (842, 595)  # A4 landscape
    assert cert.number in text and "王小明" in text and "证书测试支部" in text
    assert ID_NUMBER not in text and "1101" not in text.replace(cert.number, "")
    # The QR code's link: the verify page with a token that proves the PDF genuine.
    (uri,) = [a.get_object()["/A"]["/URI"] for a in reader.pages[0].get("/Annots", [])]
    parts = urlsplit(uri)
    assert parts.path == f"/verify/{cert.number}"
    token = parse_qs(parts.query)["t"][0]
    assert certificates.token_ok(cert.number, token)
    genuine = app.test_client().get(f"{parts.path}?{parts.query}").get_data(as_text=True)
    assert 'id="cert-genuine"' in genuine and "此 PDF 为真" in genuine
    api = client.get("/api/v1/me/certificates").get_json()
    assert api == {"certificates": [certificates.as_json(cert)]}


def test_the_verify_page_with_a_good_a_bad_and_no_token(app, issued):
    _sitting, admin, _candidate, cert, _branch = issued
    anyone = app.test_client()
    good = anyone.get(f"/verify/{cert.number}?t={certificates.token(cert.number)}")
    page = good.get_data(as_text=True)
    assert good.status_code == 200 and 'id="cert-genuine"' in page
    for shown in (cert.number, "王*明", "证书测试支部", "有效", "上岗资格证书"):
        assert shown in page, shown
    assert "王小明" not in page and ID_NUMBER not in page
    bad = anyone.get(f"/verify/{cert.number}?t=AAAAAAAAAAAAAAAAAAAAAA").get_data(as_text=True)
    assert 'id="cert-not-genuine"' in bad and 'id="cert-genuine"' not in bad
    typed = anyone.get(f"/verify/{cert.number}").get_data(as_text=True)
    assert "cert-genuine" not in typed and "cert-not-genuine" not in typed
    other = anyone.get(f"/verify/{cert.number}?t=" + certificates.token("E0-1101-2026-999999992"))
    assert 'id="cert-not-genuine"' in other.get_data(as_text=True)
    certificates.revoke(admin, cert.number, "违规取得")
    revoked = anyone.get(f"/verify/{cert.number}?t={certificates.token(cert.number)}")
    assert "已撤销" in revoked.get_data(as_text=True)
    api = anyone.get(f"/api/v1/certificates/{cert.number}").get_json()
    assert api["status"] == "revoked" and api["organisation"] == "证书测试支部"
    assert api["holder"] == "王*明"


def test_a_revoked_certificates_pdf_is_marked(app, issued):
    _sitting, admin, candidate, cert, _branch = issued
    certificates.revoke(admin, cert.number, "违规取得")
    client = log_in(app.test_client(), candidate)
    _reader, text = pdf_text(client.get(f"/certificates/{cert.number}.pdf").data)
    assert "已撤销" in text


def test_who_may_download_a_pdf(app, issued, make_user):
    _sitting, _admin, _candidate, cert, branch = issued
    path = f"/certificates/{cert.number}.pdf"
    stranger = log_in(app.test_client(), make_user(Role.CANDIDATE))
    assert stranger.get(path).status_code == 404
    assert app.test_client().get(path).status_code == 302  # to the login
    outside = make_user(Role.ORG_ADMIN)
    outside.managed_organisation_id = orgs.create("771", "别的支部").id
    inside = make_user(Role.ORG_ADMIN)
    inside.managed_organisation_id = branch.id
    db.session.commit()
    assert log_in(app.test_client(), outside).get(path).status_code == 404
    assert log_in(app.test_client(), inside).get(path).status_code == 200
    examiner = log_in(app.test_client(), make_user(Role.EXAMINER))
    assert examiner.get(path).status_code == 404
    assert examiner.get(f"/certificates/admin/{cert.number}").status_code == 403


def test_admins_download_a_sittings_certificates_as_one_pdf(app, open_sitting):
    sitting, admin, people = open_sitting(candidates=3)
    for person in people:
        sit(person, sitting)
    results.publish(admin, sitting.id)
    issued, _ = results.issue_certificates(admin, sitting.id)
    client = log_in(app.test_client(), admin)
    response = client.get(f"/certificates/admin/sittings/{sitting.id}.pdf")
    reader, text = pdf_text(response.data)
    assert len(reader.pages) == 3
    assert all(c.number in text for c in issued)
    paths = set()
    for page in reader.pages:  # each page its own QR code
        uri, modules = drawn_qr(reader, page)
        paths.add(urlsplit(uri).path)
        assert np.array_equal(modules, np.array(segno.make(uri, error="m").matrix, dtype=bool))
    assert paths == {f"/verify/{c.number}" for c in issued}
    assert client.get("/certificates/admin/sittings/999.pdf").status_code == 404
    page = client.get(f"/admin/sittings/{sitting.id}").get_data(as_text=True)
    assert f"/certificates/admin/sittings/{sitting.id}.pdf" in page


def test_the_admin_revokes_and_reissues_on_the_certificate_page(app, issued):
    _sitting, admin, candidate, cert, _branch = issued
    client = log_in(app.test_client(), admin)
    page = client.get(f"/certificates/admin/{cert.number}").get_data(as_text=True)
    assert "王小明" in page and 'id="revoke-form"' in page and ID_NUMBER not in page
    token = csrf_token(client)
    empty = client.post(
        f"/certificates/admin/{cert.number}/revoke",
        data={"csrf_token": token, "revoke-reason": ""},
        follow_redirects=True,
    )
    assert "撤销理由" in empty.get_data(as_text=True)
    assert certificates.get(cert.number).status == "valid"
    response = client.post(
        f"/certificates/admin/{cert.number}/reissue",
        data={"csrf_token": token, "reissue-reason": "证书遗失"},
    )
    assert response.status_code == 302
    new_number = re.search(r"/certificates/admin/([^/?#]+)$", response.headers["Location"])[1]
    assert new_number != cert.number
    db.session.expire_all()
    assert certificates.get(cert.number).status == "revoked"
    client.post(
        f"/certificates/admin/{new_number}/revoke",
        data={"csrf_token": token, "revoke-reason": "违规取得"},
    )
    again = client.post(
        f"/certificates/admin/{new_number}/revoke",
        data={"csrf_token": token, "revoke-reason": "再次"},
        follow_redirects=True,
    )
    assert "没有改动" in again.get_data(as_text=True)
    db.session.expire_all()
    assert certificates.get(new_number).status_reason == "违规取得"
    assert client.get("/certificates/admin/Q0-0000-2026-000000000").status_code == 404
    mine = log_in(app.test_client(), candidate).get("/certificates/").get_data(as_text=True)
    assert new_number in mine and "违规取得" in mine
