"""A dense network as a pytree of (W, b) per layer and a few pure functions over it.

`forward` takes the array namespace (numpy or jax.numpy) so the trained model predicts with plain
numpy (no compile, no device) while training runs the very same math under jax.jit.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .errors import ConfigError

ACTIVATIONS = ("linear", "sigmoid", "tanh", "relu")

# What each activation can output: the seed notebook's failure is a sigmoid asked to produce 31.
OUTPUT_RANGE = {
    "linear": (-np.inf, np.inf),
    "sigmoid": (0.0, 1.0),
    "tanh": (-1.0, 1.0),
    "relu": (0.0, np.inf),
}


def activate(name, z, xp):
    if name == "linear":
        return z
    if name == "sigmoid":
        return 0.5 * (1.0 + xp.tanh(0.5 * z))   # = 1 / (1 + e^-z), without overflow for large |z|
    if name == "tanh":
        return xp.tanh(z)
    if name == "relu":
        return xp.maximum(z, 0.0)
    raise ConfigError("activations", f"unknown activation {name!r}")


def forward_columns(params, xt, activations, xp=np):
    """xt: (in, n), one sample per column -> (out, n). params: [(W (in, out), b (out,)), ...].

    Training runs in this layout: XLA on a CPU vectorises along the long sample axis, ~3x faster for
    tiny layers than samples-as-rows.
    """
    h = xt
    for (w, b), act in zip(params, activations, strict=True):
        h = activate(act, w.T @ h + b[:, None], xp)
    return h


def forward(params, x, activations, xp=np):
    """x: (n, in) -> (n, out), one activation per layer."""
    return forward_columns(params, x.T, activations, xp).T


def init_params(layers, activations, seed) -> list[tuple[np.ndarray, np.ndarray]]:
    """Glorot-uniform weights (He-normal before relu), zero biases; reproducible from seed."""
    rng = np.random.default_rng(seed)
    params = []
    for fan_in, fan_out, act in zip(layers[:-1], layers[1:], activations, strict=True):
        if act == "relu":
            w = rng.normal(0.0, np.sqrt(2.0 / fan_in), (fan_in, fan_out))
        else:
            limit = np.sqrt(6.0 / (fan_in + fan_out))
            w = rng.uniform(-limit, limit, (fan_in, fan_out))
        params.append((w.astype(np.float32), np.zeros(fan_out, np.float32)))
    return params


@dataclass(frozen=True)
class Scaler:
    """Standardisation with training statistics: z = (v - mean) / std."""
    mean: np.ndarray
    std: np.ndarray

    @classmethod
    def fit(cls, v: np.ndarray) -> Scaler:
        v = np.asarray(v, np.float64)
        std = v.std(axis=0)
        return cls(v.mean(axis=0), np.where(std > 0, std, 1.0))

    @classmethod
    def identity(cls, width: int) -> Scaler:
        return cls(np.zeros(width), np.ones(width))

    def apply(self, v):
        return (v - self.mean) / self.std

    def invert(self, z):
        return z * self.std + self.mean


@dataclass
class Model:
    """A trained network that takes and returns raw units; its normalisation travels with it."""
    params: list[tuple[np.ndarray, np.ndarray]]
    activations: tuple[str, ...]
    x_scaler: Scaler
    y_scaler: Scaler

    @property
    def layers(self) -> tuple[int, ...]:
        return (self.params[0][0].shape[0],) + tuple(w.shape[1] for w, _ in self.params)

    @property
    def n_params(self) -> int:
        return sum(w.size + b.size for w, b in self.params)

    def predict(self, x) -> np.ndarray:
        try:
            x = np.asarray(x, dtype=np.float64)
        except (TypeError, ValueError):
            raise ConfigError("inputs", "must be numbers, one row [a, b] per input") from None
        if x.ndim == 1:
            x = x[None, :]
        if x.ndim != 2 or x.shape[1] != self.layers[0]:
            raise ConfigError("inputs", f"expected shape (n, {self.layers[0]}), got {x.shape}")
        if not np.isfinite(x).all():
            raise ConfigError("inputs", "must be finite numbers")
        params = [(w.astype(np.float64), b.astype(np.float64)) for w, b in self.params]
        z = forward(params, self.x_scaler.apply(x), self.activations, np)
        return self.y_scaler.invert(z)

    def effective_affine(self):
        """For an all-linear net, (W, b) with predict(x) == x @ W + b in raw units; W is (inputs, outputs).

        For the default task W ≈ [[1, 1], [-1, 1]]: row 0 is a's coefficient in (a - b, a + b).
        Any nonlinear activation: None.
        """
        if any(act != "linear" for act in self.activations):
            return None
        w = np.eye(self.layers[0])
        b = np.zeros(self.layers[0])
        for wi, bi in self.params:
            w, b = w @ wi, b @ wi + bi
        # Fold the scalers in: y = ((x - mx) / sx @ W + b) * sy + my.
        sx, mx, sy, my = self.x_scaler.std, self.x_scaler.mean, self.y_scaler.std, self.y_scaler.mean
        w_raw = (w / sx[:, None]) * sy[None, :]
        b_raw = (b - (mx / sx) @ w) * sy + my
        return w_raw, b_raw
