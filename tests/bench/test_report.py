"""bench's numbers and tables: medians over runs, the baseline ratio, the Markdown rows."""

from pathlib import Path

import pytest

from bench.load import failure_problem, percentile
from bench.report import aggregate, format_table, notes_cell, statements_cell, summarize
from bench.run_one import Options

OPTIONS = Options(
    duration=3,
    warmup=1,
    threads=2,
    connections=4,
    lesson="hipaa",
    quiz_attempts=0,
    csv_repeats=3,
    summary_repeats=20,
    cache_dir=Path("/tmp"),
    keep=False,
)


def sample(rps: float, concurrency: int = 4, **extra) -> dict:
    return {"requests": int(rps * 3), "rps": rps, "p50_ms": 1000 / rps, "p95_ms": 2000 / rps, "p99_ms": 3000 / rps,
            "non2xx": 0, "socket_errors": 0, "concurrency": concurrency, **extra}  # fmt: skip


def run(scale: float) -> dict:
    lesson = {"label": "lesson page (learner, /lessons/hipaa)", "path": "/lessons/hipaa", "who": "learner"}
    csv = {"label": "roster CSV", "path": "/instructor/export/roster.csv", "who": "instructor"}
    return {
        "baseline": {"c1": sample(1000 * scale, 1), "c4": sample(2000 * scale)},
        "endpoints": {
            "lesson": lesson | sample(250 * scale),
            "csv": csv | sample(10 * scale, 1, bytes=2_500_000, rows=1000, rss_growth_mb=3.0, rss_growth_max_mb=4.0),
        },
        "statements": {"lesson": {"warm": 3, "cold": 5, "sql": []}, "csv": {"warm": 4, "cold": 4, "sql": []}},
        "problems": [],
        "subjects": {"learner_email": "a@demo.example"},
    }


@pytest.mark.parametrize(("q", "expected"), [(50, 3), (95, 5), (99, 5), (0, 1), (100, 5)])
def test_percentile_is_nearest_rank(q, expected):
    assert percentile([5, 1, 4, 2, 3], q) == expected


def test_summary_takes_medians_and_adds_counts():
    summary = summarize([sample(100), sample(300), sample(200) | {"non2xx": 2}])
    assert summary["rps"] == 200 and summary["p50_ms"] == 1000 / 200
    assert summary["requests"] == 1800 and summary["non2xx"] == 2 and len(summary["runs"]) == 3


def test_aggregate_compares_each_row_with_the_baseline_of_its_concurrency():
    result = aggregate(1000, {"size": 1000, "instructor_password": "secret"}, [run(1), run(1.2), run(0.8)], OPTIONS)
    assert "instructor_password" not in result["database"]
    lesson, csv = result["endpoints"]["lesson"], result["endpoints"]["csv"]
    assert lesson["ratio"] == pytest.approx(8) and lesson["statements"]["warm"] == 3  # vs 4 connections
    assert csv["ratio"] == pytest.approx(100)  # sequential: vs 1 connection
    assert list(result["endpoints"]) == ["lesson", "csv"]  # the report's order


def test_a_page_measured_with_a_baseline_just_before_it_is_compared_with_that_one():
    runs = [run(1), run(1), run(1)]
    # hello moved between runs (2,000 at the start of each run), the page held steady
    for scale, measured in zip((1.5, 0.5, 1.1), runs, strict=True):
        measured["endpoints"]["lesson"]["adjacent_baseline_rps"] = 1250 * scale
    result = aggregate(1000, {"size": 1000}, runs, OPTIONS)
    lesson, csv = result["endpoints"]["lesson"], result["endpoints"]["csv"]
    assert lesson["ratio"] == pytest.approx(5.5) and lesson["baseline_rps"] == pytest.approx(1375)  # medians
    assert csv["ratio"] == pytest.approx(100), "rows without one keep the run's baseline"
    table = format_table(result)
    assert "| 3 (first 5) | 1/5.5 (1,375) |" in table and "| 1/100 |" in table


def test_table_has_a_row_per_path_with_statements_and_ratio():
    table = format_table(aggregate(1000, {"size": 1000}, [run(1)], OPTIONS))
    assert table.startswith("### 1,000 learners")
    assert "| lesson page (learner, /lessons/hipaa) | 4 | 250 | 4.0 | 8.0 | 3 (first 5) | 1/8.0 |  |" in table
    assert "| roster CSV | 1 | 10.0 |" in table and "1,000 rows, 2.5 MB; worker peak RSS +4.0 MB" in table


def test_statement_cells():
    assert statements_cell(None) == "–"
    assert statements_cell({"warm": 4, "cold": 4}) == "4"
    assert statements_cell({"warm": 9, "cold": 9, "steps": {"start": 3, "page": 2, "submit": 4}}) == "9 (3+2+4)"


def test_quiz_notes_say_when_the_learners_ran_out():
    runs = [
        {"requests": 10, "non2xx": 1, "pool_exhausted": False},
        {"requests": 5, "non2xx": 0, "pool_exhausted": True},
    ]
    assert notes_cell("quiz", {"runs": runs}) == "14 attempts graded; learner pool ran out"


def test_failures_over_one_percent_are_a_problem():
    assert failure_problem("ok", {"requests": 1000, "non2xx": 10, "socket_errors": 0}) is None
    problem = failure_problem("bad", {"requests": 1000, "non2xx": 9, "socket_errors": 2, "first_bad_status": 500})
    assert problem.startswith("bad: 11 of 1000 requests failed") and "first status 500" in problem
