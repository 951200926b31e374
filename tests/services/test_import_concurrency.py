"""A long import runs while candidates save answers through the API: no save fails, every
save the server acknowledged is stored, and the import's write transactions are short
(SQLite: the import never holds the write lock for more than a short transaction; a run of
15 s would fail every save with "database is locked", and one of 14 s would pass unless the
hold is measured too)."""

from __future__ import annotations

import threading
import time

from sqlalchemy import event

from examsvc.extensions import db
from examsvc.models import Answer, Question, Role, User
from examsvc.services import importing
from tests.conftest import csrf_token, log_in

ROWS = 12_000
#: The longest the import may hold one write transaction (SQLite: the write lock), measured
#: from the statement trace. A correctness bound, not a speed target: far above a chunk's
#: normal time (a few hundred ms) and far below SQLite's busy timeout (15 s) that makes
#: candidates' saves fail. (Saves' own times are not bounded: on a loaded machine they also
#: wait for the CPU, which says nothing about the lock.)
LONGEST_WRITE = 3.0
TOPICS = ["三会一课", "发展党员", "党费收缴", "组织关系转接", "换届选举", "民主评议"]


def big_csv() -> bytes:
    """Thousands of look-alike rows: the kind of file whose checks take longest."""
    lines = ["题型,题干,答案,知识点"]
    for n in range(ROWS):
        topic = TOPICS[n % len(TOPICS)]
        lines.append(
            f"判断题,第{n}题：{topic}应当每年至少开展{n % 7 + 1}次并留存记录{n}。,对,党章党规"
        )
    return ("\n".join(lines) + "\n").encode()


def test_candidates_save_while_a_long_import_runs(app, open_sitting, make_user):
    sitting, _, candidates = open_sitting(candidates=3)
    examiner_id = make_user(Role.EXAMINER).id
    clients = []
    for candidate in candidates:
        client = log_in(app.test_client(), candidate)
        token = csrf_token(client)
        started = client.post(
            f"/api/v1/sittings/{sitting.id}/attempt", headers={"X-CSRFToken": token}
        ).get_json()
        item = next(i for i in started["items"] if i["type"] == "judge")
        clients.append((client, token, started["attempt_id"], item["id"]))
    data = big_csv()
    import_done = threading.Event()
    outcome: dict[str, object] = {}

    def run_import() -> None:
        with app.app_context():
            try:
                examiner = db.session.get(User, examiner_id)
                outcome["report"] = importing.import_file(
                    examiner, data, fmt="csv", channel="public", filename="big.csv"
                )
            except BaseException as exc:  # noqa: BLE001 - asserted below
                outcome["error"] = exc
            finally:
                db.session.remove()
                import_done.set()

    saves: list[list[tuple[int, bool, int]]] = [[] for _ in clients]
    writes = WriteTrace(db.engine)

    def keep_saving(index: int) -> None:
        client, token, attempt_id, item_id = clients[index]
        with app.app_context():
            seq = 0
            # Bounded: until the import ends, then a few more, at most 2,000 saves.
            while seq < 2000 and (not import_done.is_set() or seq < 5):
                seq += 1
                response = client.put(
                    f"/api/v1/attempts/{attempt_id}/answers",
                    json={"answers": {str(item_id): seq % 2 == 0}, "seq": seq},
                    headers={"X-CSRFToken": token},
                )
                saves[index].append((seq, seq % 2 == 0, response.status_code))
                import_done.wait(0.02)
            db.session.remove()

    importer = threading.Thread(target=run_import)
    writes.thread = importer
    threads = [importer]
    threads += [threading.Thread(target=keep_saving, args=(i,)) for i in range(len(clients))]
    for thread in threads:
        thread.start()
    try:
        for thread in threads:
            thread.join(timeout=600)
    finally:
        writes.stop()
    assert "error" not in outcome, outcome.get("error")
    assert outcome["report"].imported == ROWS
    assert db.session.scalar(db.select(db.func.count()).select_from(Question)) > ROWS
    for (_client, _token, _attempt, item_id), done in zip(clients, saves, strict=True):
        assert done and all(status == 200 for _seq, _value, status in done), done[-3:]
        last_seq, last_value, _status = done[-1]
        stored = db.session.scalar(db.select(Answer).where(Answer.paper_item_id == item_id))
        assert (stored.seq, stored.response) == (last_seq, last_value)
    assert len(writes.held) > ROWS // 1000  # the chunks, the publication, the job's row
    assert max(writes.held) < LONGEST_WRITE, sorted(writes.held)[-5:]


class WriteTrace:
    """How long each write transaction of one thread lasts: from SQLite's BEGIN IMMEDIATE
    (PostgreSQL: the first statement that writes) to its commit or rollback."""

    WRITES = ("BEGIN IMMEDIATE", "INSERT", "UPDATE", "DELETE", "COPY")

    def __init__(self, engine) -> None:
        self.engine = engine
        self.thread: threading.Thread | None = None
        self.held: list[float] = []
        self._began: dict[int, float] = {}
        event.listen(self.engine, "before_cursor_execute", self._statement)
        event.listen(self.engine, "commit", self._end)
        event.listen(self.engine, "rollback", self._end)

    def _statement(self, conn, _cursor, statement, _params, _context, _many) -> None:
        if threading.current_thread() is not self.thread or id(conn) in self._began:
            return
        if statement.lstrip().upper().startswith(self.WRITES):
            self._began[id(conn)] = time.monotonic()

    def _end(self, conn) -> None:
        began = self._began.pop(id(conn), None)
        if began is not None:
            self.held.append(time.monotonic() - began)

    def stop(self) -> None:
        event.remove(self.engine, "before_cursor_execute", self._statement)
        event.remove(self.engine, "commit", self._end)
        event.remove(self.engine, "rollback", self._end)
