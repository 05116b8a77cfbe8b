"""Models to and from JSON, with a format name and version so old files are recognised."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from .errors import ConfigError
from .model import ACTIVATIONS, Model, Scaler

FORMAT = "tinynet-model"
VERSION = 1


def model_to_dict(model: Model) -> dict:
    return {
        "format": FORMAT,
        "version": VERSION,
        "layers": list(model.layers),
        "activations": list(model.activations),
        # float() of a float32 is exact, and JSON round-trips float64 exactly: predictions survive as-is.
        "params": [{"W": np.asarray(w, np.float32).astype(float).tolist(),
                    "b": np.asarray(b, np.float32).astype(float).tolist()} for w, b in model.params],
        "x_scaler": {"mean": model.x_scaler.mean.tolist(), "std": model.x_scaler.std.tolist()},
        "y_scaler": {"mean": model.y_scaler.mean.tolist(), "std": model.y_scaler.std.tolist()},
    }


def _array(d, key, shape, what):
    try:
        a = np.asarray(d[key], dtype=np.float64)
    except (KeyError, TypeError, ValueError):
        raise ConfigError("model", f"{what}: {key!r} must be a list of numbers") from None
    if a.shape != shape:
        raise ConfigError("model", f"{what}: {key!r} must have shape {shape}, got {a.shape}")
    if not np.isfinite(a).all():
        raise ConfigError("model", f"{what}: {key!r} must hold finite numbers")
    return a


def _weights(d, key, shape, what) -> np.ndarray:
    a = _array(d, key, shape, what)
    if np.abs(a).max(initial=0.0) > np.finfo(np.float32).max:
        raise ConfigError("model", f"{what}: {key!r} has values too large for 32-bit floats")
    return a.astype(np.float32)


def model_from_dict(d) -> Model:
    """Rebuild a Model, checking every part: the dict may come from a user's upload."""
    if not isinstance(d, dict) or d.get("format") != FORMAT:
        raise ConfigError("model", f"not a tinynet model (expected \"format\": \"{FORMAT}\")")
    if type(d.get("version")) is not int or d["version"] != VERSION:
        raise ConfigError("model", f"unsupported model version {d.get('version')!r} (this is {VERSION})")
    layers, acts = d.get("layers"), d.get("activations")
    if (not isinstance(layers, list) or not 2 <= len(layers) <= 9
            or not all(isinstance(s, int) and not isinstance(s, bool) and 1 <= s <= 64 for s in layers)):
        raise ConfigError("model", "layers must be a list of 2 to 9 sizes from 1 to 64")
    if not isinstance(acts, list) or len(acts) != len(layers) - 1 or not all(a in ACTIVATIONS for a in acts):
        raise ConfigError("model", f"activations must list {len(layers) - 1} of {', '.join(ACTIVATIONS)}")
    raw = d.get("params")
    if not isinstance(raw, list) or len(raw) != len(layers) - 1 or not all(isinstance(p, dict) for p in raw):
        raise ConfigError("model", f"params must list {len(layers) - 1} layers of {{W, b}}")
    params = [(_weights(p, "W", (i, o), f"layer {k + 1}"), _weights(p, "b", (o,), f"layer {k + 1}"))
              for k, (p, i, o) in enumerate(zip(raw, layers[:-1], layers[1:], strict=True))]
    scalers = []
    for name, width in (("x_scaler", layers[0]), ("y_scaler", layers[-1])):
        s = d.get(name)
        if not isinstance(s, dict):
            raise ConfigError("model", f"{name} must be an object with mean and std")
        mean, std = _array(s, "mean", (width,), name), _array(s, "std", (width,), name)
        if not (std > 0).all():
            raise ConfigError("model", f"{name}: std must be positive")
        scalers.append(Scaler(mean, std))
    return Model(params, tuple(acts), *scalers)


def save_model(model: Model, path) -> None:
    Path(path).write_text(json.dumps(model_to_dict(model), indent=1))


def load_model(path) -> Model:
    try:
        d = json.loads(Path(path).read_text())
    except json.JSONDecodeError as e:
        raise ConfigError("model", f"not valid JSON: {e}") from None
    return model_from_dict(d)
