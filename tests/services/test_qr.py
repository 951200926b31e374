"""The QR matrix of services/qr.py is segno's, module for module, with the mask chosen faster."""

from __future__ import annotations

import random
import string

import numpy as np
import segno

from examsvc.services import qr


def test_the_matrix_is_the_one_segno_makes_for_every_mask_and_size():
    rng = random.Random(12)
    alphabet = string.ascii_letters + string.digits + "-_?=/."
    masks, versions = set(), set()
    for length in [1, 7, 20, 40, 60, 90, 140, 260, 400] * 40:
        text = "https://exam.example.cn/verify/" + "".join(rng.choices(alphabet, k=length))
        expected = segno.make(text, error="m", micro=False)
        masks.add(expected.mask)
        versions.add(expected.version)
        assert np.array_equal(qr.matrix(text), np.array(expected.matrix, dtype=bool)), text
    # Every mask won somewhere, and codes of version 7 and above carry version information.
    assert masks == set(range(8)) and min(versions) < 7 < max(versions)


def test_chinese_text_and_a_higher_error_level():
    for text in ("证书编号 Q0-3201-2026-00000001", "欧阳娜娜"):
        expected = segno.make(text, error="h", micro=False)
        assert np.array_equal(qr.matrix(text, error="h"), np.array(expected.matrix, dtype=bool))
