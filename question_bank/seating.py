"""Rooms and seats (考场, 座位号) for a sitting's candidates: plain values in, plain values out.

Candidates are seated in the order given (the service passes admission-number order): the
first ``size`` in the first room, seats 1…size, then the next room. Rooms are named by a
pattern in which ``{n}`` stands for the room's number with two digits ("第{n}考场" gives
第01考场, 第02考场…).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterator, Mapping, Sequence
from typing import TypeVar

from question_bank.errors import Msg

K = TypeVar("K", bound=Hashable)

MAX_ROOM_SIZE = 500
MAX_PATTERN_LENGTH = 40
DEFAULT_PATTERN = "第{n}考场"
NUMBER = "{n}"


class SeatingError(ValueError):
    """Seats cannot be assigned as asked; ``message`` says why (a ``Msg``)."""

    def __init__(self, message: Msg) -> None:
        super().__init__(message)
        self.message = message


def check(size: int, pattern: str) -> str:
    """The pattern, trimmed, when ``size`` and ``pattern`` are usable; else SeatingError."""
    if not 1 <= size <= MAX_ROOM_SIZE:
        raise SeatingError(
            Msg("a room holds 1 to %(max)s candidates", code="bad_room_size", max=MAX_ROOM_SIZE)
        )
    pattern = (pattern or "").strip() or DEFAULT_PATTERN
    if len(pattern) > MAX_PATTERN_LENGTH or pattern.count(NUMBER) > 1 or "\n" in pattern:
        raise SeatingError(
            Msg(
                "room names: at most %(max)s characters on one line, with {n} at most once",
                code="bad_room_pattern",
                max=MAX_PATTERN_LENGTH,
            )
        )
    return pattern


def room_name(pattern: str, number: int) -> str:
    """The name of room ``number`` (1-based): ``{n}`` replaced, or the number appended."""
    digits = f"{number:02d}"
    return pattern.replace(NUMBER, digits) if NUMBER in pattern else pattern + digits


def _slots(size: int, pattern: str) -> Iterator[tuple[str, int]]:
    room = 0
    while True:
        room += 1
        name = room_name(pattern, room)
        for seat in range(1, size + 1):
            yield name, seat


def assign(
    order: Sequence[K],
    size: int,
    pattern: str = DEFAULT_PATTERN,
    kept: Mapping[K, tuple[str, int]] | None = None,
) -> dict[K, tuple[str, int]]:
    """(room, seat) for every key of ``order``, rooms of ``size`` seats filled in order.

    ``kept``: seats that stay as they are (people seated earlier, whose tickets may be
    printed); the others fill the free seats in order, gaps left by removals first.
    """
    pattern = check(size, pattern)
    present = set(order)
    kept = {k: v for k, v in (kept or {}).items() if k in present}
    taken = set(kept.values())
    seats: dict[K, tuple[str, int]] = dict(kept)
    slots = (slot for slot in _slots(size, pattern) if slot not in taken)
    for key in order:
        if key not in seats:
            seats[key] = next(slots)
    return seats


def rooms_used(seats: Mapping[K, tuple[str, int]]) -> list[str]:
    """The rooms the seats use, in first-seen order."""
    return list(dict.fromkeys(room for room, _ in seats.values()))
