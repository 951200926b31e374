"""Password rules: long enough, not common, not a pattern, not the account's own name.

Guessability is judged by zxcvbn (common passwords, dictionary words, keyboard runs,
sequences, repeats, dates, the user's own e-mail and name), fed in addition with passwords
and pinyin words common among Chinese users (``common_passwords_zh.txt``).
"""

from __future__ import annotations

import functools
import unicodedata
from collections import Counter
from importlib import resources

from flask_babel import gettext as _

from examsvc.services.errors import BadInput

MIN_LENGTH = 10
#: zxcvbn's estimate of the guesses an attacker needs; 10^8 is its score 3 ("safely
#: unguessable" against online attacks, some protection against a stolen slow hash).
MIN_GUESSES_LOG10 = 8
#: zxcvbn refuses longer input (its run time grows with length); the rest adds strength.
_ZXCVBN_MAX = 72
#: Words of this service an attacker would try first.
SERVICE_WORDS = ["examsvc", "exam", "dangjian", "dangyuan", "kaoshi"]


@functools.cache
def _zxcvbn():
    """zxcvbn with the Chinese list added; loaded at first use (it takes a fraction of a second)."""
    from zxcvbn import matching, zxcvbn

    text = (resources.files("examsvc.services") / "common_passwords_zh.txt").read_text("utf-8")
    lines = (line.strip() for line in text.splitlines())
    matching.add_frequency_lists(
        {"common_passwords_zh": [line.lower() for line in lines if line and line[0] != "#"]}
    )
    return zxcvbn


def _user_words(email: str, name: str) -> list[str]:
    local = email.partition("@")[0].lower()
    words = [email.lower(), local, name.lower(), *SERVICE_WORDS]
    # "li.ming_1990" → li, ming, 1990 as well
    words += [part for part in _split_words(local) if len(part) >= 3]
    return [w for w in words if w]


def _split_words(text: str) -> list[str]:
    parts, current = [], []
    for char in text:
        if char.isalnum():
            current.append(char)
        elif current:
            parts.append("".join(current))
            current = []
    if current:
        parts.append("".join(current))
    return parts


def password_problem(password: str, email: str = "", name: str = "") -> str | None:
    """Why ``password`` is refused for the account (a message saying what is wanted), or None."""
    if len(password) < MIN_LENGTH:
        return _(
            "the password needs at least %(n)s characters; a few unrelated words with digits "
            "are easy to remember and hard to guess",
            n=MIN_LENGTH,
        )
    top_count = Counter(password).most_common(1)[0][1]
    if top_count * 2 > len(password):
        return _("the password must not be mostly one repeated character")
    if password.isdigit() or password.isalpha():
        return _("the password needs both letters and digits")
    # Fullwidth letters and digits are the ASCII ones to a guesser.
    folded = unicodedata.normalize("NFKC", password)
    local = email.partition("@")[0].lower()
    if len(local) >= 3 and local in folded.lower():
        return _("the password must not contain the name of your e-mail address")
    result = _zxcvbn()(folded[:_ZXCVBN_MAX], user_inputs=_user_words(email, name))
    if result["guesses_log10"] < MIN_GUESSES_LOG10:
        return _(
            "the password is too easy to guess: avoid common passwords, keyboard rows and "
            "sequences (qwerty, 123456, abcdef), your name and dates; join a few unrelated "
            "words with digits or signs"
        )
    return None


def check_password(password: str, email: str = "", name: str = "") -> None:
    """Raise BadInput(code="weak_password") when ``password`` breaks a rule."""
    problem = password_problem(password, email, name)
    if problem is not None:
        raise BadInput(problem, code="weak_password")
