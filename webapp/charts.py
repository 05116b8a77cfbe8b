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


PALETTE = ("#2f5bd3", "#e07a1f", "#1b9e77", "#c2185b", "#6a3d9a", "#8c6d1f", "#17becf", "#555555")


def log_lines(series: list[dict]) -> dict:
    """Lines of (epoch, loss) on a log-scale loss axis. series: [{label, points, cls?, color?}]."""
    series = [dict(s, points=[(e, v) for e, v in s["points"] if v > 0 and math.isfinite(v)]) for s in series]
    series = [s for s in series if s["points"]]
    if not series:
        return dict(empty=True, width=WIDTH, height=HEIGHT)
    epochs = [e for s in series for e, _ in s["points"]]
    logs = [math.log10(v) for s in series for _, v in s["points"]]
    x0, x1 = min(epochs), max(max(epochs), min(epochs) + 1)
    y0, y1 = math.floor(min(logs)), math.ceil(max(logs))
    if y1 == y0:
        y1 += 1

    def sx(e):
        return PAD_L + (e - x0) / (x1 - x0) * (WIDTH - PAD_L - PAD_R)

    def sy(v):
        return PAD_T + (y1 - math.log10(v)) / (y1 - y0) * (HEIGHT - PAD_T - PAD_B)

    step = max(1, (y1 - y0) // 6)
    mantissas = (1, 2, 5) if y1 - y0 <= 2 else (1,)   # a short axis gets 2x and 5x ticks too
    y_ticks = [(sy(m * 10.0 ** e), f"{m}e{e}") for e in range(y0, y1 + 1, step) for m in mantissas
               if m * 10.0 ** e <= 10.0 ** y1]
    lines = [dict(label=s["label"], cls=s.get("cls", ""), color=s.get("color") or PALETTE[i % len(PALETTE)],
                  points=" ".join(f"{sx(e):.1f},{sy(v):.1f}" for e, v in s["points"]))
             for i, s in enumerate(series)]
    return dict(empty=False, width=WIDTH, height=HEIGHT, left=PAD_L, right=WIDTH - PAD_R, top=PAD_T,
                bottom=HEIGHT - PAD_B, lines=lines, y_ticks=y_ticks,
                x_ticks=[(sx(t), f"{t:,.0f}") for t in _nice_ticks(x0, x1) if x0 <= t <= x1 and float(t).is_integer()])


def loss_chart(history: list[dict]) -> dict:
    """A run's train and test loss against epoch."""
    return log_lines([
        dict(label="train loss", cls="train", color=PALETTE[0],
             points=[(p["epoch"], p["train_loss"]) for p in history]),
        dict(label="test loss", cls="test", color=PALETTE[1], points=[(p["epoch"], p["test_loss"]) for p in history]),
    ])


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
    width = 190 + 150 * (len(layers) - 1)   # room for output names on the right
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
    last = len(layers) - 1
    nodes = [dict(x=xs[li], y=y, name=names[li][k], place="in" if li == 0 else "out" if li == last else "hidden",
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


def parity(y_true: np.ndarray, y_pred: np.ndarray, name: str, limit: int = 500) -> dict:
    """Predicted against true for one output: a perfect network puts every dot on the diagonal."""
    size, pad = 260, 40
    t, p = y_true[:limit].astype(float), y_pred[:limit].astype(float)
    lo, hi = float(min(t.min(), p.min())), float(max(t.max(), p.max()))
    span = hi - lo if hi > lo else 1.0

    def sx(v):   # true value, across
        return pad + (v - lo) / span * (size - pad - 10)

    def sy(v):   # predicted value, up
        return 10 + (hi - v) / span * (size - pad - 10)

    dots = [(sx(a), sy(b)) for a, b in zip(t, p, strict=True)]
    return dict(name=name, size=size, pad=pad, dots=dots, lo=lo, hi=hi, d0=(sx(lo), sy(lo)), d1=(sx(hi), sy(hi)))


def error_map(model, true_fn, a_range, b_range, cells: int = 28, margin: float = 0.5) -> dict:
    """Mean |error| over a grid reaching `margin` of each range beyond the training box, log colour scale."""
    (a0, a1), (b0, b1) = a_range, b_range
    da, db = (a1 - a0) * margin, (b1 - b0) * margin
    a_edges = np.linspace(a0 - da, a1 + da, cells + 1)
    b_edges = np.linspace(b0 - db, b1 + db, cells + 1)
    ac, bc = (a_edges[:-1] + a_edges[1:]) / 2, (b_edges[:-1] + b_edges[1:]) / 2
    grid = np.array([(a, b) for b in bc for a in ac])
    err = np.abs(model.predict(grid) - true_fn(grid)).mean(axis=1)
    logs = np.log10(np.maximum(err, 1e-12))
    # at least a decade of colour: an error that barely varies should look even, not like a heat map
    lo, hi = float(logs.min()), float(max(logs.max(), logs.min() + 1.0))
    size, pad = 300, 40
    cell = (size - pad - 10) / cells
    rects = [dict(x=pad + (k % cells) * cell, y=10 + (cells - 1 - k // cells) * cell, error=float(e),
                  color=f"hsl({200 - 200 * (lg - lo) / (hi - lo):.0f} 75% {88 - 40 * (lg - lo) / (hi - lo):.0f}%)",
                  a=float(grid[k, 0]), b=float(grid[k, 1]))
             for k, (e, lg) in enumerate(zip(err, logs, strict=True))]
    box = dict(x=pad + da / (a_edges[-1] - a_edges[0]) * (size - pad - 10),
               y=10 + db / (b_edges[-1] - b_edges[0]) * (size - pad - 10),
               w=(a1 - a0) / (a_edges[-1] - a_edges[0]) * (size - pad - 10),
               h=(b1 - b0) / (b_edges[-1] - b_edges[0]) * (size - pad - 10))
    inside = (grid[:, 0] >= a0) & (grid[:, 0] <= a1) & (grid[:, 1] >= b0) & (grid[:, 1] <= b1)
    return dict(size=size, pad=pad, cell=cell, rects=rects, box=box, a=(a_edges[0], a_edges[-1]),
                b=(b_edges[0], b_edges[-1]), err_lo=float(err.min()), err_hi=float(err.max()),
                inside_mean=float(err[inside].mean()) if inside.any() else None,
                outside_mean=float(err[~inside].mean()) if (~inside).any() else None)
