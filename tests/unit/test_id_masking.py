"""Masking ID numbers for display and in log text (pure string work)."""

import pytest

from examsvc.services.identity import mask_id, mask_text


@pytest.mark.parametrize(
    ("number", "shown"),
    [
        ("11010519491231002X", "1101**********002X"),
        ("11010519491231002x", "1101**********002X"),
        ("４４０５２４１８８００１０１００１４", "4405**********0014"),
        ("", ""),
        (None, ""),
        ("1234", "****"),
    ],
)
def test_mask_id_keeps_the_first_and_last_four(number, shown):
    assert mask_id(number) == shown


def test_mask_text_masks_every_id_number_and_nothing_else():
    text = (
        "导入 11010519491231002X 与 id=440524188001010014x 及 user34052419800101001x；"
        "订单 1234567890123456789"
    )
    masked = mask_text(text)
    assert "导入 1101**********002X 与" in masked
    assert "id=4405**********0014x" in masked
    assert "user3405**********001x" in masked
    assert "19491231" not in masked and "18800101" not in masked and "19800101" not in masked
    # 18 digits inside a longer run of digits are no ID number.
    assert "1234567890123456789" in masked


def test_mask_text_masks_full_width_numbers_too():
    masked = mask_text("身份证：１１０１０５１９４９１２３１００２ｘ。")
    assert masked == "身份证：１１０１**********００２ｘ。"
