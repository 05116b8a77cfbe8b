"""Training: convergence of every optimizer, reproducibility, divergence, stopping, progress, early stop."""

import math
import time

import numpy as np
import pytest

import nn
from nn.train import PROGRESS_SECONDS

CONVERGED_MSE = 1e-6     # raw units; the targets' variance is about 17, so this is a near-exact fit
PROGRESS_KEYS = {"epoch", "epochs", "train_loss", "test_loss"}


def raw_mse(model, x, y):
    """What a user measures: mean squared error of the model's predictions, in raw units, in float64."""
    return float(np.mean((model.predict(x) - np.asarray(y, np.float64)) ** 2))


def assert_history_describes_model(result, ds):
    """The last history entry is the returned model's loss, not some other state's."""
    last = result.history[-1]
    assert last["train_loss"] == pytest.approx(raw_mse(result.model, ds.x_train, ds.y_train), rel=1e-3, abs=1e-9)
    assert last["test_loss"] == pytest.approx(raw_mse(result.model, ds.x_test, ds.y_test), rel=1e-3, abs=1e-9)


def assert_history_well_formed(result, epochs):
    history = result.history
    assert history[0]["epoch"] == 0
    assert all(set(h) == {"epoch", "train_loss", "test_loss"} for h in history)
    points = [h["epoch"] for h in history]
    assert points == sorted(set(points)), "epochs strictly increase"
    assert points[-1] == result.epochs_run <= epochs
    assert all(math.isfinite(h["train_loss"]) and math.isfinite(h["test_loss"]) for h in history)


# --- convergence ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("optimizer", "epochs"), [("sgd", 3000), ("momentum", 3000), ("adam", 3000), ("lm", 100)])
def test_each_optimizer_learns_the_default_task(default_ds, optimizer, epochs):
    result = nn.train(default_ds, nn.TrainConfig(optimizer=optimizer, epochs=epochs))
    assert result.status == "completed" and result.message is None
    assert result.epochs_run == epochs
    assert_history_well_formed(result, epochs)
    assert result.history[-1]["test_loss"] < CONVERGED_MSE
    assert result.history[0]["test_loss"] > 1.0, "the untrained network is far off"
    assert raw_mse(result.model, default_ds.x_test, default_ds.y_test) < CONVERGED_MSE
    np.testing.assert_allclose(result.model.predict([[15.0, 4.0]]), [[11.0, 19.0]], atol=0.01)
    assert_history_describes_model(result, default_ds)


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam"])
def test_mini_batch_training_learns_the_default_task(default_ds, optimizer):
    result = nn.train(default_ds, nn.TrainConfig(optimizer=optimizer, batch_size=32, epochs=100))
    assert result.status == "completed"
    assert result.history[-1]["test_loss"] < CONVERGED_MSE
    assert raw_mse(result.model, default_ds.x_test, default_ds.y_test) < CONVERGED_MSE
    assert_history_describes_model(result, default_ds)


def test_a_nonlinear_network_learns_a_nonlinear_task():
    ds = nn.make_dataset(n=400, task="product", a_range=(-1.0, 1.0), b_range=(-1.0, 1.0), seed=2)
    cfg = nn.TrainConfig(layers=(2, 8, 1), activations=("tanh", "linear"), optimizer="lm", epochs=100)
    result = nn.train(ds, cfg)
    baseline = float(ds.y_test.var())
    assert result.history[-1]["test_loss"] < 0.01 * baseline


# --- reproducibility --------------------------------------------------------------------------------

@pytest.mark.parametrize("batch_size", [None, 32], ids=["full_batch", "mini_batch"])
def test_same_seed_gives_the_same_training(default_ds, batch_size):
    cfg = nn.TrainConfig(epochs=100, batch_size=batch_size, seed=7)
    nn.train(default_ds, cfg)   # compiled beforehand, so both runs below are scheduled alike
    a, b = nn.train(default_ds, cfg), nn.train(default_ds, cfg)
    np.testing.assert_array_equal(a.model.predict(default_ds.x_test), b.model.predict(default_ds.x_test))
    for (wa, ba), (wb, bb) in zip(a.model.params, b.model.params, strict=True):
        np.testing.assert_array_equal(wa, wb)
        np.testing.assert_array_equal(ba, bb)
    assert a.history[-1] == b.history[-1]
    # Wherever both histories sampled the same epoch, they recorded the same losses.
    at_b = {h["epoch"]: h for h in b.history}
    shared = [h for h in a.history if h["epoch"] in at_b]
    assert len(shared) >= 2
    assert all(h == at_b[h["epoch"]] for h in shared)


def test_same_seed_gives_an_identical_history_even_on_the_first_run():
    # A dataset shape no other test uses, so the first run below includes JAX's compile time.
    ds = nn.make_dataset(n=777, seed=5)
    cfg = nn.TrainConfig(epochs=100, seed=7)
    first, second = nn.train(ds, cfg), nn.train(ds, cfg)
    np.testing.assert_array_equal(first.model.predict(ds.x_test), second.model.predict(ds.x_test))
    assert first.history == second.history


def test_different_seeds_start_from_different_weights(default_ds):
    results = [nn.train(default_ds, nn.TrainConfig(epochs=1, seed=s)) for s in (0, 1)]
    starts = [r.history[0]["train_loss"] for r in results]
    assert starts[0] != starts[1]
    assert not np.array_equal(results[0].model.predict(default_ds.x_test),
                              results[1].model.predict(default_ds.x_test))
    w0 = nn.model.init_params((2, 2, 2), ("linear", "linear"), 0)
    w1 = nn.model.init_params((2, 2, 2), ("linear", "linear"), 1)
    assert not np.array_equal(w0[0][0], w1[0][0])


# --- divergence -------------------------------------------------------------------------------------

DIVERGING = [
    dict(optimizer="sgd", learning_rate=10.0),
    dict(optimizer="momentum", learning_rate=5.0),
    dict(optimizer="sgd", learning_rate=10.0, batch_size=32),
    dict(optimizer="sgd", learning_rate=100.0, normalize=False),
    dict(optimizer="adam", learning_rate=100.0, normalize=False),
    dict(optimizer="sgd", learning_rate=10.0, activations=("tanh", "linear")),
]


@pytest.mark.parametrize("settings", DIVERGING, ids=lambda d: "-".join(f"{v}" for v in d.values()))
def test_divergence_ends_cleanly_with_advice(default_ds, settings):
    cfg = nn.TrainConfig(epochs=500, **settings)
    result = nn.train(default_ds, cfg)
    assert result.status == "diverged"
    assert result.epochs_run < cfg.epochs
    assert result.message
    assert "learning rate" in result.message and f"{cfg.learning_rate:g}" in result.message
    if not cfg.normalize:
        assert "normalis" in result.message
    assert_history_well_formed(result, cfg.epochs)
    for w, b in result.model.params:
        assert np.isfinite(w).all() and np.isfinite(b).all()
    out = result.model.predict(default_ds.x_test)
    assert np.isfinite(out).all()
    assert_history_describes_model(result, default_ds)


def test_lm_does_not_diverge_where_sgd_does(default_ds):
    result = nn.train(default_ds, nn.TrainConfig(optimizer="lm", learning_rate=10.0, epochs=30))
    assert result.status == "completed"


# --- stopping and progress --------------------------------------------------------------------------

def test_stop_request_after_the_first_progress_report(default_ds):
    calls = []
    cfg = nn.TrainConfig(epochs=1_000_000)
    # Stop as soon as a report shows training under way (a report of the untrained start may come first).
    result = nn.train(default_ds, cfg, on_progress=calls.append,
                      should_stop=lambda: any(c["epoch"] > 0 for c in calls))
    assert result.status == "stopped"
    assert result.message is None
    assert 0 < result.epochs_run < cfg.epochs
    assert len(result.history) >= 2
    assert_history_well_formed(result, cfg.epochs)
    assert calls and all(set(c) == PROGRESS_KEYS for c in calls)
    assert calls[-1]["epoch"] == result.epochs_run
    out = result.model.predict([[15.0, 4.0]])
    assert out.shape == (1, 2) and np.isfinite(out).all()
    assert_history_describes_model(result, default_ds)


def test_stop_before_any_epoch_returns_the_initial_model(default_ds):
    result = nn.train(default_ds, nn.TrainConfig(epochs=100), should_stop=lambda: True)
    assert result.status == "stopped"
    assert result.epochs_run == 0 and [h["epoch"] for h in result.history] == [0]
    assert np.isfinite(result.model.predict(default_ds.x_test)).all()
    assert_history_describes_model(result, default_ds)


def test_progress_is_reported_throttled_and_at_the_end(default_ds):
    cfg = nn.TrainConfig(epochs=300_000)        # about a second of training
    nn.train(default_ds, nn.TrainConfig(epochs=1))   # compile first: the timing below is training only
    calls, stamps, snapshots = [], [], []

    def on_progress(p):
        stamps.append(time.perf_counter())
        calls.append(p)

    result = nn.train(default_ds, cfg, on_progress=on_progress, on_model=lambda e, m: snapshots.append((e, m)))
    assert result.status == "completed"
    assert len(calls) >= 1
    assert all(set(c) == PROGRESS_KEYS and c["epochs"] == cfg.epochs for c in calls)
    assert calls[-1]["epoch"] == cfg.epochs
    assert calls[-1]["test_loss"] == result.history[-1]["test_loss"]
    assert [c["epoch"] for c in calls] == sorted(c["epoch"] for c in calls)
    # Every report is a point of the history.
    by_epoch = {h["epoch"]: h for h in result.history}
    for c in calls:
        assert by_epoch[c["epoch"]]["train_loss"] == c["train_loss"]
    # Throttled: at most one report per PROGRESS_SECONDS (the final one is always sent), fewer than chunks.
    gaps = np.diff(stamps[:-1])
    assert (gaps >= 0.9 * PROGRESS_SECONDS).all(), gaps
    assert len(calls) <= result.seconds / PROGRESS_SECONDS + 2
    assert len(calls) < len(result.history) - 1
    # on_model comes at the same moments, with a model matching the result at the end.
    assert [e for e, _ in snapshots] == [c["epoch"] for c in calls]
    np.testing.assert_array_equal(snapshots[-1][1].predict(default_ds.x_test),
                                  result.model.predict(default_ds.x_test))


def test_target_loss_stops_training_early(default_ds):
    target = 1e-2
    result = nn.train(default_ds, nn.TrainConfig(epochs=100_000, target_loss=target))
    assert result.status == "completed"
    assert result.epochs_run < 100_000
    assert result.history[-1]["test_loss"] < target
    # It stops at the first check below the target, not later.
    assert result.history[-2]["test_loss"] >= target
    assert_history_describes_model(result, default_ds)


@pytest.mark.parametrize("optimizer", ["adam", "lm"])
def test_training_resumes_from_a_saved_model(default_ds, default_result, optimizer):
    start = default_result.epochs_run
    cfg = nn.TrainConfig(epochs=start + 500, optimizer=optimizer)
    resumed = nn.train(default_ds, cfg, init=default_result.model, start_epoch=start)
    assert resumed.status == "completed"
    assert resumed.epochs_run == 500
    assert resumed.history[0]["epoch"] == start and resumed.history[-1]["epoch"] == start + 500
    assert resumed.history[0]["test_loss"] == pytest.approx(default_result.history[-1]["test_loss"], rel=1e-4)
    assert resumed.history[-1]["test_loss"] < resumed.history[0]["test_loss"]
    assert resumed.model.x_scaler is default_result.model.x_scaler


@pytest.mark.parametrize("optimizer", ["adam", "lm"])
def test_resuming_from_a_model_of_another_shape_is_refused(default_ds, optimizer):
    other = nn.train(default_ds, nn.TrainConfig(layers=(2, 3, 2), epochs=20)).model
    cfg = nn.TrainConfig(layers=(2, 2, 2), optimizer=optimizer, epochs=40)
    with pytest.raises(nn.ConfigError):
        nn.train(default_ds, cfg, init=other, start_epoch=20)
