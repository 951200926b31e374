"""Certificate numbers (DOMAIN.md "Certificates"): ``{kind}{level}-{org}-{year}-{serial}{check}``.

``kind`` is ``E`` (training), ``Q`` (post qualification) or ``L`` (level); ``level`` 0–4; ``org``
the deployment's four digits; ``serial`` eight random digits; ``check`` the ISO 7064 MOD 11-2
character (the ID-number algorithm) over every digit before it. Numbers issued before the
serials became random (``Q0-0000-2026-000001-7``: six digits and a dash) stay valid; they are
looked up as stored, never re-parsed.
"""

from __future__ import annotations

import re
import secrets

from question_bank.checksum import mod11_2

KIND_LETTERS = {"training": "E", "post_qualification": "Q", "level": "L"}
SERIAL_DIGITS = 8
PATTERN = re.compile(r"([EQL])([0-4])-(\d{4})-(\d{4})-(\d{8})([0-9X])")


def random_serial() -> int:
    """A serial of ``SERIAL_DIGITS`` digits from the system's secure random source; never 0."""
    return 1 + secrets.randbelow(10**SERIAL_DIGITS - 1)


def make(kind: str, level: int, org: str, year: int, serial: int) -> str:
    """The number of a certificate; ``kind`` its code (``training``…) or letter."""
    letter = KIND_LETTERS.get(kind, kind)
    if letter not in KIND_LETTERS.values():
        raise ValueError(f"unknown certificate kind {kind!r}")
    if not (0 <= level <= 4 and len(org) == 4 and org.isdigit() and 0 < serial < 10**8):
        raise ValueError("level 0-4, a four-digit org code and an eight-digit serial")
    body = f"{letter}{level}-{org}-{year:04d}-{serial:08d}"
    return body + mod11_2("".join(ch for ch in body if ch.isdigit()))


def is_valid(number: str) -> bool:
    """Whether ``number`` has the current form and its check character is right."""
    match = PATTERN.fullmatch(number.strip().upper())
    if match is None:
        return False
    digits = "".join(ch for ch in match.group(0)[:-1] if ch.isdigit())
    return mod11_2(digits) == match.group(6)


def normalise(number: str) -> str:
    """As typed or scanned: spaces dropped, full-width forms folded, upper case."""
    folded = "".join(
        chr(ord(ch) - 0xFEE0) if "\uff01" <= ch <= "\uff5e" else ch for ch in number.strip()
    )
    return "".join(folded.split()).replace("－", "-").replace("—", "-").upper()
