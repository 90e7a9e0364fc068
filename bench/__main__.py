"""`make bench`: every benchmark, each figure printed as a ratio to a bare baseline measured in
the same run, then written to bench/results.json (one object: the figures with value, unit,
baseline and ratio, plus the machine) so a run can be compared with the last one.

`python -m bench --quick` runs smaller sizes (a smoke run of the whole harness).
"""

from __future__ import annotations

import json
import os
import platform
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from bench import bench_engine, bench_pipeline

RESULTS = Path(__file__).resolve().parent / "results.json"


def figure(name: str, value: float, unit: str, baseline: float | None, baseline_name: str,
           target: str, met: bool | None) -> dict[str, Any]:
    """One row of the table: `ratio` is value / baseline in the direction that costs more."""
    ratio = None
    if baseline:
        ratio = value / baseline
    return {"name": name, "value": round(value, 3), "unit": unit,
            "baseline": None if baseline is None else round(baseline, 3),
            "baseline_name": baseline_name, "ratio": None if ratio is None else round(ratio, 3),
            "target": target, "met": met}


def machine() -> dict[str, Any]:
    load = os.getloadavg() if hasattr(os, "getloadavg") else (0.0, 0.0, 0.0)
    return {"python": platform.python_version(), "platform": platform.platform(),
            "cpus": os.cpu_count(), "load_average_1m_at_start": round(load[0], 2),
            "at": datetime.now(timezone.utc).isoformat(timespec="seconds")}


def run(quick: bool) -> dict[str, Any]:
    facts = machine()
    rows: list[dict[str, Any]] = []
    e = bench_engine.main()
    rows.append(figure("engine timeout step", e["engine_timeout_us"], "us",
                       e["bare_trigger_us"], "bare transitions trigger", "<= 3x",
                       e["timeout_ratio"] <= 3))
    p = bench_pipeline.main()
    w = p["webhook"]
    # Time per request is the inverse of the rate: the ratio is bare rate / our rate.
    rows.append(figure("signed POST /twilio/sms", 1000 / w["webhook_rps"], "ms/request",
                       1000 / w["bare_rps"], "bare Flask enqueue route (gunicorn)", "<= 1.5x",
                       w["webhook_slowdown"] <= 1.5))
    for cls in ("SimpleWorker", "Worker"):
        r = p[f"worker_{cls}"]
        rows.append(figure(f"reply end to end ({cls})", 1000 / r["replies_per_s"],
                           "ms/reply", 1000 / r["bare_jobs_per_s"], f"no-op RQ job ({cls})",
                           "<= 3x", r["worker_slowdown"] <= 3))
    from bench import bench_send_rate

    s = bench_pipeline.in_fresh_process("bench.bench_send_rate", "100" if quick else "300")
    fair = s["missing"] == 0 and s["doubled"] == 0
    print(f"send rate: {s['rate_per_s']:.2f}/s of a {s['limit_per_s']}/s limit "
          f"({s['share_of_limit']:.1%}), at most {s['max_in_one_second']} in one clock second; "
          f"{s['arrived']} of {s['messages']} arrived, {s['doubled']} twice")
    rows.append(figure("send rate", s["rate_per_s"], "segments/s", bench_send_rate.LIMIT,
                       "the carrier limit", ">= 95% of it", s["share_of_limit"] >= 0.95 and fair))
    rows.append(figure("most sends in one clock second", s["max_in_one_second"], "sends",
                       bench_send_rate.LIMIT, "the carrier limit", "<= 1x",
                       s["max_in_one_second"] <= bench_send_rate.LIMIT))
    sizes = (2000, 10000) if quick else (10000, 100000)
    camp = {n: bench_pipeline.in_fresh_process("bench.bench_campaign", str(n)) for n in sizes}
    for n, c in camp.items():
        print(f"campaign of {n} patients: {c['ms_per_1000'] / 1000:.2f} s per 1,000 "
              f"({c['ratio']:.1f}x a bare insert of the rows), peak memory "
              f"+{c['peak_growth_mb']:.1f} MB")
        rows.append(figure(f"campaign start, {n} patients", c["ms_per_1000"], "ms/1,000 patients",
                           c["bare_ms_per_1000"], "bare insert of the patient rows", "reported",
                           None))
    small, large = camp[sizes[0]], camp[sizes[1]]
    rows.append(figure(f"campaign peak memory growth, {sizes[1]} patients",
                       large["peak_growth_mb"], "MB", max(small["peak_growth_mb"], 1.0),
                       f"the same at {sizes[0]} patients (1 MB floor)", "flat (<= 1.5x)",
                       large["peak_growth_mb"] <= 1.5 * max(small["peak_growth_mb"], 1.0)))
    metric_sizes = (2000, 20000) if quick else (10000, 200000)
    scrape = {n: bench_pipeline.in_fresh_process("bench.bench_metrics", str(n))
              for n in metric_sizes}
    for n, m in scrape.items():
        print(f"/metrics scrape with {n} messages: {m['scrape_ms']:.2f} ms")
    small_scrape, large_scrape = (scrape[n]["scrape_ms"] for n in metric_sizes)
    rows.append(figure(f"/metrics scrape, {metric_sizes[1]} messages", large_scrape, "ms",
                       small_scrape, f"the same scrape at {metric_sizes[0]} messages",
                       "flat (<= 1.5x)", large_scrape <= 1.5 * small_scrape))
    from bench import bench_pages

    pages = bench_pages.main(10_000 if quick else 100_000, 10 if quick else 40)
    sizes_seen = pages["sizes"]
    print(f"staff pages on PostgreSQL with {sizes_seen['tasks']:,} tasks and "
          f"{sizes_seen['messages']:,} messages ({pages['requests_per_page']} requests each):")
    for label, page in pages["pages"].items():
        print(f"  {label:42s} p50 {page['p50_ms']:7.1f} ms  p95 {page['p95_ms']:7.1f} ms")
        rows.append(figure(f"{label}, p95", page["p95_ms"], "ms", bench_pages.TARGET_MS,
                           "the 200 ms target", "< 200 ms",
                           page["p95_ms"] < bench_pages.TARGET_MS))
    return {"machine": facts, "figures": rows}


def print_table(results: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title="make bench (ratios to bare baselines from this run)")
    for column in ("figure", "value", "bare baseline", "ratio", "target", "met"):
        table.add_column(column)
    for row in results["figures"]:
        table.add_row(row["name"], f"{row['value']:g} {row['unit']}",
                      f"{row['baseline']:g} ({row['baseline_name']})"
                      if row["baseline"] is not None else "-",
                      f"{row['ratio']:.2f}x" if row["ratio"] is not None else "-",
                      row["target"], {True: "yes", False: "NO", None: "-"}[row["met"]])
    Console().print(table)


def main() -> None:
    quick = "--quick" in sys.argv[1:]
    results = run(quick)
    print_table(results)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n", "utf-8")
    print(f"written {RESULTS.relative_to(Path.cwd()) if RESULTS.is_relative_to(Path.cwd()) else RESULTS}")


if __name__ == "__main__":
    main()
