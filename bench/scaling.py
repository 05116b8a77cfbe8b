"""How full-batch training throughput scales with the number of samples, 1k to 1M (80% of them train):
nn.train vs the NumPy baseline, default 2-2-2 linear network, adam, normalised.

    python -m bench.scaling
"""

from __future__ import annotations

import nn

from .common import REPEATS, best_rates, calibrate, header, nn_runner, rate, ratio, title
from .numpy_baseline import NumpyAdamNet

SIZES = (1_000, 10_000, 100_000, 1_000_000)
SECONDS = 1.0          # each timed repeat; sized from a short calibration run


def measure(ds) -> tuple[float, float]:
    """(nn steps/s, NumPy steps/s), each run sized to ~SECONDS by a calibration run."""
    nn_run = nn_runner(ds, nn.TrainConfig())
    nn_run(2)             # compile for this data shape outside the timing
    net = NumpyAdamNet(ds)
    nn_steps, np_steps = calibrate(nn_run, SECONDS), calibrate(net.run, SECONDS, first=4)
    nn_rate, np_rate = best_rates([(nn_run, nn_steps), (net.run, np_steps)])
    return nn_rate, np_rate


def main() -> dict:
    title("3. scaling: full-batch steps/s from 1k to 1M samples, default 2-2-2 linear network, adam")
    print(f"each cell: best of {REPEATS} repeats of ~{SECONDS:g} s, nn and NumPy interleaved; "
          "'sample-steps/s' = training samples x steps/s")
    print(f"  {'n':>9} {'train':>8} | {'nn steps/s':>11} {'sample-steps/s':>15} | {'NumPy steps/s':>13} "
          f"{'sample-steps/s':>15} | {'nn/NumPy':>8}")
    summary = {}
    for n in SIZES:
        ds = nn.make_dataset(n=n, seed=0)
        m = len(ds.x_train)
        nn_rate, np_rate = measure(ds)
        print(f"  {n:>9,} {m:>8,} | {rate(nn_rate):>11} {nn_rate * m:>15.3g} | {rate(np_rate):>13} "
              f"{np_rate * m:>15.3g} | {ratio(nn_rate, np_rate):>7.1f}x", flush=True)
        summary[f"scaling n={n:,}: nn / NumPy"] = f"{ratio(nn_rate, np_rate):.1f}x ({rate(nn_rate)} steps/s)"
    return summary


if __name__ == "__main__":
    print(header())
    main()
