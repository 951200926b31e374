"""Who may be enrolled in a sitting: plain values in, the reasons for a refusal out.

The service gathers, for each person, what these rules need (the registration state, the
exams already passed in published sittings, the level currently held) in a few batched
queries, and asks ``refusals``; an empty list means the person may sit the exam.

Party membership is deliberately no rule here: anyone may sit the post-qualification exam,
and membership is checked when its certificate is issued (DOMAIN.md, "Party membership").
"""

from __future__ import annotations

from dataclasses import dataclass, field

from question_bank.errors import Code, Msg

#: Exam kinds (examsvc.models.ExamKind values).
LEVEL = "level"
#: The highest level (特级, L4).
TOP_LEVEL = 4
#: Exams a person passes once: a training test is passed again before certification and
#: before each promotion (DESIGN.md, "Certificates"), so passing one never refuses the next.
PASSED_ONCE = frozenset({"post_qualification", LEVEL})


@dataclass(frozen=True)
class Exam:
    """The exam a sitting serves: its kind and, for a level exam, the level 1–4 it confers."""

    kind: str
    level: int = 0
    #: 0 for an original sitting; n for its n-th resit (补考).
    resit: int = 0
    #: Resits the blueprint allows.
    resits_allowed: int = 1

    @property
    def code(self) -> str:
        """The exam as question_bank.model.EXAMS names it: "L2", "post_qualification"…"""
        return f"L{self.level}" if self.kind == LEVEL else self.kind

    @property
    def key(self) -> tuple[str, int]:
        """What "the same exam" means for "already passed": the kind, and the level for levels."""
        return (self.kind, self.level if self.kind == LEVEL else 0)


@dataclass(frozen=True)
class Candidate:
    """What the rules know of a person."""

    #: people.PersonStatus: "pending" (待审核), "active" (正常), "disabled" (停用).
    status: str
    #: Exams passed in sittings whose results are published, as ``Exam.key`` values.
    passed: frozenset[tuple[str, int]] = field(default_factory=frozenset)
    #: The level (1–4) the person holds now; 0 for none.
    level: int = 0
    #: Failed the sitting a resit follows (its results published).
    failed_previous: bool = False
    #: The level held is suspended (a failed 年检): kept, but no promotion until reinstated.
    level_suspended: bool = False
    #: Other resits of the same original sitting the person sat or is enrolled in.
    resits_taken: int = 0


def refusals(exam: Exam, person: Candidate) -> list[Msg]:
    """Every reason the person may not sit the exam; empty when they may."""
    reasons: list[Msg] = []
    if person.status == "pending":
        reasons.append(Msg("the registration is not approved yet", code="not_approved"))
    elif person.status == "disabled":
        reasons.append(Msg("the account is disabled", code="account_disabled"))
    elif person.status != "active":
        reasons.append(
            Msg("the registration state %(state)s is unknown", code="unknown_status",
                state=person.status)
        )  # fmt: skip
    if exam.kind in PASSED_ONCE and exam.key in person.passed:
        reasons.append(
            Msg("already passed the %(exam)s exam", code="already_passed",
                exam=Code(exam.code, "exam"))
        )  # fmt: skip
    if exam.kind == LEVEL:
        reasons += _level_refusals(exam.level, person.level, person.level_suspended)
    if exam.resit:
        reasons += _resit_refusals(exam, person)
    return reasons


def _resit_refusals(exam: Exam, person: Candidate) -> list[Msg]:
    """A resit is for those who failed the sitting it follows, within the resits allowed:
    counted over every resit of the same original sitting, not only those this one follows."""
    if exam.resit > exam.resits_allowed:
        return [Msg("the exam allows %(n)s resits", code="no_more_resits", n=exam.resits_allowed)]
    if person.resits_taken >= exam.resits_allowed:
        return [Msg("already sat or is enrolled in another resit of this exam (resits allowed: "
                    "%(n)s)", code="resits_used", n=exam.resits_allowed)]  # fmt: skip
    if not person.failed_previous:
        return [Msg("a resit is only for candidates who failed the sitting before it",
                    code="resit_not_failed")]  # fmt: skip
    return []


def _level_refusals(level: int, held: int, suspended: bool = False) -> list[Msg]:
    """A level exam L(n) is for holders of level n−1 (L1: for people with no level yet);
    promotions go one level at a time, and a suspended holder is not promoted."""
    if not 1 <= level <= TOP_LEVEL:
        return [Msg("the sitting's exam has no level 1 to 4", code="no_level")]
    if held >= level:
        return [
            Msg("already holds level %(held)s", code="level_held",
                held=Code(f"L{held}", "exam"))
        ]  # fmt: skip
    if held < level - 1:
        return [
            Msg("a level %(level)s exam needs level %(below)s first", code="level_below_missing",
                level=Code(f"L{level}", "exam"), below=Code(f"L{level - 1}", "exam"))
        ]  # fmt: skip
    if suspended:
        return [Msg("the level certificate is suspended (a failed annual inspection): a "
                    "suspended holder cannot be promoted", code="suspended")]  # fmt: skip
    return []
