"""scripts/bench_certificates.py keeps its contract (the 年检 part, scaled down)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_bench_prints_its_figures_for_a_small_inspection():
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "bench_certificates.py"), "--json",
         "--certificates", "0", "--inspection-people", "120"],
        capture_output=True, text=True, timeout=300, check=True,
    )  # fmt: skip
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    assert {"certificates", "inspection_people", "inspection_s"} <= set(figures)
    assert figures["certificates"] == 0 and figures["inspection_people"] == 120
    assert figures["inspection_assessed"] == 120
    assert sum(figures["inspection_outcomes"].values()) == 120
    # The world has every outcome: passes, a reinstatement, first and second failures.
    assert all(n > 0 for n in figures["inspection_outcomes"].values())
    assert figures["inspection_changed"] > 0
