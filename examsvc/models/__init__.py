"""ORM models; import from here."""

from examsvc.models.accounts import AuditEntry, LoginSession, Role, User, UserRole
from examsvc.models.bank import (
    CONTENT_FIELDS,
    TRANSITIONS,
    Question,
    QuestionBand,
    QuestionStatus,
    QuestionVersion,
    ReviewComment,
)
from examsvc.models.enrolment import TimeExtension
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
from examsvc.models.integrity import AttemptEvent
from examsvc.models.jobs import Job, JobState, Upload
from examsvc.models.marking import (
    AttemptAreaScore,
    ItemAnalysis,
    ItemFlag,
    Mark,
    MarkingPlan,
    QuestionFacility,
)
from examsvc.models.people import CATEGORIES, Gender, Organisation, PersonStatus
from examsvc.models.registration import Registration, RegistrationDocument, RegistrationState
from examsvc.models.resets import PasswordReset
from examsvc.models.results import (
    OPEN_DISPUTE_STATES,
    CalendarDay,
    Dispute,
    DisputeKind,
    DisputeState,
)
from examsvc.models.types import utcnow

__all__ = [
    "CATEGORIES",
    "CONTENT_FIELDS",
    "TRANSITIONS",
    "Answer",
    "Attempt",
    "AttemptStatus",
    "AuditEntry",
    "AttemptEvent",
    "Blueprint",
    "BlueprintRow",
    "Certificate",
    "CertificateStatus",
    "Enrolment",
    "ExamKind",
    "Gender",
    "Job",
    "JobState",
    "LoginSession",
    "Organisation",
    "Paper",
    "PaperItem",
    "PersonStatus",
    "Question",
    "QuestionBand",
    "QuestionStatus",
    "QuestionVersion",
    "ReviewComment",
    "Role",
    "Sitting",
    "User",
    "Upload",
    "UserRole",
    "utcnow",
    "TimeExtension",
    "Registration",
    "RegistrationDocument",
    "RegistrationState",
    "PasswordReset",
    "CalendarDay",
    "Dispute",
    "DisputeKind",
    "DisputeState",
    "OPEN_DISPUTE_STATES",
    "AttemptAreaScore",
    "ItemAnalysis",
    "ItemFlag",
    "Mark",
    "MarkingPlan",
    "QuestionFacility",
]
