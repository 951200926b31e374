"""Initial passwords of accounts a roster creates: random, shown once, kept under a fast hash.

Hashing 10,000 passwords with scrypt takes minutes; a random password of 60 bits needs no
slow hash to resist guessing, so it is kept under HMAC-SHA256 with a key derived from the
secret key (a stolen database alone does not even allow trying guesses) until the person
chooses their own, which is hashed the usual slow way. Stored hashes of this kind start
with ``PREFIX``; ``check`` reads both kinds. Changing ``SECRET_KEY`` invalidates initial
passwords not yet changed (an admin resets them).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from flask import current_app
from werkzeug.security import check_password_hash

PREFIX = "initial-hmac-sha256"
#: No 0/O, 1/l/I: the password is read off a sheet and typed.
ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
#: 12 characters of 55: 69 bits.
LENGTH = 12
_KEY_INFO = b"examsvc initial passwords v1"


def new_password() -> str:
    """A random initial password with letters and digits."""
    while True:
        password = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
        if any(c.isdigit() for c in password) and any(c.isalpha() for c in password):
            return password


def _key() -> bytes:
    secret = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(secret, _KEY_INFO, hashlib.sha256).digest()


def _digest(key: bytes, salt: str, password: str) -> str:
    return hmac.new(key, f"{salt}${password}".encode(), hashlib.sha256).hexdigest()


def fast_hash(password: str, key: bytes | None = None) -> str:
    """The stored form of a random initial password (``key``: from ``_key()``, for batches)."""
    salt = secrets.token_hex(8)
    return f"{PREFIX}${salt}${_digest(key or _key(), salt, password)}"


def hasher():
    """``fast_hash`` with the key derived once, for hashing many passwords."""
    key = _key()
    return lambda password: fast_hash(password, key)


def is_initial(stored: str) -> bool:
    return stored.startswith(PREFIX + "$")


def check(stored: str, password: str) -> bool:
    """Whether ``password`` matches a stored hash of either kind."""
    if is_initial(stored):
        _, salt, digest = stored.split("$", 2)
        return hmac.compare_digest(_digest(_key(), salt, password), digest)
    return check_password_hash(stored, password)
