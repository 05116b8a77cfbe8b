"""Seeing inside from the library: the formula a network computes, and training one epoch at a time."""

import numpy as np
import pytest

import nn
from nn.explain import Formula, explain, task_affine


def test_a_trained_linear_network_reads_as_the_tasks_formula(default_ds, default_result):
    ex = explain(default_result.model, default_ds.output_names, "diff_sum")
    assert ex.exact
    assert [f.text(2) for f in ex.learned] == ["difference ≈ 1.00·a − 1.00·b + 0.00", "sum ≈ 1.00·a + 1.00·b + 0.00"]
    assert ex.truth == ["difference = a - b", "sum = a + b"]
    assert ex.largest_error < 0.01


def test_affine_tasks_have_exact_coefficients_and_nonlinear_ones_none():
    assert task_affine("mean") == [Formula("mean", 0.5, 0.5, 0.0)]
    assert task_affine("diff_sum")[0] == Formula("difference", 1.0, -1.0, 0.0)
    assert task_affine("product") is None


def test_formula_text_signs():
    assert Formula("y", -0.5, 2.0, -3.0).text() == "y ≈ −0.500·a + 2.000·b − 3.000"
    assert Formula("y", 1.0, -1e-9, -1e-9).text() == "y ≈ 1.000·a + 0.000·b + 0.000"


def test_a_nonlinear_network_gets_its_best_straight_line_and_how_much_it_explains(default_ds):
    result = nn.train(default_ds, nn.TrainConfig(activations=("tanh", "linear"), optimizer="lm", epochs=100))
    ex = explain(result.model, default_ds.output_names, "diff_sum", default_ds.x_test)
    assert not ex.exact
    assert all(r2 > 0.999 for r2 in ex.fit_r2)
    assert ex.largest_error < 0.05
    assert explain(result.model, default_ds.output_names, "diff_sum").learned == []   # no inputs: no fit


def test_a_saturated_network_is_reported_as_constant(default_ds):
    notebook = nn.TrainConfig(activations=("sigmoid", "sigmoid"), optimizer="sgd", learning_rate=10.0,
                              normalize=False, epochs=50)
    ex = explain(nn.train(default_ds, notebook).model, default_ds.output_names, "diff_sum", default_ds.x_test)
    assert ex.fit_r2 == [None, None]


@pytest.mark.parametrize("optimizer", ["sgd", "adam", "lm"])
def test_stepping_is_training_one_epoch_at_a_time(default_ds, optimizer):
    cfg = nn.TrainConfig(optimizer=optimizer, learning_rate=0.1 if optimizer == "sgd" else 0.01, epochs=3)
    first = nn.step(default_ds, cfg)
    assert first.epoch == 1
    start = nn.initial_model(default_ds, cfg)
    for (w0, b0), (du, db), (w1, b1) in zip(start.params, first.update, first.model.params, strict=True):
        np.testing.assert_array_equal(w0 + du, w1)
        np.testing.assert_array_equal(b0 + db, b1)
    second = nn.step(default_ds, cfg, first.model, first.state, first.epoch)
    third = nn.step(default_ds, cfg, second.model, second.state, second.epoch)
    trained = nn.train(default_ds, cfg).model
    for (ws, bs), (wt, bt) in zip(third.model.params, trained.params, strict=True):
        np.testing.assert_array_equal(ws, wt)   # the optimizer's memory travelled between the steps intact
        np.testing.assert_array_equal(bs, bt)


def test_plain_sgd_updates_by_minus_learning_rate_times_gradient(default_ds):
    cfg = nn.TrainConfig(optimizer="sgd", learning_rate=0.1, epochs=3)
    result = nn.step(default_ds, cfg)
    for (gw, gb), (uw, ub) in zip(result.gradient, result.update, strict=True):
        np.testing.assert_allclose(uw, -0.1 * gw, rtol=1e-5, atol=1e-8)
        np.testing.assert_allclose(ub, -0.1 * gb, rtol=1e-5, atol=1e-8)
    assert result.loss_before > 0 and np.isfinite(result.train_loss)
