"""Build steps that pyproject.toml cannot declare: compiled catalogs, templates and migrations.

Every wheel (``pip install .``, ``pip wheel .``, ``python -m build``) gets
- the Chinese and English catalogs compiled to ``.mo`` (they are not kept in git), so an
  install serves the Chinese UI without running ``pybabel compile``;
- ``templates/`` and ``migrations/`` (kept at the top of the repository) as
  ``examsvc/templates`` and ``examsvc/migrations``; ``create_app`` looks there first.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
SHIPPED_DIRECTORIES = ("templates", "migrations")


def compile_catalogs(source: Path, target: Path) -> list[Path]:
    """Compile every ``<lang>/LC_MESSAGES/*.po`` under ``source`` to ``.mo`` under ``target``."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    written = []
    for po in sorted(source.glob("*/LC_MESSAGES/*.po")):
        with po.open("rb") as fh:
            catalog = read_po(fh, locale=po.parent.parent.name)
        errors = [(message.id, problems) for message, problems in catalog.check() if problems]
        if errors:
            raise SystemExit(f"{po}: catalog errors {errors[:5]}")
        mo = target / po.relative_to(source).with_suffix(".mo")
        mo.parent.mkdir(parents=True, exist_ok=True)
        with mo.open("wb") as fh:
            write_mo(fh, catalog, use_fuzzy=False)
        written.append(mo)
    return written


class BuildWithCatalogs(build_py):
    """build_py, then the compiled catalogs and the top-level templates and migrations."""

    def run(self) -> None:
        super().run()
        package = Path(self.build_lib) / "examsvc"
        compile_catalogs(ROOT / "examsvc" / "translations", package / "translations")
        for name in SHIPPED_DIRECTORIES:
            target = package / name
            if target.exists():
                shutil.rmtree(target)
            shutil.copytree(
                ROOT / name, target, ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
            )


setup(cmdclass={"build_py": BuildWithCatalogs})
