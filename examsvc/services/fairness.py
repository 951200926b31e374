"""What an admin reads about a sitting's papers: the fairness report and any paper with its key."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np
from flask_babel import gettext as _

from examsvc.extensions import db
from examsvc.models import Enrolment, Paper, PaperItem, Sitting
from examsvc.services.errors import NotFound
from question_bank.model import OPTION_LABELS, QuestionType

OVERLAP_SAMPLE = 2000


@dataclass
class FairnessReport:
    papers: int
    expected_scores: list[float]
    exposure: list[float]  #: per item used: the share of papers it is on
    mean_overlap: float
    max_overlap: int
    items_per_paper: int
    drawn: dict | None  #: the figures recorded when the papers were drawn


def report(sitting: Sitting) -> FairnessReport | None:
    """Difficulty spread, exposure and overlap of the stored papers (None before any paper)."""
    rows = db.session.execute(
        db.select(Paper.id, Paper.expected_score)
        .join(Enrolment)
        .where(Enrolment.sitting_id == sitting.id)
    ).all()
    if not rows:
        return None
    paper_ids = [r[0] for r in rows]
    items: dict[int, set[int]] = {pid: set() for pid in paper_ids}
    for paper_id, question_id in db.session.execute(
        db.select(PaperItem.paper_id, PaperItem.question_id).where(
            PaperItem.paper_id.in_(paper_ids)
        )
    ):
        items[paper_id].add(question_id)
    uses = Counter(q for qs in items.values() for q in qs)
    mean_overlap, max_overlap = _overlap([items[p] for p in paper_ids], sitting.seed)
    return FairnessReport(
        papers=len(paper_ids),
        expected_scores=[round(r[1], 2) for r in rows if r[1] is not None],
        exposure=sorted((n / len(paper_ids) for n in uses.values()), reverse=True),
        mean_overlap=mean_overlap,
        max_overlap=max_overlap,
        items_per_paper=max((len(v) for v in items.values()), default=0),
        drawn=sitting.assembly_report,
    )


def _overlap(papers: list[set[int]], seed: int) -> tuple[float, int]:
    """Shared items between two papers: over all pairs, or a seeded sample of pairs."""
    n = len(papers)
    if n < 2:
        return 0.0, 0
    rng = np.random.default_rng(seed)
    pairs = (
        [(i, j) for i in range(n) for j in range(i + 1, n)]
        if n * (n - 1) // 2 <= OVERLAP_SAMPLE
        else [tuple(rng.choice(n, size=2, replace=False)) for _ in range(OVERLAP_SAMPLE)]
    )
    shared = [len(papers[i] & papers[j]) for i, j in pairs]
    return round(float(np.mean(shared)), 2), int(max(shared))


@dataclass
class PreviewItem:
    position: int
    type: str
    stem: str
    options: list[tuple[str, str, bool]]  #: (display label, text, is a key)
    key_text: str
    points: float
    version: int


def paper_preview(sitting_id: int, enrolment_id: int) -> tuple[Enrolment, list[PreviewItem]]:
    """A candidate's paper as they see it, with the key in their own option letters."""
    enrolment = db.session.get(Enrolment, enrolment_id)
    if enrolment is None or enrolment.sitting_id != sitting_id or enrolment.paper is None:
        raise NotFound(_("no such paper"))
    return enrolment, [_preview(item) for item in enrolment.paper.items]


def _preview(item: PaperItem) -> PreviewItem:
    content = item.content
    qtype = QuestionType(content.type)
    options: list[tuple[str, str, bool]] = []
    key_text = ""
    if qtype.has_options:
        keys = {content.key} if qtype is QuestionType.SINGLE else set(content.key)
        for display, original in enumerate(item.option_order):
            label = OPTION_LABELS[display]
            options.append((label, content.options[original], OPTION_LABELS[original] in keys))
        key_text = "".join(label for label, _, is_key in options if is_key)
    elif qtype is QuestionType.JUDGE:
        key_text = "✓" if content.key else "✗"
    elif qtype is QuestionType.FILL:
        key_text = "；".join(" / ".join(alts) for alts in content.key)
    else:
        key_text = content.key
    return PreviewItem(
        item.position + 1,
        qtype.value,
        content.stem,
        options,
        key_text,
        item.points,
        item.question_version,
    )
