"""Before training: can this configuration learn this dataset? Each finding says what to change."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .config import TrainConfig
from .model import OUTPUT_RANGE, Scaler
from .optim import MOMENTUM
from .train import epoch_seconds

ADAM_SAFE_LR = 0.3   # Adam moves each weight by about lr per step; weights here are of order 1
SATURATING = ("sigmoid", "tanh")


@dataclass(frozen=True)
class Finding:
    code: str        # output_range, learning_rate, saturation, narrow_hidden, linear_only, slow
    severity: str    # "error": cannot learn as configured; "warning": likely to struggle
    message: str


def diagnose(ds, cfg: TrainConfig | None = None) -> list[Finding]:
    cfg = (cfg or TrainConfig()).validated(ds)
    x_seen, y_seen = ds.x_train.astype(np.float64), ds.y_train.astype(np.float64)
    if cfg.normalize:
        x_seen, y_seen = Scaler.fit(x_seen).apply(x_seen), Scaler.fit(y_seen).apply(y_seen)
    checks = (_output_range(cfg, y_seen), _learning_rate(cfg, x_seen, y_seen.shape[1]),
              _saturation(cfg, x_seen), _narrow_hidden(cfg), _linear_only(cfg, ds), _slow(cfg, len(ds.x_train)))
    return [f for f in checks if f is not None]


def _output_range(cfg, y_seen) -> Finding | None:
    act = cfg.activations[-1]
    lo, hi = OUTPUT_RANGE[act]
    y_lo, y_hi = float(y_seen.min()), float(y_seen.max())
    if lo <= y_lo and y_hi <= hi:
        return None
    scaled = " after normalisation" if cfg.normalize else ""
    reach = {"sigmoid": "between 0 and 1", "tanh": "between -1 and 1", "relu": "no negative numbers"}[act]
    return Finding("output_range", "error",
                   f"The output layer uses {act}, which can only produce {reach}, but the targets{scaled} "
                   f"run from {y_lo:.3g} to {y_hi:.3g}. No amount of training can reach them. "
                   f"Use a linear output activation.")


def _learning_rate(cfg, x_seen, n_outputs) -> Finding | None:
    lr = cfg.learning_rate
    if cfg.optimizer == "lm":
        return None
    if cfg.optimizer == "adam":
        if lr <= ADAM_SAFE_LR:
            return None
        return Finding("learning_rate", "warning",
                       f"Adam moves every weight by up to the learning rate each step; {lr:g} is large for "
                       f"weights of size about 1 and is likely to bounce or blow up. Try 0.01.")
    # Gradient descent on a squared error is stable while lr < 2 / (largest curvature). One layer's
    # curvature is about 2/K times the largest eigenvalue of E[x xᵀ] (bias included); every weight layer
    # adds about as much again, and training overshoots it by ~1.5x (calibrated on the default task).
    xb = np.hstack([x_seen, np.ones((len(x_seen), 1))])
    layer = 2.0 / n_outputs * float(np.linalg.eigvalsh(xb.T @ xb / len(xb)).max())
    stable = 2.0 / (layer * (len(cfg.layers) - 1) * 1.5)
    if cfg.optimizer == "momentum":   # heavy ball multiplies the step by up to 1 / (1 - β); measured: 0.2x
        stable *= 2 * (1 - MOMENTUM)
    if lr <= stable:
        return None
    hint = "" if cfg.normalize else " or turn on normalisation (inputs near 1 allow far larger steps)"
    return Finding("learning_rate", "warning",
                   f"With these inputs, {cfg.optimizer} is likely to diverge above a learning rate of about "
                   f"{stable:.3g}; {lr:g} is {lr / stable:.3g}× that. Lower it to {_round_down(stable)}{hint}.")


def _round_down(v: float) -> str:
    return f"{10 ** np.floor(np.log10(v * 0.5)):g}"


def _saturation(cfg, x_seen) -> Finding | None:
    act = cfg.activations[0]
    biggest = float(np.abs(x_seen).max())
    if act not in SATURATING or cfg.normalize or biggest <= 4.0:
        return None
    return Finding("saturation", "warning",
                   f"Inputs reach {biggest:.3g} and are not normalised, so the first layer's {act} starts "
                   f"out far from 0, where its slope is almost flat and gradients vanish. "
                   f"Turn on normalisation.")


def _narrow_hidden(cfg) -> Finding | None:
    need = min(cfg.layers[0], cfg.layers[-1])
    narrow = [(k, w) for k, w in enumerate(cfg.layers[1:-1], start=1) if w < need]
    if not narrow:
        return None
    k, w = narrow[0]
    return Finding("narrow_hidden", "warning",
                   f"Hidden layer {k} has {w} unit{'s' if w != 1 else ''}, fewer than the {need} that "
                   f"{cfg.layers[-1]} independent outputs of {cfg.layers[0]} inputs may need: everything "
                   f"must squeeze through it. Make it at least {need} wide.")


def _linear_only(cfg, ds) -> Finding | None:
    if any(a != "linear" for a in cfg.activations):
        return None
    # The best any all-linear network can do is the least-squares affine fit.
    xb = np.hstack([ds.x_train, np.ones((len(ds.x_train), 1))]).astype(np.float64)
    y = ds.y_train.astype(np.float64)
    coef, *_ = np.linalg.lstsq(xb, y, rcond=None)
    residual = ((xb @ coef - y) ** 2).mean(axis=0)
    r2 = 1.0 - residual / np.maximum(y.var(axis=0), 1e-300)
    worst = int(np.argmin(r2))
    if r2[worst] >= 0.999:
        return None
    return Finding("linear_only", "warning",
                   f"Every layer is linear, so the whole network is one straight-line (affine) map; the best "
                   f"such map explains only {100 * max(r2[worst], 0):.1f}% of {ds.output_names[worst]}'s "
                   f"variation (MSE {residual[worst]:.3g} at best). Use tanh or relu in the hidden layers.")


SLOW_SECONDS = 60.0


def _slow(cfg, n_train) -> Finding | None:
    seconds = cfg.epochs * epoch_seconds(cfg, n_train)
    if seconds < SLOW_SECONDS:
        return None
    advice = "Use adam, or fewer epochs" if cfg.optimizer == "lm" else "Use fewer epochs or samples"
    return Finding("slow", "warning",
                   f"This will take about {seconds / 60:.0f} minutes of training on a 2-core machine. {advice} "
                   f"to see results sooner.")
