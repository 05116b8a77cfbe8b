"""What a trained network computes, in words a person can check: formulas and their errors."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .data import TASKS, true_outputs
from .model import Model


@dataclass(frozen=True)
class Formula:
    """output ≈ wa·a + wb·b + c, for one output."""
    name: str
    wa: float
    wb: float
    c: float

    def text(self, digits: int = 3) -> str:
        def signed(v, var, lead=False):
            v = round(v, digits) + 0.0   # no "− 0.000"
            sign = ("−" if lead else " − ") if v < 0 else ("" if lead else " + ")
            return f"{sign}{abs(v):.{digits}f}{var}"
        return f"{self.name} ≈ {signed(self.wa, '·a', True)}{signed(self.wb, '·b')}{signed(self.c, '')}"


@dataclass(frozen=True)
class Explanation:
    exact: bool                       # True: the network IS this formula (all layers linear)
    learned: list[Formula]            # the network's map, or its best straight-line fit on the given inputs
    truth: list[str]                  # the task's formulas as text (empty for imported data)
    true_affine: list[Formula] | None  # the task's coefficients, when the task is a straight-line map
    largest_error: float | None       # the largest |learned − true| coefficient, when both are affine
    fit_r2: list[float | None] | None = None  # how well the line fits a nonlinear net (None: it is constant)


def _formulas(names, w, b) -> list[Formula]:
    return [Formula(n, float(w[0, k]), float(w[1, k]), float(b[k])) for k, n in enumerate(names)]


def task_affine(task: str) -> list[Formula] | None:
    """Exact coefficients of an affine task, read off at (0, 0), (1, 0) and (0, 1)."""
    t = TASKS[task]
    if not t.affine:
        return None
    f00, f10, f01 = true_outputs(task, np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]])).astype(np.float64)
    return _formulas(t.outputs, np.stack([f10 - f00, f01 - f00]), f00)


def explain(model: Model, output_names, task: str | None = None, x=None) -> Explanation:
    """The network as a formula in raw units. Nonlinear networks get their least-squares straight line
    over inputs x (the test set), with R² per output saying how much of the network that line captures."""
    affine = model.effective_affine()
    r2 = None
    if affine is None:
        if x is None or len(x) < 3:
            return Explanation(False, [], _truth(task), task_affine(task) if task else None, None)
        x = np.asarray(x, np.float64)
        y = model.predict(x)
        xb = np.hstack([x, np.ones((len(x), 1))])
        coef, *_ = np.linalg.lstsq(xb, y, rcond=None)
        affine = (coef[:2], coef[2])
        resid = ((xb @ coef - y) ** 2).mean(axis=0)
        var = y.var(axis=0)
        # a network that answers the same everywhere (saturated) has nothing for a line to explain: None
        r2 = [float(1 - r / v) if v > 1e-12 * max(1.0, float(np.abs(y).max()) ** 2) else None
              for r, v in zip(resid, var, strict=True)]
    learned = _formulas(output_names, *affine)
    truth = task_affine(task) if task else None
    error = None
    if truth is not None and len(truth) == len(learned):
        error = max(max(abs(p.wa - q.wa), abs(p.wb - q.wb), abs(p.c - q.c)) for p, q in zip(learned, truth,
                                                                                              strict=True))
    return Explanation(r2 is None, learned, _truth(task), truth, error, r2)


def _truth(task):
    if task is None:
        return []
    t = TASKS[task]
    return [f"{n} = {f}" for n, f in zip(t.outputs, t.formulas, strict=True)]
