"""Reading a batch of answer sheets as response codes on PostgreSQL, in one query.

The database works out each answer's code (question_bank.sheet_scoring: the bit mask of the
original options picked, 1/2 for true/false) from the stored display labels and the item's
option order, and sends one hex string per attempt: four hex digits of the column, two of
the code, for every item of the paper. Python then fills the code matrix with numpy, without
a loop over the answers. Fill-in and short answers are left to the row-by-row reader
(services/scoring.py): folding text and reading marks need Python.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from sqlalchemy import bindparam, text
from sqlalchemy.dialects.postgresql import ARRAY, INTEGER

from examsvc.extensions import db

if TYPE_CHECKING:
    from examsvc.services.scoring import Sheets, SittingItems

#: The original option index of display label ``x`` (a one-letter text) of paper item ``pi``.
_ORIGINAL = "COALESCE((pi.option_order ->> (ascii({x}) - 65))::int, ascii({x}) - 65)"
_CODE = f"""
CASE qv.type
  WHEN 'single' THEN CASE WHEN json_typeof(a.response) = 'string'
    THEN 1 << {_ORIGINAL.format(x="(a.response #>> '{}')")} ELSE 0 END
  WHEN 'multiple' THEN CASE WHEN json_typeof(a.response) = 'array'
    THEN COALESCE((SELECT sum(1 << {_ORIGINAL.format(x="x")})
                   FROM json_array_elements_text(a.response) AS x), 0) ELSE 0 END
  WHEN 'judge' THEN CASE a.response::text WHEN 'true' THEN 1 WHEN 'false' THEN 2 ELSE 0 END
  ELSE 0
END
"""
_QUERY = f"""
WITH cols(qid, ver, pts, col) AS (SELECT * FROM unnest(:qids, :vers, :pts, :cols))
SELECT x.attempt_id,
       string_agg(lpad(to_hex(c.col), 4, '0') || lpad(to_hex(x.code), 2, '0'), '')
FROM (
  SELECT t.id AS attempt_id, pi.question_id, pi.question_version, pi.points, {_CODE} AS code
  FROM attempts t
  JOIN enrolments e ON e.id = t.enrolment_id
  JOIN papers p ON p.enrolment_id = e.id
  JOIN paper_items pi ON pi.paper_id = p.id
  JOIN question_versions qv
    ON qv.question_id = pi.question_id AND qv.version = pi.question_version
  LEFT JOIN answers a ON a.attempt_id = t.id AND a.paper_item_id = pi.id
  WHERE t.id = ANY(:ids)
) AS x
JOIN cols c ON c.qid = x.question_id AND c.ver = x.question_version AND c.pts = x.points
GROUP BY x.attempt_id
"""


def supported() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def read_codes(compiled: SittingItems, sheets: Sheets) -> None:
    """Fill ``sheets.codes`` and ``sheets.presented`` for every item of the batch's papers."""
    keys = list(compiled.index.items())
    statement = text(_QUERY).bindparams(
        bindparam("qids", type_=ARRAY(INTEGER)),
        bindparam("vers", type_=ARRAY(INTEGER)),
        bindparam("pts", type_=ARRAY(db.Double)),
        bindparam("cols", type_=ARRAY(INTEGER)),
        bindparam("ids", type_=ARRAY(INTEGER)),
    )
    rows = db.session.execute(
        statement,
        {
            "qids": [k[0] for k, _ in keys],
            "vers": [k[1] for k, _ in keys],
            "pts": [float(k[2]) for k, _ in keys],
            "cols": [c for _, c in keys],
            "ids": [int(a) for a in sheets.attempt_ids],
        },
    ).all()
    if not rows:
        return
    row_of = {int(a): i for i, a in enumerate(sheets.attempt_ids)}
    blobs = [blob or "" for _, blob in rows]
    raw = np.frombuffer(bytes.fromhex("".join(blobs)), dtype=np.uint8).reshape(-1, 3)
    sheet = np.repeat([row_of[a] for a, _ in rows], [len(b) // 6 for b in blobs])
    column = raw[:, 0].astype(np.intp) * 256 + raw[:, 1]
    sheets.codes[sheet, column] = raw[:, 2]
    sheets.presented[sheet, column] = True
