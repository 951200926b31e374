"""Display names of codes, translated lazily."""

from flask_babel import lazy_gettext as _l
from wtforms import SelectChoice

AREA_LABELS = {
    "theory": _l("Party theory"),
    "constitution": _l("Party Constitution and regulations"),
    "history": _l("Party history"),
    "practice": _l("Party-building practice"),
    "discipline": _l("Discipline and integrity"),
    "two_new": _l("Party building in two-new organisations"),
    "management": _l("Enterprise management"),
    "social_work": _l("Social work and mass work"),
    "law": _l("Laws and regulations"),
    "it": _l("Information technology"),
    "propaganda": _l("Publicity and ideology"),
}
TYPE_LABELS = {
    "single": _l("Single choice"),
    "multiple": _l("Multiple choice"),
    "judge": _l("True or false"),
    "fill": _l("Fill in the blank"),
    "short": _l("Short answer"),
}
CHANNEL_LABELS = {
    "public": _l("Public (open call)"),
    "grassroots": _l("Grassroots party worker"),
    "institution": _l("Professional institution"),
}


def template_labels() -> dict:
    return {
        "area_labels": AREA_LABELS,
        "type_labels": TYPE_LABELS,
        "channel_labels": CHANNEL_LABELS,
        "exam_labels": EXAM_LABELS,
        "status_labels": STATUS_LABELS,
        "role_labels": ROLE_LABELS,
        "audit_labels": AUDIT_LABELS,
        "audit_detail_labels": AUDIT_DETAIL_LABELS,
        "subject_labels": SUBJECT_LABELS,
        "category_labels": CATEGORY_LABELS,
        "person_status_labels": PERSON_STATUS_LABELS,
        "gender_labels": GENDER_LABELS,
    }


def choices(mapping: dict, *, first: tuple | None = None) -> list[SelectChoice]:
    """Select options from a code → label mapping, optionally led by an extra option."""
    items = ([first] if first else []) + list(mapping.items())
    return [SelectChoice(str(value), label) for value, label in items]


#: 人员类别 for training hours (DOMAIN.md, seed 003).
CATEGORY_LABELS = {
    "community": _l("Rural and community"),
    "organ": _l("Party and government organs, public institutions"),
    "soe": _l("State-owned and financial enterprises"),
    "two_new": _l("Two-new organisations"),
    "student": _l("Students"),
    "floating": _l("Floating party members"),
    "village_secretary": _l("Village and community secretaries"),
    "two_new_secretary": _l("Secretaries of two-new organisations"),
    "village_official": _l("College-graduate village officials"),
}
PERSON_STATUS_LABELS = {
    "pending": _l("Awaiting approval"),
    "active": _l("Active"),
    "disabled": _l("Disabled"),
}
GENDER_LABELS = {"M": _l("Male"), "F": _l("Female")}

EXAM_LABELS = {
    "training": _l("Training test"),
    "post_qualification": _l("Post qualification"),
    "L1": _l("Level 1 (junior)"),
    "L2": _l("Level 2 (intermediate)"),
    "L3": _l("Level 3 (senior)"),
    "L4": _l("Level 4 (special)"),
}
STATUS_LABELS = {
    "submitted": _l("Submitted"),
    "in_review": _l("In review"),
    "approved": _l("Approved"),
    "returned": _l("Returned"),
    "rejected": _l("Rejected"),
    "retired": _l("Retired"),
}
ROLE_LABELS = {
    "candidate": _l("Candidate"),
    "contributor": _l("Contributor"),
    "examiner": _l("Examiner"),
    "org_admin": _l("Organisation admin"),
    "admin": _l("Administrator"),
}
#: What each audit action records, as the audit log page names it.
AUDIT_LABELS = {
    "user.registered": _l("Registered"),
    "user.created": _l("Account created"),
    "user.logged_in": _l("Logged in"),
    "user.password_changed": _l("Password changed"),
    "user.institution_verified": _l("Verified as an institution"),
    "user.institution_revoked": _l("Institution verification withdrawn"),
    "question.submitted": _l("Question submitted"),
    "question.edited": _l("Question edited"),
    "question.commented": _l("Question commented on"),
    "question.first_approval": _l("Question approved by a first examiner"),
    "question.approved": _l("Question approved"),
    "question.returned": _l("Question returned"),
    "question.rejected": _l("Question rejected"),
    "question.marked_duplicate": _l("Question marked as a duplicate"),
    "question.new_version": _l("New version of a question"),
    "question.retired": _l("Question retired"),
    "bank.imported": _l("Question file imported"),
    "blueprint.created": _l("Blueprint created"),
    "sitting.created": _l("Sitting created"),
    "sitting.enrolled": _l("Candidate enrolled"),
    "sitting.papers_drawn": _l("Papers drawn"),
    "sitting.papers_redrawn": _l("Papers drawn again"),
    "sitting.results_published": _l("Results published"),
    "attempt.started": _l("Exam started"),
    "attempt.submitted": _l("Exam handed in"),
    "attempt.auto_submitted": _l("Exam closed at its deadline"),
    "certificate.issued": _l("Certificate issued"),
    "demo.questions_seeded": _l("Demo questions added"),
    "id_number.revealed": _l("ID number shown in full"),
    "id_number.keys_rotated": _l("ID numbers encrypted under a new key"),
    "org.created": _l("Organisation created"),
    "org.renamed": _l("Organisation renamed"),
    "org.moved": _l("Organisation moved"),
    "org.closed": _l("Organisation closed"),
    "org.admin_assigned": _l("Organisation admin assigned"),
    "org.admin_removed": _l("Organisation admin removed"),
    "roster.imported": _l("Roster imported"),
    "user.roster_updated": _l("Profile updated from a roster"),
    "attempt.focus_limit_reached": _l("Exam handed in at the focus-loss limit"),
}
SUBJECT_LABELS = {
    "user": _l("Account"),
    "question": _l("Question"),
    "blueprint": _l("Blueprint"),
    "sitting": _l("Sitting"),
    "enrolment": _l("Enrolment"),
    "attempt": _l("Attempt"),
    "certificate": _l("Certificate"),
    "organisation": _l("Organisation"),
    "system": _l("System"),
}
#: Names of the details audit entries carry (others show their own key).
AUDIT_DETAIL_LABELS = {
    "email": _l("E-mail"),
    "code": _l("Code"),
    "parent": _l("Parent organisation"),
    "previous": _l("Before"),
    "previous_parent": _l("Previous parent"),
    "previous_org": _l("Previously managed organisation"),
    "roles": _l("Roles"),
    "type": _l("Type"),
    "channel": _l("Channel"),
    "status": _l("Status"),
    "reason": _l("Reason"),
    "note": _l("Note"),
    "version": _l("Version"),
    "duplicate_of": _l("Duplicate of"),
    "name": _l("Name"),
    "items": _l("Items"),
    "total": _l("Total points"),
    "blueprint": _l("Blueprint"),
    "sitting": _l("Sitting"),
    "user": _l("Account"),
    "seed": _l("Seed"),
    "paper_seed": _l("Paper seed"),
    "bank_hash": _l("Bank fingerprint"),
    "deadline": _l("Deadline"),
    "score": _l("Score"),
    "number": _l("Certificate number"),
    "papers": _l("Papers"),
    "imported": _l("Imported"),
    "skipped": _l("Left out"),
    "file": _l("File"),
    "format": _l("Format"),
    "approved": _l("Approved at once"),
    "by_type": _l("By type"),
    "previous_seed": _l("Previous seed"),
    "numpy": _l("numpy version"),
    "target": _l("Target score"),
    "score_spread": _l("Score spread"),
    "max_exposure": _l("Highest exposure"),
    "effective_cap": _l("Exposure cap used"),
    "count": _l("Count"),
    "seen": _l("Checked"),
    "reencrypted": _l("Encrypted again"),
    "rehashed": _l("Lookup hashes recomputed"),
    "unreadable": _l("Could not be decrypted"),
    "focus_losses": _l("Focus losses"),
    "limit": _l("Limit"),
}
#: What the exam page reports (services/integrity.py).
EVENT_LABELS = {
    "blur": _l("Left the exam page"),
    "focus": _l("Came back to the exam page"),
    "fullscreen_exit": _l("Left full screen"),
    "copy": _l("Copied text"),
    "paste": _l("Pasted text"),
    "offline": _l("Went offline"),
    "online": _l("Back online"),
    "limit_reached": _l("Handed in by the server at the focus-loss limit"),
}
