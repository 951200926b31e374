"""Submitting and editing questions: validation, duplicate checks, versions."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

from examsvc.extensions import db
from examsvc.i18n import translate, translate_all
from examsvc.models import (
    CONTENT_FIELDS,
    Question,
    QuestionBand,
    QuestionStatus,
    QuestionVersion,
    ReviewComment,
    Role,
    User,
    utcnow,
)
from examsvc.services import audit, bulk, similarity
from examsvc.services.errors import BadInput, Conflict, Forbidden, NotFound, ServiceError
from examsvc.services.review import needs_second_approval, transition
from question_bank.errors import InvalidQuestion
from question_bank.model import Channel, build_question, exam_mask
from question_bank.model import Question as DomainQuestion


def key_to_json(key: object) -> object:
    if isinstance(key, tuple):
        return [key_to_json(k) for k in key]
    return key


def _validated(fields: dict[str, Any]) -> DomainQuestion:
    try:
        return build_question(**fields)
    except InvalidQuestion as exc:
        problems = [translate(p) for p in exc.problems]
        raise BadInput(
            translate_all(exc.problems), code="invalid_question", problems=problems
        ) from None
    except TypeError:  # a field the domain does not know
        raise BadInput(
            _("the question has a field that is not known"), code="invalid_question"
        ) from None


def _columns(domain: DomainQuestion) -> dict[str, Any]:
    return {
        "type": domain.type.value,
        "area": domain.area,
        "point": domain.point,
        "difficulty": domain.difficulty,
        "stem": domain.stem,
        "options": list(domain.options),
        "key": key_to_json(domain.key),
        "rubric": [[c, p] for c, p in domain.rubric],
        "explanation": domain.explanation,
        "source": domain.source,
        "exam_mask": exam_mask(domain.exams),
    }


def question_columns(fields: dict[str, Any]) -> dict[str, Any]:
    """Validate a question's fields and return its column values (BadInput when invalid)."""
    return _columns(_validated(fields))


def _refuse_exact_duplicate(domain: DomainQuestion, exclude_id: int | None = None) -> None:
    existing = similarity.exact_duplicate(domain.stem, domain.options, exclude_id)
    if existing is not None:
        raise Conflict(
            _("the same question is already in the bank as #%(id)s", id=existing),
            code="duplicate",
        )


def check_channel(contributor: User, channel: str) -> None:
    """Anyone may submit as the public or a grassroots worker; the institution channel is for
    verified institutions (and examiners importing their files)."""
    if channel not in set(Channel):
        raise BadInput(
            _("unknown channel %(channel)s", channel=repr(channel)), code="invalid_channel"
        )
    # Examiners record the channel of the files they import on an institution's behalf.
    verified = contributor.is_institution or contributor.has_role(Role.EXAMINER)
    if channel == Channel.INSTITUTION and not verified:
        raise Forbidden(
            _("only accounts verified as an institution submit through that channel"),
            code="not_institution",
        )


def new_question(
    contributor: User, channel: str, fields: dict[str, Any], status: QuestionStatus
) -> Question:
    """Validate and add a question and its first version (flush only); refuse exact duplicates."""
    questions, failures = add_many(contributor, channel, [fields], status)
    if failures:
        raise failures[0][1]
    return questions[0]


def add_many(
    contributor: User, channel: str, batch: list[dict[str, Any]], status: QuestionStatus
) -> tuple[list[Question | None], list[tuple[int, ServiceError]]]:
    """Validate and add many questions at once (flush only): what an import does.

    Returns the questions in input order (None where an item failed) and the failures by
    index. Exact duplicates of live questions are failures; the caller screens the batch
    for duplicates within itself.
    """
    check_channel(contributor, channel)
    failures: list[tuple[int, ServiceError]] = []
    prepared: list[tuple[int, dict[str, Any], str, list[int]]] = []
    for index, fields in enumerate(batch):
        try:
            columns = _columns(_validated(fields))
        except ServiceError as exc:
            failures.append((index, exc))
            continue
        fingerprint, keys = similarity.signature(columns["stem"], columns["options"])
        prepared.append((index, columns, fingerprint, keys))
    live = similarity.live_fingerprints({p[2] for p in prepared})
    questions: list[Question | None] = [None] * len(batch)
    for index, columns, fingerprint, _keys in prepared:
        if fingerprint in live:
            message = _("the same question is already in the bank as #%(id)s", id=live[fingerprint])
            failures.append((index, Conflict(message, code="duplicate")))
            continue
        questions[index] = Question(
            **columns,
            channel=channel,
            status=status.value,
            contributor_id=contributor.id,
            fingerprint=fingerprint,
        )
    added = [q for q in questions if q is not None]
    db.session.add_all(added)
    db.session.flush()
    _write_versions_and_bands(contributor, questions, prepared)
    failures.sort(key=lambda f: f[0])
    return questions, failures


def _write_versions_and_bands(contributor: User, questions, prepared) -> None:
    versions, bands = [], []
    for index, columns, _fingerprint, keys in prepared:
        question = questions[index]
        if question is None:
            continue
        versions.append(
            {
                **columns,
                "question_id": question.id,
                "version": 1,
                "created_by_id": contributor.id,
                "created_at": question.created_at,
            }
        )
        bands.extend(similarity.band_rows(question.id, keys))
    bulk.insert_rows(QuestionVersion, versions)
    bulk.insert_rows(QuestionBand, bands)


def submit_question(contributor: User, channel: str, fields: dict[str, Any]) -> Question:
    """A contributor submits a question; it waits for an examiner."""
    question = new_question(contributor, channel, fields, QuestionStatus.SUBMITTED)
    audit.record(contributor, "question.submitted", question, type=question.type, channel=channel)
    db.session.commit()
    return question


def own_question(user: User, question_id: int) -> Question:
    """A question the user contributed (examiners may see any)."""
    question = db.session.get(Question, question_id)
    if (
        question is None
        or question.status == QuestionStatus.STAGED  # an import still writing it
        or (question.contributor_id != user.id and not user.has_role(Role.EXAMINER))
    ):
        raise NotFound(_("no such question"))
    return question


def edit_submission(contributor: User, question_id: int, fields: dict[str, Any]) -> Question:
    """The contributor edits a question not yet approved; a returned one goes back to review."""
    question = db.session.get(Question, question_id)
    if question is None or question.contributor_id != contributor.id:
        raise NotFound(_("no such question"))
    if question.status not in (QuestionStatus.SUBMITTED, QuestionStatus.RETURNED):
        raise Conflict(
            _("only a submitted or returned question can be edited"), code="not_editable"
        )
    domain = _validated(fields)
    _refuse_exact_duplicate(domain, exclude_id=question.id)
    _apply(question, _columns(domain), version_row=question.versions[-1])
    if question.status == QuestionStatus.RETURNED:
        transition(question, QuestionStatus.SUBMITTED)
        question.first_approver_id = None
        db.session.add(
            ReviewComment(question_id=question.id, author_id=contributor.id, kind="resubmit")
        )
    audit.record(contributor, "question.edited", question, status=question.status)
    db.session.commit()
    return question


def edit_approved(examiner: User, question_id: int, fields: dict[str, Any], note: str) -> Question:
    """An examiner changes an approved question: a new version; papers keep the one they used.

    Where the question needs two examiners (REVIEW_SECOND_APPROVAL and a certification exam),
    the editor's change counts as the first approval: the question leaves the pool until
    another examiner approves the new version.
    """
    question = db.session.get(Question, question_id)
    if question is None:
        raise NotFound(_("no such question"))
    if question.status != QuestionStatus.APPROVED:
        raise Conflict(_("only an approved question gets a new version"), code="not_editable")
    if not note.strip():
        raise BadInput(_("say what the new version changes"), code="reason_required")
    domain = _validated(fields)
    _refuse_exact_duplicate(domain, exclude_id=question.id)
    columns = _columns(domain)
    if columns == {name: getattr(question, name) for name in CONTENT_FIELDS}:
        raise BadInput(_("nothing was changed"), code="unchanged")
    question.version += 1
    version = QuestionVersion(
        question_id=question.id, version=question.version, created_by_id=examiner.id
    )
    db.session.add(version)
    _apply(question, columns, version_row=version)
    if needs_second_approval(question):
        transition(question, QuestionStatus.IN_REVIEW)
        question.first_approver_id = examiner.id
    db.session.add(
        ReviewComment(
            question_id=question.id, author_id=examiner.id, kind="edit", body=note.strip()
        )
    )
    audit.record(
        examiner, "question.new_version", question, version=question.version, note=note.strip()
    )
    db.session.commit()
    return question


def _apply(question: Question, columns: dict[str, Any], version_row: QuestionVersion) -> None:
    for name, value in columns.items():
        setattr(question, name, value)
        setattr(version_row, name, value)
    question.updated_at = utcnow()
    db.session.flush()
    similarity.index_question(question)
