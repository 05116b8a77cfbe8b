"""Shared fixtures for the nn/ tests.

JAX compiles once per distinct (shapes, activations, optimizer) combination, so most tests reuse the
default dataset (1000 samples of diff_sum, seed 0) and the default 2-2-2 shape to stay fast.
"""

import pytest

import nn


@pytest.fixture(scope="session")
def default_ds():
    return nn.make_dataset(seed=0)


@pytest.fixture(scope="session")
def default_result(default_ds):
    """The default configuration (2-2-2 linear, adam, normalised) trained briefly: a usable model."""
    return nn.train(default_ds, nn.TrainConfig(epochs=1500))

