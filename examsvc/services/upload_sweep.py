"""Files in the shared upload folder (EXAMSVC_UPLOAD_PATH) that no registration document
names: left by a write whose transaction failed, or by a crash between the file and the row.

A file younger than the grace period is left alone whatever it looks like: its upload may
still be committing. Half-written temporary files (``.part-…``) older than that are orphans
too. Only files under the folder's registration sub-folder are considered.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from examsvc.extensions import db
from examsvc.models import RegistrationDocument
from examsvc.services import registration_files

#: Files younger than this are not swept by default: their transaction may be in flight.
GRACE_SECONDS = 3600


@dataclass
class SweepReport:
    folder: str | None
    dry_run: bool
    referenced: int = 0
    orphans: list[str] = field(default_factory=list)
    orphan_bytes: int = 0
    too_young: int = 0
    deleted: int = 0
    failed: list[str] = field(default_factory=list)

    def as_json(self) -> dict:
        return {
            "folder": self.folder,
            "dry_run": self.dry_run,
            "referenced": self.referenced,
            "orphans": self.orphans,
            "orphan_bytes": self.orphan_bytes,
            "too_young": self.too_young,
            "deleted": self.deleted,
            "failed": self.failed,
        }


def _referenced() -> set[str]:
    return set(
        db.session.scalars(
            db.select(RegistrationDocument.stored_name).where(
                RegistrationDocument.stored_name.is_not(None)
            )
        )
    )


def sweep(*, delete: bool = False, grace_seconds: int = GRACE_SECONDS) -> SweepReport:
    """List (and with ``delete`` remove) the files of the folder no document names."""
    base = registration_files.folder()
    report = SweepReport(folder=str(base) if base else None, dry_run=not delete)
    if base is None:
        return report
    # The names are read before the folder: a file committed meanwhile is young, so kept.
    names = _referenced()
    report.referenced = len(names)
    if not base.is_dir():
        return report
    cutoff = time.time() - grace_seconds
    for path in sorted(p for p in base.rglob("*") if p.is_file() or p.is_symlink()):
        if path.name in names and path.parent.name == path.name[:2]:
            continue
        try:
            info = path.lstat()
        except OSError:
            continue  # removed meanwhile
        if info.st_mtime > cutoff:
            report.too_young += 1
            continue
        relative = str(path.relative_to(base))
        report.orphans.append(relative)
        report.orphan_bytes += info.st_size
        if delete:
            _remove(path, relative, report)
    return report


def _remove(path: Path, relative: str, report: SweepReport) -> None:
    try:
        path.unlink()
    except FileNotFoundError:
        return
    except OSError:
        report.failed.append(relative)
        return
    report.deleted += 1
