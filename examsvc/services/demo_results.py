"""The demo's finished sitting: a few hundred simulated candidates, marked, scored, published,
with its item analysis, so results, 公示 and statistics pages open full of data.

Answers come from a two-parameter logistic model: each candidate has an ability θ ~ N(0, 1),
each item a difficulty from its 1–5 rating, and a candidate answers right with probability
c + (1 − c) / (1 + e^(−1.7·a·(θ − b))) (c the chance of guessing). Wrong answers pick a
distractor with uneven weights, as real distractors draw unevenly; one item's strongest
candidates prefer a distractor (a mis-keyed item, flagged ``key_suspect``). Accounts are
written in bulk with an unusable password (nobody logs in as them), so seeding stays fast.
"""

from __future__ import annotations

import math
from datetime import timedelta

import numpy as np

from examsvc.extensions import db
from examsvc.models import (
    Answer,
    Attempt,
    AttemptStatus,
    Blueprint,
    Enrolment,
    Mark,
    Paper,
    PaperItem,
    Question,
    QuestionStatus,
    Role,
    Sitting,
    User,
    UserRole,
    utcnow,
)
from examsvc.services import assembly, audit, bank, exams, item_stats, orgs, results, scoring
from examsvc.services.errors import Conflict
from question_bank.model import OPTION_LABELS, QuestionType

BLUEPRINT_NAME = "党务工作者培训测试（含简答）"
SITTING_NAME = "2026年第三季度党务工作者培训测试（已结束）"
CANDIDATES = 300
#: Accounts of the simulated candidates; never a login (UNUSABLE is no password hash).
EMAIL = "sim{:03d}@results.demo.examsvc.cn"
UNUSABLE = "!demo-no-login"
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国文辉力斌宇浩凯晨"
#: Not the branches of demo_people (their members are counted there).
BRANCHES = ("000-02", "000")
SHORT_QUESTIONS = [
    {
        "area": "practice",
        "stem": "简述党支部“三会一课”制度的主要内容及其在基层党组织建设中的作用。",
        "key": "三会一课指定期召开支部党员大会、支部委员会、党小组会，按时上好党课；"
        "它是健全党的组织生活、严格党员管理、加强党员教育的重要制度。",
        "rubric": [["说出三会一课各自的内容", 4], ["说明其作用", 4], ["结合实际，条理清楚", 2]],
        "explanation": "见《中国共产党支部工作条例（试行）》。",
        "source": "《中国共产党支部工作条例（试行）》第十八条",
    },
    {
        "area": "constitution",
        "stem": "简述党员发展工作中“坚持标准、保证质量、改善结构、慎重发展”方针的含义。",
        "key": "发展党员要坚持党员标准，把政治标准放在首位，严格程序，保证质量；"
        "注重在生产工作一线、青年和高知识群体中发展党员，改善党员队伍结构；慎重稳妥。",
        "rubric": [["解释坚持标准与保证质量", 4], ["解释改善结构", 3], ["解释慎重发展", 3]],
        "explanation": "见《中国共产党发展党员工作细则》第三条。",
        "source": "《中国共产党发展党员工作细则》第三条",
    },
    {
        "area": "theory",
        "stem": "结合工作实际，谈谈基层党务工作者如何做好党员教育管理工作。",
        "key": "围绕理论武装、组织生活、日常管理、关心关爱等方面作答，言之有物即可。",
        "rubric": [["理论学习与组织生活", 4], ["日常管理与监督", 3], ["结合实际举例", 3]],
        "explanation": "开放性试题，按要点给分。",
        "source": "《中国共产党党员教育管理工作条例》",
    },
]
#: Answers to each short question by quality (0 weakest … 3 strongest); marks follow quality.
SHORT_ANSWERS = [
    [
        "不太清楚，大概是开会学习。",
        "三会一课就是开会和上党课，可以加强党员教育。",
        "支部党员大会、支部委员会、党小组会和党课，要定期开展，能够严格组织生活，加强党员管理。",
        "定期召开支部党员大会、支部委员会会议、党小组会，按时上好党课；这项制度健全组织生活，"
        "加强党员教育管理监督。我所在支部每月固定主题党日，把三会一课落到实处。",
    ],
    [
        "发展党员要慎重。",
        "发展党员要坚持标准，保证质量，不能降低要求。",
        "坚持党员标准、把政治标准放在首位，严格程序保证质量；注意在一线和青年中发展党员，改善结构。",
        "坚持标准、保证质量：把政治标准放在首位，严格履行入党程序；改善结构：注重在生产一线、"
        "青年和高知识群体中发展党员；慎重发展：成熟一个发展一个，防止突击发展。",
    ],
    [
        "多组织学习。",
        "加强理论学习，按时过组织生活，关心党员。",
        "抓好理论武装和三会一课，做好党员日常管理和监督，对困难党员经常走访慰问。",
        "以理论学习为先导，用好学习强国和主题党日；规范组织生活和党员档案管理，落实民主评议；"
        "建立结对帮扶机制，去年我们为流动党员建立了线上学习群，按月通报学习情况。",
    ],
]


def seed(admin: User, examiner: User, contributor: User) -> Sitting | None:
    """Create the finished sitting once; running it again changes nothing."""
    existing = db.session.scalar(db.select(Sitting).where(Sitting.name == SITTING_NAME))
    if existing is not None:
        return existing
    _short_questions(contributor, examiner)
    blueprint = _blueprint(admin)
    now = utcnow().replace(second=0, microsecond=0)
    opens = now - timedelta(days=3, hours=2)
    try:
        sitting = exams.create_sitting(
            admin, blueprint.id, SITTING_NAME, opens, opens + timedelta(hours=2)
        )
    except Conflict:
        return None  # the bank cannot fill it (a trimmed demo bank): no finished sitting
    rng = np.random.default_rng(sitting.seed % 2**32)
    people = _candidates(rng)
    _enrol(sitting, people)
    assembly.randomize(admin, sitting.id, now=opens - timedelta(hours=1))
    truth = _miskey(sitting, examiner)
    _answer(sitting, rng, examiner, truth)
    scoring.score_sitting(sitting.id)
    results.publish(admin, sitting.id)
    item_stats.store(sitting.id, item_stats.compute(sitting.id))
    db.session.commit()
    return sitting


def _short_questions(contributor: User, examiner: User) -> None:
    for fields in SHORT_QUESTIONS:
        try:
            question = bank.new_question(
                contributor,
                "institution",
                {**fields, "type": "short", "difficulty": 3},
                QuestionStatus.APPROVED,
            )
        except Conflict:
            continue
        question.reviewer_id, question.reviewed_at = examiner.id, utcnow()
    db.session.commit()


def _blueprint(admin: User) -> Blueprint:
    existing = db.session.scalar(db.select(Blueprint).where(Blueprint.name == BLUEPRINT_NAME))
    if existing is not None:
        return existing
    rows = [
        exams.RowSpec(None, "single", 20, 2.0, section="一、单项选择题"),
        exams.RowSpec(None, "multiple", 10, 3.0, section="二、多项选择题"),
        exams.RowSpec(None, "judge", 10, 1.0, section="三、判断题"),
        exams.RowSpec(None, "short", 2, 10.0, section="四、简答题"),
    ]
    return exams.create_blueprint(
        admin,
        name=BLUEPRINT_NAME,
        exam_kind="training",
        duration_minutes=90,
        pass_mark=60,
        rows=rows,
        fairness=exams.Fairness(paper_mode="shared", exposure_cap=1.0),
    )


def _candidates(rng: np.random.Generator) -> list[int]:
    """CANDIDATES accounts in bulk, unusable passwords, in the second street's organisations."""
    orgs_ids = [orgs.require_code(code).id for code in BRANCHES]
    rows = []
    for n in range(CANDIDATES):
        name = SURNAMES[rng.integers(len(SURNAMES))] + "".join(
            GIVEN[i] for i in rng.integers(len(GIVEN), size=int(rng.integers(1, 3)))
        )
        rows.append(
            {
                "email": EMAIL.format(n + 1),
                "name": name,
                "password_hash": UNUSABLE,
                "is_party_member": bool(rng.random() < 0.8),
                "organisation_id": orgs_ids[n % 2],
                "category": "two_new",
                "created_at": utcnow(),
            }
        )
    db.session.execute(db.insert(User), rows)
    ids = list(
        db.session.scalars(
            db.select(User.id).where(User.email.in_([r["email"] for r in rows])).order_by(User.id)
        )
    )
    db.session.execute(
        db.insert(UserRole), [{"user_id": i, "role": Role.CANDIDATE.value} for i in ids]
    )
    audit.record(None, "demo.candidates_seeded", None, count=len(ids))
    db.session.commit()
    return ids


def _enrol(sitting: Sitting, people: list[int]) -> None:
    db.session.execute(
        db.insert(Enrolment),
        [
            {
                "sitting_id": sitting.id,
                "user_id": uid,
                "enrolled_at": sitting.opens_at,
                "admission_no": f"{sitting.opens_at:%Y}{sitting.id:05d}{n + 1:07d}",
            }
            for n, uid in enumerate(people)
        ],
    )
    db.session.commit()


def _answer(
    sitting: Sitting, rng: np.random.Generator, examiner: User, truth: dict[int, str]
) -> None:
    """Attempts handed in, answers from the ability model, short answers marked."""
    papers = list(
        db.session.scalars(
            db.select(Paper)
            .join(Enrolment)
            .where(Enrolment.sitting_id == sitting.id)
            .order_by(Paper.id)
        )
    )
    ability = rng.normal(0.3, 1.0, size=len(papers))
    start = sitting.opens_at + timedelta(minutes=5)
    db.session.execute(
        db.insert(Attempt),
        [
            {
                "enrolment_id": p.enrolment_id,
                "number": 1,
                "status": AttemptStatus.SUBMITTED.value,
                "started_at": start,
                "deadline": start + timedelta(minutes=90),
                "submitted_at": start + timedelta(minutes=int(rng.integers(35, 89))),
                "auto_submitted": False,
            }
            for p in papers
        ],
    )
    attempt_of = dict(
        db.session.execute(
            db.select(Attempt.enrolment_id, Attempt.id)
            .join(Enrolment)
            .where(Enrolment.sitting_id == sitting.id)
        ).all()
    )
    items: dict[int, list[PaperItem]] = {p.id: [] for p in papers}
    for item in db.session.scalars(
        db.select(PaperItem)
        .join(Paper, Paper.id == PaperItem.paper_id)
        .join(Enrolment, Enrolment.id == Paper.enrolment_id)
        .where(Enrolment.sitting_id == sitting.id)
        .order_by(PaperItem.paper_id, PaperItem.position)
    ):
        items[item.paper_id].append(item)
    traits = {}
    answers, shorts = [], []
    for p, theta in zip(papers, ability, strict=True):
        for item in items[p.id]:
            content = item.content
            if item.question_id not in traits:
                traits[item.question_id] = _traits(rng, content)
                if item.question_id in truth:
                    traits[item.question_id]["truth"] = truth[item.question_id]
            response, quality = _respond(rng, theta, item, content, traits[item.question_id])
            answers.append(
                {
                    "attempt_id": attempt_of[p.enrolment_id],
                    "paper_item_id": item.id,
                    "response": response,
                    "seq": 1,
                    "saved_at": start,
                }
            )
            if quality is not None:
                shorts.append(
                    (attempt_of[p.enrolment_id], item.id, quality, item.points, content.rubric)
                )
    db.session.execute(db.insert(Answer), answers)
    _mark(shorts, examiner, rng)
    db.session.commit()


def _miskey(sitting: Sitting, examiner: User) -> dict[int, str]:
    """Give the paper's first single-choice question a wrongly entered key (a new version the
    papers use): candidates answer the true key, and item statistics flag it. Returns
    {question id: the true key}."""
    item = db.session.scalar(
        db.select(PaperItem)
        .join(Paper, Paper.id == PaperItem.paper_id)
        .join(Enrolment, Enrolment.id == Paper.enrolment_id)
        .join(Question, Question.id == PaperItem.question_id)
        .where(Enrolment.sitting_id == sitting.id, Question.type == QuestionType.SINGLE.value)
        .order_by(PaperItem.paper_id, PaperItem.position)
        .limit(1)
    )
    if item is None:
        return {}
    question = item.question
    truth = question.key
    wrong = next(k for k in OPTION_LABELS[: len(question.options)] if k != truth)
    fields = {name: getattr(question, name) for name in ("type", "area", "stem", "options",
              "explanation", "difficulty", "point", "source")}  # fmt: skip
    bank.edit_approved(examiner, question.id, {**fields, "key": wrong}, "重新录入答案")
    papers = db.select(Paper.id).join(Enrolment).where(Enrolment.sitting_id == sitting.id)
    db.session.execute(
        db.update(PaperItem)
        .where(PaperItem.paper_id.in_(papers), PaperItem.question_id == question.id)
        .values(question_version=question.version),
        execution_options={"synchronize_session": False},
    )
    db.session.commit()
    return {question.id: truth}


def _traits(rng: np.random.Generator, content) -> dict:
    b = (content.difficulty - 3) * 0.7 + rng.normal(0, 0.4)
    weights = rng.dirichlet(np.ones(max(1, len(content.options or []))) * 3.0)
    return {"b": b, "a": rng.uniform(0.6, 1.6), "weights": weights}


def _respond(rng, theta: float, item: PaperItem, content, t: dict):
    """(response in display labels, short-answer quality or None)."""
    qtype = QuestionType(content.type)
    guess = {QuestionType.SINGLE: 0.25, QuestionType.JUDGE: 0.5}.get(qtype, 0.05)
    p = guess + (1 - guess) / (1 + math.exp(-1.7 * t["a"] * (theta - t["b"])))
    right = rng.random() < p
    if qtype is QuestionType.SHORT:
        quality = int(np.clip(round(1.5 + theta + rng.normal(0, 0.7)), 0, 3))
        which = next((i for i, q in enumerate(SHORT_QUESTIONS) if q["stem"] == content.stem), 0)
        return SHORT_ANSWERS[which][quality], quality
    if rng.random() < 0.01:
        return None, None  # left blank
    if qtype is QuestionType.JUDGE:
        return bool(content.key) if right else not bool(content.key), None
    n = len(content.options)
    answer = t.get("truth", content.key)  # what candidates who know it answer
    key = [OPTION_LABELS.index(k) for k in (answer if isinstance(answer, list) else [answer])]
    if qtype is QuestionType.SINGLE:
        wrong = [i for i in range(n) if i not in key]
        w = np.asarray([t["weights"][i] for i in wrong]) + 1e-3
        pick = key[0] if right else int(rng.choice(wrong, p=w / w.sum()))
        return _display(item, [pick])[0], None
    if right:
        return _display(item, key), None
    subset = [k for k in key if rng.random() < 0.6] or key[:1]
    if rng.random() < 0.5:
        subset = sorted(set(subset) | {int(rng.integers(n))})
    return _display(item, subset), None


def _display(item: PaperItem, originals: list[int]) -> list[str]:
    order = list(item.option_order or range(len(originals)))
    return sorted(OPTION_LABELS[order.index(o)] for o in originals)


def _mark(shorts: list, examiner: User, rng: np.random.Generator) -> None:
    """The demo examiner's marks, criterion by criterion, following the answer's quality."""
    ids = dict(
        ((a, i), aid)
        for aid, a, i in db.session.execute(
            db.select(Answer.id, Answer.attempt_id, Answer.paper_item_id).where(
                Answer.attempt_id.in_({s[0] for s in shorts})
            )
        )
    )
    marks, points = [], []
    for attempt_id, item_id, quality, item_points, rubric in shorts:
        share = [0.1, 0.45, 0.7, 0.95][quality]
        criteria = [
            float(min(most, max(0.0, round(most * share + rng.normal(0, 0.5)))))
            for _c, most in rubric
        ]
        total = min(sum(criteria), float(item_points))
        answer_id = ids[(attempt_id, item_id)]
        marks.append(
            {
                "answer_id": answer_id,
                "marker_id": examiner.id,
                "round": 1,
                "criteria": criteria,
                "points": total,
                "comment": "",
                "void_key": 0,
                "marked_at": utcnow(),
            }
        )
        points.append({"id": answer_id, "points": total})
    if marks:
        db.session.execute(db.insert(Mark), marks)
        db.session.execute(db.update(Answer), points)
