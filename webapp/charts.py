"""Geometry for the SVG charts: the templates draw, this computes where."""

from __future__ import annotations

import math

import numpy as np

WIDTH, HEIGHT = 560, 260
PAD_L, PAD_R, PAD_T, PAD_B = 56, 28, 12, 32


def _nice_ticks(lo: float, hi: float, count: int = 5) -> list[float]:
    if hi <= lo:
        return [lo]
    step = 10 ** math.floor(math.log10((hi - lo) / count))
    for m in (1, 2, 5, 10):
        if (hi - lo) / (step * m) <= count:
            step *= m
            break
    start = math.ceil(lo / step) * step
    return [round(start + i * step, 10) for i in range(int((hi - start) / step) + 1)]


def loss_chart(history: list[dict]) -> dict:
    """Train and test loss against epoch, log-scale loss axis. Returns what templates/_charts.html needs."""
    pts = [p for p in history if p["train_loss"] > 0 and p["test_loss"] > 0
           and math.isfinite(p["train_loss"]) and math.isfinite(p["test_loss"])]
    if not pts:
        return dict(empty=True, width=WIDTH, height=HEIGHT)
    epochs = [p["epoch"] for p in pts]
    logs = [math.log10(p[k]) for p in pts for k in ("train_loss", "test_loss")]
    x0, x1 = min(epochs), max(max(epochs), min(epochs) + 1)
    y0, y1 = math.floor(min(logs)), math.ceil(max(logs))
    if y1 == y0:
        y1 += 1

    def sx(e):
        return PAD_L + (e - x0) / (x1 - x0) * (WIDTH - PAD_L - PAD_R)

    def sy(v):
        return PAD_T + (y1 - math.log10(v)) / (y1 - y0) * (HEIGHT - PAD_T - PAD_B)

    def line(key):
        return " ".join(f"{sx(p['epoch']):.1f},{sy(p[key]):.1f}" for p in pts)

    step = max(1, (y1 - y0) // 6)
    mantissas = (1, 2, 5) if y1 - y0 <= 2 else (1,)   # a short axis gets 2x and 5x ticks too
    y_ticks = [(sy(m * 10.0 ** e), f"{m}e{e}") for e in range(y0, y1 + 1, step) for m in mantissas
               if m * 10.0 ** e <= 10.0 ** y1]
    return dict(
        empty=False, width=WIDTH, height=HEIGHT, left=PAD_L, right=WIDTH - PAD_R, top=PAD_T,
        bottom=HEIGHT - PAD_B, train=line("train_loss"), test=line("test_loss"),
        y_ticks=y_ticks,
        x_ticks=[(sx(t), f"{t:,.0f}") for t in _nice_ticks(x0, x1) if x0 <= t <= x1],
    )


def scatter(x: np.ndarray, color: np.ndarray, limit: int = 800) -> dict:
    """Inputs a (across) against b (up), each dot coloured by one target, from blue (low) to red (high)."""
    size = 320
    pad = 40
    x, color = x[:limit].astype(float), color[:limit].astype(float)
    lo, hi = x.min(axis=0), x.max(axis=0)
    span = np.where(hi > lo, hi - lo, 1.0)
    c_lo, c_hi = float(color.min()), float(color.max())
    c = (color - c_lo) / (c_hi - c_lo if c_hi > c_lo else 1.0)
    dots = [(pad + (a - lo[0]) / span[0] * (size - pad - 10), 10 + (hi[1] - b) / span[1] * (size - pad - 10),
             f"hsl({240 - 240 * t:.0f} 70% 50%)") for (a, b), t in zip(x, c, strict=True)]
    return dict(size=size, pad=pad, dots=dots, a_range=(float(lo[0]), float(hi[0])),
                b_range=(float(lo[1]), float(hi[1])), c_range=(c_lo, c_hi))


MAX_DRAWN_WEIGHTS = 1024   # beyond this a diagram is a hairball and a heavy page on every live update


def node_names(layers, input_names, output_names) -> list[list[str]]:
    """a, b for inputs; h<layer>.<unit> for hidden units; the task's names for outputs."""
    hidden = [[f"h{li}.{k + 1}" for k in range(n)] for li, n in enumerate(layers[1:-1], 1)]
    return [list(input_names), *hidden, list(output_names)]


def network(model, input_names, output_names) -> dict:
    """Nodes per layer, one edge per weight: width follows |w|, colour its sign (blue +, red −)."""
    layers = model.layers
    n_weights = sum(w.size for w, _ in model.params)
    if n_weights > MAX_DRAWN_WEIGHTS:
        return dict(drawn=False, n_weights=n_weights)
    width = 120 + 150 * (len(layers) - 1)
    height = max(140, min(640, 34 * max(layers) + 40))
    xs = [60 + i * 150 for i in range(len(layers))]

    def ys(n):
        gap = (height - 40) / n
        return [20 + gap * (k + 0.5) for k in range(n)]

    names = node_names(layers, input_names, output_names)
    biggest = max(float(np.abs(w).max()) for w, _ in model.params) or 1.0
    edges = []
    for li, (w, _) in enumerate(model.params):
        y0, y1 = ys(layers[li]), ys(layers[li + 1])
        for i in range(w.shape[0]):
            for j in range(w.shape[1]):
                v = float(w[i, j])
                edges.append(dict(x1=xs[li], y1=y0[i], x2=xs[li + 1], y2=y1[j], value=v,
                                  width=0.6 + 5.4 * abs(v) / biggest, sign="pos" if v >= 0 else "neg",
                                  label=f"{names[li][i]} → {names[li + 1][j]}"))
    nodes = [dict(x=xs[li], y=y, name=names[li][k],
                  bias=None if li == 0 else float(model.params[li - 1][1][k]))
             for li, n in enumerate(layers) for k, y in enumerate(ys(n))]
    radius = max(4, min(12, (height - 40) / max(layers) / 2.6))
    return dict(drawn=True, width=width, height=height, edges=edges, nodes=nodes, radius=radius,
                n_weights=n_weights, activations=list(model.activations), layer_x=xs)


def weight_rows(model, input_names, output_names) -> list[dict]:
    """Every weight and bias with where it sits, for the table under the diagram."""
    names = node_names(model.layers, input_names, output_names)
    rows = []
    for li, (w, b) in enumerate(model.params):
        for j in range(w.shape[1]):
            for i in range(w.shape[0]):
                rows.append(dict(layer=li + 1, kind="weight", src=names[li][i], dst=names[li + 1][j],
                                 value=float(w[i, j])))
            rows.append(dict(layer=li + 1, kind="bias", src="", dst=names[li + 1][j], value=float(b[j])))
    return rows
