"""Datasets as CSV text: `a,b,<target names...>`, one sample a line. No web code here.

Rows are counted as a spreadsheet counts them: the header is row 1, so error messages point at the line a
person sees. Numbers are written with the fewest digits that read back as the same float32, so a round trip
through `dataset_to_csv` and `dataset_from_csv` keeps every value exactly.
"""

from __future__ import annotations

import csv
import io
import math

import numpy as np

from .data import MAX_SAMPLES, Dataset, dataset_from_arrays
from .errors import ConfigError

MAX_TARGETS = 8
MAX_NAME_LENGTH = 32
VALUE_LIMIT = 1e30          # dataset_from_arrays' limit, checked here so the message can name the row
FIELD = "csv"


def _float32_text(values: np.ndarray) -> np.ndarray:
    """Each float32 value as the shortest text that reads back (through float64) as the same float32."""
    values = np.asarray(values, dtype=np.float32)
    text = values.astype(str).astype(object)   # object: a fallback may be longer than the shortest forms
    back = np.asarray(text, dtype=np.float64).astype(np.float32)
    for i in zip(*np.nonzero(back != values), strict=True):   # not seen in practice; exact fallback
        text[i] = repr(float(values[i]))
    return text


def dataset_to_csv(ds: Dataset) -> str:
    """Header `a,b,<output names>`, then the training rows, then the test rows."""
    columns = _float32_text(np.hstack([ds.x, ds.y]))   # ds.x and ds.y: training rows, then test rows
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["a", "b", *ds.output_names])
    writer.writerows(columns.tolist())
    return out.getvalue()


def _fail(message: str):
    raise ConfigError(FIELD, message)


def _shown(text: str, limit: int = 40) -> str:
    return repr(text if len(text) <= limit else text[:limit] + "…")


def _blank(row: list[str]) -> bool:
    return all(not cell.strip() for cell in row)


def _header(row: list[str], line: int) -> tuple[str, ...]:
    cells = [c.strip() for c in row]
    if len(cells) == 1 and ";" in cells[0]:
        _fail(f"row {line}: separate the columns with commas, not semicolons")
    if len(cells) < 3 or cells[0].lower() != "a" or cells[1].lower() != "b":
        _fail(f"the header must start with a,b and name at least one target (row {line} is "
              f"{_shown(','.join(cells))})")
    names = tuple(cells[2:])
    if len(names) > MAX_TARGETS:
        _fail(f"the header names {len(names)} targets; at most {MAX_TARGETS} are allowed")
    seen = {"a", "b"}
    for i, name in enumerate(names):
        column = i + 3
        if not name:
            _fail(f"the header's column {column} has no name: every target needs one")
        if len(name) > MAX_NAME_LENGTH:
            _fail(f"the header's column {column} name {_shown(name)} is longer than {MAX_NAME_LENGTH} characters")
        if not name.isprintable():
            _fail(f"the header's column {column} name {_shown(name)} contains control characters")
        if name.lower() in seen:
            _fail(f"the header names {name!r} twice: column names must be unique")
        seen.add(name.lower())
    return names


def _number(cell: str, line: int) -> float:
    try:
        v = float(cell)
    except ValueError:
        _fail(f"row {line}: {_shown(cell.strip())} is not a number")
    if not math.isfinite(v):
        _fail(f"row {line}: {_shown(cell.strip())} is not a finite number")
    if abs(v) > VALUE_LIMIT:
        _fail(f"row {line}: {cell.strip()} is outside ±1e30")
    return v


def dataset_from_csv(text: str | bytes, test_fraction=0.2, seed=0, max_rows: int = MAX_SAMPLES) -> Dataset:
    """A dataset (task None) from CSV text with header `a,b,<1 to 8 target names>`; split by seed.

    Raises ConfigError: field "csv" for the text, naming the row; "test_fraction" or "seed" for those.
    Accepts a UTF-8 BOM, \\r\\n line endings and blank lines (skipped).
    """
    if isinstance(text, (bytes, bytearray)):
        try:
            text = bytes(text).decode("utf-8")
        except UnicodeDecodeError as e:
            _fail(f"the file is not UTF-8 text (byte {e.start + 1} cannot be read)")
    if not isinstance(text, str):
        _fail("must be CSV text")
    text = text.removeprefix("\ufeff")

    reader = csv.reader(io.StringIO(text, newline=""))
    names: tuple[str, ...] | None = None
    rows: list[list[float]] = []
    width = 0
    try:
        for row in reader:
            line = reader.line_num
            if _blank(row):
                continue
            if names is None:
                names = _header(row, line)
                width = 2 + len(names)
                continue
            if len(row) != width:
                _fail(f"row {line} has {len(row)} value{'s' if len(row) != 1 else ''}, the header has {width}")
            if len(rows) >= max_rows:
                _fail(f"more than {max_rows:,} rows: split the data or use fewer samples")
            rows.append([_number(cell, line) for cell in row])
    except csv.Error as e:
        _fail(f"row {reader.line_num}: {e}")
    if names is None:
        _fail("the file is empty: it needs a header a,b,<targets> and data rows")
    if not rows:
        _fail("no data rows: the file has a header only")
    if len(rows) < 2:
        _fail("only 1 data row: a dataset needs at least 2 (one to train on, one to test)")

    data = np.array(rows, dtype=np.float64)
    try:
        return dataset_from_arrays(data[:, :2], data[:, 2:], test_fraction=test_fraction, seed=seed,
                                   output_names=names)
    except ConfigError as e:
        if e.field in ("test_fraction", "seed"):
            raise
        if e.field == "n" and len(rows) <= MAX_SAMPLES:   # too few rows for the split
            _fail(f"{len(rows)} rows cannot be split into non-empty training and test sets with "
                  f"{float(test_fraction) * 100:g}% for testing: add rows or change the test share")
        raise ConfigError(FIELD, e.message) from None
