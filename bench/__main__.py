"""Run every benchmark in turn, then print one summary of their headline ratios."""

from __future__ import annotations

import time

from . import load, scaling, steps_per_second, time_to_target
from .common import header, title

BENCHMARKS = (steps_per_second, time_to_target, scaling, load)


def main() -> None:
    print(header(), flush=True)
    started = time.perf_counter()
    summary = {}
    for bench in BENCHMARKS:
        summary.update(bench.main())
    title(f"summary ({time.perf_counter() - started:.0f} s in all)")
    width = max(len(k) for k in summary)
    for key, value in summary.items():
        print(f"  {key:<{width}}  {value}")


if __name__ == "__main__":
    main()
