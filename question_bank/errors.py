"""Errors raised by the question-bank domain."""


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
