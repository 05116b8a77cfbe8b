"""tinynet's network library: small dense networks in JAX, with no web code in sight.

    ds = nn.make_dataset(seed=0)
    result = nn.train(ds, nn.TrainConfig())
    result.model.predict([[15.0, 4.0]])      # ≈ [[11, 19]]
"""

from .config import TrainConfig
from .csvdata import dataset_from_csv, dataset_to_csv
from .data import TASKS, Dataset, dataset_from_arrays, make_dataset, true_outputs
from .diagnose import Finding, diagnose
from .errors import ConfigError
from .io import load_model, model_from_dict, model_to_dict, save_model
from .model import ACTIVATIONS, Model
from .optim import OPTIMIZERS
from .step import StepResult, initial_model, step
from .train import TrainResult, loss_and_gradient, train

__all__ = [
    "ACTIVATIONS", "OPTIMIZERS", "TASKS", "ConfigError", "Dataset", "Finding", "Model", "StepResult", "TrainConfig",
    "TrainResult", "dataset_from_arrays", "dataset_from_csv", "dataset_to_csv", "diagnose", "initial_model",
    "load_model", "loss_and_gradient", "make_dataset", "model_from_dict", "model_to_dict", "save_model", "step",
    "train", "true_outputs",
]
