"""Datasets: a fixed catalogue of named tasks over inputs [a, b], and datasets from given arrays."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from .errors import ConfigError


@dataclass(frozen=True)
class Task:
    name: str
    outputs: tuple[str, ...]          # one name per target column
    formulas: tuple[str, ...]         # human-readable truth, one per output
    fn: Callable[[np.ndarray, np.ndarray], np.ndarray]  # (a, b) -> (n, len(outputs))
    affine: bool                      # can an all-linear network represent it exactly?


def _cols(*cols):
    return np.stack(cols, axis=1)


# Never `eval` user text: a task is chosen by name from this catalogue only.
TASKS: dict[str, Task] = {
    t.name: t
    for t in (
        Task("diff_sum", ("difference", "sum"), ("a - b", "a + b"), lambda a, b: _cols(a - b, a + b), True),
        Task("sum", ("sum",), ("a + b",), lambda a, b: _cols(a + b), True),
        Task("difference", ("difference",), ("a - b",), lambda a, b: _cols(a - b), True),
        Task("mean", ("mean",), ("(a + b) / 2",), lambda a, b: _cols((a + b) / 2), True),
        Task("product", ("product",), ("a · b",), lambda a, b: _cols(a * b), False),
        Task("max", ("max",), ("max(a, b)",), lambda a, b: _cols(np.maximum(a, b)), False),
    )
}

DEFAULT_A_RANGE = (11.0, 21.0)   # the notebook's: random() * 10 + 11
DEFAULT_B_RANGE = (0.0, 10.0)    # the notebook's: random() * 10
MAX_SAMPLES = 1_000_000


@dataclass
class Dataset:
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    task: str | None = None                 # None for data imported from arrays
    output_names: tuple[str, ...] = ("y0",)
    meta: dict = field(default_factory=dict)

    @property
    def n_inputs(self) -> int:
        return self.x_train.shape[1]

    @property
    def n_outputs(self) -> int:
        return self.y_train.shape[1]

    @property
    def x(self) -> np.ndarray:
        return np.concatenate([self.x_train, self.x_test])

    @property
    def y(self) -> np.ndarray:
        return np.concatenate([self.y_train, self.y_test])


def true_outputs(task: str, x: np.ndarray) -> np.ndarray:
    """The task's exact targets (float64) for inputs x of shape (n, 2)."""
    x = np.asarray(x, dtype=np.float64)
    return TASKS[task].fn(x[:, 0], x[:, 1])


def _check_range(name: str, r) -> tuple[float, float]:
    try:
        lo, hi = (float(v) for v in r)
    except (TypeError, ValueError):
        raise ConfigError(name, "must be two numbers (low, high)") from None
    if not (math.isfinite(lo) and math.isfinite(hi)):
        raise ConfigError(name, "must be finite numbers")
    if not lo < hi:
        raise ConfigError(name, f"low ({lo:g}) must be below high ({hi:g})")
    if max(abs(lo), abs(hi)) > 1e6:
        raise ConfigError(name, "must lie within ±1,000,000")
    return lo, hi


def _check_fraction(test_fraction) -> float:
    try:
        f = float(test_fraction)
    except (TypeError, ValueError):
        raise ConfigError("test_fraction", "must be a number") from None
    if not (0.0 < f < 1.0):
        raise ConfigError("test_fraction", "must be between 0 and 1 (exclusive)")
    return f


def _check_seed(seed) -> int:
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or not 0 <= seed < 2**32:
        raise ConfigError("seed", "must be a whole number from 0 to 4294967295")
    return int(seed)


def _split(x, y, test_fraction, rng) -> tuple[np.ndarray, ...]:
    n = len(x)
    n_test = int(round(n * test_fraction))
    if n_test < 1 or n - n_test < 1:
        raise ConfigError("n", f"{n} samples cannot be split into non-empty train and test sets")
    order = rng.permutation(n)
    test, train = order[:n_test], order[n_test:]
    return x[train], y[train], x[test], y[test]


def make_dataset(n=1000, task="diff_sum", a_range=DEFAULT_A_RANGE, b_range=DEFAULT_B_RANGE,
                 noise=0.0, test_fraction=0.2, seed=0) -> Dataset:
    """Sample a from a_range and b_range uniformly; targets from the named task, plus Gaussian noise."""
    if task not in TASKS:
        raise ConfigError("task", f"unknown task {task!r}; choose one of {', '.join(TASKS)}")
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
        raise ConfigError("n", "must be a whole number")
    if not 2 <= n <= MAX_SAMPLES:
        raise ConfigError("n", f"must be between 2 and {MAX_SAMPLES:,}")
    a_lo, a_hi = _check_range("a_range", a_range)
    b_lo, b_hi = _check_range("b_range", b_range)
    try:
        noise = float(noise)
    except (TypeError, ValueError):
        raise ConfigError("noise", "must be a number") from None
    if not (math.isfinite(noise) and noise >= 0):
        raise ConfigError("noise", "must be a finite number ≥ 0")
    test_fraction = _check_fraction(test_fraction)
    seed = _check_seed(seed)

    rng = np.random.default_rng(seed)
    a = rng.uniform(a_lo, a_hi, n)
    b = rng.uniform(b_lo, b_hi, n)
    x = np.stack([a, b], axis=1)
    y = TASKS[task].fn(a, b)
    if noise:
        y = y + rng.normal(0.0, noise, y.shape)
    x, y = x.astype(np.float32), y.astype(np.float32)
    parts = _split(x, y, test_fraction, rng)
    meta = dict(n=int(n), a_range=(a_lo, a_hi), b_range=(b_lo, b_hi), noise=noise,
                test_fraction=test_fraction, seed=int(seed))
    return Dataset(*parts, task=task, output_names=TASKS[task].outputs, meta=meta)


def dataset_from_arrays(x, y, test_fraction=0.2, seed=0, output_names=None) -> Dataset:
    """A dataset from given inputs (n, 2) and targets (n, k): for imported data."""
    try:
        x = np.asarray(x, dtype=np.float64)
        y = np.asarray(y, dtype=np.float64)
    except (TypeError, ValueError):
        raise ConfigError("data", "inputs and targets must be numbers") from None
    if x.ndim != 2 or x.shape[1] != 2:
        raise ConfigError("x", f"inputs must have shape (n, 2), got {x.shape}")
    if y.ndim == 1:
        y = y[:, None]
    if y.ndim != 2 or y.shape[0] != x.shape[0] or not 1 <= y.shape[1] <= 8:
        raise ConfigError("y", f"targets must have shape ({x.shape[0]}, k) with 1 ≤ k ≤ 8, got {y.shape}")
    if not 2 <= len(x) <= MAX_SAMPLES:
        raise ConfigError("n", f"must have between 2 and {MAX_SAMPLES:,} rows")
    for name, arr in (("x", x), ("y", y)):
        bad = np.flatnonzero(~np.isfinite(arr).all(axis=1))
        if len(bad):
            raise ConfigError(name, f"row {bad[0] + 1} is not a finite number")
        if np.abs(arr).max() > 1e30:
            raise ConfigError(name, "values must lie within ±1e30")
    test_fraction = _check_fraction(test_fraction)
    seed = _check_seed(seed)
    names = tuple(output_names) if output_names else tuple(f"y{i}" for i in range(y.shape[1]))
    if len(names) != y.shape[1]:
        raise ConfigError("output_names", f"need {y.shape[1]} names, got {len(names)}")
    parts = _split(x.astype(np.float32), y.astype(np.float32), test_fraction, np.random.default_rng(seed))
    meta = dict(n=len(x), a_range=(float(x[:, 0].min()), float(x[:, 0].max())),
                b_range=(float(x[:, 1].min()), float(x[:, 1].max())), noise=None,
                test_fraction=test_fraction, seed=int(seed))
    return Dataset(*parts, task=None, output_names=names, meta=meta)
