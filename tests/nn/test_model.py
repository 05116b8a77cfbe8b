"""The network itself: gradients as training computes them, predictions in raw units, the affine readout."""

import numpy as np
import pytest

import nn
from nn.model import forward

N_SAMPLES = 32          # one sample count for every gradient check: one compile per shape/activation
FD_EPS = 1e-6           # central differences in float64: truncation ~eps², rounding ~1e-16/eps
RELU_MARGIN = 1e-2      # keep every pre-activation this far from relu's kink at 0

SHAPES = [(2, 2, 2), (2, 3, 1), (2, 4, 3, 2)]


def _random_params(layers, rng):
    """float32 weights and (non-zero) biases, as training holds them."""
    return [(rng.normal(0.0, 1.0 / np.sqrt(i), (i, o)).astype(np.float32),
             rng.normal(0.0, 0.5, o).astype(np.float32)) for i, o in zip(layers[:-1], layers[1:], strict=True)]


def _pre_activations(params, x, activations):
    """Every layer's pre-activation, samples as rows, in float64."""
    zs, h = [], x
    for (w, b), act in zip(params, activations, strict=True):
        z = h @ w + b
        zs.append(z)
        h = nn.model.activate(act, z, np)
    return zs


def _numpy_loss(params, x, y, activations):
    return float(np.mean((forward(params, x, activations, np) - y) ** 2))


def _finite_difference_grads(params, x, y, activations):
    p64 = [(w.astype(np.float64), b.astype(np.float64)) for w, b in params]
    grads = []
    for w, b in p64:
        layer_grads = []
        for arr in (w, b):
            g = np.zeros_like(arr)
            for idx in np.ndindex(arr.shape):
                saved = arr[idx]
                arr[idx] = saved + FD_EPS
                up = _numpy_loss(p64, x, y, activations)
                arr[idx] = saved - FD_EPS
                down = _numpy_loss(p64, x, y, activations)
                arr[idx] = saved
                g[idx] = (up - down) / (2 * FD_EPS)
            layer_grads.append(g)
        grads.append(tuple(layer_grads))
    return grads


def _inputs(params, layers, activations, rng):
    """N_SAMPLES inputs; for relu nets only those whose pre-activations all avoid the kink."""
    x = rng.normal(0.0, 1.0, (2000, layers[0]))
    if "relu" in activations:
        p64 = [(w.astype(np.float64), b.astype(np.float64)) for w, b in params]
        zs = _pre_activations(p64, x, activations)
        clear = np.all([np.abs(z).min(axis=1) > RELU_MARGIN for z in zs], axis=0)
        x = x[clear]
    assert len(x) >= N_SAMPLES
    return x[:N_SAMPLES]


@pytest.mark.parametrize("layers", SHAPES, ids=lambda s: "-".join(map(str, s)))
@pytest.mark.parametrize("activation", nn.ACTIVATIONS)
def test_gradient_matches_central_finite_differences(layers, activation):
    rng = np.random.default_rng(sum(layers) * 7 + nn.ACTIVATIONS.index(activation))
    activations = (activation,) * (len(layers) - 1)
    params = _random_params(layers, rng)
    x = _inputs(params, layers, activations, rng)
    y = rng.normal(0.0, 1.0, (N_SAMPLES, layers[-1]))

    loss, grads = nn.loss_and_gradient(params, x, y, activations)

    p64 = [(w.astype(np.float64), b.astype(np.float64)) for w, b in params]
    assert loss == pytest.approx(_numpy_loss(p64, x, y, activations), rel=1e-5)
    expected = _finite_difference_grads(params, x, y, activations)
    assert len(grads) == len(expected)
    scale = max(float(np.abs(g).max()) for layer in expected for g in layer)
    assert scale > 1e-3, "a gradient check on an all-flat loss would prove nothing"
    for (gw, gb), (ew, eb), (w, b) in zip(grads, expected, params, strict=True):
        assert gw.shape == w.shape and gb.shape == b.shape
        # float32 gradients against float64 differences: float32 rounding is ~1e-7 of the largest gradient.
        np.testing.assert_allclose(gw, ew, rtol=1e-4, atol=1e-5 * scale)
        np.testing.assert_allclose(gb, eb, rtol=1e-4, atol=1e-5 * scale)


def test_gradient_of_mixed_activations_matches_finite_differences():
    layers, activations = (2, 4, 3, 2), ("tanh", "sigmoid", "linear")
    rng = np.random.default_rng(11)
    params = _random_params(layers, rng)
    x = _inputs(params, layers, activations, rng)
    y = rng.normal(0.0, 1.0, (N_SAMPLES, layers[-1]))
    _, grads = nn.loss_and_gradient(params, x, y, activations)
    expected = _finite_difference_grads(params, x, y, activations)
    scale = max(float(np.abs(g).max()) for layer in expected for g in layer)
    for got, want in zip(grads, expected, strict=True):
        for g, e in zip(got, want, strict=True):
            np.testing.assert_allclose(g, e, rtol=1e-4, atol=1e-5 * scale)


def test_gradient_is_zero_at_a_perfect_fit():
    layers, activations = (2, 2, 2), ("linear", "linear")
    rng = np.random.default_rng(5)
    params = _random_params(layers, rng)
    x = rng.normal(0.0, 1.0, (N_SAMPLES, 2))
    y = forward([(w.astype(np.float64), b.astype(np.float64)) for w, b in params], x, activations, np)
    loss, grads = nn.loss_and_gradient(params, x, y, activations)
    assert loss < 1e-10
    for gw, gb in grads:
        np.testing.assert_allclose(gw, 0.0, atol=1e-5)
        np.testing.assert_allclose(gb, 0.0, atol=1e-5)


# --- predictions ------------------------------------------------------------------------------------

def test_predict_takes_and_returns_raw_units(default_result):
    model = default_result.model
    out = model.predict([[15.0, 4.0], [20.0, 1.0]])
    assert out.shape == (2, 2)
    np.testing.assert_allclose(out, [[11.0, 19.0], [19.0, 21.0]], atol=0.05)
    # A single sample as a flat list is accepted too.
    np.testing.assert_allclose(model.predict([15.0, 4.0]), out[:1])


@pytest.mark.parametrize("x", [
    [[1.0, 2.0, 3.0]],                 # three inputs for a two-input net
    [1.0],                             # one number
    np.zeros((2, 2, 2)),               # not a table
    [[1.0, float("nan")]],
    [[float("inf"), 1.0]],
], ids=["three_inputs", "one_number", "3d", "nan", "inf"])
def test_predict_rejects_bad_inputs(default_result, x):
    with pytest.raises(nn.ConfigError) as err:
        default_result.model.predict(x)
    assert err.value.field == "inputs"
    assert err.value.message


@pytest.mark.parametrize("x", [[["15", "four"]], "15 4", [[1.0, 2.0], [3.0]]], ids=["text", "string", "ragged"])
def test_predict_rejects_non_numeric_inputs_with_a_config_error(default_result, x):
    with pytest.raises(nn.ConfigError) as err:
        default_result.model.predict(x)
    assert err.value.field == "inputs"


# --- effective_affine -------------------------------------------------------------------------------

@pytest.mark.parametrize("activations", [("tanh", "linear"), ("linear", "sigmoid"), ("relu", "relu")])
def test_effective_affine_is_none_for_nonlinear_nets(activations):
    rng = np.random.default_rng(0)
    model = nn.Model(_random_params((2, 2, 2), rng), activations, nn.model.Scaler.identity(2),
                     nn.model.Scaler.identity(2))
    assert model.effective_affine() is None


@pytest.mark.parametrize("layers", [(2, 2, 1), (2, 1)], ids=["2-2-1", "2-1"])
@pytest.mark.parametrize("normalize", [True, False], ids=["normalized", "raw"])
def test_effective_affine_of_a_linear_net_trained_on_sum_is_one_one(layers, normalize):
    ds = nn.make_dataset(task="sum", seed=1)
    cfg = nn.TrainConfig(layers=layers, activations=("linear",) * (len(layers) - 1), optimizer="lm",
                         epochs=100, normalize=normalize)
    result = nn.train(ds, cfg)
    assert result.status == "completed"
    w, b = result.model.effective_affine()
    assert w.shape == (2, 1) and b.shape == (1,)
    np.testing.assert_allclose(w, [[1.0], [1.0]], atol=1e-3)
    np.testing.assert_allclose(b, [0.0], atol=1e-2)
    # The affine map is the model: predict(x) == x @ W + b.
    np.testing.assert_allclose(result.model.predict(ds.x_test), ds.x_test @ w + b, rtol=1e-9, atol=1e-9)
