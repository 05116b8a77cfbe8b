"""Training: epochs run in jitted chunks (a lax.while_loop each); Python only schedules chunks, reports
progress, honours stop requests and catches divergence between them."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
import optax
from jax import lax

from .config import TrainConfig
from .errors import ConfigError
from .model import Model, Scaler, forward_columns, init_params
from .optim import lm_iteration, make_optimizer

CHUNK_SECONDS = 0.1        # aim for chunks this long: progress stays live, overhead stays tiny
# What an epoch costs on a 2-core CPU (measured): a fixed cost per step, plus one per sample and weight.
# Chunk lengths come from this model, never from a clock, so a config records the same history every time.
STEP_SECONDS = 4e-6
SAMPLE_WEIGHT_SECONDS = 5e-10
LM_STEP_SECONDS = 20e-6
PROGRESS_SECONDS = 0.1     # on_progress at most this often (and once at the end)
EXPLODE_FACTOR = 1e6       # a loss this many times the trivial predictor's counts as diverged
UNROLL = 4                 # full-batch epochs per loop turn (measured: ~20% over 1; 2 to 6 alike, 8 slower)


class Data(NamedTuple):
    """Training-space arrays, one sample per column (see model.forward_columns)."""
    x_train: jax.Array
    y_train: jax.Array
    x_test: jax.Array
    y_test: jax.Array
    y_var: jax.Array       # per-output variance of the target scaler: training units -> raw MSE


@dataclass
class TrainResult:
    status: str                  # "completed" | "stopped" | "diverged"
    history: list[dict]          # {"epoch", "train_loss", "test_loss"}, MSE in raw target units
    model: Model
    message: str | None = None
    epochs_run: int = 0
    seconds: float = 0.0


def _mse_per_output(params, x, y, activations):
    return jnp.mean((forward_columns(params, x, activations, jnp) - y) ** 2, axis=1)


@partial(jax.jit, static_argnames="activations")
def _evaluate(params, data, activations):
    """(train MSE, test MSE) in raw target units, and the train loss as training sees it."""
    train = _mse_per_output(params, data.x_train, data.y_train, activations)
    test = _mse_per_output(params, data.x_test, data.y_test, activations)
    return jnp.mean(train * data.y_var), jnp.mean(test * data.y_var), jnp.mean(train)


def _loss(params, xt, yt, activations):
    """Mean squared error in training units; samples as columns."""
    return jnp.mean((forward_columns(params, xt, activations, jnp) - yt) ** 2)


_loss_and_grad = jax.jit(jax.value_and_grad(_loss), static_argnames="activations")


def loss_and_gradient(params, x, y, activations):
    """The training loss and its gradient for every (W, b), exactly as training computes them.

    x (n, in) and y (n, out) are in training units (already normalised if the run normalises).
    """
    params = [(jnp.asarray(w, jnp.float32), jnp.asarray(b, jnp.float32)) for w, b in params]
    loss, grads = _loss_and_grad(params, jnp.asarray(np.asarray(x).T, jnp.float32),
                                 jnp.asarray(np.asarray(y).T, jnp.float32), tuple(activations))
    return float(loss), [(np.asarray(gw), np.asarray(gb)) for gw, gb in grads]


@partial(jax.jit, static_argnames=("activations", "optimizer", "batch_size"))
def _gradient_chunk(params, opt_state, n_epochs, first_epoch, lr, limit, key, data,
                    activations, optimizer, batch_size):
    """Up to n_epochs of optax updates; stops early once the loss reaches `limit` (or NaN)."""
    opt = make_optimizer(optimizer, lr)

    def step(carry, batch):
        p, s = carry
        loss, grads = jax.value_and_grad(_loss)(p, *batch, activations)
        updates, s = opt.update(grads, s, p)
        return (optax.apply_updates(p, updates), s), loss

    def epoch(state):
        i, p, s, _ = state
        if batch_size is None:
            (p, s), loss = step((p, s), (data.x_train, data.y_train))
        else:
            n = data.x_train.shape[1]
            n_batches = n // batch_size   # a fresh shuffle each epoch, so the dropped rest varies
            order = jax.random.permutation(jax.random.fold_in(key, first_epoch + i), n)
            idx = order[: n_batches * batch_size].reshape(n_batches, batch_size)
            batches = (jnp.moveaxis(data.x_train[:, idx], 1, 0), jnp.moveaxis(data.y_train[:, idx], 1, 0))
            (p, s), losses = lax.scan(step, (p, s), batches)
            loss = losses.mean()
        return i + 1, p, s, loss

    def going(until):
        def cond(state):
            i, _, _, loss = state
            return (i < until) & (loss < limit)   # NaN < limit is False
        return cond

    def block(state):   # UNROLL epochs between two checks: tiny epochs are dominated by loop overhead
        return lax.scan(lambda st, _: (epoch(st), None), state, None, length=UNROLL, unroll=True)[0]

    state = (0, params, opt_state, jnp.float32(0.0))
    if batch_size is None:
        state = lax.while_loop(going(n_epochs - n_epochs % UNROLL), block, state)
    i, params, opt_state, loss = lax.while_loop(going(n_epochs), epoch, state)
    return params, opt_state, i, loss, *_evaluate(params, data, activations)


def _flatten(params):
    return jnp.concatenate([jnp.concatenate([w.ravel(), b]) for w, b in params])


def _unflatten(flat, layers):
    params, at = [], 0
    for fan_in, fan_out in zip(layers[:-1], layers[1:], strict=True):
        w = flat[at: at + fan_in * fan_out].reshape(fan_in, fan_out)
        at += fan_in * fan_out
        params.append((w, flat[at: at + fan_out]))
        at += fan_out
    return params


@partial(jax.jit, static_argnames=("activations", "layers"))
def _lm_chunk(flat, lam, n_iter, data, activations, layers):
    def unravel(f):
        return _unflatten(f, layers)

    def body(state):
        i, f, lam = state
        f, lam = lm_iteration(f, lam, data.x_train, data.y_train, unravel, activations)
        return i + 1, f, lam

    i, flat, lam = lax.while_loop(lambda s: s[0] < n_iter, body, (0, flat, lam))
    return flat, lam, i, *_evaluate(_unflatten(flat, layers), data, activations)


class _GradientStepper:
    """Runs optax epochs; remembers the chunk's starting state so a divergence can be replayed."""

    def __init__(self, params, cfg: TrainConfig, data: Data, limit: float, first_epoch: int):
        self.cfg, self.data, self.limit = cfg, data, jnp.float32(limit)
        self.params = [tuple(jnp.asarray(a) for a in layer) for layer in params]
        self.opt_state = make_optimizer(cfg.optimizer, cfg.learning_rate).init(self.params)
        self.epoch = first_epoch
        self.key = jax.random.key(cfg.seed)
        full = cfg.batch_size is None or cfg.batch_size >= data.x_train.shape[1]
        self.batch_size = None if full else cfg.batch_size

    def advance(self, n: int):
        """Run up to n epochs. Returns (epochs run, raw train MSE, raw test MSE, diverged?)."""
        start = (self.params, self.opt_state, self.epoch)
        _, _, i, loss, train, test, fit = self._run(n)
        i = int(i)
        blew_up = not float(loss) < self.limit
        if blew_up or not float(fit) < self.limit:
            # Replay from the chunk's start to before the first epoch that crossed the limit (the loop
            # checks every UNROLL epochs, so that epoch is one of the last UNROLL + 1).
            self.params, self.opt_state, self.epoch = start
            keep = max(i - 1 - UNROLL if blew_up else i - 1, 0)
            train, test, _ = self._run(keep)[4:] if keep else self._evaluate()
            return keep, float(train), float(test), True
        return i, float(train), float(test), False

    def _run(self, n):
        cfg = self.cfg
        out = _gradient_chunk(self.params, self.opt_state, n, self.epoch, cfg.learning_rate, self.limit,
                              self.key, self.data, cfg.activations, cfg.optimizer, self.batch_size)
        self.params, self.opt_state = out[0], out[1]
        self.epoch += int(out[2])
        return out

    def _evaluate(self):
        return _evaluate(self.params, self.data, self.cfg.activations)

    def numpy_params(self):
        return [(np.asarray(w), np.asarray(b)) for w, b in self.params]

    def state(self) -> dict:
        """The optimizer's memory (momentum, Adam's moments and count) as plain lists."""
        return {"optax": [np.asarray(leaf).tolist() for leaf in jax.tree_util.tree_leaves(self.opt_state)]}

    def restore(self, state: dict) -> None:
        template = self.opt_state
        leaves = [jnp.asarray(v, dtype=ref.dtype).reshape(ref.shape)
                  for v, ref in zip(state["optax"], jax.tree_util.tree_leaves(template), strict=True)]
        self.opt_state = jax.tree_util.tree_unflatten(jax.tree_util.tree_structure(template), leaves)


class _LMStepper:
    """Levenberg-Marquardt iterations (one per epoch): it only keeps steps that lower the loss."""

    def __init__(self, params, cfg: TrainConfig, data: Data, limit: float, first_epoch: int):
        self.cfg, self.data = cfg, data
        self.flat = _flatten([tuple(jnp.asarray(a) for a in layer) for layer in params])
        self.lam = jnp.float32(1e-3)

    def advance(self, n: int):
        self.flat, self.lam, i, train, test, _ = _lm_chunk(self.flat, self.lam, n, self.data,
                                                        self.cfg.activations, self.cfg.layers)
        return int(i), float(train), float(test), False

    def _evaluate(self):
        return _evaluate(_unflatten(self.flat, self.cfg.layers), self.data, self.cfg.activations)

    def numpy_params(self):
        return [(np.asarray(w), np.asarray(b)) for w, b in _unflatten(self.flat, self.cfg.layers)]

    def state(self) -> dict:
        return {"lm_damping": float(self.lam)}

    def restore(self, state: dict) -> None:
        self.lam = jnp.float32(state["lm_damping"])


def setup(ds, cfg: TrainConfig, init: Model | None, start_epoch: int = 0):
    """The stepper that trains cfg on ds from init (or fresh weights), and the scalers it works in."""
    if init is not None and (init.layers != cfg.layers or tuple(init.activations) != cfg.activations):
        raise ConfigError("init", f"the model to resume is {'-'.join(map(str, init.layers))} "
                                  f"({', '.join(init.activations)}), but the configuration asks for "
                                  f"{'-'.join(map(str, cfg.layers))} ({', '.join(cfg.activations)})")
    if init is not None:
        x_scaler, y_scaler, params = init.x_scaler, init.y_scaler, init.params
    else:
        x_scaler, y_scaler = _scalers(ds, cfg.normalize)
        params = init_params(cfg.layers, cfg.activations, cfg.seed)
    data = _prepare(ds, x_scaler, y_scaler)
    limit = _explode_limit(params, data, cfg.activations)
    stepper_cls = _LMStepper if cfg.optimizer == "lm" else _GradientStepper
    return stepper_cls(params, cfg, data, limit, start_epoch), x_scaler, y_scaler


def _scalers(ds, normalize: bool) -> tuple[Scaler, Scaler]:
    if normalize:
        return Scaler.fit(ds.x_train), Scaler.fit(ds.y_train)
    return Scaler.identity(ds.n_inputs), Scaler.identity(ds.n_outputs)


def _prepare(ds, x_scaler: Scaler, y_scaler: Scaler) -> Data:
    def f32(a):
        return jnp.asarray(np.asarray(a).T, dtype=jnp.float32)
    return Data(f32(x_scaler.apply(ds.x_train)), f32(y_scaler.apply(ds.y_train)),
                f32(x_scaler.apply(ds.x_test)), f32(y_scaler.apply(ds.y_test)), f32(y_scaler.std ** 2))


def _explode_limit(params, data: Data, activations) -> float:
    """A training-space loss far beyond both the start and always predicting the mean."""
    y = np.asarray(data.y_train, np.float64)
    start = np.mean((forward_columns(params, np.asarray(data.x_train, np.float64), activations, np) - y) ** 2)
    scale = max(float(np.nan_to_num(start, nan=0.0, posinf=0.0)), float(y.var(axis=1).mean()), 1e-12)
    return min(EXPLODE_FACTOR * scale, 1e30)


def train(ds, cfg: TrainConfig | None = None, on_progress: Callable[[dict], None] | None = None,
          should_stop: Callable[[], bool] | None = None, *, init: Model | None = None,
          start_epoch: int = 0, on_model: Callable[[int, Model], None] | None = None) -> TrainResult:
    """Train a network on ds. `init` and `start_epoch` resume from a saved model (its scalers too).

    on_progress gets {"epoch", "epochs", "train_loss", "test_loss"} (raw-unit MSE) at most every
    PROGRESS_SECONDS and once at the end; on_model gets (epoch, Model) at the same moments.
    should_stop() is asked between chunks.
    """
    cfg = (cfg or TrainConfig()).validated(ds)
    stepper, x_scaler, y_scaler = setup(ds, cfg, init, start_epoch)

    def snapshot() -> Model:
        return Model(stepper.numpy_params(), cfg.activations, x_scaler, y_scaler)

    started = time.perf_counter()
    epoch, status, message = start_epoch, "completed", None
    lengths = _chunk_lengths(cfg, len(ds.x_train))
    train_loss, test_loss, _ = (float(v) for v in stepper._evaluate())
    history = [dict(epoch=epoch, train_loss=train_loss, test_loss=test_loss)]
    last_report, reported_epoch = -np.inf, None

    def report(force=False):
        nonlocal last_report, reported_epoch
        now = time.perf_counter()
        if (force and reported_epoch != epoch) or now - last_report >= PROGRESS_SECONDS:
            last_report, reported_epoch = now, epoch
            if on_progress:
                on_progress(dict(epoch=epoch, epochs=cfg.epochs, train_loss=train_loss, test_loss=test_loss))
            if on_model:
                on_model(epoch, snapshot())

    report()   # the starting point: watchers see the untrained loss at once
    while epoch < cfg.epochs:
        if should_stop and should_stop():
            status = "stopped"
            break
        ran, train_loss, test_loss, diverged = stepper.advance(min(next(lengths), cfg.epochs - epoch))
        epoch += ran
        if history[-1]["epoch"] == epoch:   # a divergence replayed back to where the last chunk ended
            history.pop()
        history.append(dict(epoch=epoch, train_loss=train_loss, test_loss=test_loss))
        if diverged:
            status = "diverged"
            message = _divergence_message(cfg, epoch)
            break
        if cfg.target_loss is not None and test_loss < cfg.target_loss:
            break
        report()

    report(force=True)
    return TrainResult(status, history, snapshot(), message, epoch - start_epoch,
                       time.perf_counter() - started)


def epoch_seconds(cfg: TrainConfig, n_train: int) -> float:
    """A model of what one epoch costs here: chunk lengths and time estimates come from it."""
    weights = cfg.n_params
    if cfg.optimizer == "lm":   # the Jacobian and JᵀJ: samples x outputs x weights²
        return LM_STEP_SECONDS + SAMPLE_WEIGHT_SECONDS * n_train * cfg.layers[-1] * weights**2
    if cfg.batch_size is None or cfg.batch_size >= n_train:
        return STEP_SECONDS + SAMPLE_WEIGHT_SECONDS * n_train * weights
    steps = n_train // cfg.batch_size
    return steps * (STEP_SECONDS + SAMPLE_WEIGHT_SECONDS * cfg.batch_size * weights)


def _chunk_lengths(cfg: TrainConfig, n_train: int):
    """1, 2, 4, ... epochs, doubling up to about CHUNK_SECONDS' worth: early history is log-spaced."""
    cap = max(1, int(CHUNK_SECONDS / epoch_seconds(cfg, n_train)))
    n = 1
    while True:
        yield n
        n = min(2 * n, cap)


def _divergence_message(cfg: TrainConfig, epoch: int) -> str:
    advice = f"Lower the learning rate (try {cfg.learning_rate / 10:g})"
    if not cfg.normalize:
        advice += " or turn on normalisation, so inputs and targets are near 1 in size"
    return (f"The loss blew up (became huge or not a number) after epoch {epoch} with {cfg.optimizer} at "
            f"learning rate {cfg.learning_rate:g}. The model kept is the last one with a finite loss. "
            f"{advice}.")
