"""Errors raised by the question-bank domain, and the messages they carry.

The domain speaks English message templates marked for translation (``Msg``); the
service translates them for the user's language (``examsvc.i18n.translate``). A ``Msg`` is
a ``str`` (its English text), so code that only logs or joins messages keeps working.
"""

from __future__ import annotations

from typing import Any


class Msg(str):
    """A user-facing message: an English template with ``%(name)s`` parameters and a code.

    Write the template as a literal first argument (``Msg("row %(n)s", n=3)``): the
    catalog extraction picks up ``Msg`` calls. A parameter that is itself a ``Msg`` is
    translated too.
    """

    template: str
    params: dict[str, Any]
    code: str

    def __new__(cls, template: str, code: str = "", **params: Any) -> Msg:
        text = template % params if params else template
        obj = super().__new__(cls, text)
        obj.template = template
        obj.params = params
        obj.code = code
        return obj

    def __reduce__(self):  # pickles (job payloads) keep the template and parameters
        return (_rebuild_msg, (self.template, self.code, self.params))


def _rebuild_msg(template: str, code: str, params: dict[str, Any]) -> Msg:
    return Msg(template, code, **params)


class QuestionBankError(Exception):
    """Base of every domain error; the message is safe to show to a user."""


class InvalidQuestion(QuestionBankError):
    """A question's content breaks a rule; ``problems`` lists every broken rule."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__("; ".join(self.problems))


class InvalidResponse(QuestionBankError):
    """A candidate's response does not fit the item it answers."""


class AssemblyInfeasible(QuestionBankError):
    """The bank cannot fill a blueprint; ``shortfalls`` names the rows that fall short."""

    def __init__(self, shortfalls: list["Shortfall"], detail: str = ""):  # noqa: UP037
        self.shortfalls = list(shortfalls)
        self.detail = detail
        parts = [
            f"row {s.row_index + 1} ({s.describe()}): needs {s.needed}, bank has {s.available}"
            + (f" ({s.note})" if s.note else "")
            for s in self.shortfalls
        ]
        if detail:
            parts.append(detail)
        super().__init__("blueprint cannot be met: " + "; ".join(parts))


class Shortfall:
    """One blueprint row that the bank cannot fill."""

    def __init__(
        self,
        row_index: int,
        area: str | None,
        qtype: str,
        needed: int,
        available: int,
        band: tuple[int, int] | None = None,
        note: str = "",
    ):
        self.row_index = row_index
        self.area = area
        self.qtype = qtype
        self.needed = needed
        self.available = available
        self.band = band
        self.note = note

    def describe(self) -> str:
        text = f"{self.area or 'any area'} × {self.qtype}"
        if self.band is not None:
            text += f" × difficulty {self.band[0]}–{self.band[1]}"
        return text
