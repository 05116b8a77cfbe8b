"""The issue's acceptance figures for nn/: the notebook's task, learned; the notebook's setup, explained."""

import numpy as np

import nn


def test_default_network_learns_difference_and_sum():
    ds = nn.make_dataset(seed=0)
    result = nn.train(ds, nn.TrainConfig())
    assert result.status == "completed"
    assert result.history[-1]["test_loss"] < 1e-6
    np.testing.assert_allclose(result.model.predict(np.array([[15.0, 4.0]])), [[11.0, 19.0]], atol=0.01)
    w, b = result.model.effective_affine()
    np.testing.assert_allclose(w, [[1, 1], [-1, 1]], atol=0.01)
    np.testing.assert_allclose(b, [0, 0], atol=0.01)


def test_notebook_setup_is_flagged_and_fixed_by_linear_output_and_lm():
    ds = nn.make_dataset(seed=0)
    notebook = nn.TrainConfig(activations=("sigmoid", "sigmoid"), optimizer="sgd", learning_rate=10.0,
                              normalize=False)
    assert "output_range" in [f.code for f in nn.diagnose(ds, notebook)]
    fixed = nn.TrainConfig(activations=("sigmoid", "linear"), optimizer="lm", epochs=300)
    assert "output_range" not in [f.code for f in nn.diagnose(ds, fixed)]
    assert nn.train(ds, fixed).history[-1]["test_loss"] < 1e-4
