"""The two job progress pages (an import, a randomize) share one card that
static/js/job_progress.js fills in: its markup is written once, in templates/_job.html."""

from __future__ import annotations

from pathlib import Path

import pytest

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
JOB_PAGES = ("admin/job.html", "bank/import_job.html")


@pytest.mark.parametrize("page", JOB_PAGES)
def test_a_job_page_uses_the_shared_job_card(page):
    source = (TEMPLATES / page).read_text(encoding="utf-8")
    assert '{% from "_job.html" import job_card' in source and "{% call job_card(" in source
    for markup in ("data-job-url", 'id="job-bar"', 'id="job"'):
        assert markup not in source, f"{page} repeats {markup} of templates/_job.html"


def test_the_shared_job_card_holds_what_the_script_reads():
    source = (TEMPLATES / "_job.html").read_text(encoding="utf-8")
    for markup in ("data-job-url", "data-state", "data-text-checking", "data-text-writing"):
        assert markup in source
    assert 'id="job-bar"' in source
