"""How a fill-in (填空) answer is compared with the accepted answers of its blank.

Both sides are folded the same way before comparing: full-width and half-width forms, case,
spaces, quotation marks and punctuation at the end do not matter, and traditional characters
count as their simplified forms (OpenCC's phrase-aware ``t2s``, so 乾隆 stays 乾隆 while
兩年 becomes 两年). An accepted answer may list alternatives separated by ``|``
(``2年|两年``).
"""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Iterable, Sequence

import opencc

from question_bank.model import normalize_text

#: Separates alternatives inside one accepted answer: ``2年|两年``.
ALTERNATIVE_SEPARATORS = ("|", "｜")
#: Quotation marks of both scripts (after NFKC): dropped wherever they stand.
_QUOTES = "\"'`“”‘’„‟‚‛「」『』〝〞〟﹁﹂﹃﹄〃"
#: Punctuation a candidate may or may not end an answer with.
_TRAILING = ".,;:!?。，、；：！？…‥～~·・"
_DROP = {ord(c): None for c in _QUOTES}


@functools.cache
def _converter() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


@functools.lru_cache(maxsize=65536)
def fold_answer(text: str) -> str:
    """The comparable form of an answer: width, case, spaces, quotes, trailing punctuation
    and traditional characters folded away (``「兩 年。」`` → ``两年``)."""
    text = unicodedata.normalize("NFKC", normalize_text(text))
    text = _converter().convert(text) if text else text
    text = "".join(text.casefold().split()).translate(_DROP)
    return text.rstrip(_TRAILING)


def alternatives(accepted: str) -> list[str]:
    """The alternatives an accepted answer lists (``2年|两年`` → ``["2年", "两年"]``)."""
    for sep in ALTERNATIVE_SEPARATORS[1:]:
        accepted = accepted.replace(sep, ALTERNATIVE_SEPARATORS[0])
    return [a for a in accepted.split(ALTERNATIVE_SEPARATORS[0]) if a.strip()]


@functools.lru_cache(maxsize=16384)
def _folded_key(accepted: tuple[str, ...]) -> frozenset[str]:
    return frozenset(f for a in accepted for alt in alternatives(a) if (f := fold_answer(alt)))


def blank_matches(accepted: Iterable[str], given: str) -> bool:
    """Whether one blank's answer is among its accepted answers, after folding both."""
    folded = fold_answer(given)
    options = (accepted,) if isinstance(accepted, str) else tuple(accepted)
    return bool(folded) and folded in _folded_key(options)


def right_blanks(key: Sequence[Sequence[str]], response: Sequence[str]) -> int:
    """How many blanks of a fill-in response match their accepted answers."""
    return sum(
        1 for accepted, given in zip(key, response, strict=False) if blank_matches(accepted, given)
    )
