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
    translated too; a tuple or list parameter is a list the service joins the way the
    language does ("A、B、C" in Chinese; "A, B, C" in the English text).
    """

    template: str
    params: dict[str, Any]
    code: str

    def __new__(cls, template: str, code: str = "", **params: Any) -> Msg:
        shown = {
            k: ", ".join(map(str, v)) if isinstance(v, tuple | list) else v
            for k, v in params.items()
        }
        text = template % shown if params else template
        obj = super().__new__(cls, text)
        obj.template = template
        obj.params = params
        obj.code = code
        return obj

    def __reduce__(self):  # pickles (job payloads) keep the template and parameters
        return (_rebuild_msg, (self.template, self.code, self.params))


def _rebuild_msg(template: str, code: str, params: dict[str, Any]) -> Msg:
    return Msg(template, code, **params)


class Code(str):
    """A code inside a message (a knowledge area, a question type): the service shows its label.

    ``kind`` names the list of labels: ``"area"``, ``"type"``, ``"exam"``, ``"channel"``.
    """

    kind: str

    def __new__(cls, value: str, kind: str) -> Code:
        obj = super().__new__(cls, value)
        obj.kind = kind
        return obj

    def __reduce__(self):
        return (Code, (str(self), self.kind))


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
    """The bank cannot fill a blueprint; ``shortfalls`` names the rows that fall short.

    ``messages`` holds one ``Msg`` per shortfall (and the detail, if any) for the service to
    translate; ``str()`` of the error is the English text, for logs.
    """

    def __init__(self, shortfalls: list["Shortfall"], detail: str = ""):  # noqa: UP037
        self.shortfalls = list(shortfalls)
        self.detail = detail
        self.messages: list[Msg] = [s.message() for s in self.shortfalls]
        if detail:
            self.messages.append(detail if isinstance(detail, Msg) else Msg(detail))
        super().__init__("blueprint cannot be met: " + "; ".join(self.messages))


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
        note: str | Msg = "",
    ):
        self.row_index = row_index
        self.area = area
        self.qtype = qtype
        self.needed = needed
        self.available = available
        self.band = band
        self.note = note

    def describe(self) -> Msg:
        """The row's cell: knowledge area × question type (× difficulty band)."""
        area = Code(self.area, "area") if self.area else Msg("any area", code="any_area")
        qtype = Code(self.qtype, "type")
        if self.band is None:
            return Msg("%(area)s × %(qtype)s", code="cell", area=area, qtype=qtype)
        return Msg(
            "%(area)s × %(qtype)s × difficulty %(low)s–%(high)s",
            code="cell_band",
            area=area,
            qtype=qtype,
            low=self.band[0],
            high=self.band[1],
        )

    def message(self) -> Msg:
        """What falls short in this row, e.g. "row 3 (discipline × fill): needs 50, bank has 3"."""
        params = {
            "row": self.row_index + 1,
            "cell": self.describe(),
            "needed": self.needed,
            "available": self.available,
        }
        if self.note:
            return Msg(
                "row %(row)s (%(cell)s): needs %(needed)s, bank has %(available)s (%(note)s)",
                code="shortfall",
                note=self.note,
                **params,
            )
        return Msg(
            "row %(row)s (%(cell)s): needs %(needed)s, bank has %(available)s",
            code="shortfall",
            **params,
        )
