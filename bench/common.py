"""Helpers shared by the benchmarks: the run header, best-of-N rates, and run-length calibration."""

from __future__ import annotations

import dataclasses
import os
import platform

import jax
import numpy as np

import nn

REPEATS = 3   # the machine is shared: report the best of a few short repeats, the least disturbed one


def header() -> str:
    """The conditions a reader needs to judge the numbers."""
    blas = os.environ.get("OPENBLAS_CORETYPE")
    return "\n".join([
        f"python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} CPU cores, "
        f"jax {jax.__version__} ({jax.default_backend()}), numpy {np.__version__}",
        f"OPENBLAS_CORETYPE {'= ' + repr(blas) if blas is not None else 'not set'}",
    ])


def best_rates(runs, repeats=REPEATS) -> list[float]:
    """The best steps/s of `repeats` calls of run(steps) for each (run, steps) pair; run returns (steps done,
    seconds). The contenders' repeats are interleaved so a burst of load from other processes on the shared
    machine hits them alike rather than one of them."""
    best = [0.0] * len(runs)
    for _ in range(repeats):
        for i, (run, steps) in enumerate(runs):
            done, seconds = run(steps)
            best[i] = max(best[i], done / max(seconds, 1e-9))
    return best


def calibrate(run, seconds, first=16) -> int:
    """How many steps make run(steps) last about `seconds`: grow 4x until a run is long enough to time."""
    steps = first
    while True:
        done, took = run(steps)
        if took >= seconds / 4:
            return max(1, int(done * seconds / took))
        steps *= 4


def title(text: str) -> None:
    print(f"\n=== {text} ===", flush=True)


def rate(x: float) -> str:
    """A steps/s figure with thousands separators and sensible digits."""
    return f"{x:,.0f}" if x >= 100 else f"{x:,.2f}"


def ratio(a: float, b: float) -> float:
    return a / b if b > 0 else float("inf")


def nn_runner(ds, cfg: nn.TrainConfig):
    """run(epochs) -> (epochs run, seconds) for nn.train, timed by nn itself (excludes data preparation)."""
    def run(epochs):
        result = nn.train(ds, dataclasses.replace(cfg, epochs=epochs))
        return result.epochs_run, result.seconds
    return run
