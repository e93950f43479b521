"""The benchmark's pure helpers (bench/stats.py): the benchmark itself is not part of the test suite."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from bench import stats


def test_percentile_interpolates_between_ranks() -> None:
    assert stats.percentile([3, 1, 2], 50) == 2
    assert stats.percentile([1, 2, 3, 4], 50) == 2.5
    assert stats.percentile(list(range(1, 101)), 95) == pytest.approx(95.05)
    assert stats.percentile([7], 95) == 7
    with pytest.raises(ValueError):
        stats.percentile([], 50)


def test_ratio_against_the_floor() -> None:
    assert stats.ratio(0.3, 0.1) == 3.0
    assert stats.ratio(0.0123, 0.01) == 1.23
    with pytest.raises(ValueError):
        stats.ratio(1, 0)


def test_gzip_size_counts_what_the_server_sent_or_compresses_it() -> None:
    body = b"<p>hello</p>" * 200
    assert stats.gzip_size(body) == len(gzip.compress(body, compresslevel=6, mtime=0))
    assert stats.gzip_size(body) < len(body)
    compressed = gzip.compress(body)
    assert stats.gzip_size(compressed, "gzip") == len(compressed)


def test_asset_urls_are_the_static_scripts_styles_and_icons_once_each() -> None:
    html = (
        '<link rel="stylesheet" href="/static/app.1.css"><link rel="icon" href="/static/i.png">'
        '<link rel="alternate" href="/static/feed.xml"><script src="/static/a.js"></script>'
        '<script src="/static/a.js"></script><script src="https://cdn.example/x.js"></script>'
        '<script nonce="x">var a;</script>'
    )
    assert stats.asset_urls(html) == ["/static/app.1.css", "/static/i.png", "/static/a.js"]


def test_wrk_report_is_read_from_the_lua_line() -> None:
    output = "Running 10s test\n  8 threads\n" + json.dumps(
        {"requests": 500, "duration_us": 10_000_000, "p50_us": 12_000, "p95_us": 30_500, "p99_us": 41_000,
         "connect": 0, "read": 0, "write": 0, "status": 2, "timeout": 1}
    )  # fmt: skip
    assert stats.parse_wrk_json(output) == {
        "rps": 50.0, "p50_ms": 12.0, "p95_ms": 30.5, "p99_ms": 41.0, "errors": 3,
    }  # fmt: skip
    with pytest.raises(ValueError):
        stats.parse_wrk_json("no report")
    assert stats.milliseconds("812.00us") == pytest.approx(0.812)
    assert stats.milliseconds("1.5s") == 1500


def test_page_result_and_results_file(tmp_path: Path) -> None:
    row = stats.page_result([0.2, 0.3, 0.4], [0.1, 0.1, 0.1], queries_small=9, queries_country=9, size=2048)
    assert row == {
        "median_ratio": 3.0,
        "p95_ratio": 3.9,
        "queries_small": 9,
        "queries_country": 9,
        "bytes": 2048,
    }
    assert tuple(row) == stats.RESULT_KEYS
    path = tmp_path / "bench" / "results.json"
    stats.write_results(path, {"pages": {"dashboard": row}, "import_ratio_vs_copy": 1.5})
    assert json.loads(path.read_text())["pages"]["dashboard"]["bytes"] == 2048


def test_tables_flag_slow_rows_and_unequal_query_counts() -> None:
    slow = {"median_ratio": 6.0, "p95_ratio": 7.0, "queries_small": 9, "queries_country": 12, "bytes": 1024}
    lines = stats.table([("goal page", slow, 2048)], limit=5.0)
    assert lines[-1] == "| goal page | 6.00 ⚠ | 7.00 | 9 | 12 ≠ | 1.0 | 2.0 |"
    load = stats.load_table({"dashboard": {"rps": 50.0, "p50_ms": 1, "p95_ms": 2, "p99_ms": 3, "errors": 0}})
    assert load[-1] == "| dashboard | 50.0 | 1 | 2 | 3 | 0 |"
