"""Results: medians over runs, the comparison with the baseline, and the Markdown table."""

from __future__ import annotations

import contextlib
import os
import platform
import statistics
import subprocess

from .common import BIN, ROOT, WORKERS
from .run_one import Options

ORDER = ["outline", "lesson", "dashboard", "quiz", "roster", "review", "analysis", "csv"]
MEDIAN_FIELDS = ["rps", "p50_ms", "p95_ms", "p99_ms", "rss_growth_mb", "rss_growth_max_mb"]


def summarize(samples: list[dict]) -> dict:
    """Medians over runs of the numeric fields; totals of requests and failures; each run kept."""
    summary = {name: statistics.median(s[name] for s in samples) for name in MEDIAN_FIELDS if name in samples[0]}
    summary["requests"] = sum(s["requests"] for s in samples)
    summary["non2xx"] = sum(s["non2xx"] for s in samples)
    summary["socket_errors"] = sum(s["socket_errors"] for s in samples)
    summary["concurrency"] = samples[0]["concurrency"]
    summary["runs"] = [{k: v for k, v in s.items() if k not in {"label", "path", "who"}} for s in samples]
    return summary


def aggregate(size: int, meta: dict, runs: list[dict], options: Options) -> dict:
    baseline = {key: summarize([run["baseline"][key] for run in runs]) for key in ("c1", "c4")}
    endpoints = {}
    for key in ORDER:
        samples = [run["endpoints"][key] for run in runs if key in run["endpoints"]]
        if not samples:
            continue
        summary = {name: samples[0][name] for name in ("label", "path", "who")} | summarize(samples)
        if all("adjacent_baseline_rps" in sample for sample in samples):
            # Each run's page against the baseline measured just before it, then the median of those ratios.
            summary["baseline_rps"] = statistics.median(sample["adjacent_baseline_rps"] for sample in samples)
            summary["ratio"] = statistics.median(sample["adjacent_baseline_rps"] / sample["rps"] for sample in samples)
        else:
            reference = baseline["c1"] if summary["concurrency"] == 1 else baseline["c4"]
            summary["baseline_rps"] = reference["rps"]
            summary["ratio"] = reference["rps"] / summary["rps"]
        summary["statements"] = runs[0]["statements"].get(key)
        endpoints[key] = summary
    return {
        "size": size,
        "database": {k: v for k, v in meta.items() if k != "instructor_password"},
        "subjects": runs[0]["subjects"],
        "settings": {
            "runs": len(runs),
            "duration_s": options.duration,
            "warmup_s": options.warmup,
            "wrk": f"-t{options.threads} -c{options.connections}",
            "gunicorn": f"{WORKERS} sync workers, no access log",
            "quiz_lesson": options.lesson,
            "quiz_threads": options.connections,
        },
        "baseline": baseline,
        "endpoints": endpoints,
        "problems": [problem for run in runs for problem in run["problems"]],
    }


def number(value: float) -> str:
    return f"{value:,.0f}" if value >= 100 else f"{value:.1f}"


def statements_cell(counts: dict | None) -> str:
    if not counts:
        return "–"
    if "steps" in counts:
        steps = counts["steps"]
        return f"{counts['warm']} ({steps['start']}+{steps['page']}+{steps['submit']})"
    return str(counts["warm"]) if counts["warm"] == counts["cold"] else f"{counts['warm']} (first {counts['cold']})"


def ratio_cell(row: dict) -> str:
    """The ratio to the baseline, to a tenth below 1/10 (where the targets are), with an adjacent baseline's req/s."""
    ratio = f"1/{row['ratio']:.1f}" if row["ratio"] < 10 else f"1/{row['ratio']:.0f}"
    adjacent = all("adjacent_baseline_rps" in run for run in row["runs"])
    return f"{ratio} ({number(row['baseline_rps'])})" if adjacent else ratio


def notes_cell(key: str, result: dict) -> str:
    if key == "csv":
        first = result["runs"][0]
        return (
            f"{first['rows']:,} rows, {first['bytes'] / 1e6:.1f} MB; worker peak RSS +{result['rss_growth_max_mb']} MB "
            f"at most, +{result['rss_growth_mb']} MB median"
        )
    if key == "quiz":
        notes = f"{sum(r['requests'] - r['non2xx'] for r in result['runs']):,} attempts graded"
        if any(r["pool_exhausted"] for r in result["runs"]):
            notes += "; learner pool ran out"
        return notes
    return ""


def format_table(result: dict) -> str:
    settings, baseline = result["settings"], result["baseline"]
    c1, c4 = baseline["c1"], baseline["c4"]
    lines = [
        f"### {result['size']:,} learners",
        "",
        f"Medians of {settings['runs']} run(s); wrk {settings['wrk']}, {settings['duration_s']:g} s per path after "
        f"{settings['warmup_s']:g} s warm-up; gunicorn {settings['gunicorn']}; SQLite, ANALYZEd.",
        f'Bare-Flask "hello": 1 connection {number(c1["rps"])} req/s (p50 {c1["p50_ms"]:.2f} ms, '
        f"p95 {c1['p95_ms']:.2f} ms); {c4['concurrency']} connections {number(c4['rps'])} req/s "
        f"(p50 {c4['p50_ms']:.2f} ms, p95 {c4['p95_ms']:.2f} ms).",
        "",
        "| endpoint | conc | req/s | p50 ms | p95 ms | statements/request | vs baseline | notes |",
        "|---|--:|--:|--:|--:|--:|--:|---|",
    ]
    for key, row in result["endpoints"].items():
        lines.append(
            f"| {row['label']} | {row['concurrency']} | {number(row['rps'])} | {row['p50_ms']:.1f} | "
            f"{row['p95_ms']:.1f} | {statements_cell(row['statements'])} | {ratio_cell(row)} | "
            f"{notes_cell(key, row)} |"
        )
    lines += [
        "",
        "conc: concurrent connections (the CSV rows are sequential and compare with the 1-connection baseline). "
        "Quiz: one request = start (POST) + attempt page (GET) + submit (POST, graded, 303 to the result). "
        "statements/request: a repeated request (first request in brackets when it differs). "
        'vs baseline: for the pages, against "hello" measured just before each (its req/s in brackets); '
        "for the quiz and CSV rows, against the baseline above.",
    ]
    return "\n".join(lines)


def machine_facts() -> dict:
    def output(command: list[str]) -> str:
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=30)
            return (result.stdout or result.stderr).strip()
        return ""

    return {
        "cpus": os.cpu_count(),
        "load_average": os.getloadavg(),
        "python": platform.python_version(),
        "wrk": output(["wrk", "--version"]).splitlines()[0] if output(["wrk", "--version"]) else "",
        "gunicorn": output([str(BIN / "gunicorn"), "--version"]),
        "commit": output(["git", "rev-parse", "--short", "HEAD"]),
        "uncommitted_changes": bool(output(["git", "status", "--porcelain", "--untracked-files=no"])),
    }
