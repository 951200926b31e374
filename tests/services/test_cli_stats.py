"""`examsvc stats items FILE [--json]` (DESIGN.md §4)."""

import json

import pytest

MATRIX = """candidate,党章第1题,Q2,Q3
key,A,B,C
c1,A,B,C
c2,A,B,C
c3,A,D,C
c4,B,B,D
c5,C,C,D
c6,A,,D
"""


@pytest.fixture
def run(app):
    runner = app.test_cli_runner()
    return lambda *args: runner.invoke(args=["stats", "items", *map(str, args)])


def test_stats_items_prints_the_analysis_as_json(run, tmp_path):
    path = tmp_path / "matrix.csv"
    path.write_text(MATRIX, encoding="utf-8-sig")
    result = run(path, "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert set(report) == {"candidates", "items", "test"}
    assert report["candidates"] == 6
    assert set(report["test"]) == {"mean", "sd", "alpha", "sem"}
    assert report["test"]["alpha"] == pytest.approx(27 / 44, abs=1e-9)
    first, second, _ = report["items"]
    assert set(first) == {
        "item", "key", "facility", "sd", "item_rest_r", "discrimination_index",
        "discriminative_efficiency", "options", "flags", "suggest",
    }  # fmt: skip
    assert first["item"] == "党章第1题" and first["facility"] == pytest.approx(2 / 3)
    assert first["options"][0] == {
        "option": "A",
        "share": pytest.approx(2 / 3),
        "rest_r": pytest.approx(first["item_rest_r"]),
    }
    assert (second["flags"], second["suggest"]) == (["key_suspect"], "D")
    assert first["flags"] == [] and first["suggest"] is None


def test_stats_items_reads_a_gb18030_file_as_excel_saves_it(run, tmp_path):
    path = tmp_path / "matrix.csv"
    path.write_bytes(MATRIX.encode("gb18030"))
    result = run(path, "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["items"][0]["item"] == "党章第1题"


def test_stats_items_prints_a_table_without_json(run, tmp_path):
    path = tmp_path / "matrix.csv"
    path.write_text(MATRIX, encoding="utf-8")
    result = run(path)
    assert result.exit_code == 0, result.output
    assert "key_suspect (suggest D)" in result.output
    assert "alpha 0.614" in result.output


def test_stats_items_refuses_a_bad_cell_with_exit_1(run, tmp_path):
    path = tmp_path / "matrix.csv"
    path.write_text("candidate,Q1\nkey,A\nc1,Z\n", encoding="utf-8")
    result = run(path, "--json")
    assert result.exit_code == 1
    error = json.loads(result.output)
    assert error["error"] == "matrix_cell"
    assert "第 3 行" in error["message"] and "Z" in error["message"]


def test_stats_items_refuses_a_missing_file_with_exit_1(run, tmp_path):
    result = run(tmp_path / "nowhere.csv", "--json")
    assert result.exit_code == 1
    assert json.loads(result.output)["error"] == "unreadable"
