"""Photos: checked with Pillow at upload (size in pixels, readable); tickets of a batch read
each photo's page-size copy, made once and kept, with one photo query per batch."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from pypdf import PdfReader
from sqlalchemy import event

from examsvc.extensions import db
from examsvc.models import Registration, RegistrationDocument, utcnow
from examsvc.services import photos, registration, ticket_pdf, tickets
from examsvc.services.errors import BadInput
from tests.registration_helpers import JPEG, PNG, register
from tests.web.ticket_world import world  # noqa: F401 (a fixture)


def picture(width: int, height: int, kind: str = "PNG") -> bytes:
    out = io.BytesIO()
    Image.new("L" if kind == "PNG" else "RGB", (width, height)).save(out, format=kind)
    return out.getvalue()


@pytest.fixture
def person(app):
    from examsvc.services import orgs

    return register(orgs.create("A", "甲街道党工委"))


def test_a_photo_of_too_many_pixels_is_refused_at_upload(person):
    huge = picture(9400, 9400)  # a few hundred KB: a bomb in pixels, not in bytes
    assert len(huge) < 1024 * 1024
    with pytest.raises(BadInput) as info:
        registration.add_documents(person, "photo", [huge])
    assert info.value.code == "photo_too_large"
    assert "万" in str(info.value) or "像素" in str(info.value)
    assert db.session.scalar(db.select(db.func.count()).select_from(RegistrationDocument)) == 0


def test_a_photo_that_only_starts_like_a_jpeg_is_refused_at_upload(person):
    with pytest.raises(BadInput) as info:
        registration.add_documents(person, "photo", [b"\xff\xd8\xff" + b"\x00" * 200])
    assert info.value.code == "photo_damaged" and "无法读取" in str(info.value)


def test_readable_photos_of_a_sane_size_are_kept(person):
    assert registration.add_documents(person, "photo", [JPEG, picture(3000, 4000, "JPEG")]) == 2
    assert registration.add_documents(person, "education", [PNG]) == 1


def _give_photos(world) -> None:  # noqa: F811
    for person in world["people"].values():
        reg = Registration(
            user_id=person.id, state="approved", consent_at=utcnow(), consent_version="v1"
        )
        db.session.add(reg)
        db.session.flush()
        document = RegistrationDocument(kind="photo", content_type="image/jpeg")
        from examsvc.services import registration_files

        registration_files.keep(document, picture(1200, 1600, "JPEG"))
        reg.documents.append(document)
    db.session.commit()


def _count_statements(app, needle: str):
    seen = []

    def listen(conn, cursor, statement, *args):
        if needle in statement:
            seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", listen)
    return seen, lambda: event.remove(db.engine, "before_cursor_execute", listen)


def test_a_batch_reads_its_photos_in_one_query_and_shrinks_each_once(app, world):  # noqa: F811
    _give_photos(world)
    admin, sitting = world["admin"], world["sitting"]
    seen, stop = _count_statements(app, "registration_documents")
    try:
        with app.test_request_context():
            batch = list(tickets.tickets_for(admin, sitting))
            assert len(seen) == 1  # one query for the photos of the whole batch
            assert all(t.photo is None and t.photo_ref for t in batch)  # no bytes carried
            first = ticket_pdf.render(batch)
            originals_read = len(seen) - 1
            again = ticket_pdf.render(tickets.tickets_for(admin, sitting))
            assert len(seen) - 1 - originals_read == 1  # only the batch query: all cached
    finally:
        stop()
    assert originals_read == 3
    assert len(list(photos.cache_dir().glob("*.jpg"))) == 3
    for data in (first, again):
        assert sum(len(page.images) for page in PdfReader(io.BytesIO(data)).pages) == 3
