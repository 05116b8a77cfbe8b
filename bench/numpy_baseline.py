"""A hand-written NumPy baseline: the same dense network, normalisation, loss and Adam as nn.train.

Meant as a fair opponent, not a strawman: full batch, vectorised over samples, samples as columns (the
layout nn trains in), all parameters in one flat buffer so Adam is a handful of whole-array operations,
and the gradient written straight into views of a flat gradient buffer. Same initial weights as nn
(nn.model.init_params with the same seed) so time-to-target runs start from the same point.
"""

from __future__ import annotations

import time

import numpy as np

from nn.model import init_params

BETA1, BETA2, EPS = 0.9, 0.999, 1e-8   # optax.adam's defaults, which nn.train uses
ACTIVATIONS = ("linear", "tanh")


def _standardise(v, ref):
    """(v - mean) / std with the statistics of ref: what nn does with normalize=True."""
    v, ref = np.asarray(v, np.float64), np.asarray(ref, np.float64)
    mean, std = ref.mean(axis=0), ref.std(axis=0)
    return (v - mean) / np.where(std > 0, std, 1.0)


class NumpyAdamNet:
    """Full-batch Adam on mean squared error, in training units; reports MSE in raw units like nn."""

    def __init__(self, ds, layers=(2, 2, 2), activations=("linear", "linear"), lr=0.01, seed=0,
                 dtype=np.float32):
        if any(a not in ACTIVATIONS for a in activations):
            raise ValueError(f"the baseline knows only {ACTIVATIONS}")
        self.activations, self.lr, self.t = tuple(activations), lr, 0
        # Samples as columns, normalised with training statistics.
        self.x = _standardise(ds.x_train, ds.x_train).T.astype(dtype).copy()
        self.y = _standardise(ds.y_train, ds.y_train).T.astype(dtype).copy()
        self.x_test = _standardise(ds.x_test, ds.x_train).T.astype(dtype).copy()
        self.y_test = _standardise(ds.y_test, ds.y_train).T.astype(dtype).copy()
        self.y_var = np.asarray(ds.y_train, np.float64).std(axis=0) ** 2   # training units -> raw MSE
        self._make_buffers(init_params(layers, activations, seed), dtype)

    def _make_buffers(self, params, dtype):
        """One flat buffer each for parameters, gradient and Adam moments; per-layer (W, b) are views."""
        self.p = np.concatenate([np.concatenate([w.ravel(), b]) for w, b in params]).astype(dtype)
        self.g, self.m, self.v = np.zeros_like(self.p), np.zeros_like(self.p), np.zeros_like(self.p)
        self.params, self.grads, at = [], [], 0
        for w, b in params:
            w_at, b_at, at = at, at + w.size, at + w.size + b.size
            # The bias is a column in self.params, so it broadcasts over samples; 1-D in self.grads.
            self.params.append((self.p[w_at:b_at].reshape(w.shape), self.p[b_at:at].reshape(-1, 1)))
            self.grads.append((self.g[w_at:b_at].reshape(w.shape), self.g[b_at:at]))

    def _forward(self, x):
        """Activations of every layer, input included: (in, n) -> [(in, n), ..., (out, n)]."""
        hs = [x]
        for (w, b), act in zip(self.params, self.activations, strict=True):
            z = w.T @ hs[-1]
            z += b
            hs.append(np.tanh(z, out=z) if act == "tanh" else z)
        return hs

    def _gradient(self):
        """Backprop of mean((out - y)^2) into self.g; returns the loss in training units."""
        hs = self._forward(self.x)
        r = hs[-1] - self.y
        loss = float(np.vdot(r, r)) / r.size            # computed every step, as nn does to watch for divergence
        delta = r * (2.0 / r.size)                      # d loss / d output
        for i in range(len(self.params) - 1, -1, -1):
            (w, _), (gw, gb), act = self.params[i], self.grads[i], self.activations[i]
            if act == "tanh":
                delta *= 1.0 - hs[i + 1] ** 2           # through tanh: 1 - tanh(z)^2
            np.matmul(hs[i], delta.T, out=gw)
            np.add.reduce(delta, axis=1, out=gb)
            if i:
                delta = w @ delta
        return loss

    def _adam(self):
        self.t += 1
        g = self.g
        self.m *= BETA1
        self.m += (1.0 - BETA1) * g
        self.v *= BETA2
        self.v += (1.0 - BETA2) * (g * g)
        # Bias corrections folded into two scalars, as optax does it: step = lr * m_hat / (sqrt(v_hat) + eps).
        denom = np.sqrt(self.v)
        denom *= 1.0 / np.sqrt(1.0 - BETA2**self.t)
        denom += EPS
        self.p -= (self.lr / (1.0 - BETA1**self.t)) * self.m / denom

    def step(self):
        loss = self._gradient()
        self._adam()
        return loss

    def run(self, n_steps):
        """n_steps full-batch Adam steps; returns (steps, seconds)."""
        t0 = time.perf_counter()
        for _ in range(n_steps):
            self.step()
        return n_steps, time.perf_counter() - t0

    def test_mse(self):
        """Test MSE in raw target units (averaged over outputs), like nn's history['test_loss']."""
        r = self._forward(self.x_test)[-1] - self.y_test
        return float(np.mean(np.mean(r.astype(np.float64) ** 2, axis=1) * self.y_var))

    def train_mse(self):
        r = self._forward(self.x)[-1] - self.y
        return float(np.mean(np.mean(r.astype(np.float64) ** 2, axis=1) * self.y_var))
