"""tinynet's benchmarks: `python -m bench` (or `make bench`) runs them all and prints a summary.

One script per question, each also runnable alone:
    python -m bench.steps_per_second   # full-batch steps/s: nn.train vs NumPy vs the seed notebook
    python -m bench.time_to_target     # seconds to test MSE < 1e-4: nn lm vs NumPy Adam
    python -m bench.scaling            # steps/s from 1k to 1M samples: nn.train vs NumPy

Every ratio is measured in the same run; nothing is hard-coded.
"""
