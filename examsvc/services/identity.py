"""ID numbers (居民身份证号码) under PIPL: checked, encrypted at rest, hashed for lookup, masked.

- ``normalize_id`` checks a number (GB 11643-1999, ``question_bank.checksum``) and returns it
  normalised; a bad number is a ``BadInput`` whose message says what is wrong, never the number.
- ``encrypt_id``/``decrypt_id``: AES-256-GCM with a random 96-bit nonce. A token reads
  ``<key id>.<base64url(nonce + ciphertext)>``; the key id (8 hex characters, a fingerprint of
  the key) lets ``decrypt_id`` choose among the current key and the old ones during a rotation.
- The data key is ``EXAMSVC_DATA_KEY`` (base64 of 32 bytes), else derived with HKDF-SHA256 from
  the secret key. Old keys for a rotation: ``EXAMSVC_DATA_KEY_OLD`` (comma-separated); the key
  derived from the secret key is always accepted for reading, so setting a data key for the
  first time needs no old key.
- ``id_lookup_hash``: HMAC-SHA256 under a key derived separately from the secret key; it finds
  "the same person" (the unique column) without decrypting. Rotating the data key leaves it
  alone; changing the secret key changes it (``rotate_keys(rehash=True)`` recomputes them).
- ``mask_id`` shows the first 4 and the last 4 characters; a logging filter masks any ID
  number in log records.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import logging
import os
import re
from dataclasses import dataclass, field
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app
from flask_babel import gettext as _

from examsvc.config import ConfigError
from examsvc.extensions import db
from examsvc.i18n import translate
from examsvc.models import Role, User
from examsvc.services import audit
from examsvc.services.errors import BadInput, Conflict, Forbidden, NotFound
from question_bank.checksum import id_number_problem, normalize_id_number

ENCRYPTION_INFO = b"examsvc id-number encryption"
LOOKUP_INFO = b"examsvc id-number lookup"
#: Authenticated but not encrypted with every token: a token made for something else fails.
_AAD = b"examsvc id-number v1"
_NONCE_BYTES = 12
#: How many tokens ``rotate_keys`` re-encrypts per transaction.
ROTATE_BATCH = 200


class UnreadableToken(ValueError):
    """A stored ID number cannot be decrypted: no configured key has its key id, or it was
    changed. The message names the key id only."""


# --- checking and masking ------------------------------------------------------------------


def normalize_id(raw: str) -> str:
    """The number normalised (trimmed, half-width, ``X`` upper case) when it is valid."""
    problem = id_number_problem(raw or "")
    if problem is not None:
        raise BadInput(
            _("The ID number is not valid: %(problem)s.", problem=translate(problem)),
            code=problem.code,
        )
    return normalize_id_number(raw)


def mask_id(number: str | None) -> str:
    """``1101**********1234``: the first 4 and the last 4 characters; "" for no number."""
    if not number:
        return ""
    number = normalize_id_number(number)
    if len(number) < 12:
        return "*" * len(number)
    return number[:4] + "*" * (len(number) - 8) + number[-4:]


#: 18 characters that look like an ID number (17 digits and a digit or X, half- or full-width)
#: that are not part of a longer run of digits; letters around them do not matter ("user11…").
_D = "0-9\uff10-\uff19"
ID_PATTERN = re.compile(
    rf"(?<![{_D}])([{_D}]{{4}})[{_D}]{{10}}([{_D}]{{3}}[{_D}Xx\uff38\uff58])(?![{_D}])"
)


def mask_text(text: str) -> str:
    """Text with every ID-number-like run masked (``1101**********1234``)."""
    return ID_PATTERN.sub(lambda m: m.group(1) + "*" * 10 + m.group(2), text)


# --- keys ----------------------------------------------------------------------------------


@dataclass
class Keyring:
    current_id: str
    current: AESGCM
    readers: dict[str, AESGCM] = field(default_factory=dict)
    lookup_key: bytes = b""


def _hkdf(secret: bytes, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(secret)


def key_id(key: bytes) -> str:
    """8 hex characters naming a key (an HMAC of it, so the id reveals nothing of the key)."""
    return hmac.new(key, b"examsvc key id", hashlib.sha256).hexdigest()[:8]


def _decode_key(text: str, setting: str) -> bytes:
    try:
        key = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        key = b""
    if len(key) != 32:
        raise ConfigError(f"EXAMSVC_{setting} must be 32 random bytes in base64 (44 characters)")
    return key


def _listed(value: object) -> list[str]:
    if not value:
        return []
    items = value if isinstance(value, list | tuple) else str(value).split(",")
    return [str(item).strip() for item in items if str(item).strip()]


@lru_cache(maxsize=8)
def _keyring(secret: str, data_key: str, old_keys: tuple[str, ...]) -> Keyring:
    derived = _hkdf(secret.encode(), ENCRYPTION_INFO)
    current = _decode_key(data_key, "DATA_KEY") if data_key else derived
    readable = [current, *(_decode_key(k, "DATA_KEY_OLD") for k in old_keys), derived]
    readers: dict[str, AESGCM] = {}
    for key in readable:
        readers.setdefault(key_id(key), AESGCM(key))
    return Keyring(
        current_id=key_id(current),
        current=readers[key_id(current)],
        readers=readers,
        lookup_key=_hkdf(secret.encode(), LOOKUP_INFO),
    )


def keyring(config=None) -> Keyring:
    """The keys of the app's configuration (built once per configuration)."""
    cfg = config if config is not None else current_app.config
    secret = cfg.get("SECRET_KEY")
    if not secret:
        raise ConfigError("ID numbers need EXAMSVC_SECRET_KEY (or EXAMSVC_DATA_KEY)")
    secret = secret.decode() if isinstance(secret, bytes) else str(secret)
    data_key = str(cfg.get("DATA_KEY") or "").strip()
    return _keyring(secret, data_key, tuple(_listed(cfg.get("DATA_KEY_OLD"))))


def new_data_key() -> str:
    """A fresh random data key, in the base64 form ``EXAMSVC_DATA_KEY`` takes."""
    return base64.b64encode(os.urandom(32)).decode()


# --- encryption and lookup -----------------------------------------------------------------


def encrypt_id(number: str) -> str:
    """A token for a (normalised) ID number: ``<key id>.<base64url(nonce + ciphertext)>``."""
    ring = keyring()
    nonce = os.urandom(_NONCE_BYTES)
    sealed = ring.current.encrypt(nonce, number.encode(), _AAD)
    return ring.current_id + "." + base64.urlsafe_b64encode(nonce + sealed).decode()


def token_key_id(token: str) -> str:
    return token.partition(".")[0]


def decrypt_id(token: str) -> str:
    """The ID number a token holds; ``UnreadableToken`` when no configured key opens it."""
    ring = keyring()
    kid, dot, body = (token or "").partition(".")
    reader = ring.readers.get(kid)
    if not dot or reader is None:
        raise UnreadableToken(f"no configured data key has key id {kid[:8]!r}")
    try:
        raw = base64.urlsafe_b64decode(body.encode())
        return reader.decrypt(raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], _AAD).decode()
    except (binascii.Error, ValueError, InvalidTag, UnicodeDecodeError):
        raise UnreadableToken(f"the token under key id {kid!r} is damaged") from None


def id_lookup_hash(number: str) -> str:
    """HMAC-SHA256 (hex) of the normalised number under the lookup key: equal numbers, equal
    hashes, in this deployment only."""
    key = keyring().lookup_key
    return hmac.new(key, normalize_id_number(number).encode(), hashlib.sha256).hexdigest()


def assign_id_number(person: User, raw: str) -> str:
    """Check ``raw`` and store it on ``person`` (token and lookup hash); the caller commits.

    Returns the normalised number. ``Conflict`` when another account holds the same number.
    """
    number = normalize_id(raw)
    digest = id_lookup_hash(number)
    holder = db.session.scalar(
        db.select(User.id).where(User.id_number_hash == digest, User.id != person.id)
    )
    if holder is not None:
        raise Conflict(_("Another account already has this ID number."), code="id_taken")
    if person.id_number_hash != digest or not person.id_number_enc:
        person.id_number_enc = encrypt_id(number)
        person.id_number_hash = digest
    return number


def find_by_id_number(raw: str) -> User | None:
    """The account holding this ID number (through the lookup hash), or None."""
    number = normalize_id(raw)
    return db.session.scalar(db.select(User).where(User.id_number_hash == id_lookup_hash(number)))


# --- rotation ------------------------------------------------------------------------------


@dataclass
class RotationReport:
    seen: int = 0
    reencrypted: int = 0
    rehashed: int = 0
    unreadable: list[int] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "seen": self.seen,
            "reencrypted": self.reencrypted,
            "rehashed": self.rehashed,
            "unreadable": self.unreadable,
        }


def rotate_keys(rehash: bool = False, batch: int = ROTATE_BATCH) -> RotationReport:
    """Re-encrypt every stored ID number under the current data key, in short transactions.

    Tokens already under the current key are left as they are, so the command may be run
    again after an interruption. ``rehash`` also recomputes the lookup hashes (after the
    secret key changed). Accounts whose token no configured key opens are listed, not changed.
    """
    ring = keyring()
    report = RotationReport()
    last_id = 0
    while True:
        rows = db.session.execute(
            db.select(User.id, User.id_number_enc, User.id_number_hash)
            .where(User.id > last_id, User.id_number_enc.is_not(None))
            .order_by(User.id)
            .limit(batch)
        ).all()
        if not rows:
            break
        last_id = rows[-1].id
        for user_id, token, old_hash in rows:
            report.seen += 1
            stale = token_key_id(token) != ring.current_id
            if not stale and not rehash:
                continue
            try:
                number = decrypt_id(token)
            except UnreadableToken:
                report.unreadable.append(user_id)
                continue
            values = {}
            if stale:
                values["id_number_enc"] = encrypt_id(number)
                report.reencrypted += 1
            if rehash and (new_hash := id_lookup_hash(number)) != old_hash:
                values["id_number_hash"] = new_hash
                report.rehashed += 1
            if values:  # only if the number did not change meanwhile (else it is left alone)
                db.session.execute(
                    db.update(User)
                    .where(User.id == user_id, User.id_number_enc == token)
                    .values(**values)
                )
        db.session.commit()  # one short transaction per batch
    audit.record(None, "id_number.keys_rotated", None, **report.as_dict())
    db.session.commit()
    return report


# --- showing a number in full --------------------------------------------------------------


def reveal_id(admin: User, user_id: int, reason: str) -> str:
    """An administrator's "show in full": the number, with an audit entry naming who, whose and
    why (the reason is stored with any ID number in it masked; never the number itself)."""
    return reveal(admin, user_id, reason)[1]


def reveal(admin: User, user_id: int, reason: str) -> tuple[User, str]:
    """``reveal_id``, also returning the account (for the page that shows the number)."""
    if not admin.has_role(Role.ADMIN):
        raise Forbidden(_("Only administrators may see an ID number in full."))
    reason = (reason or "").strip()
    if not reason:
        raise BadInput(_("Give the reason for seeing the ID number in full."))
    if len(reason) > 500:
        raise BadInput(_("The reason is too long (at most 500 characters)."))
    person = db.session.get(User, user_id)
    if person is None:
        raise NotFound(_("No such account."))
    if not person.id_number_enc:
        raise NotFound(_("This account has no ID number."))
    number = decrypt_id(person.id_number_enc)
    audit.record(admin, "id_number.revealed", person, reason=mask_text(reason))
    db.session.commit()
    return person, number


def masked_id_of(person: User) -> str:
    """The person's ID number masked for display; "" without one (or an unreadable token)."""
    if not person.id_number_enc:
        return ""
    try:
        return mask_id(decrypt_id(person.id_number_enc))
    except UnreadableToken:
        return "*" * 18


# --- logs ----------------------------------------------------------------------------------


class MaskIdNumbers(logging.Filter):
    """Masks ID numbers in a record's message and exception text (it always lets it through)."""

    def filter(self, record: logging.LogRecord) -> bool:
        _mask_record(record)
        return True


def _mask_record(record: logging.LogRecord) -> logging.LogRecord:
    if getattr(record, "_ids_masked", False):
        return record
    try:
        message = record.getMessage()
    except Exception:  # a broken format string: leave it to the handler to report
        return record
    masked = mask_text(message)
    if masked != message:
        record.msg, record.args = masked, None
    if record.exc_info and not record.exc_text:
        record.exc_text = logging.Formatter().formatException(record.exc_info)
    if record.exc_text:
        record.exc_text = mask_text(record.exc_text)
    if record.stack_info:
        record.stack_info = mask_text(record.stack_info)
    record._ids_masked = True
    return record


def install_log_masking() -> None:
    """Mask ID numbers in every log record of the process, whichever logger or handler: the
    record factory masks each record as it is made (a filter on one logger would miss the
    records of its children). Installing twice is harmless."""
    factory = logging.getLogRecordFactory()
    if getattr(factory, "masks_id_numbers", False):
        return

    def masking_factory(*args, **kwargs) -> logging.LogRecord:
        return _mask_record(factory(*args, **kwargs))

    masking_factory.masks_id_numbers = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(masking_factory)


def init_app(app) -> None:
    """Called by ``create_app``: log masking on, and a bad data key refused at start."""
    install_log_masking()
    keyring(app.config)
    app.jinja_env.filters["masked_id"] = masked_id_of  # {{ person|masked_id }}
