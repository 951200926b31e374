"""Hours per person and calendar year against the minimum of their category (seed 003), and
secretaries' rotation training (seed 004: once a calendar year, one rotation of at least 3
days; see question_bank/training.py); per person and for an organisation's subtree.

The person's archive page and the organisation dashboard read ``yearly_hours`` and
``org_compliance``; the report page and its xlsx export too.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _

from examsvc.extensions import db
from examsvc.models import Organisation, PersonStatus, TrainingKind, TrainingRecord, User
from examsvc.models.accounts import LEADER_POSTS
from examsvc.services import orgs
from examsvc.services.errors import NotFound
from examsvc.services.training import subtree_year_totals
from question_bank.hours import minimum
from question_bank.training import Rotation, compliance, needs_rotation, rotation_in_year


@dataclass(frozen=True)
class YearHours:
    """One person's year: hours recorded against the minimum that applies."""

    year: int
    trainings: int
    hours: float
    minimum: int
    #: Why this minimum: "category", "leader", "new_member" or "none" (question_bank/hours.py).
    basis: str
    ok: bool
    shortfall: float
    #: The year's rotation training for those who owe one (leaders, secretaries); else None.
    rotation: Rotation | None


def is_leader(flag: bool | None, post: str | None) -> bool:
    """``User.leader`` on plain values: the roster's flag, else derived from 职务."""
    if flag is not None:
        return flag
    return any(word in (post or "") for word in LEADER_POSTS)


def _year(
    year: int, trainings: int, hours: float, person: tuple, spans: Sequence[tuple]
) -> YearHours:
    """``person``: (category, is_leader flag, post, party_joined_on)."""
    category, flag, post, joined_on = person
    leader = is_leader(flag, post)
    need = minimum(category, leader, joined_on, year)
    met = compliance(hours, need.hours)
    rotation = rotation_in_year(spans, year) if needs_rotation(leader, category) else None
    return YearHours(year, trainings, met.hours, need.hours, need.basis, met.ok, met.shortfall,
                     rotation)  # fmt: skip


def yearly_hours(user_id: int, years: Iterable[int]) -> list[YearHours]:
    """The person's hours, minimum, basis and outcome for each of ``years`` (in that order)."""
    person = db.session.get(User, user_id)
    if person is None:
        raise NotFound(_("No such person."), code="unknown_person")
    wanted = sorted(set(years))
    if not wanted:
        return []
    records = db.session.execute(
        db.select(TrainingRecord.kind, TrainingRecord.starts_on, TrainingRecord.ends_on,
                  TrainingRecord.hours)
        .where(TrainingRecord.user_id == user_id,
               TrainingRecord.ends_on.between(date(wanted[0], 1, 1), date(wanted[-1], 12, 31)))
    ).all()  # fmt: skip
    profile = (person.category, person.is_leader, person.post, person.party_joined_on)
    shown = []
    for year in years:
        of_year = [r for r in records if r.ends_on.year == year]
        hours = round(sum(float(r.hours) for r in of_year), 1)
        spans = [(r.kind, r.starts_on, r.ends_on) for r in of_year]
        shown.append(_year(year, len(of_year), hours, profile, spans))
    return shown


@dataclass(frozen=True)
class PersonYear:
    """One row of an organisation's report."""

    user_id: int
    name: str
    organisation_id: int | None
    category: str | None
    leader: bool
    hours: YearHours


@dataclass
class Group:
    """People of one organisation branch or one category, and how many met the minimum."""

    key: str
    label: str
    people: int = 0
    met: int = 0

    @property
    def share(self) -> float:
        return self.met / self.people if self.people else 0.0


@dataclass
class OrgCompliance:
    org: Organisation
    year: int
    rows: list[PersonYear] = field(default_factory=list)
    #: The organisation's own people, then each child's subtree (in code order).
    by_org: list[Group] = field(default_factory=list)
    by_category: list[Group] = field(default_factory=list)
    organisations: dict[int, Organisation] = field(default_factory=dict)

    @property
    def met(self) -> int:
        return sum(1 for r in self.rows if r.hours.ok)

    @property
    def below(self) -> list[PersonYear]:
        return [r for r in self.rows if not r.hours.ok]


def _rotations(org: Organisation, owing: set[int], year: int) -> dict[int, list[tuple]]:
    """The rotation trainings of ``year`` of those in ``owing`` (people of the subtree), in
    one query over the subtree."""
    people = db.select(User.id).where(User.organisation_id.in_(orgs.subtree_ids(org)))
    rows = db.session.execute(
        db.select(TrainingRecord.user_id, TrainingRecord.kind, TrainingRecord.starts_on,
                  TrainingRecord.ends_on)
        .where(TrainingRecord.user_id.in_(people),
               TrainingRecord.kind == str(TrainingKind.ROTATION),
               TrainingRecord.ends_on.between(date(year, 1, 1), date(year, 12, 31)))
    )  # fmt: skip
    spans: dict[int, list[tuple]] = {}
    for user_id, kind, starts_on, ends_on in rows:
        if user_id in owing:
            spans.setdefault(user_id, []).append((kind, starts_on, ends_on))
    return spans


def org_compliance(org: Organisation, year: int) -> OrgCompliance:
    """Every active person of ``org``'s subtree with their hours in ``year`` against their
    minimum, grouped by branch (the org's children) and by category."""
    report = OrgCompliance(org, year)
    report.organisations = {
        o.id: o
        for o in db.session.scalars(
            db.select(Organisation).where(Organisation.path.startswith(org.path))
        )
    }
    people = db.session.execute(
        db.select(User.id, User.name, User.organisation_id, User.category, User.is_leader,
                  User.post, User.party_joined_on)
        .where(User.organisation_id.in_(orgs.subtree_ids(org)),
               User.status == str(PersonStatus.ACTIVE))
    ).all()  # fmt: skip
    totals = subtree_year_totals(org, year)  # one grouped query, however big the subtree
    owing = {p.id for p in people if needs_rotation(is_leader(p.is_leader, p.post), p.category)}
    spans = _rotations(org, owing, year) if owing else {}
    for p in people:
        total = totals.get(p.id)
        hours = _year(year, total.trainings if total else 0, total.hours if total else 0.0,
                      (p.category, p.is_leader, p.post, p.party_joined_on),
                      spans.get(p.id, []))  # fmt: skip
        report.rows.append(PersonYear(p.id, p.name, p.organisation_id, p.category,
                                      is_leader(p.is_leader, p.post), hours))  # fmt: skip
    paths = {o.id: o.path for o in report.organisations.values()}
    report.rows.sort(key=lambda r: (paths.get(r.organisation_id or 0, ""), r.name, r.user_id))
    report.by_org = _by_branch(report)
    report.by_category = _by_category(report.rows)
    return report


def _branch_of(report: OrgCompliance, org_id: int | None) -> int:
    """The child of the report's organisation whose subtree holds ``org_id`` (or the org)."""
    org = report.organisations.get(org_id or 0)
    if org is None or org.id == report.org.id:
        return report.org.id
    rest = org.path[len(report.org.path) :].strip("/").split("/")
    return int(rest[0]) if rest and rest[0].isdigit() else report.org.id


def _by_branch(report: OrgCompliance) -> list[Group]:
    groups: dict[int, Group] = {}
    for row in report.rows:
        branch = _branch_of(report, row.organisation_id)
        org = report.organisations[branch]
        group = groups.setdefault(branch, Group(str(branch), org.name))
        group.people += 1
        group.met += row.hours.ok
    own = [groups.pop(report.org.id)] if report.org.id in groups else []
    return own + sorted(groups.values(), key=lambda g: report.organisations[int(g.key)].code)


def _by_category(rows: list[PersonYear]) -> list[Group]:
    from examsvc.labels import CATEGORY_LABELS

    groups: dict[str, Group] = {}
    for row in rows:
        key = row.category or ""
        label = str(CATEGORY_LABELS.get(key, _("Category not given")))
        group = groups.setdefault(key, Group(key, label))
        group.people += 1
        group.met += row.hours.ok
    order = list(CATEGORY_LABELS)
    return sorted(groups.values(), key=lambda g: order.index(g.key) if g.key in order else 99)
