"""Full-batch training steps per second on the default 2-2-2 linear network (adam, normalised), 800 samples:
nn.train vs a hand-written NumPy baseline vs the seed notebook's per-neuron design.

    python -m bench.steps_per_second
"""

from __future__ import annotations

import nn

from . import notebook_baseline as notebook
from .common import REPEATS, best_rates, header, nn_runner, rate, ratio, title
from .numpy_baseline import NumpyAdamNet

NN_EPOCHS = 200_000          # ~1 s per repeat at ~200k epochs/s
NUMPY_STEPS = 40_000         # ~1 s per repeat at ~40k steps/s
NOTEBOOK_SECONDS = 6.0       # the notebook's own loop, time-boxed
NOTEBOOK_BACKPROP_SECONDS = 2.0
NN_TARGET_VS_NUMPY = 5.0


def measure_nn_and_numpy(ds) -> tuple[float, float]:
    """(nn.train epochs/s, NumPy steps/s), warm, their repeats interleaved."""
    nn_run = nn_runner(ds, nn.TrainConfig())
    nn_run(1000)              # compile outside the timing
    net = NumpyAdamNet(ds)
    net.run(1000)             # warm the caches and allocator
    nn_rate, np_rate = best_rates([(nn_run, NN_EPOCHS), (net.run, NUMPY_STEPS)])
    return nn_rate, np_rate


def measure_notebook(ds) -> dict:
    """The notebook's per-sample loop on the raw (unnormalised) data, as the learner ran it."""
    notebook.train_for(notebook.make_model(seed=1), ds.x_train, ds.y_train, 0.5)   # eager-op compiles
    model = notebook.make_model(seed=0)
    mse_before = notebook.raw_mse(model, ds.x_test, ds.y_test)
    steps, seconds = notebook.train_for(model, ds.x_train, ds.y_train, NOTEBOOK_SECONDS)
    mse_after = notebook.raw_mse(model, ds.x_test, ds.y_test)
    # What a step costs once backprop actually runs (the loop bug skips it): priced, not part of the result.
    bp_steps, bp_seconds = notebook.train_for(notebook.make_model(seed=0, cls=notebook.BackpropEveryLayerModel),
                                              ds.x_train, ds.y_train, NOTEBOOK_BACKPROP_SECONDS)
    return dict(rate=steps / seconds, steps=steps, seconds=seconds, mse_before=mse_before, mse_after=mse_after,
                backprop_rate=bp_steps / bp_seconds)


def main() -> dict:
    title("1. steps per second: default 2-2-2 linear network, adam, normalised, full batch")
    ds = nn.make_dataset(n=1000, seed=0)
    n = len(ds.x_train)
    print(f"data: nn.make_dataset(n=1000, seed=0), {n} training samples; best of {REPEATS} repeats "
          "(nn and NumPy interleaved)", flush=True)
    nn_rate, np_rate = measure_nn_and_numpy(ds)
    print(f"  (a) nn.train               {rate(nn_rate):>12} epochs/s   ({NN_EPOCHS:,} epochs a repeat, warm)",
          flush=True)
    print(f"  (b) NumPy full batch       {rate(np_rate):>12} steps/s    ({NUMPY_STEPS:,} steps a repeat)", flush=True)
    nb = measure_notebook(ds)
    nb_epoch = n / nb["rate"]
    print(f"  (c) notebook, per sample   {rate(nb['rate']):>12} steps/s    ({nb['steps']:,} one-sample steps in "
          f"{nb['seconds']:.1f} s) -> one {n}-sample epoch = {nb_epoch:.2f} s", flush=True)
    print(f"      same, with its backprop loop reaching every layer: {rate(nb['backprop_rate'])} steps/s "
          f"-> one epoch = {n / nb['backprop_rate']:.1f} s")
    print(f"      notebook test MSE (raw units): {nb['mse_before']:.1f} before, {nb['mse_after']:.1f} after "
          f"{nb['seconds']:.0f} s: its backprop loop range(1, 1, -1) is empty for two layers, so nothing learns, "
          f"and sigmoid outputs (0..1) cannot reach targets near 11 and 21 anyway")
    vs_numpy = ratio(nn_rate, np_rate)
    vs_step, vs_epoch = ratio(nn_rate, nb["rate"]), ratio(nn_rate * n, nb["rate"])
    print(f"  nn / NumPy:                         {vs_numpy:8.1f}x  (target >= {NN_TARGET_VS_NUMPY:g}x: "
          f"{'met' if vs_numpy >= NN_TARGET_VS_NUMPY else 'NOT met'})")
    print(f"  nn / notebook, step for step:       {vs_step:8,.0f}x  (a full-batch epoch vs one sample)")
    print(f"  nn / notebook, epoch for epoch:     {vs_epoch:8,.0f}x  (samples processed per second)")
    return {
        "nn / NumPy steps/s (target >= 5x)": f"{vs_numpy:.1f}x",
        "nn / notebook, epoch for epoch": f"{vs_epoch:,.0f}x",
        "notebook MSE after its time budget": f"{nb['mse_after']:.1f} (started at {nb['mse_before']:.1f})",
    }


if __name__ == "__main__":
    print(header())
    main()
