"""Optimizers: sgd, momentum and adam come from optax; lm (Levenberg-Marquardt) is a damped
Gauss-Newton step, which optax does not offer and which solves tiny least-squares nets in ~100 steps."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import optax

from .model import forward_columns

OPTIMIZERS = ("sgd", "momentum", "adam", "lm")
MOMENTUM = 0.9
LM_MAX_PARAMS = 500          # J^T J is P x P and solved every step: keep P small
LM_MAX_JACOBIAN = 100_000_000  # entries of the (samples x outputs) x P Jacobian held in memory


def make_optimizer(name: str, learning_rate) -> optax.GradientTransformation:
    # learning_rate may be a traced scalar, so one compiled step serves every learning rate.
    if name == "sgd":
        return optax.sgd(learning_rate)
    if name == "momentum":
        return optax.sgd(learning_rate, momentum=MOMENTUM)
    if name == "adam":
        return optax.adam(learning_rate)
    raise ValueError(f"{name!r} is not a gradient optimizer")


def lm_iteration(flat, lam, x, y, unravel, activations):
    """One Levenberg-Marquardt iteration on mean squared error; the step is kept only if it helps.

    Solves (JᵀJ + λ·diag(JᵀJ) + λ·ε·I) δ = -Jᵀr. A kept step makes λ smaller (towards Gauss-Newton),
    a refused one larger (towards a short gradient step).
    """
    def residual(p):
        return (forward_columns(unravel(p), x, activations, jnp) - y).ravel()

    r = residual(flat)
    jac = jax.jacfwd(residual)(flat)
    jtj = jac.T @ jac
    grad = jac.T @ r
    damping = lam * (jnp.diag(jtj) + 1e-6)
    step = jnp.linalg.solve(jtj + jnp.diag(damping), -grad)
    candidate = flat + step
    new_loss = jnp.mean(residual(candidate) ** 2)
    better = new_loss < jnp.mean(r**2)   # False for NaN: a NaN step is simply refused
    flat = jnp.where(better, candidate, flat)
    lam = jnp.clip(jnp.where(better, lam * 0.3, lam * 10.0), 1e-12, 1e12)
    return flat, lam
