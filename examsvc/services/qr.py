"""QR codes for printed pages: segno encodes, numpy chooses the data mask.

ISO/IEC 18004 §7.8.3 has the encoder try the eight data masks and keep the one with the
lowest penalty (long runs, 2 × 2 blocks, finder-like patterns, dark/light balance). segno
scores them in pure Python: about 5 ms a code, most of a certificate page's time in a batch
of thousands. ``matrix`` asks segno for the code with mask 0, derives the seven others from
it on numpy arrays (the same data modules, another mask pattern, that mask's format
information), scores all eight at once by the rules segno applies, and returns the winner:
module for module what ``segno.make`` returns (tests/services/test_qr.py compares them).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import segno

#: Error correction levels in the format information (ISO/IEC 18004 Table 12).
_LEVEL_BITS = {"L": 1, "M": 0, "Q": 3, "H": 2}
_FINDER_LIKE = 0b1011101  #: dark, light, dark × 3, light, dark


def matrix(data: str, error: str = "m") -> np.ndarray:
    """The modules (rows of booleans, dark = True) of the QR code of ``data``, quiet zone
    excluded: the code ``segno.make(data, error=error, micro=False)`` would make."""
    code = segno.make(data, error=error, micro=False, mask=0)
    size = len(code.matrix)
    first = np.array(code.matrix, dtype=np.uint8)
    data_region, reserved = _regions(int(code.version))
    masks = _masks(size)
    unmasked = first ^ (masks[0] & data_region)
    candidates = unmasked[None] ^ (masks & data_region)
    scored = candidates.copy()
    scored[:, reserved] = 0  # evaluated before the format and version information is written
    best = int(np.argmin(_penalties(scored)))  # the first of equal scores, as segno
    chosen = candidates[best]
    chosen[reserved] = first[reserved]  # version information and dark module: any mask's
    _write_format(chosen, _LEVEL_BITS[str(code.error).upper()], best)
    return chosen.astype(bool)


@lru_cache(maxsize=8)
def _masks(size: int) -> np.ndarray:
    i, j = np.indices((size, size))
    patterns = (
        (i + j) % 2 == 0,
        i % 2 == 0,
        j % 3 == 0,
        (i + j) % 3 == 0,
        (i // 2 + j // 3) % 2 == 0,
        (i * j) % 2 + (i * j) % 3 == 0,
        ((i * j) % 2 + (i * j) % 3) % 2 == 0,
        ((i + j) % 2 + (i * j) % 3) % 2 == 0,
    )
    masks = np.array(patterns, dtype=np.uint8)
    masks.flags.writeable = False
    return masks


@lru_cache(maxsize=8)
def _regions(version: int) -> tuple[np.ndarray, np.ndarray]:
    """(data modules, format and version information modules) of a QR code version."""
    size = 17 + 4 * version
    function = np.zeros((size, size), dtype=bool)
    function[:9, :9] = function[:9, -8:] = function[-8:, :9] = True  # finders, format
    function[6, :] = function[:, 6] = True  # timing patterns
    reserved = np.zeros((size, size), dtype=bool)
    reserved[8, :9] = reserved[:9, 8] = reserved[8, -8:] = reserved[-8:, 8] = True
    reserved[8, 6] = reserved[6, 8] = False  # timing modules, not format information
    if version >= 7:
        reserved[:6, -11:-8] = reserved[-11:-8, :6] = True
    centres = _alignment_centres(version)
    last = centres[-1] if centres else 0
    for row in centres:
        for col in centres:
            if (row, col) not in ((6, 6), (6, last), (last, 6)):
                function[row - 2 : row + 3, col - 2 : col + 3] = True
    data = (~(function | reserved)).astype(np.uint8)
    data.flags.writeable = reserved.flags.writeable = False
    return data, reserved


def _alignment_centres(version: int) -> list[int]:
    if version == 1:
        return []
    count = version // 7 + 2
    step = 26 if version == 32 else (version * 4 + count * 2 + 1) // (count * 2 - 2) * 2
    centres, position = [6], version * 4 + 10
    for _ in range(count - 1):
        centres.insert(1, position)
        position -= step
    return centres


def _write_format(modules: np.ndarray, level: int, mask: int) -> None:
    """The 15 format bits (BCH coded, XOR 0x5412) in their two copies, and the dark module."""
    value = level << 3 | mask
    remainder = value
    for _ in range(10):
        remainder = (remainder << 1) ^ ((remainder >> 9) * 0x537)
    bits = ((value << 10) | remainder) ^ 0x5412
    size = len(modules)
    for i in range(15):
        bit = (bits >> i) & 1
        if i < 6:
            modules[i, 8] = bit
        elif i < 8:
            modules[i + 1, 8] = bit
        elif i == 8:
            modules[8, 7] = bit
        else:
            modules[8, 14 - i] = bit
        if i < 8:
            modules[8, size - 1 - i] = bit
        else:
            modules[size - 15 + i, 8] = bit
    modules[size - 8, 8] = 1


def _penalties(candidates: np.ndarray) -> list[int]:
    """The penalty score of each candidate (axis 0), computed as segno.encoder.mask_scores."""
    count, size, _ = candidates.shape
    lines = np.concatenate([candidates, candidates.transpose(0, 2, 1)], axis=1)
    scores = _runs(lines) + _finder_like(lines)
    blocks = (
        (candidates[:, :-1, :-1] == candidates[:, 1:, :-1])
        & (candidates[:, :-1, :-1] == candidates[:, :-1, 1:])
        & (candidates[:, :-1, :-1] == candidates[:, 1:, 1:])
    )
    scores += 3 * blocks.sum(axis=(1, 2))
    dark = candidates.sum(axis=(1, 2))
    return [
        int(scores[k]) + 10 * int(abs(float(dark[k]) / size**2 * 100 - 50) / 5)
        for k in range(count)
    ]


def _runs(lines: np.ndarray) -> np.ndarray:
    """N1: 3 + (length - 5) for every run of five or more modules of one colour in a line."""
    count, rows, size = lines.shape
    padded = np.full((count, rows, size + 1), 2, dtype=np.uint8)  # 2 ends every line
    padded[:, :, :size] = lines
    flat = padded.reshape(-1)
    starts = np.flatnonzero(np.diff(flat, prepend=np.uint8(3)))
    lengths = np.diff(starts, append=flat.size)
    long = lengths >= 5
    owner = starts[long] // (rows * (size + 1))
    return np.bincount(owner, weights=lengths[long] - 2, minlength=count).astype(np.int64)


def _finder_like(lines: np.ndarray) -> np.ndarray:
    """N3: 40 for each dark-light-dark×3-light-dark pattern with four light modules (or the
    symbol's edge) before or after it, found left to right as segno finds them."""
    count, rows, size = lines.shape
    window = size - 6
    code = np.zeros((count, rows, window), dtype=np.uint8)
    for offset in range(7):  # each run of seven modules as a 7-bit number
        code <<= 1
        code |= lines[:, :, offset : offset + window]
    found = code == _FINDER_LIKE
    dark_before = np.zeros((count, rows, size + 1), dtype=np.int32)
    np.cumsum(lines, axis=2, out=dark_before[:, :, 1:])
    k, row, idx = np.nonzero(found)
    ahead = dark_before[k, row, np.minimum(idx + 11, size)] - dark_before[k, row, idx + 7]
    behind = dark_before[k, row, idx] - dark_before[k, row, np.maximum(idx - 4, 0)]
    counted = (idx == 0) | (idx == size - 7) | (behind == 0) | (ahead == 0)
    line = k * rows + row
    overlapping = (np.diff(line) == 0) & (np.diff(idx) < 7)
    for shared in np.unique(line[1:][overlapping]):
        # segno searches on after a counted pattern's end: one overlapping it is not seen
        resume = 0
        for i in np.flatnonzero(line == shared):
            if idx[i] < resume:
                counted[i] = False
            elif counted[i]:
                resume = idx[i] + 7
    return 40 * np.bincount(k[counted], minlength=count).astype(np.int64)
