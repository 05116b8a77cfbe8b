"""Step mode: one epoch at a time, showing the gradient each weight had and the update it got.

The epoch runs through exactly the code training uses; the optimizer's memory travels between calls as
plain lists, so a caller can keep it anywhere (the web app keeps it in its database).
"""

from __future__ import annotations

from dataclasses import dataclass

import jax.numpy as jnp
import numpy as np

from .config import TrainConfig
from .model import Model
from .train import _loss_and_grad, setup


@dataclass
class StepResult:
    model: Model                 # the weights after the epoch
    state: dict                  # the optimizer's memory, to pass to the next step
    epoch: int                   # epochs done in all
    gradient: list               # [(dW, db)]: the training loss's gradient at the weights before the step
    update: list                 # [(ΔW, Δb)]: weights after minus weights before
    loss_before: float           # training loss (training units) before the step
    train_loss: float            # raw-unit MSE after the step
    test_loss: float
    diverged: bool


def step(ds, cfg: TrainConfig, model: Model | None = None, state: dict | None = None, epoch: int = 0) -> StepResult:
    """One epoch from `model` (fresh weights if None) with the optimizer memory `state`."""
    cfg = cfg.validated(ds)
    stepper, x_scaler, y_scaler = setup(ds, cfg, model, epoch)
    if state is not None:
        stepper.restore(state)
    before = stepper.numpy_params()
    params = [(jnp.asarray(w), jnp.asarray(b)) for w, b in before]
    loss, grads = _loss_and_grad(params, stepper.data.x_train, stepper.data.y_train, cfg.activations)
    ran, train_loss, test_loss, diverged = stepper.advance(1)
    after = stepper.numpy_params()
    update = [(wa - wb, ba - bb) for (wa, ba), (wb, bb) in zip(after, before, strict=True)]
    return StepResult(Model(after, cfg.activations, x_scaler, y_scaler), stepper.state(), epoch + ran,
                      [(np.asarray(gw), np.asarray(gb)) for gw, gb in grads], update, float(loss),
                      train_loss, test_loss, diverged)


def initial_model(ds, cfg: TrainConfig) -> Model:
    """The network before any training: the weights (and scalers) epoch 0 of `train` starts from."""
    cfg = cfg.validated(ds)
    stepper, x_scaler, y_scaler = setup(ds, cfg, None)
    return Model(stepper.numpy_params(), cfg.activations, x_scaler, y_scaler)
