"""CSV round trip in real Chromium: generate, download the CSV, upload that file, the same rows come back."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import numpy as np
from playwright.sync_api import Page, expect


def _rows(text: str) -> tuple[list[str], list[tuple[float, ...]]]:
    """The header and the rows as the app holds them: float32 values (the page formats those)."""
    header, *rows = csv.reader(io.StringIO(text))
    return header, [tuple(float(np.float32(float(v))) for v in r) for r in rows]


def _sample_count(page: Page) -> tuple[int, int]:
    m = re.search(r"(\d+) training and (\d+) test samples", page.locator("main").inner_text())
    assert m, page.locator("main").inner_text()[:300]
    return int(m.group(1)), int(m.group(2))


def _shown_rows(page: Page) -> list[list[str]]:
    return [[c.strip() for c in row.locator("td").all_inner_texts()] for row in page.locator("#rows tbody tr").all()]


def _download(page: Page, tmp: Path, name: str) -> tuple[str, str]:
    with page.expect_download() as info:
        page.locator("#download-csv").click()
    download = info.value
    path = tmp / name
    download.save_as(path)
    return download.suggested_filename, path.read_text(encoding="utf-8")


def test_csv_round_trip(page: Page, tmp_path: Path):
    page.goto("/datasets/new")
    page.fill("#n", "300")
    page.fill("#noise", "0.5")
    page.get_by_role("button", name="Generate").click()
    expect(page).to_have_url(re.compile(r"/datasets/\d+$"))
    original_id = page.url.rsplit("/", 1)[1]
    n_train, n_test = _sample_count(page)
    original_shown = _shown_rows(page)

    filename, text = _download(page, tmp_path, "original.csv")
    assert filename == f"tinynet-dataset-{original_id}.csv"
    header, rows = _rows(text)
    assert header == ["a", "b", "difference", "sum"]
    assert len(rows) == n_train + n_test == 300
    # the page's first rows are the CSV's first rows (training rows come first in both)
    assert original_shown == [[f"{v:.3f}" for v in r] for r in rows[:len(original_shown)]]

    page.goto("/datasets/new")
    page.get_by_role("link", name="…or upload a CSV").click()
    expect(page).to_have_url(re.compile(r"/datasets/upload$"))
    page.set_input_files("#file", tmp_path / "original.csv")
    page.get_by_role("button", name="Upload").click()
    expect(page).to_have_url(re.compile(r"/datasets/\d+$"))
    assert page.url.rsplit("/", 1)[1] != original_id
    expect(page.locator("h1")).to_contain_text("imported")
    assert _sample_count(page) == (n_train, n_test)   # same count; same default 20% test share

    # The upload makes its own train/test split (seed 0), so the first rows shown are other rows of the
    # same data: each must be one of the CSV's rows, and the whole new CSV must hold the same rows.
    shown = _shown_rows(page)
    assert len(shown) == 10
    formatted = {tuple(f"{v:.3f}" for v in r) for r in rows}
    assert all(tuple(r) in formatted for r in shown), shown
    expect(page.locator("#rows thead th")).to_have_text(["a", "b", "difference", "sum"])

    _, copy_text = _download(page, tmp_path, "copy.csv")
    copy_header, copy_rows = _rows(copy_text)
    assert copy_header == header
    assert sorted(copy_rows) == sorted(rows)


def test_upload_error_names_the_row(page: Page, tmp_path: Path):
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b,sum\n1,2,3\n4,five,9\n")
    page.goto("/datasets/upload")
    page.set_input_files("#file", bad)
    page.fill("#test_percent", "50")
    page.get_by_role("button", name="Upload").click()
    expect(page.locator("#error-file")).to_have_text("row 3: 'five' is not a number")
    expect(page.locator("#test_percent")).to_have_value("50")


def test_upload_over_the_size_limit_says_so(page: Page, tmp_path: Path, live_server):
    limit = live_server.app.config["MAX_CONTENT_LENGTH"]
    row = "12.345678,3.4567891,15.802467\n"
    big = tmp_path / "big.csv"
    big.write_text("a,b,sum\n" + row * (limit // len(row) + 1000))   # just over the limit
    page.goto("/datasets/upload")
    page.set_input_files("#file", big)
    page.get_by_role("button", name="Upload").click()
    message = f"the upload is larger than {limit / 2**20:g} MiB: send fewer rows"
    expect(page.locator("#error-file")).to_have_text(message)
