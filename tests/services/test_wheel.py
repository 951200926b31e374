"""A wheel built from the repository runs the service in Chinese, away from the repository.

The build runs on a copy of the tree without compiled catalogs (``*.mo`` are not in git), so
the wheel is Chinese only if the build compiles them. The wheel is installed into a fresh
virtual environment that borrows this one's libraries (not its editable ``examsvc``), and
the app runs from a temporary folder: migrations and templates must come from the wheel.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
#: Not part of a build: local environments, caches, outputs and compiled catalogs.
NOT_SOURCE = shutil.ignore_patterns(
    ".git", ".venv", "build", "dist", "instance", "test-artifacts", "*.egg-info",
    "__pycache__", "*.pyc", ".*_cache", "*.mo", "node_modules",
)  # fmt: skip

CHECK = """
import sys
import examsvc
from examsvc.wsgi import app  # what gunicorn examsvc.wsgi:app serves

assert examsvc.__file__.startswith(sys.argv[1]), examsvc.__file__
assert app.template_folder.startswith(sys.argv[1]), app.template_folder
page = app.test_client().get("/auth/login")
print(page.status_code)
print(page.get_data(as_text=True))
"""


def _build_options() -> list[str]:
    """Build with this environment's tools when they are what pyproject.toml asks for (no
    download needed), else in pip's isolated build environment."""
    from importlib.metadata import PackageNotFoundError, version

    def release(name: str) -> tuple[int, ...]:
        try:
            return tuple(int(part) for part in version(name).split(".")[:2] if part.isdigit())
        except PackageNotFoundError:
            return ()

    setuptools = release("setuptools")
    bdist_wheel = setuptools >= (70, 1) or bool(release("wheel"))
    if setuptools >= (68,) and bdist_wheel and release("babel"):
        return ["--no-build-isolation"]
    return []


def run(*args, **kwargs) -> subprocess.CompletedProcess:
    done = subprocess.run(args, capture_output=True, text=True, timeout=180, **kwargs)
    assert done.returncode == 0, f"{args}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    source = tmp_path_factory.mktemp("source") / "examsvc"
    shutil.copytree(ROOT, source, ignore=NOT_SOURCE)
    assert not list(source.rglob("*.mo"))
    dist = tmp_path_factory.mktemp("dist")
    pip = [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", *_build_options()]
    run(*pip, "-w", str(dist), str(source))
    (built,) = dist.glob("examsvc-*.whl")
    return built


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory) -> tuple[Path, Path]:
    """(python, site-packages) of a new environment holding the wheel and our dependencies."""
    env_dir = tmp_path_factory.mktemp("venv")
    venv.EnvBuilder(with_pip=False).create(env_dir)
    python = env_dir / "bin" / "python"
    site = Path(
        run(
            str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"
        ).stdout.strip()
    )
    # This environment's libraries, by path: its .pth files (the editable examsvc) stay out.
    (site / "dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")
    run(str(python), "-m", "pip", "install", "-q", "--no-deps", "--target", str(site), str(wheel))
    return python, site


def test_the_wheel_ships_compiled_catalogs_templates_and_migrations(installed):
    _, site = installed
    package = site / "examsvc"
    assert (package / "translations" / "zh" / "LC_MESSAGES" / "messages.mo").stat().st_size > 10_000
    assert (package / "templates" / "base.html").is_file()
    assert (package / "migrations" / "env.py").is_file()
    assert list((package / "migrations" / "versions").glob("*.py"))


def test_an_installed_wheel_migrates_and_serves_the_chinese_ui(installed, tmp_path):
    python, site = installed
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "EXAMSVC_INSTANCE_PATH": str(tmp_path / "instance"),
        "EXAMSVC_SECRET_KEY": "wheel-test-secret-key-0123456789abcdef",
    }
    run(str(site / "bin" / "examsvc"), "db", "upgrade", cwd=tmp_path, env=env)
    assert (tmp_path / "instance").is_dir()
    done = run(str(python), "-c", CHECK, str(site), cwd=tmp_path, env=env)
    status, page = done.stdout.split("\n", 1)
    assert status == "200"
    assert "登录" in page and "Log in" not in page
