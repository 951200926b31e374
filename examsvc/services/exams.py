"""Blueprints, sittings, enrolment and drawing each candidate's paper."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from flask_babel import gettext as _

from examsvc.extensions import db
from examsvc.i18n import translate
from examsvc.models import (
    Blueprint,
    BlueprintRow,
    Enrolment,
    ExamKind,
    Question,
    QuestionStatus,
    Sitting,
    User,
    utcnow,
)
from examsvc.services import accounts, audit
from examsvc.services.errors import BadInput, Conflict, NotFound
from examsvc.services.queries import contains
from question_bank import assembly
from question_bank.model import AREAS, EXAMS, QuestionType
from question_bank.scoring import DEFAULT_PARTIAL_SHARE, MultipleRule


@dataclass(frozen=True)
class RowSpec:
    area: str | None
    type: str
    count: int
    points: float
    difficulty: tuple[int, int] | None = None  #: inclusive band of 1–5 ratings
    section: str = ""


@dataclass(frozen=True)
class Fairness:
    """How a blueprint's papers are made fair; defaults as DOMAIN.md and the issue give them."""

    exposure_cap: float = 0.2
    tolerance_points: float = 0.5
    paper_mode: str = "per_candidate"
    enemy_rule: bool = True
    shuffle_questions: bool = True
    shuffle_options: bool = True


def _check_rows(rows: list[RowSpec]) -> None:
    if not rows:
        raise BadInput(_("a blueprint needs at least one row"), code="invalid_blueprint")
    for i, row in enumerate(rows, start=1):
        if row.area is not None and row.area not in AREAS:
            raise BadInput(
                _("row %(row)s: unknown knowledge area %(area)s", row=i, area=repr(row.area)),
                code="invalid_blueprint",
            )
        if row.type not in set(QuestionType):
            raise BadInput(
                _("row %(row)s: unknown question type %(type)s", row=i, type=repr(row.type)),
                code="invalid_blueprint",
            )
        if not 1 <= row.count <= 500:
            raise BadInput(
                _("row %(row)s: the count must be 1 to 500", row=i), code="invalid_blueprint"
            )
        band = row.difficulty
        if band is not None and not 1 <= band[0] <= band[1] <= 5:
            raise BadInput(
                _("row %(row)s: the difficulty band must lie within 1 to 5", row=i),
                code="invalid_blueprint",
            )
        if not 0 < row.points <= 100:
            raise BadInput(
                _("row %(row)s: points must be above 0 and at most 100", row=i),
                code="invalid_blueprint",
            )


def create_blueprint(
    admin: User,
    *,
    name: str,
    exam_kind: str,
    duration_minutes: int,
    pass_mark: float,
    rows: list[RowSpec],
    level: int = 0,
    multiple_rule: str = MultipleRule.ALL_OR_NOTHING.value,
    partial_share: float = float(DEFAULT_PARTIAL_SHARE),
    fairness: Fairness = Fairness(),
) -> Blueprint:
    """Create a blueprint from its rows; the pass mark must be reachable. ``partial_share``:
    what a correct subset of a 多选 key earns under ``fixed_partial`` (0.5: 少选得一半)."""
    _check_rows(rows)
    if exam_kind not in set(ExamKind) or multiple_rule not in set(MultipleRule):
        raise BadInput(_("unknown exam kind or scoring rule"), code="invalid_blueprint")
    share = Decimal(str(partial_share))
    if not (share.is_finite() and 0 < share < 1 and share == share.quantize(Decimal("0.01"))):
        raise BadInput(
            _("the share of a correct subset must lie between 0 and 1, to the hundredth"),
            code="invalid_blueprint",
        )
    if not 1 <= duration_minutes <= 600:
        raise BadInput(_("the duration must be 1 to 600 minutes"), code="invalid_blueprint")
    _check_fairness(fairness)
    total = sum(r.count * r.points for r in rows)
    if not 0 < pass_mark <= total:
        raise BadInput(
            _(
                "the pass mark must be above 0 and at most the total of %(total)s",
                total=f"{total:g}",
            ),
            code="invalid_blueprint",
        )
    blueprint = Blueprint(
        name=name.strip(),
        exam_kind=exam_kind,
        level=level,
        duration_minutes=duration_minutes,
        pass_mark=pass_mark,
        multiple_rule=multiple_rule,
        partial_share=float(share),
        created_by_id=admin.id,
        exposure_cap=fairness.exposure_cap,
        tolerance_points=fairness.tolerance_points,
        paper_mode=fairness.paper_mode,
        enemy_rule=fairness.enemy_rule,
        shuffle_questions=fairness.shuffle_questions,
        shuffle_options=fairness.shuffle_options,
    )
    blueprint.rows = [
        BlueprintRow(
            position=i,
            area=r.area,
            type=r.type,
            count=r.count,
            points=r.points,
            difficulty_min=r.difficulty[0] if r.difficulty else None,
            difficulty_max=r.difficulty[1] if r.difficulty else None,
            section=r.section.strip()[:100],
        )
        for i, r in enumerate(rows)
    ]
    _refuse_infeasible(blueprint)
    db.session.add(blueprint)
    audit.record(
        admin,
        "blueprint.created",
        blueprint,
        name=blueprint.name,
        items=blueprint.item_count,
        total=total,
        multiple_rule=multiple_rule,
        partial_share=float(share),
    )
    db.session.commit()
    return blueprint


def _check_fairness(fairness: Fairness) -> None:
    if not 0 < fairness.exposure_cap <= 1:
        raise BadInput(
            _("the exposure cap must be above 0 and at most 100 percent"), code="invalid_blueprint"
        )
    if not 0 < fairness.tolerance_points <= 10:
        raise BadInput(
            _("the tolerance must be above 0 and at most 10 points"), code="invalid_blueprint"
        )
    if fairness.paper_mode not in ("per_candidate", "shared"):
        raise BadInput(_("unknown paper mode"), code="invalid_blueprint")


def _refuse_infeasible(blueprint: Blueprint) -> None:
    """A blueprint the approved bank cannot fill is never saved nor given a sitting."""
    shortfalls = feasibility(blueprint)
    if shortfalls:
        raise Conflict(
            _(
                "The approved bank cannot fill this blueprint (%(shortfalls)s): approve more "
                "questions or ask for fewer.",
                shortfalls=_("; ").join(shortfalls),
            ),
            code="blueprint_infeasible",
        )


def create_sitting(
    admin: User,
    blueprint_id: int,
    name: str,
    opens_at: datetime,
    closes_at: datetime,
    place: str = "",
    focus_loss_limit: int | None = None,
) -> Sitting:
    """Schedule a sitting of a blueprint; its seed is drawn now and kept. ``place``: the
    venue printed on admission tickets."""
    blueprint = db.session.get(Blueprint, blueprint_id)
    if blueprint is None:
        raise NotFound(_("no such blueprint"))
    _refuse_infeasible(blueprint)  # the bank may have shrunk since the blueprint was saved
    if closes_at <= opens_at:
        raise BadInput(_("the sitting must close after it opens"), code="invalid_window")
    place = (place or "").strip()
    if len(place) > 200:
        raise BadInput(_("The place is too long (at most 200 characters)."))
    sitting = Sitting(
        name=name.strip(),
        blueprint=blueprint,
        opens_at=opens_at,
        closes_at=closes_at,
        seed=secrets.randbits(62),
        created_by_id=admin.id,
        place=place,
        focus_loss_limit=focus_loss_limit,
    )
    db.session.add(sitting)
    audit.record(
        admin,
        "sitting.created",
        sitting,
        name=sitting.name,
        blueprint=blueprint.id,
        seed=sitting.seed,
        place=place,
        focus_loss_limit=focus_loss_limit,
    )
    db.session.commit()
    return sitting


def exam_code(blueprint: Blueprint) -> str:
    """The exam a blueprint's papers serve, as question_bank.model.EXAMS names it."""
    return f"L{blueprint.level}" if blueprint.exam_kind == ExamKind.LEVEL else blueprint.exam_kind


def eligible_questions(blueprint: Blueprint):
    """A query of the approved questions a blueprint may draw from."""
    code = exam_code(blueprint)
    bit = 1 << EXAMS.index(code) if code in EXAMS else 0
    return db.select(Question).where(
        Question.status == QuestionStatus.APPROVED.value,
        Question.type.in_({r.type for r in blueprint.rows}),
        Question.exam_mask.op("&")(bit) != 0,
    )


def bank_items(blueprint: Blueprint) -> list[assembly.BankItem]:
    """The approved items a blueprint may draw from, as plain values."""
    columns = (
        Question.id,
        Question.version,
        Question.area,
        Question.type,
        Question.options,
        Question.difficulty,
    )
    query = eligible_questions(blueprint).with_only_columns(*columns)
    return [
        assembly.BankItem(qid, version, area, QuestionType(qtype), len(options or []), difficulty)
        for qid, version, area, qtype, options, difficulty in db.session.execute(query)
    ]


def row_specs(blueprint: Blueprint) -> list[assembly.BlueprintRow]:
    return [
        assembly.BlueprintRow(
            r.area,
            QuestionType(r.type),
            r.count,
            r.points,
            (r.difficulty_min or 1, r.difficulty_max or 5)
            if r.difficulty_min or r.difficulty_max
            else None,
        )
        for r in blueprint.rows
    ]


def check_rows(rows: list[RowSpec], exam_kind: str, level: int, exposure_cap: float) -> list[dict]:
    """Per row: approved items that fit it, and the lowest exposure the bank allows for it."""
    code = f"L{level}" if exam_kind == ExamKind.LEVEL else exam_kind
    bit = 1 << EXAMS.index(code) if code in EXAMS else 0
    found = db.session.execute(
        db.select(Question.area, Question.type, Question.difficulty, db.func.count())
        .where(
            Question.status == QuestionStatus.APPROVED.value, Question.exam_mask.op("&")(bit) != 0
        )
        .group_by(Question.area, Question.type, Question.difficulty)
    ).all()
    report = []
    for row in rows:
        low, high = row.difficulty or (1, 5)
        available = sum(
            n
            for area, qtype, difficulty, n in found
            if qtype == row.type
            and (row.area is None or area == row.area)
            and low <= difficulty <= high
        )
        lowest = row.count / available if available else None
        report.append(
            {
                "available": available,
                "needed": row.count,
                "enough": available >= row.count,
                "lowest_cap": round(lowest, 4) if lowest is not None else None,
                "cap_ok": lowest is not None and lowest <= exposure_cap,
            }
        )
    return report


def feasibility(blueprint: Blueprint) -> list[str]:
    """Human-readable shortfalls of the blueprint against the approved bank (empty: feasible)."""
    return [
        _(
            "%(cell)s: %(available)s/%(needed)s",
            cell=translate(s.describe()),
            available=s.available,
            needed=s.needed,
        )
        for s in assembly.check_feasible(row_specs(blueprint), bank_items(blueprint))
    ]


def enrol(admin: User, sitting_id: int, login: str) -> Enrolment:
    """Enrol a registered candidate, found by e-mail address or mobile number (their paper is
    drawn with the sitting's, or now if late)."""
    sitting = db.session.get(Sitting, sitting_id)
    if sitting is None:
        raise NotFound(_("no such sitting"))
    from examsvc.services.roster.writes import check_enrollable

    check_enrollable(sitting)  # not closed, results not published
    user = accounts.find_by_login(login)
    if user is None:
        raise NotFound(
            _("no account with the e-mail address or mobile number %(login)s", login=login.strip()),
            code="unknown_user",
        )
    exists = db.session.scalar(
        db.select(Enrolment.id).where(
            Enrolment.sitting_id == sitting.id, Enrolment.user_id == user.id
        )
    )
    if exists is not None:
        raise Conflict(
            _("%(email)s is already enrolled", email=user.login), code="already_enrolled"
        )
    from examsvc.services.enrolment import check_eligible

    check_eligible(user, sitting)  # registration approved, not passed, the level below held
    # The admission number is built from the row's own id, so concurrent enrolments never
    # collide: a unique placeholder holds the column until the id exists.
    enrolment = Enrolment(
        sitting=sitting, user=user, admission_no=f"pending-{secrets.token_hex(12)}"
    )
    db.session.add(enrolment)
    db.session.flush()
    enrolment.admission_no = f"{sitting.opens_at:%Y}{sitting.id:05d}{enrolment.id:07d}"
    # Papers are drawn for the whole sitting by "randomize"; a candidate enrolled after that,
    # or once the sitting is open, gets a paper of their own now.
    paper = None
    if sitting.papers_drawn_at is not None or sitting.state(utcnow()) != "scheduled":
        from examsvc.services.assembly import draw_late

        paper = draw_late(enrolment)
    audit.record(
        admin,
        "sitting.enrolled",
        enrolment,
        sitting=sitting.id,
        user=user.id,
        paper_seed=paper.seed if paper else None,
        bank_hash=paper.bank_hash if paper else None,
    )
    db.session.commit()
    return enrolment


def list_blueprints() -> list[Blueprint]:
    return list(db.session.scalars(db.select(Blueprint).order_by(Blueprint.id.desc())))


def blueprints_page(page: int, text: str = "", per_page: int = 20):
    """One page of blueprints, newest first; ``text`` searches their names."""
    query = db.select(Blueprint).order_by(Blueprint.id.desc())
    if text.strip():
        query = query.where(contains(Blueprint.name, text.strip()))
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


def sittings_page(page: int, text: str = "", per_page: int = 20):
    """One page of sittings, latest opening first; ``text`` searches their names."""
    query = db.select(Sitting).order_by(Sitting.opens_at.desc(), Sitting.id.desc())
    if text.strip():
        query = query.where(contains(Sitting.name, text.strip()))
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


def list_sittings() -> list[Sitting]:
    return list(db.session.scalars(db.select(Sitting).order_by(Sitting.opens_at.desc())))


def get_sitting(sitting_id: int) -> Sitting:
    sitting = db.session.get(Sitting, sitting_id)
    if sitting is None:
        raise NotFound(_("no such sitting"))
    return sitting


def enrolments_of(sitting: Sitting) -> list[Enrolment]:
    return list(
        db.session.scalars(
            db.select(Enrolment).where(Enrolment.sitting_id == sitting.id).order_by(Enrolment.id)
        )
    )
