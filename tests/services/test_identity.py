"""ID numbers at rest: encryption, key rotation, the lookup hash, "show in full", the logs."""

from __future__ import annotations

import base64
import logging
import os

import pytest
from sqlalchemy import inspect as sa_inspect

from examsvc import create_app
from examsvc.config import ConfigError
from examsvc.extensions import db
from examsvc.models import AuditEntry, Role, User
from examsvc.services import identity
from examsvc.services.errors import BadInput, Conflict, Forbidden, NotFound
from tests.at_rest import assert_no_id_number, stored_bytes
from tests.conftest import make_config

VALID = ["11010519491231002X", "440524188001010014", "34052419800101001X"]


def _key() -> str:
    return base64.b64encode(os.urandom(32)).decode()


def _with_id(make_user, number: str, *roles: str) -> User:
    person = make_user(*(roles or (Role.CANDIDATE,)))
    identity.assign_id_number(person, number)
    db.session.commit()
    return person


# --- checking ------------------------------------------------------------------------------


@pytest.mark.parametrize("number", VALID)
def test_valid_numbers_are_returned_normalised(app, number):
    assert identity.normalize_id(f" {number.lower()} ") == number


def test_full_width_and_lowercase_x_are_accepted(app):
    assert identity.normalize_id("１１０１０５１９４９１２３１００２ｘ") == "11010519491231002X"


@pytest.mark.parametrize(
    ("number", "says"),
    [
        ("340524198001010013", "校验码"),
        ("110105194902300021", "出生日期"),
        ("16010519491231002X", "地区"),
        ("110105491231002", "15 位"),
        ("1101051949123100", "17 位数字"),
    ],
)
def test_a_bad_number_is_refused_in_chinese_without_repeating_it(app, number, says):
    with pytest.raises(BadInput) as caught:
        identity.normalize_id(number)
    message = caught.value.message
    assert says in message and "身份证号" in message
    assert number not in message and number[6:14] not in message


# --- encryption ----------------------------------------------------------------------------


def test_round_trip_and_a_fresh_nonce_every_time(app):
    first, second = identity.encrypt_id(VALID[0]), identity.encrypt_id(VALID[0])
    assert first != second  # a random nonce: equal numbers give unequal tokens
    assert identity.decrypt_id(first) == identity.decrypt_id(second) == VALID[0]
    assert VALID[0] not in first and "19491231" not in first
    key_id, _, body = first.partition(".")
    assert len(key_id) == 8 and len(base64.urlsafe_b64decode(body)) == 12 + 18 + 16


def test_a_damaged_token_or_a_wrong_key_fails_cleanly(app):
    token = identity.encrypt_id(VALID[1])
    kid, _, body = token.partition(".")
    raw = bytearray(base64.urlsafe_b64decode(body))
    raw[-1] ^= 1
    with pytest.raises(identity.UnreadableToken):
        identity.decrypt_id(kid + "." + base64.urlsafe_b64encode(bytes(raw)).decode())
    for junk in ("", "nonsense", kid + ".", kid + ".!!!", "deadbeef." + body):
        with pytest.raises(identity.UnreadableToken):
            identity.decrypt_id(junk)
    app.config["SECRET_KEY"] = "another-secret"  # the derived key changes with the secret
    with pytest.raises(identity.UnreadableToken) as caught:
        identity.decrypt_id(token)
    assert VALID[1] not in str(caught.value)


def test_an_explicit_data_key_is_used_and_the_derived_one_still_reads(app):
    before = identity.encrypt_id(VALID[2])
    app.config["DATA_KEY"] = _key()
    after = identity.encrypt_id(VALID[2])
    assert before.partition(".")[0] != after.partition(".")[0]
    assert identity.decrypt_id(before) == identity.decrypt_id(after) == VALID[2]


@pytest.mark.parametrize("bad", ["short", base64.b64encode(b"x" * 16).decode(), "%%%"])
def test_a_malformed_data_key_stops_the_app_at_start(tmp_path, bad):
    config = make_config(f"sqlite:///{tmp_path / 'x.db'}", str(tmp_path), DATA_KEY=bad)
    with pytest.raises(ConfigError, match="DATA_KEY"):
        create_app(config)
    config = make_config(f"sqlite:///{tmp_path / 'x.db'}", str(tmp_path), DATA_KEY_OLD=bad)
    with pytest.raises(ConfigError, match="DATA_KEY_OLD"):
        create_app(config)


# --- lookup hash ---------------------------------------------------------------------------


def test_lookup_hash_is_stable_normalised_and_keyed(app):
    digest = identity.id_lookup_hash(VALID[0])
    assert len(digest) == 64 and digest == identity.id_lookup_hash(VALID[0].lower())
    assert digest != identity.id_lookup_hash(VALID[1])
    app.config["DATA_KEY"] = _key()  # rotating the data key leaves the lookup key alone
    assert identity.id_lookup_hash(VALID[0]) == digest
    app.config["SECRET_KEY"] = "another-secret"
    assert identity.id_lookup_hash(VALID[0]) != digest


def test_the_same_number_cannot_go_to_two_accounts(app, make_user):
    holder = _with_id(make_user, VALID[0])
    other = make_user(Role.CANDIDATE)
    with pytest.raises(Conflict):
        identity.assign_id_number(other, VALID[0].lower())
    assert identity.find_by_id_number(" " + VALID[0].lower()) == holder
    assert identity.find_by_id_number(VALID[1]) is None
    assert identity.masked_id_of(holder) == "1101**********002X"


# --- rotation ------------------------------------------------------------------------------


def _tokens() -> dict[int, str]:
    rows = db.session.execute(
        db.select(User.id, User.id_number_enc).where(User.id_number_enc.is_not(None))
    )
    return dict(rows.all())


def _numbers(n: int) -> list[str]:
    from question_bank.checksum import id_check_char

    first = [f"11010519800101{i:03d}" for i in range(n)]
    return [f + id_check_char(f) for f in first]


def test_rotation_reencrypts_in_batches_and_old_tokens_read_meanwhile(app, make_user):
    old_key = _key()
    app.config["DATA_KEY"] = old_key
    numbers = _numbers(5)
    people = [_with_id(make_user, n) for n in numbers]
    before = _tokens()
    new_key = _key()
    app.config.update(DATA_KEY=new_key, DATA_KEY_OLD=f"{_key()}, {old_key}")
    # During the rotation both keys read: an old token and a new one.
    assert identity.decrypt_id(before[people[0].id]) == numbers[0]
    fresh = identity.encrypt_id(numbers[0])
    assert identity.decrypt_id(fresh) == numbers[0]

    report = identity.rotate_keys(batch=2)
    assert (report.seen, report.reencrypted, report.unreadable) == (5, 5, [])
    db.session.expire_all()
    after = _tokens()
    current = identity.keyring().current_id
    assert all(t.startswith(current + ".") for t in after.values())
    app.config["DATA_KEY_OLD"] = ""  # the old key removed: everything still reads
    for person, number in zip(people, numbers, strict=True):
        assert identity.decrypt_id(after[person.id]) == number
    with pytest.raises(identity.UnreadableToken):
        identity.decrypt_id(before[people[0].id])
    # Run again: nothing left to do.
    assert identity.rotate_keys().reencrypted == 0
    entry = db.session.scalars(
        db.select(AuditEntry).where(AuditEntry.action == "id_number.keys_rotated")
    ).first()
    assert entry.details["reencrypted"] == 5


def test_rotation_lists_what_no_key_opens_and_the_command_fails(app, make_user):
    app.config["DATA_KEY"] = _key()
    person = _with_id(make_user, VALID[0])
    app.config["DATA_KEY"] = _key()  # the previous key forgotten, not in DATA_KEY_OLD
    result = app.test_cli_runner().invoke(args=["ids", "rotate-key"])
    assert result.exit_code != 0
    assert str(person.id) in result.output and VALID[0] not in result.output


def test_rehash_after_the_secret_key_changed(app, make_user):
    app.config["DATA_KEY"] = _key()  # pinned, so the tokens survive the secret's change
    person = _with_id(make_user, VALID[0])
    app.config["SECRET_KEY"] = "a-new-secret"
    assert identity.find_by_id_number(VALID[0]) is None  # the lookup hash is stale
    result = app.test_cli_runner().invoke(args=["ids", "rotate-key", "--rehash"])
    assert result.exit_code == 0, result.output
    assert '"rehashed": 1' in result.output
    db.session.expire_all()
    assert identity.find_by_id_number(VALID[0]).id == person.id


def test_new_key_command_prints_a_usable_key(app):
    result = app.test_cli_runner().invoke(args=["ids", "new-key"])
    assert result.exit_code == 0
    assert len(base64.b64decode(result.output.strip())) == 32


# --- nothing raw at rest -------------------------------------------------------------------


def test_no_raw_id_number_in_the_database(app, backend, make_user):
    admin = make_user(Role.ADMIN)
    person = _with_id(make_user, "１１０１０５１９４９１２３１００２ｘ")  # typed full-width
    identity.reveal_id(admin, person.id, "核对身份 11010519491231002X")
    stored = stored_bytes(app, backend)
    assert identity.keyring().current_id.encode() in stored  # the token is there…
    assert_no_id_number(stored, "11010519491231002X")  # …the number is not
    assert "１１０１０５".encode() not in stored
    assert sa_inspect(db.engine).has_table("users")


# --- show in full --------------------------------------------------------------------------


def test_an_admin_sees_the_number_and_the_audit_names_no_number(app, make_user):
    admin = make_user(Role.ADMIN)
    person = _with_id(make_user, VALID[1])
    assert identity.reveal_id(admin, person.id, "  资格复核 440524188001010014 ") == VALID[1]
    entry = db.session.scalars(
        db.select(AuditEntry).where(AuditEntry.action == "id_number.revealed")
    ).one()
    assert entry.actor_id == admin.id and entry.subject_id == person.id
    assert VALID[1] not in str(entry.details)
    assert entry.details["reason"] == "资格复核 4405**********0014"


@pytest.mark.parametrize("role", [Role.CANDIDATE, Role.ORG_ADMIN, Role.EXAMINER])
def test_nobody_else_may_see_it_in_full(app, make_user, role):
    person = _with_id(make_user, VALID[1])
    with pytest.raises(Forbidden):
        identity.reveal_id(make_user(role), person.id, "好奇")
    with pytest.raises(Forbidden):  # not even their own, through this action
        identity.reveal_id(person, person.id, "本人")
    assert (
        db.session.scalar(
            db.select(db.func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.action == "id_number.revealed")
        )
        == 0
    )


def test_show_in_full_needs_a_reason_an_account_and_a_number(app, make_user):
    admin = make_user(Role.ADMIN)
    person = _with_id(make_user, VALID[1])
    with pytest.raises(BadInput):
        identity.reveal_id(admin, person.id, "  ")
    with pytest.raises(NotFound):
        identity.reveal_id(admin, 999_999, "核对")
    with pytest.raises(NotFound):
        identity.reveal_id(admin, make_user(Role.CANDIDATE).id, "核对")


# --- logs ----------------------------------------------------------------------------------


def test_log_records_are_masked_whatever_the_logger(app, caplog):
    caplog.set_level(logging.INFO)
    logging.getLogger("examsvc.some.module").info("registered %s", VALID[0])
    app.logger.warning("roster row: id=%s name=%s", VALID[2].lower(), "张三")
    logging.getLogger("werkzeug").info("GET /x?id=%s HTTP/1.1", VALID[1])
    try:
        raise ValueError(f"bad row {VALID[1]}")
    except ValueError:
        logging.getLogger("examsvc").exception("import failed")
    text_logged = caplog.text
    for number in VALID:
        assert number not in text_logged and number.lower() not in text_logged
    assert "1101**********002X" in text_logged and "4405**********0014" in text_logged
    assert "3405**********001x" in text_logged and "张三" in text_logged


def test_create_app_installs_the_masking_and_the_filter_works_on_its_own(app):
    assert getattr(logging.getLogRecordFactory(), "masks_id_numbers", False)
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "id %s", (VALID[1],), None)
    assert identity.MaskIdNumbers().filter(record)
    assert record.getMessage() == "id 4405**********0014"


def test_rotation_never_overwrites_a_number_changed_meanwhile(app, backend, make_user, monkeypatch):
    person = _with_id(make_user, VALID[0])
    app.config["DATA_KEY"] = _key()
    real_decrypt = identity.decrypt_id
    edits = []

    def decrypt_then_someone_edits(token):
        number = real_decrypt(token)
        if backend == "sqlite":
            # The batch holds SQLite's write lock (BEGIN IMMEDIATE): nobody writes in between.
            import sqlite3

            path = app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")
            other = sqlite3.connect(path, timeout=0.1, isolation_level=None)
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
            other.close()
            return number
        with db.engine.begin() as conn:  # another process stores a new number in between
            conn.execute(
                db.update(User)
                .where(User.id == person.id)
                .values(
                    id_number_enc=identity.encrypt_id(VALID[1]),
                    id_number_hash=identity.id_lookup_hash(VALID[1]),
                )
            )
        edits.append(VALID[1])
        return number

    db.session.commit()
    monkeypatch.setattr(identity, "decrypt_id", decrypt_then_someone_edits)
    identity.rotate_keys()
    monkeypatch.undo()
    db.session.expire_all()
    expected = edits[-1] if edits else VALID[0]
    assert identity.decrypt_id(db.session.get(User, person.id).id_number_enc) == expected
