"""What a 年检 batch reads from the archive: who holds a level certificate in the
organisation's subtree, and for each the facts of the inspected year.

- Holders: people of the subtree with a level certificate whose stored status is valid or
  suspended, issued by 31 December of the year and not expired today; a person with
  several such certificates is inspected on the latest (by issue date).
- A person already judged for the year in another closed batch (a parent's or a child's
  organisation, or one they belonged to before moving) is left out: one judgement a person
  a year, by whichever batch closes first.
- Post: the latest 职务变动 effective by 31 December; none means still in post.
- Trainings and hours: services/training ``subtree_year_totals``; the minimum:
  question_bank/hours.

The holders, their changes of post and their year's training totals are read in three
set-based queries over the subtree, the verdicts of equal facts worked out once, and the
rows written back in bulk (services/bulk: COPY on PostgreSQL): a batch of 100,000 people
takes seconds, not an ORM object each.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from examsvc.extensions import db
from examsvc.models import (
    Certificate,
    CertificateStatus,
    Inspection,
    InspectionResult,
    Organisation,
    PostChange,
    User,
)
from examsvc.models.accounts import LEADER_POSTS
from examsvc.services import bulk, orgs
from examsvc.services.training import subtree_year_totals
from question_bank import hours
from question_bank.errors import Msg
from question_bank.inspection import Facts, judge

#: Rows per executemany and per IN (...) list.
CHUNK = 500
INSPECTED = (CertificateStatus.VALID.value, CertificateStatus.SUSPENDED.value)
#: The facts a result row stores, in this order.
FACT_COLUMNS = ("certificate_id", "in_party_post", "trainings", "hours", "minimum_hours")


@dataclass(frozen=True)
class Holder:
    user_id: int
    certificate_id: int
    in_party_post: bool
    trainings: int
    hours: float
    minimum_hours: float

    def facts(self) -> tuple:
        return tuple(getattr(self, c) for c in FACT_COLUMNS)


def _people(org: Organisation):
    """A SELECT of the ids of the people in ``org``'s subtree."""
    return db.select(User.id).where(User.organisation_id.in_(orgs.subtree_ids(org)))


def _is_leader(is_leader: bool | None, post: str | None) -> bool:
    # User.leader, on plain columns
    if is_leader is not None:
        return is_leader
    return any(word in (post or "") for word in LEADER_POSTS)


def judged_elsewhere(inspection: Inspection) -> set[int]:
    """People of the subtree judged for the same year in another, closed, batch."""
    return set(
        db.session.scalars(
            db.select(InspectionResult.user_id)
            .join(Inspection, Inspection.id == InspectionResult.inspection_id)
            .where(
                Inspection.year == inspection.year,
                Inspection.state == "closed",
                Inspection.id != inspection.id,
                InspectionResult.user_id.in_(_people(inspection.organisation)),
            )
        )
    )


def failed_in(year: int, org: Organisation | None = None, user_ids=None) -> set[int]:
    """People whose inspection of ``year`` failed in a closed batch (of the subtree or ids)."""
    query = (
        db.select(InspectionResult.user_id)
        .join(Inspection, Inspection.id == InspectionResult.inspection_id)
        .where(
            Inspection.year == year,
            Inspection.state == "closed",
            InspectionResult.passed.is_(False),
        )
    )
    if org is not None:
        return set(db.session.scalars(query.where(InspectionResult.user_id.in_(_people(org)))))
    ids, found = sorted(set(user_ids or ())), set()
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        found |= set(db.session.scalars(query.where(InspectionResult.user_id.in_(chunk))))
    return found


def _in_post(org: Organisation, year_end: date) -> dict[int, bool]:
    rows = db.session.execute(
        db.select(PostChange.user_id, PostChange.in_party_post)
        .where(PostChange.user_id.in_(_people(org)), PostChange.effective_on <= year_end)
        .order_by(PostChange.user_id, PostChange.effective_on, PostChange.id)
    )
    return {user_id: bool(in_post) for user_id, in_post in rows}  # the latest wins


def holders(inspection: Inspection, today: date) -> dict[int, Holder]:
    """The people the batch inspects, by user id, with the facts of its year."""
    org, year = inspection.organisation, inspection.year
    year_end = date(year, 12, 31)
    rows = db.session.execute(
        db.select(
            Certificate.user_id, Certificate.id, User.category, User.is_leader, User.post,
            User.party_joined_on,
        )
        .join(User, User.id == Certificate.user_id)
        .where(
            User.organisation_id.in_(orgs.subtree_ids(org)),
            Certificate.kind == "level",
            Certificate.status.in_(INSPECTED),
            Certificate.issued_on <= year_end,
            Certificate.valid_until >= today,
        )
        .order_by(Certificate.user_id, Certificate.issued_on, Certificate.id)
    ).all()  # fmt: skip
    latest = {row[0]: row for row in rows}  # the latest certificate of each person
    for user_id in judged_elsewhere(inspection):
        latest.pop(user_id, None)
    in_post = _in_post(org, year_end)
    # Each a query of its own: joined into the one above, a planner without statistics
    # (a subtree just imported) may compute the totals again for every certificate.
    totals = subtree_year_totals(org, year)
    minimum = lru_cache(maxsize=None)(hours.minimum)  # people share categories and dates
    found = {}
    for user_id, cert_id, category, is_leader, post, joined_on in latest.values():
        total = totals.get(user_id)
        needed = minimum(category, _is_leader(is_leader, post), joined_on, year)
        found[user_id] = Holder(
            user_id, cert_id, in_post.get(user_id, True),
            total.trainings if total else 0, total.hours if total else 0.0, float(needed.hours),
        )  # fmt: skip
    return found


def stored_reasons(messages) -> list[dict]:
    """Messages as a result row keeps them (translated when shown)."""
    return [{"code": m.code, "template": m.template, "params": m.params} for m in messages]


def shown_reasons(stored: list | None) -> list[Msg]:
    return [Msg(r["template"], r.get("code", ""), **r.get("params", {})) for r in stored or []]


def preview(facts: tuple, assessment: str | None) -> tuple[bool, list[dict]]:
    """Passed or not, and why: what does not depend on the year before or the status."""
    _cert, in_post, trainings, hours_, minimum = facts
    verdict = judge(Facts(bool(in_post), trainings, hours_, minimum, assessment))
    return verdict.passed, stored_reasons(verdict.reasons)


def _existing(inspection_id: int) -> dict[int, tuple]:
    rows = db.session.execute(
        db.select(
            InspectionResult.user_id, InspectionResult.id, InspectionResult.assessment,
            *(getattr(InspectionResult, c) for c in FACT_COLUMNS),
        ).where(InspectionResult.inspection_id == inspection_id)
    )  # fmt: skip
    return {row[0]: (row[1], row[2], tuple(row[3:])) for row in rows}


def previews():
    """``preview`` remembering its answers: people with equal facts and assessment (most of
    a batch) share one verdict."""
    return lru_cache(maxsize=None)(lambda facts, assessment: preview((None, *facts), assessment))


def sync(inspection: Inspection, today: date) -> None:
    """Bring the batch's rows in line with the archive: new holders added, people who are no
    longer holders (or were judged elsewhere) dropped, facts and the preview refreshed; the
    assessments entered are kept. Written in bulk, not committed."""
    found = holders(inspection, today)
    existing = _existing(inspection.id)
    verdict = previews()
    inserts, updates = [], []
    for user_id, holder in found.items():
        facts = holder.facts()
        if user_id not in existing:
            passed, reasons = verdict(facts[1:], None)
            inserts.append({
                "inspection_id": inspection.id, "user_id": user_id, "assessment": None,
                **dict(zip(FACT_COLUMNS, facts, strict=True)),
                "passed": passed, "reasons": reasons,
            })  # fmt: skip
            continue
        row_id, assessment, stored = existing[user_id]
        if stored != facts:
            passed, reasons = verdict(facts[1:], assessment)
            updates.append({
                "id": row_id, **dict(zip(FACT_COLUMNS, facts, strict=True)),
                "passed": passed, "reasons": reasons,
            })  # fmt: skip
    gone = [existing[u][0] for u in existing if u not in found]
    for start in range(0, len(gone), CHUNK):
        db.session.execute(
            db.delete(InspectionResult).where(InspectionResult.id.in_(gone[start : start + CHUNK])),
            execution_options={"synchronize_session": False},
        )
    write_rows(inserts, updates)


def write_rows(inserts: list[dict], updates: list[dict]) -> None:
    """Insert and update result rows in bulk, bypassing the identity map (expired after)."""
    db.session.flush()  # the session's own changes first: the bulk writes bypass it
    bulk.insert_rows(InspectionResult, inserts)
    bulk.update_rows(InspectionResult, updates)
    if inserts or updates:
        db.session.expire_all()
