"""TrainConfig and its validation: every bad value raises ConfigError naming its field."""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import numpy as np

from .errors import ConfigError
from .model import ACTIVATIONS
from .optim import LM_MAX_JACOBIAN, LM_MAX_PARAMS, OPTIMIZERS

MAX_WEIGHT_LAYERS = 8
MAX_UNITS = 64
MAX_EPOCHS = 1_000_000
MAX_LEARNING_RATE = 100.0
MAX_BATCH_SIZE = 1_000_000


@dataclass(frozen=True)
class TrainConfig:
    """What to train and how. Defaults: the notebook's 2-2-2 shape, made to work (linear, adam, scaled)."""
    layers: tuple[int, ...] = (2, 2, 2)
    activations: tuple[str, ...] = ("linear", "linear")
    optimizer: str = "adam"
    learning_rate: float = 0.01          # unused by lm, which picks its own step
    epochs: int = 3000
    batch_size: int | None = None        # None: full batch
    seed: int = 0
    normalize: bool = True
    target_loss: float | None = None     # stop early once test MSE (raw units) falls below it

    @classmethod
    def from_dict(cls, d: dict) -> TrainConfig:
        """From JSON-like values (lists for tuples); keys that are not fields are ignored. Not validated."""
        names = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: tuple(v) if isinstance(v, list) else v for k, v in d.items() if k in names})

    def to_dict(self) -> dict:
        """JSON-friendly: what the web app stores with a run."""
        return {k: list(v) if isinstance(v, tuple) else v for k, v in dataclasses.asdict(self).items()}

    @property
    def n_params(self) -> int:
        return sum(i * o + o for i, o in zip(self.layers[:-1], self.layers[1:], strict=False))

    def validated(self, ds=None) -> TrainConfig:
        """A copy with canonical types; raises ConfigError for the first bad field."""
        cfg = dataclasses.replace(
            self,
            layers=_layers(self.layers),
            activations=_strings("activations", self.activations),
            optimizer=_choice("optimizer", self.optimizer, OPTIMIZERS),
            learning_rate=_number("learning_rate", self.learning_rate, 0.0, MAX_LEARNING_RATE, open_low=True),
            epochs=_whole("epochs", self.epochs, 1, MAX_EPOCHS),
            batch_size=None if self.batch_size is None else _whole("batch_size", self.batch_size, 1,
                                                                    MAX_BATCH_SIZE),
            seed=_whole("seed", self.seed, 0, 2**32 - 1),
            normalize=_flag("normalize", self.normalize),
            target_loss=None if self.target_loss is None else _number("target_loss", self.target_loss,
                                                                      0.0, math.inf, open_low=True),
        )
        if len(cfg.activations) != len(cfg.layers) - 1:
            raise ConfigError("activations", f"need one activation per weight layer: {len(cfg.layers) - 1}, "
                                             f"got {len(cfg.activations)}")
        for act in cfg.activations:
            _choice("activations", act, ACTIVATIONS)
        if cfg.optimizer == "lm" and cfg.n_params > LM_MAX_PARAMS:
            raise ConfigError("optimizer", f"lm is for small networks: this one has {cfg.n_params} "
                                           f"parameters (limit {LM_MAX_PARAMS}); use adam")
        if ds is not None:
            cfg._check_fits(ds)
        return cfg

    def _check_fits(self, ds) -> None:
        if self.layers[0] != ds.n_inputs:
            raise ConfigError("layers", f"the first layer must have {ds.n_inputs} units, one per input; "
                                        f"got {self.layers[0]}")
        if self.layers[-1] != ds.n_outputs:
            raise ConfigError("layers", f"the last layer must have {ds.n_outputs} units, one per target "
                                        f"({', '.join(ds.output_names)}); got {self.layers[-1]}")
        jacobian = len(ds.x_train) * ds.n_outputs * self.n_params
        if self.optimizer == "lm" and jacobian > LM_MAX_JACOBIAN:
            raise ConfigError("optimizer", f"lm would hold a Jacobian of {jacobian:,} numbers "
                                           f"(limit {LM_MAX_JACOBIAN:,}); use fewer samples or adam")


def _is_whole(v) -> bool:
    if isinstance(v, bool):
        return False
    if isinstance(v, (int, np.integer)):
        return True
    return isinstance(v, (float, np.floating)) and math.isfinite(v) and float(v).is_integer()


def _whole(field, v, lo, hi) -> int:
    if not _is_whole(v):
        raise ConfigError(field, "must be a whole number")
    if not lo <= int(v) <= hi:
        raise ConfigError(field, f"must be between {lo:,} and {hi:,}")
    return int(v)


def _number(field, v, lo, hi, open_low=False) -> float:
    if isinstance(v, bool) or not isinstance(v, (int, float, np.integer, np.floating)):
        raise ConfigError(field, "must be a number")
    v = float(v)
    if not math.isfinite(v):
        raise ConfigError(field, "must be a finite number")
    if (v <= lo if open_low else v < lo) or v > hi:
        raise ConfigError(field, f"must be {'above' if open_low else 'at least'} {lo:g} and at most {hi:g}")
    return v


def _flag(field, v) -> bool:
    if not isinstance(v, (bool, np.bool_)):
        raise ConfigError(field, "must be true or false")
    return bool(v)


def _choice(field, v, options) -> str:
    if v not in options:
        raise ConfigError(field, f"unknown value {v!r}; choose one of {', '.join(options)}")
    return v


def _strings(field, v) -> tuple[str, ...]:
    if isinstance(v, str) or not isinstance(v, (list, tuple)) or not all(isinstance(s, str) for s in v):
        raise ConfigError(field, "must be a list of names")
    return tuple(v)


def _layers(v) -> tuple[int, ...]:
    if isinstance(v, str) or not isinstance(v, (list, tuple)):
        raise ConfigError("layers", "must be a list of layer sizes, e.g. [2, 2, 2]")
    if not 2 <= len(v) <= MAX_WEIGHT_LAYERS + 1:
        raise ConfigError("layers", f"need 2 to {MAX_WEIGHT_LAYERS + 1} sizes "
                                    f"(1 to {MAX_WEIGHT_LAYERS} weight layers); got {len(v)}")
    if not all(_is_whole(s) and 1 <= int(s) <= MAX_UNITS for s in v):
        raise ConfigError("layers", f"each layer needs 1 to {MAX_UNITS} units")
    return tuple(int(s) for s in v)
