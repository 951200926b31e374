"""Valid ID numbers, small files of each type and a registered person, for the 个人报名 tests."""

from __future__ import annotations

import io
from datetime import date

from PIL import Image

from examsvc.models import Organisation, User
from examsvc.services import registration
from question_bank.checksum import id_check_char

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def _picture(kind: str) -> bytes:
    """A small real picture: photos are opened with Pillow when they are uploaded."""
    out = io.BytesIO()
    Image.new("RGB", (30, 40), (200, 210, 230)).save(out, format=kind)
    return out.getvalue()


JPEG = _picture("JPEG")
PNG = _picture("PNG")
ZIP = b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + b"\x00" * 64
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64
HTML = b"<!DOCTYPE html><html><script>alert(1)</script></html>"


def id_number(region: str = "110105", born: str = "19850312", sequence: str = "123") -> str:
    """A number with the right check character (sequence odd: male, even: female)."""
    first = region + born + sequence
    return first + id_check_char(first)


def profile(org: Organisation, **overrides) -> registration.Profile:
    values = dict(
        name="王报名",
        id_number=id_number(),
        gender="M",
        mobile="13800138000",
        email="",
        is_party_member=True,
        party_joined_on=date(2010, 7, 1),
        post="组织委员",
        category="community",
        organisation_id=org.id,
    )
    values.update(overrides)
    return registration.Profile(**values)


PASSWORD = "Plum-river-42"


def register(org: Organisation, **overrides) -> User:
    return registration.register(profile(org, **overrides), PASSWORD, consent=True)


def complete(person: User, *, submit: bool = True) -> None:
    """Upload every required document (and one honour), then submit."""
    for kind, files in (
        ("application_form", [PDF]),
        ("education", [PDF]),
        ("id_copy", [JPEG]),
        ("honour", [PNG]),
        ("photo", [JPEG, PNG]),
    ):
        registration.add_documents(person, kind, files)
    if submit:
        registration.submit(person)


def form_data(org: Organisation, **overrides) -> dict:
    """The web form's fields for a valid registration."""
    data = {
        "name": "王报名",
        "id_number": id_number(),
        "gender": "M",
        "mobile": "138 0013 8000",
        "email": "",
        "is_party_member": "yes",
        "party_joined_on": "2010-07-01",
        "organisation": str(org.id),
        "category": "community",
        "post": "组织委员",
        "password": PASSWORD,
        "confirm": PASSWORD,
        "consent": "y",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def files(*items: tuple[bytes, str]) -> list[tuple[io.BytesIO, str]]:
    return [(io.BytesIO(data), name) for data, name in items]
