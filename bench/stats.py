"""Pure helpers of the benchmark: percentiles, ratios, compressed sizes, wrk's report, the results file
and the table. No Django, no network: tested in tests/test_bench_stats.py."""

from __future__ import annotations

import gzip
import json
import math
import re
from collections.abc import Iterable, Sequence
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

RESULT_KEYS = ("median_ratio", "p95_ratio", "queries_small", "queries_country", "bytes")
LOAD_KEYS = ("rps", "p50_ms", "p95_ms", "p99_ms", "errors")


def percentile(values: Sequence[float], share: float) -> float:
    """The `share` (0-100) percentile with linear interpolation between the closest ranks."""
    if not values:
        raise ValueError("no values")
    ordered = sorted(values)
    rank = (len(ordered) - 1) * share / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def ratio(value: float, floor: float) -> float:
    """How many floors a time is, rounded to two decimals."""
    if floor <= 0:
        raise ValueError("the floor must be positive")
    return round(value / floor, 2)


def gzip_size(body: bytes, content_encoding: str = "") -> int:
    """Bytes on the wire compressed: as sent when the server compressed it, else gzip level 6 of it."""
    if content_encoding.strip().lower() in ("gzip", "br"):
        return len(body)
    return len(gzip.compress(body, compresslevel=6, mtime=0))


class _Assets(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        url = None
        if tag == "script":
            url = found.get("src")
        elif tag == "link" and (found.get("rel") or "").lower() in ("stylesheet", "icon", "modulepreload"):
            url = found.get("href")
        if url and url not in self.urls:
            self.urls.append(url)


def asset_urls(html: str, *, static_prefix: str = "/static/") -> list[str]:
    """The static scripts, styles and icons a page asks for on a first visit, in order, once each."""
    parser = _Assets()
    parser.feed(html)
    return [url for url in parser.urls if url.startswith(static_prefix)]


_DURATION = re.compile(r"^\s*([\d.]+)\s*(us|ms|s)\s*$")


def milliseconds(text: str) -> float:
    """wrk's durations (`812.00us`, `12.5ms`, `1.02s`) in milliseconds."""
    match = _DURATION.match(text)
    if not match:
        raise ValueError(f"not a duration: {text!r}")
    number, unit = float(match.group(1)), match.group(2)
    return {"us": number / 1000, "ms": number, "s": number * 1000}[unit]


def parse_wrk_json(output: str) -> dict[str, float | int]:
    """The JSON line that bench/wrk_report.lua prints at the end of a wrk run."""
    for line in reversed(output.strip().splitlines()):
        line = line.strip()
        if line.startswith("{") and line.endswith("}"):
            data = json.loads(line)
            errors = sum(int(data[k]) for k in ("connect", "read", "write", "timeout", "status"))
            return {
                "rps": round(float(data["requests"]) / (float(data["duration_us"]) / 1_000_000), 1),
                "p50_ms": round(float(data["p50_us"]) / 1000, 2),
                "p95_ms": round(float(data["p95_us"]) / 1000, 2),
                "p99_ms": round(float(data["p99_us"]) / 1000, 2),
                "errors": errors,
            }
    raise ValueError("wrk printed no report")


def page_result(
    times: Sequence[float], floor: Sequence[float], *, queries_small: int | None, queries_country: int | None,
    size: int,
) -> dict[str, Any]:  # fmt: skip
    """One row of results.json: median and p95 as multiples of the floor's median, queries, bytes."""
    base = percentile(floor, 50)
    return {
        "median_ratio": ratio(percentile(times, 50), base),
        "p95_ratio": ratio(percentile(times, 95), base),
        "queries_small": queries_small,
        "queries_country": queries_country,
        "bytes": size,
    }


def write_results(path: Path, results: dict[str, Any]) -> None:
    """results.json, keys in a stable order so that two runs diff line by line."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        json.dumps(results, indent=2, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8"
    )


def _kb(size: int | None) -> str:
    return "–" if size is None else f"{size / 1024:.1f}"


def table(rows: Iterable[tuple[str, dict[str, Any], int | None]], *, limit: float) -> list[str]:
    """A Markdown table of pages (or fragments): ratios against the target, queries, kilobytes."""
    lines = [
        "| name | median × floor | p95 × floor | queries (1 org) | queries (country) | KB gzip "
        "| static KB gzip |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, row, static in rows:
        flag = "" if row["median_ratio"] <= limit else " ⚠"
        same = "" if row["queries_small"] == row["queries_country"] else " ≠"
        lines.append(
            f"| {name} | {row['median_ratio']:.2f}{flag} | {row['p95_ratio']:.2f} | {row['queries_small']} | "
            f"{row['queries_country']}{same} | {_kb(row['bytes'])} | {_kb(static)} |"
        )
    return lines


def load_table(load: dict[str, dict[str, Any]]) -> list[str]:
    lines = ["| name | requests/s | p50 ms | p95 ms | p99 ms | errors |", "|---|---:|---:|---:|---:|---:|"]
    for name, row in load.items():
        cells = (row["rps"], row["p50_ms"], row["p95_ms"], row["p99_ms"], row["errors"])
        lines.append(f"| {name} | " + " | ".join(str(cell) for cell in cells) + " |")
    return lines
