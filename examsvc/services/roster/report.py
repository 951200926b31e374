"""The report of a roster import: what it did (or would do), and the CLI's JSON of it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from examsvc.i18n import translate


@dataclass
class RosterReport:
    """What an import did (or would do); ``as_json()`` is the CLI's contract (DESIGN.md §4)."""

    imported: int = 0
    skipped: int = 0
    created: int = 0
    updated: int = 0
    enrolled: int = 0
    #: Rows written per 人员类别 code (DOMAIN.md), "unspecified" for rows that name none.
    by_type: dict[str, int] = field(default_factory=dict)
    errors: list[dict[str, str]] = field(default_factory=list)
    accounts: list[dict[str, Any]] = field(default_factory=list)
    rejected: bool = False
    dry_run: bool = False

    def note(self, where: str, message: str) -> None:
        self.errors.append({"where": where, "message": message})

    def reject(self) -> None:
        self.rejected = True
        self.imported = self.created = self.updated = self.enrolled = 0
        self.by_type = {}
        self.accounts = []

    def as_json(self) -> dict[str, Any]:
        return {
            "imported": self.imported,
            "skipped": self.skipped,
            "errors": [
                {"where": translate(e["where"]), "message": translate(e["message"])}
                for e in self.errors
            ],
            "by_type": dict(sorted(self.by_type.items())),
            "created": self.created,
            "updated": self.updated,
            "enrolled": self.enrolled,
            "accounts": self.accounts,
        }
