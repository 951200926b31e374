"""A long import runs while candidates save answers through the API: no save fails, every
save the server acknowledged is stored, and no save waits long (SQLite: the import never
holds the write lock for more than a short transaction; a run of 15 s would fail every save
with "database is locked", and one of 14 s would pass unless the waits are bounded too)."""

from __future__ import annotations

import threading
import time

from examsvc.extensions import db
from examsvc.models import Answer, Question, Role, User
from examsvc.services import importing
from tests.conftest import csrf_token, log_in

ROWS = 12_000
#: The longest a save may take while the import runs. A correctness bound, not a speed
#: target: it is far above a save's normal time (milliseconds) and far below SQLite's busy
#: timeout (15 s), so it fails only when the import holds the write lock for seconds.
SLOWEST_SAVE = 3.0
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
    waits: list[float] = []

    def keep_saving(index: int) -> None:
        client, token, attempt_id, item_id = clients[index]
        with app.app_context():
            seq = 0
            # Bounded: until the import ends, then a few more, at most 2,000 saves.
            while seq < 2000 and (not import_done.is_set() or seq < 5):
                seq += 1
                began = time.monotonic()
                response = client.put(
                    f"/api/v1/attempts/{attempt_id}/answers",
                    json={"answers": {str(item_id): seq % 2 == 0}, "seq": seq},
                    headers={"X-CSRFToken": token},
                )
                waits.append(time.monotonic() - began)
                saves[index].append((seq, seq % 2 == 0, response.status_code))
                import_done.wait(0.02)
            db.session.remove()

    threads = [threading.Thread(target=run_import)]
    threads += [threading.Thread(target=keep_saving, args=(i,)) for i in range(len(clients))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=600)
    assert "error" not in outcome, outcome.get("error")
    assert outcome["report"].imported == ROWS
    assert db.session.scalar(db.select(db.func.count()).select_from(Question)) > ROWS
    for (_client, _token, _attempt, item_id), done in zip(clients, saves, strict=True):
        assert done and all(status == 200 for _seq, _value, status in done), done[-3:]
        last_seq, last_value, _status = done[-1]
        stored = db.session.scalar(db.select(Answer).where(Answer.paper_item_id == item_id))
        assert (stored.seq, stored.response) == (last_seq, last_value)
    assert waits and max(waits) < SLOWEST_SAVE, sorted(waits)[-5:]
