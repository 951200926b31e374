"""An autosave touches only what it saves: its statements do not grow with the paper."""

from sqlalchemy import event

from examsvc.extensions import db
from examsvc.models import Answer
from examsvc.services import attempts


class StatementCounter:
    def __init__(self, engine):
        self.engine, self.statements = engine, []

    def _count(self, conn, cursor, statement, *args):
        self.statements.append(statement)

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self._count)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self._count)


def test_a_save_is_one_read_and_one_upsert_per_answer(app, open_sitting):
    sitting, _, (candidate,) = open_sitting()
    attempt = attempts.start_or_resume(candidate, sitting.id)
    items = [i.id for i in attempt.enrolment.paper.items]
    judges = [i.id for i in attempt.enrolment.paper.items if i.content.type == "judge"]
    attempt_id = attempt.id
    attempts.save_answers(candidate, attempt_id, {str(judges[0]): True}, seq=1)  # warms the cache
    assert candidate.roles  # the user is loaded, as the request's login has loaded it
    with StatementCounter(db.engine) as counter:
        result = attempts.save_answers(
            candidate, attempt_id, {str(judges[0]): False, str(judges[1]): True}, seq=2
        )
    assert (result.saved, result.stale) == (2, 0)
    data = [s.split()[0].upper() for s in counter.statements]
    data = [s for s in data if s in ("SELECT", "INSERT", "UPDATE", "DELETE")]
    assert data == ["SELECT", "INSERT", "INSERT"], counter.statements
    assert len(items) == 8  # the paper is bigger than the save


def test_a_lower_seq_is_stale_and_changes_nothing(app, open_sitting):
    sitting, _, (candidate,) = open_sitting()
    attempt = attempts.start_or_resume(candidate, sitting.id)
    judge = next(i.id for i in attempt.enrolment.paper.items if i.content.type == "judge")
    attempts.save_answers(candidate, attempt.id, {str(judge): True}, seq=5)
    result = attempts.save_answers(candidate, attempt.id, {str(judge): False}, seq=4)
    assert (result.saved, result.stale) == (0, 1)
    again = attempts.save_answers(candidate, attempt.id, {str(judge): False}, seq=5)
    assert (again.saved, again.stale) == (0, 1)  # the same seq is a retry: what is stored stands
    stored = db.session.scalar(db.select(Answer).where(Answer.paper_item_id == judge))
    assert (stored.seq, stored.response) == (5, True)


def test_the_paper_shape_is_cached_by_paper_and_draw(app, open_sitting):
    sitting, _, (candidate,) = open_sitting()
    attempt = attempts.start_or_resume(candidate, sitting.id)
    paper = attempt.enrolment.paper
    shape = attempts.paper_shape(paper.id, paper.drawn_at)
    assert set(shape) == {i.id for i in paper.items}
    fill = next(i for i in paper.items if i.content.type == "fill")
    assert shape[fill.id].blanks == fill.content.to_domain().blank_count() >= 1
    single = next(i for i in paper.items if i.content.type == "single")
    assert shape[single.id].option_count == len(single.option_order) == 4
    assert attempts.paper_shape(paper.id, paper.drawn_at) is shape


def test_a_stale_answer_says_which_seq_the_server_holds(app, open_sitting):
    """A second page learns the item holds a later seq (and resends above it); a retry of the
    same seq learns its own seq: already written."""
    sitting, _, (candidate,) = open_sitting()
    attempt = attempts.start_or_resume(candidate, sitting.id)
    judge = next(i.id for i in attempt.enrolment.paper.items if i.content.type == "judge")
    attempts.save_answers(candidate, attempt.id, {str(judge): True}, seq=7)
    other_page = attempts.save_answers(candidate, attempt.id, {str(judge): False}, seq=3)
    assert other_page.stale_items == {judge: 7}
    retry = attempts.save_answers(candidate, attempt.id, {str(judge): True}, seq=7)
    assert retry.stale_items == {judge: 7}
    resent = attempts.save_answers(candidate, attempt.id, {str(judge): False}, seq=8)
    assert (resent.saved, resent.stale_items) == (1, {})


def test_the_page_clock_cannot_hand_in_while_the_server_deadline_is_ahead(app, open_sitting):
    from datetime import timedelta

    import pytest

    from examsvc.models import utcnow

    sitting, _, (candidate,) = open_sitting()
    attempt = attempts.start_or_resume(candidate, sitting.id)
    with pytest.raises(attempts.TimeLeft) as refused:
        attempts.submit(candidate, attempt.id, time_up=True)
    assert refused.value.deadline == attempt.deadline
    db.session.expire_all()
    assert attempts.own_attempt(candidate, attempt.id).status == "in_progress"
    late = attempt.deadline + timedelta(seconds=1)
    assert attempts.submit(candidate, attempt.id, late, time_up=True).status == "submitted"
    assert utcnow() < attempt.deadline  # the candidate's own hand-in needs no time-up
