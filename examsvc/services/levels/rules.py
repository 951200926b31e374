"""Certificate rules as data (RuleSet): the version in force for each credential, its
history, and new versions an admin writes. The conditions and their meaning are
question_bank/certification.py; here they are stored, versioned and audited.

A credential with no rule set yet gets the seeds' defaults (version 1) the first time it is
read, inside the reader's transaction (``current``), or all at once (``ensure_defaults``,
which the demo calls). Editing never changes a version: it writes the next one and marks
the previous one ``superseded_at``.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from examsvc.extensions import db
from examsvc.i18n import translate
from examsvc.models import RuleSet, User, utcnow
from examsvc.services import audit
from examsvc.services.errors import BadInput, Conflict, NotFound
from question_bank import certification, rule_sets


def _latest(kind: str, level: int) -> RuleSet | None:
    return db.session.scalar(
        db.select(RuleSet)
        .where(RuleSet.kind == kind, RuleSet.level == level)
        .order_by(RuleSet.version.desc())
        .limit(1)
    )


def _seed(kind: str, level: int, actor: User | None = None) -> RuleSet:
    """Version 1 from the defaults; a concurrent seeding of the same credential wins."""
    conditions = certification.DEFAULT_RULES[(kind, level)]
    row = RuleSet(kind=kind, level=level, version=1, conditions=conditions, created_by_id=None)
    try:
        with db.session.begin_nested():
            db.session.add(row)
            db.session.flush()
    except IntegrityError:
        existing = _latest(kind, level)
        assert existing is not None
        return existing
    audit.record(
        actor, "rules.defaults_seeded", row, credential=certification.credential_code(kind, level),
        version=1, conditions=conditions,
    )  # fmt: skip
    return row


def current(kind: str, level: int = 0, *, seed: bool = True) -> RuleSet:
    """The rule set in force for the credential. A credential with none gets the defaults:
    flushed as version 1 (``seed``, in a transaction that writes), or an unsaved copy (a
    page that only reads)."""
    level = level if kind == certification.LEVEL else 0
    if (kind, level) not in certification.DEFAULT_RULES:
        raise NotFound(_("no rules for this credential"), code="unknown_credential")
    found = _latest(kind, level)
    if found is not None:
        return found
    if seed:
        return _seed(kind, level)
    conditions = certification.DEFAULT_RULES[(kind, level)]
    return RuleSet(kind=kind, level=level, version=1, conditions=conditions, note="")


def of_credential(code: str, *, seed: bool = False) -> RuleSet:
    """The rule set in force for a credential code ("training", "post_qualification", "L2")."""
    for kind, level in certification.rule_keys():
        if certification.credential_code(kind, level) == code:
            return current(kind, level, seed=seed)
    raise NotFound(_("no rules for this credential"), code="unknown_credential")


def ensure_defaults(actor: User | None = None) -> int:
    """Seed the default rule set of every credential that has none; how many were seeded."""
    seeded = 0
    for kind, level in certification.rule_keys():
        if _latest(kind, level) is None:
            _seed(kind, level, actor)
            seeded += 1
    db.session.commit()
    return seeded


def all_current() -> list[RuleSet]:
    """The rule set in force of every credential, in the order of DEFAULT_RULES (unsaved
    defaults for those never saved)."""
    return [current(kind, level, seed=False) for kind, level in certification.rule_keys()]


def versions(row: RuleSet) -> list[RuleSet]:
    """Every version of the credential ``row`` is for, newest first."""
    return list(
        db.session.scalars(
            db.select(RuleSet)
            .where(RuleSet.kind == row.kind, RuleSet.level == row.level)
            .order_by(RuleSet.version.desc())
        )
    )


def sentences(conditions: list) -> list[str]:
    """The conditions as sentences in the user's language."""
    return [translate(rule_sets.describe(c)) for c in conditions if isinstance(c, dict)]


def problems(row: RuleSet, conditions: list) -> list[str]:
    """What is wrong with conditions written for ``row``'s credential, in the user's language."""
    return [translate(p) for p in rule_sets.validate(row.kind, row.level, conditions)]


def new_version(
    actor: User, credential: str, conditions: list, note: str, base_version: int | None
) -> RuleSet:
    """Write the next version of a credential's rules; the one in force is kept, superseded.

    ``base_version``: the version the admin edited; another admin's newer version refuses
    the save instead of being overwritten unseen."""
    base = of_credential(credential, seed=True)
    latest = db.session.scalar(
        db.select(RuleSet)
        .where(RuleSet.kind == base.kind, RuleSet.level == base.level)
        .order_by(RuleSet.version.desc())
        .limit(1)
        .with_for_update(of=RuleSet)
    )
    assert latest is not None
    if base_version is not None and base_version != latest.version:
        raise Conflict(
            _("version %(v)s was saved meanwhile; look at it and edit again", v=latest.version),
            code="stale_version",
        )
    found = problems(base, conditions)
    if found:
        raise BadInput(_("; ").join(found), code="invalid_rules", problems=found)
    stored = rule_sets.normalise(conditions)
    if stored == latest.conditions:
        raise BadInput(_("the rules are unchanged; nothing was saved"), code="unchanged")
    note = " ".join((note or "").split())
    if not note or len(note) > 500:
        raise BadInput(_("say why this version (at most 500 characters)"), code="note_required")
    now = utcnow()
    latest.superseded_at = now
    row = RuleSet(
        kind=base.kind, level=base.level, version=latest.version + 1,
        conditions=stored, note=note, created_by_id=actor.id, created_at=now,
    )  # fmt: skip
    db.session.add(row)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise Conflict(_("another version was saved at this moment; try again"),
                       code="busy") from None  # fmt: skip
    audit.record(
        actor, "rules.version_created", row,
        credential=certification.credential_code(base.kind, base.level), version=row.version,
        conditions=row.conditions, previous_conditions=latest.conditions, note=note,
    )  # fmt: skip
    db.session.commit()
    return row
