"""ISO 7064 MOD 11-2 check characters: Chinese ID numbers and certificate numbers."""

from __future__ import annotations

import unicodedata
from datetime import date

from question_bank.errors import Msg

_CHECK_CHARS = "10X98765432"
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_PROVINCES = {
    *range(11, 16),
    *range(21, 24),
    *range(31, 38),
    *range(41, 47),
    *range(50, 55),
    *range(61, 66),
    71,
    81,
    82,
    83,
}


def mod11_2(digits: str) -> str:
    """The ISO 7064 MOD 11-2 check character of a digit string."""
    if not digits.isdigit():
        raise ValueError("digits only")
    total = 0
    for ch in digits:
        total = (total + int(ch)) * 2 % 11
    return "0123456789X"[(12 - total) % 11]


def id_check_char(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _CHECK_CHARS[total % 11]


def normalize_id_number(raw: str) -> str:
    """Trimmed, full-width characters made half-width (NFKC), a lowercase ``x`` made ``X``."""
    return unicodedata.normalize("NFKC", raw or "").strip().upper()


def _ascii_digits(text: str) -> bool:
    # str.isdigit() also accepts other scripts' digits (Arabic-Indic, Devanagari…) and int()
    # reads them: an ID number is ASCII 0-9 only.
    return text.isascii() and text.isdigit()


def id_number_problem(raw: str, today: date | None = None) -> Msg | None:
    """Why an ID number (GB 11643-1999) is invalid, or None when it is valid.

    The message never repeats the number (it is sensitive personal information).
    """
    number = normalize_id_number(raw)
    if len(number) == 15 and _ascii_digits(number):
        return Msg(
            "15-digit ID numbers are no longer accepted; use the 18-character number",
            code="id_15_digits",
        )
    if len(number) != 18 or not _ascii_digits(number[:17]) or number[17] not in _CHECK_CHARS:
        return Msg(
            "an ID number has 17 digits followed by a digit or X (%(length)s characters given)",
            code="id_format",
            length=len(number),
        )
    if int(number[:2]) not in _PROVINCES:
        return Msg("the region code is not a known province", code="id_region")
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return Msg("the birth date in the ID number is not a real date", code="id_date")
    if born >= (today or date.today()) or born.year < 1880:
        return Msg("the birth date in the ID number is not in the past", code="id_date_future")
    if id_check_char(number[:17]) != number[17]:
        return Msg("the check character does not match", code="id_check")
    return None
