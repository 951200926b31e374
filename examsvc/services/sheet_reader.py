"""Reading a batch of answer sheets as response codes on PostgreSQL, in one query.

The database works out each answer's code (question_bank.sheet_scoring: the bit mask of the
original options picked, 1/2 for true/false) from the stored JSON text of the display labels
and the item's option order, and sends one hex string per paper: six hex digits per item,
the column times 256 plus the code. Python then fills the code matrix with numpy, without a
loop over the answers. The batch is found by its papers and attempts (index range probes,
then one hash join), not by joining enrolments row by row. Fill-in and short answers are
left to the row-by-row reader (services/scoring/sheets.py): folding text and reading marks need
Python.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from sqlalchemy import bindparam, text
from sqlalchemy.dialects.postgresql import ARRAY, INTEGER, TEXT

from examsvc.extensions import db
from examsvc.models import Attempt, Enrolment, Paper

if TYPE_CHECKING:
    from examsvc.services.scoring import Sheets, SittingItems


def _original(k: str) -> str:
    """The original option index shown at display index ``k`` (``o``: the order's digits)."""
    return f"COALESCE(NULLIF(substr(o, ({k}) + 1, 1), '')::int, ({k}))"


_SINGLE = f"""CASE WHEN left(r, 1) = '"' THEN 1 << {_original("ascii(substr(r, 2, 1)) - 65")}
               ELSE 0 END"""
_MULTIPLE = " + ".join(
    f"""CASE WHEN strpos(r, '"{letter}"') > 0 THEN 1 << {_original(str(k))} ELSE 0 END"""
    for k, letter in enumerate("ABCDEFGH")
)
_QUERY = f"""
WITH cols(qid, ver, pts, col, kind) AS (SELECT * FROM unnest(:qids, :vers, :pts, :cols, :kinds))
SELECT y.paper_id, string_agg(lpad(to_hex(y.col * 256 + y.code), 6, '0'), '')
FROM (
  SELECT x.paper_id, x.col,
    CASE WHEN x.r IS NULL THEN 0
         WHEN x.kind = 'single' THEN {_SINGLE}
         WHEN x.kind = 'multiple' THEN {_MULTIPLE}
         WHEN x.kind = 'judge' THEN CASE x.r WHEN 'true' THEN 1 WHEN 'false' THEN 2 ELSE 0 END
         ELSE 0 END AS code
  FROM (
    SELECT pi.paper_id, c.col, c.kind, a.response::text AS r,
           translate(pi.option_order::text, '[], ', '') AS o
    FROM paper_items pi
    JOIN cols c ON c.qid = pi.question_id AND c.ver = pi.question_version AND c.pts = pi.points
    LEFT JOIN answers a ON a.paper_item_id = pi.id AND a.attempt_id = ANY(:attempts)
                       AND a.attempt_id BETWEEN :first_attempt AND :last_attempt
    WHERE pi.paper_id = ANY(:papers) AND pi.paper_id BETWEEN :first_paper AND :last_paper
    OFFSET 0
  ) AS x(paper_id, col, kind, r, o)
) AS y
GROUP BY y.paper_id
"""
_STATEMENT = text(_QUERY).bindparams(
    bindparam("qids", type_=ARRAY(INTEGER)),
    bindparam("vers", type_=ARRAY(INTEGER)),
    bindparam("pts", type_=ARRAY(db.Double)),
    bindparam("cols", type_=ARRAY(INTEGER)),
    bindparam("kinds", type_=ARRAY(TEXT)),
    bindparam("attempts", type_=ARRAY(INTEGER)),
    bindparam("papers", type_=ARRAY(INTEGER)),
    bindparam("first_attempt", type_=INTEGER),
    bindparam("last_attempt", type_=INTEGER),
    bindparam("first_paper", type_=INTEGER),
    bindparam("last_paper", type_=INTEGER),
)


def supported() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def read_codes(compiled: SittingItems, sheets: Sheets) -> None:
    """Fill ``sheets.codes`` and ``sheets.presented`` for every item of the batch's papers."""
    ids = [int(a) for a in sheets.attempt_ids]
    paper_of = dict(
        db.session.execute(
            db.select(Paper.id, Attempt.id)
            .join(Enrolment, Enrolment.id == Paper.enrolment_id)
            .join(Attempt, Attempt.enrolment_id == Enrolment.id)
            .where(Attempt.id.in_(ids))
        ).all()
    )
    keys = list(compiled.index.items())
    items = compiled.item_set.items
    # A batch is a small share of big tables: fetch its items and its answers by index (the
    # two id lists), then hash-join them once. Left to itself the planner misjudges the join
    # and probes the answers once per item, or scans the whole tables for every batch.
    for setting in (
        "enable_seqscan = off",
        "enable_nestloop = off",
        "jit = off",
        "work_mem = '64MB'",
    ):
        db.session.execute(text(f"SET LOCAL {setting}"))
    rows = db.session.execute(
        _STATEMENT,
        {
            "qids": [k[0] for k, _ in keys],
            "vers": [k[1] for k, _ in keys],
            "pts": [float(k[2]) for k, _ in keys],
            "cols": [c for _, c in keys],
            "kinds": [str(items[c].type) for _, c in keys],
            "attempts": ids,
            "papers": list(paper_of),
            "first_attempt": min(ids),
            "last_attempt": max(ids),
            "first_paper": min(paper_of, default=0),
            "last_paper": max(paper_of, default=0),
        },
    ).all()
    for setting in ("enable_seqscan", "enable_nestloop", "jit", "work_mem"):
        db.session.execute(text(f"SET LOCAL {setting} = DEFAULT"))
    if not rows:
        return
    row_of = {a: i for i, a in enumerate(ids)}
    blobs = [blob or "" for _, blob in rows]
    raw = np.frombuffer(bytes.fromhex("".join(blobs)), dtype=np.uint8).reshape(-1, 3)
    sheet = np.repeat([row_of[paper_of[p]] for p, _ in rows], [len(b) // 6 for b in blobs])
    column = raw[:, 0].astype(np.intp) * 256 + raw[:, 1]
    sheets.codes[sheet, column] = raw[:, 2]
    sheets.presented[sheet, column] = True
