"""ORM models; import from here."""

from examsvc.models.accounts import AuditEntry, Role, User, UserRole
from examsvc.models.bank import TRANSITIONS, Question, QuestionStatus
from examsvc.models.exams import (
    Answer,
    Attempt,
    AttemptStatus,
    Blueprint,
    BlueprintRow,
    Certificate,
    CertificateStatus,
    Enrolment,
    ExamKind,
    Paper,
    PaperItem,
    Sitting,
)
from examsvc.models.types import utcnow

__all__ = [
    "TRANSITIONS",
    "Answer",
    "Attempt",
    "AttemptStatus",
    "AuditEntry",
    "Blueprint",
    "BlueprintRow",
    "Certificate",
    "CertificateStatus",
    "Enrolment",
    "ExamKind",
    "Paper",
    "PaperItem",
    "Question",
    "QuestionStatus",
    "Role",
    "Sitting",
    "User",
    "UserRole",
    "utcnow",
]
