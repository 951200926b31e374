"""A live server in a thread and Debian's Chromium driven by Playwright.

Set EXAMSVC_TEST_REQUIRE_BROWSER=1 (CI does) to fail instead of skipping when Chromium
or Playwright is missing. Screenshots go to test-artifacts/ (EXAMSVC_TEST_ARTIFACTS names
another folder) for a person to look at.
"""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from examsvc.extensions import db

CHROMIUM = os.environ.get("EXAMSVC_CHROMIUM", "/usr/bin/chromium")
DEFAULT_ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
ARTIFACTS = Path(os.environ.get("EXAMSVC_TEST_ARTIFACTS") or DEFAULT_ARTIFACTS)
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _require_browser() -> bool:
    return os.environ.get("EXAMSVC_TEST_REQUIRE_BROWSER", "") not in ("", "0", "false")


@pytest.fixture(scope="session")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:  # pragma: no cover - depends on the machine
        if _require_browser():
            pytest.fail(f"Playwright is required: {exc}")
        pytest.skip("Playwright is not installed")
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        if _require_browser():
            pytest.fail(
                f"Chromium is required but {CHROMIUM} is missing (apt-get install chromium)"
            )
        pytest.skip(f"{CHROMIUM} is missing")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def live_server(app):
    """Serve the test's app on a free loopback port; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture
def new_page(browser, live_server):
    """Open a page in a fresh browser context (its own cookies), with the base URL set."""
    contexts = []

    def factory():
        context = browser.new_context(
            base_url=live_server, locale="zh-CN", viewport={"width": 1280, "height": 900}
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield factory
    for context in contexts:
        context.close()


def screenshot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}


@pytest.fixture
def open_context(browser, live_server):
    """Browser contexts at a named viewport; a script error in any of their pages fails the test."""
    contexts, errors = [], []

    def factory(viewport: str = "desktop"):
        context = browser.new_context(
            base_url=live_server, locale="zh-CN", viewport=VIEWPORTS[viewport]
        )
        context.set_default_timeout(15_000)
        context.on("page", lambda page: page.on("pageerror", lambda e: errors.append(str(e))))
        contexts.append(context)
        return context

    yield factory
    for context in contexts:
        context.close()
    assert not errors, f"script errors on the page: {errors}"


@pytest.fixture
def exam_ready(open_sitting):
    """A sitting open now with one candidate: (sitting id, candidate e-mail, candidate)."""

    def factory(limit: int | None = None, duration: int = 30):
        sitting, _, (candidate,) = open_sitting(duration=duration)
        sitting.focus_loss_limit = limit
        db.session.commit()
        ids = (sitting.id, candidate.email, candidate.id)
        db.session.remove()  # the live server's threads take the database from here
        return ids

    return factory
