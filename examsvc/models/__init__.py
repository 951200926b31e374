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
from examsvc.models.inspections import Assessment, Inspection, InspectionResult, Notice
from examsvc.models.integrity import AttemptEvent
from examsvc.models.jobs import Job, JobState, Upload
from examsvc.models.levels import (
    LevelRecord,
    PostChange,
    Promotion,
    PromotionStep,
    PromotionStepRecord,
    RuleSet,
)
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
from examsvc.models.training import (
    CourseMember,
    RecordSource,
    TrainingCourse,
    TrainingKind,
    TrainingRecord,
)
from examsvc.models.types import utcnow

__all__ = [
    "CATEGORIES",
    "CONTENT_FIELDS",
    "OPEN_DISPUTE_STATES",
    "TRANSITIONS",
    "Answer",
    "Assessment",
    "Attempt",
    "AttemptAreaScore",
    "AttemptEvent",
    "AttemptStatus",
    "AuditEntry",
    "Blueprint",
    "BlueprintRow",
    "CalendarDay",
    "Certificate",
    "CertificateStatus",
    "CourseMember",
    "Dispute",
    "DisputeKind",
    "DisputeState",
    "Enrolment",
    "ExamKind",
    "Gender",
    "Inspection",
    "InspectionResult",
    "ItemAnalysis",
    "ItemFlag",
    "Job",
    "JobState",
    "LevelRecord",
    "LoginSession",
    "Mark",
    "MarkingPlan",
    "Notice",
    "Organisation",
    "Paper",
    "PaperItem",
    "PasswordReset",
    "PersonStatus",
    "PostChange",
    "Promotion",
    "PromotionStep",
    "PromotionStepRecord",
    "Question",
    "QuestionBand",
    "QuestionFacility",
    "QuestionStatus",
    "QuestionVersion",
    "RecordSource",
    "Registration",
    "RegistrationDocument",
    "RegistrationState",
    "ReviewComment",
    "Role",
    "RuleSet",
    "Sitting",
    "TimeExtension",
    "TrainingCourse",
    "TrainingKind",
    "TrainingRecord",
    "Upload",
    "User",
    "UserRole",
    "utcnow",
]
