"""One validator per entity, shared by the HTML forms and the JSON API.

HTML forms send strings; JSON sends typed values and must use the right type (a string where a
number belongs is an error). Either way the result is clean values or {field: message}.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

import nn

FORM, JSON = "form", "json"


class Invalid(Exception):
    """Field-level validation errors: {field: message}."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors

    @property
    def field(self) -> str:
        return next(iter(self.errors))

    @property
    def message(self) -> str:
        return self.errors[self.field]


class Fields:
    """Reads named values from a form or a JSON object, collecting one message per bad field."""

    def __init__(self, raw: Mapping, source: str):
        self.raw, self.source, self.errors = raw, source, {}

    def _get(self, name):
        v = self.raw.get(name)
        return None if v is None or (self.source == FORM and isinstance(v, str) and v.strip() == "") else v

    def number(self, name, default, lo, hi, whole=False, optional=False):
        """A number in [lo, hi]; missing -> default. An emptied form field is an error unless optional."""
        v = self._get(name)
        if v is None:
            if self.source == FORM and name in self.raw and not optional:
                return self.fail(name, "enter a number")
            return default
        if self.source == FORM and isinstance(v, str):
            try:
                v = float(v.strip().replace("_", "")) if not whole else _parse_whole(v)
            except (ValueError, OverflowError):
                return self.fail(name, "must be a whole number" if whole else "must be a number")
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            return self.fail(name, "must be a whole number" if whole else "must be a number")
        try:
            f = float(v)
        except OverflowError:
            return self.fail(name, f"must be between {lo:,g} and {hi:,g}")
        if not math.isfinite(f):
            return self.fail(name, "must be a finite number")
        if whole and not f.is_integer():
            return self.fail(name, "must be a whole number")
        if not lo <= f <= hi:
            return self.fail(name, f"must be between {_fmt(lo)} and {_fmt(hi)}")
        return int(f) if whole else f

    def choice(self, name, default, options):
        v = self._get(name)
        if v is None:
            return default
        if not isinstance(v, str) or v not in options:
            return self.fail(name, f"choose one of {', '.join(options)}")
        return v

    def flag(self, name, default):
        if self.source == FORM:
            return self.raw.get(name) in ("on", "true", "1", "yes")
        v = self.raw.get(name)
        if v is None:
            return default
        if not isinstance(v, bool):
            return self.fail(name, "must be true or false")
        return v

    def fail(self, name, message):
        self.errors.setdefault(name, message)
        return None

    def done(self, values: dict) -> dict:
        if self.errors:
            raise Invalid(self.errors)
        return values


def _parse_whole(text: str) -> int:
    f = float(text.strip().replace("_", ""))
    if not math.isfinite(f) or not f.is_integer():
        raise ValueError(text)
    return int(f)


def _fmt(v):
    return f"{v:,}" if float(v).is_integer() and abs(v) < 1e16 else f"{v:g}"


# -- datasets --------------------------------------------------------------------------------------------
DATASET_DEFAULTS = dict(task="diff_sum", n=1000, a_min=11.0, a_max=21.0, b_min=0.0, b_max=10.0, noise=0.0,
                        test_fraction=0.2, seed=0)
RANGE_LIMIT = 1e6


def parse_dataset(raw: Mapping, source: str, max_samples: int) -> dict:
    """-> keyword arguments for nn.make_dataset's caller (see make_dataset below); raises Invalid."""
    f = Fields(raw, source)
    d = DATASET_DEFAULTS
    v = dict(
        task=f.choice("task", d["task"], tuple(nn.TASKS)),
        n=f.number("n", d["n"], 2, max_samples, whole=True),
        a_min=f.number("a_min", d["a_min"], -RANGE_LIMIT, RANGE_LIMIT),
        a_max=f.number("a_max", d["a_max"], -RANGE_LIMIT, RANGE_LIMIT),
        b_min=f.number("b_min", d["b_min"], -RANGE_LIMIT, RANGE_LIMIT),
        b_max=f.number("b_max", d["b_max"], -RANGE_LIMIT, RANGE_LIMIT),
        noise=f.number("noise", d["noise"], 0.0, RANGE_LIMIT),
        seed=f.number("seed", d["seed"], 0, 2**32 - 1, whole=True),
    )
    if source == FORM:   # people think in percent
        pct = f.number("test_percent", d["test_fraction"] * 100, 1, 99)
        v["test_fraction"] = None if pct is None else pct / 100
    else:
        v["test_fraction"] = f.number("test_fraction", d["test_fraction"], 0.01, 0.99)
    for lo, hi in (("a_min", "a_max"), ("b_min", "b_max")):
        if v[lo] is not None and v[hi] is not None and not v[lo] < v[hi]:
            if f._get(hi) is None:   # only the low end was given: that is the one to change
                f.fail(lo, f"must be below {hi} ({_fmt(v[hi])})")
            else:
                f.fail(hi, f"must be above {lo} ({_fmt(v[lo])})")
    return f.done(v)


def make_dataset(v: dict) -> nn.Dataset:
    return nn.make_dataset(n=v["n"], task=v["task"], a_range=(v["a_min"], v["a_max"]),
                           b_range=(v["b_min"], v["b_max"]), noise=v["noise"],
                           test_fraction=v["test_fraction"], seed=v["seed"])


# -- runs ------------------------------------------------------------------------------------------------
_D = nn.TrainConfig()
PRESETS = {
    "default": dict(label="Default", layers=[2, 2, 2], activations=["linear", "linear"], optimizer="adam",
                    learning_rate=_D.learning_rate, epochs=_D.epochs, batch_size=None, seed=0, normalize=True),
    "notebook": dict(label="Notebook (sigmoid, SGD, lr 10)", layers=[2, 2, 2], activations=["sigmoid", "sigmoid"],
                     optimizer="sgd", learning_rate=10.0, epochs=1000, batch_size=None, seed=0, normalize=False),
    "tanh_lm": dict(label="tanh + LM", layers=[2, 2, 2], activations=["tanh", "linear"], optimizer="lm",
                    learning_rate=_D.learning_rate, epochs=200, batch_size=None, seed=0, normalize=True),
}


def preset(name: str | None) -> dict:
    p = dict(PRESETS.get(name or "default", PRESETS["default"]))
    p.pop("label")
    return p


def parse_run(raw: Mapping, source: str, limits: Mapping) -> dict:
    """-> {dataset_id, layers, activations, optimizer, learning_rate, epochs, batch_size, seed, normalize}."""
    f = Fields(raw, source)
    d = preset("default")
    v = dict(
        dataset_id=f.number("dataset_id", None, 1, 2**53, whole=True),
        layers=_layers(f, limits, d["layers"]),
        activations=None,
        optimizer=f.choice("optimizer", d["optimizer"], nn.OPTIMIZERS),
        learning_rate=f.number("learning_rate", d["learning_rate"], 0.0, limits["MAX_LEARNING_RATE"]),
        epochs=f.number("epochs", d["epochs"], 1, limits["MAX_EPOCHS"], whole=True),
        batch_size=f.number("batch_size", None, 1, limits["MAX_SAMPLES"], whole=True, optional=True),
        seed=f.number("seed", d["seed"], 0, 2**32 - 1, whole=True),
        normalize=f.flag("normalize", d["normalize"]),
    )
    if v["dataset_id"] is None and "dataset_id" not in f.errors:
        f.fail("dataset_id", "choose a dataset")
    if v["learning_rate"] == 0.0:
        f.fail("learning_rate", "must be above 0")
    v["activations"] = _activations(f, v["layers"])
    return f.done(v)


def _layers(f: Fields, limits, default):
    raw = f.raw.get("layers")
    if raw is None:
        return default
    if f.source == FORM and isinstance(raw, str):
        raw = [p for p in raw.replace(",", " ").split()]
        try:
            raw = [_parse_whole(p) for p in raw]
        except (ValueError, OverflowError):
            return f.fail("layers", "write layer sizes as whole numbers, e.g. 2, 2, 2")
    if not isinstance(raw, list) or not all(isinstance(s, int) and not isinstance(s, bool) for s in raw):
        return f.fail("layers", "must be a list of whole numbers, e.g. [2, 2, 2]")
    max_layers, max_units = limits["MAX_WEIGHT_LAYERS"], limits["MAX_UNITS"]
    if not 2 <= len(raw) <= max_layers + 1:
        return f.fail("layers", f"need 2 to {max_layers + 1} sizes (1 to {max_layers} weight layers)")
    if not all(1 <= s <= max_units for s in raw):
        return f.fail("layers", f"each layer needs 1 to {max_units} units")
    return raw


def _activations(f: Fields, layers):
    n = None if layers is None else len(layers) - 1
    if f.source == FORM:
        raw = f.raw.getlist("activations") if hasattr(f.raw, "getlist") else f.raw.get("activations")
        if not raw:
            raw = None
    else:
        raw = f.raw.get("activations")
    if raw is None:   # default: linear everywhere, the network that can learn the notebook's task
        return None if n is None else ["linear"] * n
    if not isinstance(raw, list) or not all(isinstance(a, str) for a in raw):
        return f.fail("activations", "must be a list of activation names")
    if any(a not in nn.ACTIVATIONS for a in raw):
        return f.fail("activations", f"choose from {', '.join(nn.ACTIVATIONS)}")
    if n is not None and len(raw) != n:
        if f.source == FORM:   # the layer count changed before the selects caught up: pad or trim
            return (raw + [raw[-1]] * n)[:n]
        return f.fail("activations", f"need one activation per weight layer: {n}, got {len(raw)}")
    return raw


def parse_resume(raw: Mapping, source: str, checkpoint_epoch: int, max_epochs: int, default: int) -> int:
    """The epochs a resumed run should reach: its own unless asked for more."""
    f = Fields(raw, source)
    epochs = f.number("epochs", default, 1, max_epochs, whole=True)
    if epochs is not None and epochs <= checkpoint_epoch:
        f.fail("epochs", f"must be above {checkpoint_epoch:,}, the epoch the run resumes from")
    return f.done({"epochs": epochs})["epochs"]


# -- predictions -----------------------------------------------------------------------------------------
MAX_PREDICT_ROWS = 1000
INPUT_LIMIT = 1e9


def parse_prediction(raw: Mapping, source: str):
    """{a, b} (form or JSON) or {"inputs": [[a, b], ...]} (JSON) -> float array (k, 2)."""
    f = Fields(raw, source)
    if source == JSON and "inputs" in raw:
        rows = raw["inputs"]
        if not isinstance(rows, list) or not 1 <= len(rows) <= MAX_PREDICT_ROWS:
            f.fail("inputs", f"must be a list of 1 to {MAX_PREDICT_ROWS} pairs [a, b]")
        else:
            for i, row in enumerate(rows):
                if not isinstance(row, list) or len(row) != 2:
                    f.fail("inputs", f"row {i + 1} must be a pair [a, b]")
                    break
                for j, v in enumerate(row):
                    if not _is_number(v) or not -INPUT_LIMIT <= v <= INPUT_LIMIT:
                        f.fail("inputs", f"row {i + 1}, value {j + 1}: must be a finite number "
                                         f"within ±{INPUT_LIMIT:g}")
                        break
        return np.array(f.done({"rows": rows})["rows"], dtype=np.float64)
    a = f.number("a", None, -INPUT_LIMIT, INPUT_LIMIT)
    b = f.number("b", None, -INPUT_LIMIT, INPUT_LIMIT)
    for name, v in (("a", a), ("b", b)):
        if v is None and name not in f.errors:
            f.fail(name, "enter a number")
    f.done({})
    return np.array([[a, b]], dtype=np.float64)


def _is_number(v) -> bool:
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return False
    try:
        return math.isfinite(float(v))
    except OverflowError:
        return False
