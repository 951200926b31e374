"""A roster's rows checked against the database: organisations, people already known,
logins other accounts hold, eligibility for the sitting. Reads only."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from examsvc.extensions import db
from examsvc.models import Organisation, Role, Sitting, User, UserRole
from examsvc.services.accounts import normalize_email
from examsvc.services.errors import BadInput
from examsvc.services.identity import id_lookup_hash
from examsvc.services.roster.report import RosterReport
from question_bank.errors import Msg
from question_bank.roster import RosterRow

#: Rows per IN (...) lookup and per executemany batch.
CHUNK = 500


@dataclass(frozen=True)
class Known:
    """An account as the checks need it (no ORM object: 10,000 of them stay cheap)."""

    id: int
    id_number_hash: str | None
    email: str | None
    mobile: str | None
    organisation_id: int | None
    status: str


@dataclass
class Plan:
    """One good row: who it is (an existing account or a new one) and what to write."""

    row: RosterRow
    id_hash: str
    organisation_id: int
    known: Known | None
    email: str | None
    mobile: str | None


def plan(
    rows: list[RosterRow],
    root: Organisation,
    sitting: Sitting | None,
    report: RosterReport,
    bad: set[int],
    actor: User | None = None,
) -> list[Plan]:
    """The good rows' plans. ``actor`` None is the command line; an admin or the command line
    may claim an account of no organisation and replace a person's logins, an org admin may
    do neither (the account may be anyone's: the roster only adds what is missing)."""
    full_power = actor is None or actor.has_role(Role.ADMIN)
    subtree = {
        o.code: o for o in db.session.scalars(
            db.select(Organisation).where(Organisation.path.startswith(root.path))
        )
    }  # fmt: skip
    subtree_ids = {o.id for o in subtree.values()}
    hashes = {row.row: id_lookup_hash(row.id_number) for row in rows}
    emails = {}
    for row in rows:
        if row.email:
            try:
                emails[row.row] = normalize_email(row.email)
            except BadInput:
                invalid = Msg("%(email)s is not an e-mail address", code="roster_bad_email",
                              email=repr(row.email))  # fmt: skip
                _bad(report, bad, row, invalid)
    by_hash = _known(User.id_number_hash, hashes.values())
    by_email = _known(User.email, emails.values())
    by_mobile = _known(User.mobile, [r.mobile for r in rows if r.mobile])
    elsewhere = _codes_elsewhere({r.org_code for r in rows if r.org_code} - set(subtree))
    plans: list[Plan] = []
    claimed: dict[int, int] = {}
    refused = _refusals(rows, sitting, bad, hashes, by_hash, emails, by_email, by_mobile)
    privileged = _privileged([*by_hash.values(), *by_email.values(), *by_mobile.values()])
    for row in rows:
        if row.row in bad:
            continue
        email = emails.get(row.row)
        known = by_hash.get(hashes[row.row]) or _unnumbered(
            by_email.get(email or ""), by_mobile.get(row.mobile or "")
        )
        problem: Msg | None = (
            _privileged_problem(known, privileged)
            or _org_problem(row, root, subtree, elsewhere, known, subtree_ids, full_power)
            or _login_problem(known, email, row.mobile, by_email, by_mobile)
            or (None if full_power else _replace_problem(known, email, row.mobile))
            or _claimed_problem(known, claimed, row)
            or _eligibility_problem(known, sitting, refused)
        )
        if problem:
            _bad(report, bad, row, problem)
            continue
        if row.org_code:
            organisation_id = subtree[row.org_code].id
        elif known is not None and known.organisation_id in subtree_ids:
            organisation_id = known.organisation_id  # already in the subtree: stays there
        else:
            organisation_id = root.id
        plans.append(Plan(row, hashes[row.row], organisation_id, known, email, row.mobile))
    return plans


def _bad(report: RosterReport, bad: set[int], row: RosterRow, message: str) -> None:
    bad.add(row.row)
    report.note(row.where, message)


def _known(column, values: Iterable[str]) -> dict[str, Known]:
    values = sorted(set(values))
    found: dict[str, Known] = {}
    for start in range(0, len(values), CHUNK):
        for r in db.session.execute(
            db.select(User.id, User.id_number_hash, User.email, User.mobile,
                      User.organisation_id, User.status, column)
            .where(column.in_(values[start : start + CHUNK]))
        ):  # fmt: skip
            found[r[-1]] = Known(*r[:-1])
    return found


def _unnumbered(*accounts: Known | None) -> Known | None:
    """An account found by its login that has no ID number yet: the same person, registered
    before, whom the roster now identifies."""
    for account in accounts:
        if account is not None and account.id_number_hash is None:
            return account
    return None


def _privileged(accounts: list[Known]) -> set[int]:
    """Which of these accounts hold a role other than candidate: a roster never touches them."""
    ids = sorted({a.id for a in accounts})
    found: set[int] = set()
    for start in range(0, len(ids), CHUNK):
        found.update(db.session.scalars(
            db.select(UserRole.user_id).where(
                UserRole.user_id.in_(ids[start : start + CHUNK]),
                UserRole.role != str(Role.CANDIDATE),
            )
        ))  # fmt: skip
    return found


def _privileged_problem(known: Known | None, privileged: set[int]) -> Msg | None:
    if known is not None and known.id in privileged:
        return Msg("this person holds an administrative role; change the account in the "
                   "accounts administration, not by a roster",
                   code="roster_person_privileged")  # fmt: skip
    return None


def _replace_problem(known: Known | None, email: str | None, mobile: str | None) -> Msg | None:
    """An org admin's roster may give a person a login they lack, never replace one."""
    if known is None:
        return None
    for new, old, label in (
        (email, known.email, Msg("e-mail", code="roster_email_label")),
        (mobile, known.mobile, Msg("mobile number", code="roster_mobile_label")),
    ):
        if new and old and new != old:
            return Msg("this person already has another %(what)s; only an administrator may "
                       "replace it", code="roster_login_replace", what=label)  # fmt: skip
    return None


def _codes_elsewhere(codes: set[str]) -> set[str]:
    if not codes:
        return set()
    return set(db.session.scalars(db.select(Organisation.code).where(Organisation.code.in_(codes))))


def _org_problem(row, root, subtree, elsewhere, known, subtree_ids, full_power) -> Msg | None:
    if row.org_code and row.org_code not in subtree:
        if row.org_code in elsewhere:
            return Msg("the organisation %(org)s is not under %(root)s",
                       code="roster_org_outside", org=row.org_code, root=root.code)  # fmt: skip
        return Msg("no organisation has the code %(org)s", code="roster_org_unknown",
                   org=row.org_code)  # fmt: skip
    if row.org_code and subtree[row.org_code].is_closed:
        return Msg("the organisation %(org)s is closed", code="roster_org_closed", org=row.org_code)
    if known is None:
        return None
    if known.organisation_id is None and not full_power:  # nobody's: only an admin claims it
        return Msg("this account belongs to no organisation; only an administrator may bring "
                   "it into %(root)s", code="roster_person_unassigned", root=root.code)  # fmt: skip
    if known.organisation_id is not None and known.organisation_id not in subtree_ids:
        return Msg("this person belongs to an organisation outside %(root)s",
                   code="roster_person_outside", root=root.code)  # fmt: skip
    return None


def _login_problem(known, email, mobile, by_email, by_mobile) -> Msg | None:
    own = known.id if known is not None else None
    for value, index, label in (
        (email, by_email, Msg("e-mail", code="roster_email_label")),
        (mobile, by_mobile, Msg("mobile number", code="roster_mobile_label")),
    ):
        holder = index.get(value or "")
        if holder is not None and holder.id != own:
            return Msg("another account already uses this %(what)s", code="roster_login_taken",
                       what=label)  # fmt: skip
    return None


def _claimed_problem(known: Known | None, claimed: dict[int, int], row: RosterRow) -> Msg | None:
    if known is None:
        return None
    first = claimed.setdefault(known.id, row.row)
    if first != row.row:
        return Msg("the same account as row %(first)s", code="roster_same_account", first=first)
    return None


def _refusals(
    rows, sitting, bad, hashes, by_hash, emails, by_email, by_mobile
) -> dict[int, list[Msg]]:
    """Why each person may not sit the sitting (services/enrolment.py), in one batch: known
    accounts by id; 0 stands for a new account (registered now, nothing passed, no level)."""
    if sitting is None:
        return {}
    from examsvc.services.enrolment import refusals_for

    statuses = {0: "active"}
    for row in rows:
        if row.row in bad:
            continue
        known = by_hash.get(hashes[row.row]) or _unnumbered(
            by_email.get(emails.get(row.row) or ""), by_mobile.get(row.mobile or "")
        )
        if known is not None:
            statuses[known.id] = known.status
    return refusals_for(sitting, statuses)


def _eligibility_problem(
    known: Known | None, sitting: Sitting | None, refused: dict[int, list[Msg]]
) -> Msg | None:
    if sitting is None:
        return None
    reasons = refused.get(known.id if known is not None else 0)
    if not reasons:
        return None
    return Msg("not eligible for the sitting: %(reasons)s", code="roster_not_eligible",
               reasons=tuple(reasons))  # fmt: skip
