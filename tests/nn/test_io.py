"""Saving and loading models: exact round trips, and uploads that are not models are refused."""

import copy
import json
import math

import numpy as np
import pytest

import nn
from nn.model import Scaler


def _probe_inputs(ds):
    # Training inputs, unseen ones and far-away ones: equality must hold everywhere, not just on data.
    return np.vstack([ds.x_test, [[15.0, 4.0], [-1e5, 3e5], [0.0, 0.0], [1e-7, -1e-7]]])


def test_save_and_load_predicts_identically(tmp_path, default_ds, default_result):
    model = default_result.model
    path = tmp_path / "model.json"
    nn.save_model(model, path)
    loaded = nn.load_model(path)
    assert loaded.layers == model.layers and loaded.activations == model.activations
    x = _probe_inputs(default_ds)
    np.testing.assert_array_equal(loaded.predict(x), model.predict(x))
    np.testing.assert_array_equal(loaded.effective_affine()[0], model.effective_affine()[0])
    # Saving the loaded model again writes the same file.
    nn.save_model(loaded, tmp_path / "again.json")
    assert (tmp_path / "again.json").read_text() == path.read_text()


@pytest.mark.parametrize(("layers", "activations"), [
    ((2, 3, 1), ("relu", "sigmoid")),
    ((2, 5, 4, 2), ("tanh", "relu", "linear")),
])
def test_round_trip_is_exact_for_every_activation(tmp_path, layers, activations):
    rng = np.random.default_rng(3)
    params = [(rng.normal(size=(i, o)).astype(np.float32), rng.normal(size=o).astype(np.float32))
              for i, o in zip(layers[:-1], layers[1:], strict=True)]
    model = nn.Model(params, activations, Scaler(rng.normal(size=2), rng.uniform(0.1, 3, 2)),
                     Scaler(rng.normal(size=layers[-1]), rng.uniform(0.1, 3, layers[-1])))
    path = tmp_path / "m.json"
    nn.save_model(model, path)
    loaded = nn.load_model(path)
    x = rng.normal(0, 5, (50, 2))
    np.testing.assert_array_equal(loaded.predict(x), model.predict(x))
    via_dict = nn.model_from_dict(json.loads(json.dumps(nn.model_to_dict(model))))
    np.testing.assert_array_equal(via_dict.predict(x), model.predict(x))


def test_the_saved_file_is_plain_json_with_format_and_version(tmp_path, default_result):
    path = tmp_path / "model.json"
    nn.save_model(default_result.model, path)
    d = json.loads(path.read_text())
    assert d["format"] == "tinynet-model" and d["version"] == 1
    assert d["layers"] == [2, 2, 2] and d["activations"] == ["linear", "linear"]


def _valid_dict(default_result):
    return json.loads(json.dumps(nn.model_to_dict(default_result.model)))


def _set(path, value):
    """A mutation of a valid model dict: set the item at path (a tuple of keys/indexes) to value."""
    def apply(d):
        target = d
        for key in path[:-1]:
            target = target[key]
        if value is _DELETE:
            del target[path[-1]]
        else:
            target[path[-1]] = value
        return d
    return apply


_DELETE = object()

MALFORMED = {
    "format_wrong": _set(("format",), "keras-model"),
    "format_missing": _set(("format",), _DELETE),
    "version_2": _set(("version",), 2),
    "version_string": _set(("version",), "1"),
    "version_missing": _set(("version",), _DELETE),
    "layers_zero_units": _set(("layers",), [2, 0, 2]),
    "layers_65_units": _set(("layers",), [2, 65, 2]),
    "layers_one": _set(("layers",), [2]),
    "layers_not_list": _set(("layers",), "2,2,2"),
    "layers_mismatch_weights": _set(("layers",), [2, 3, 2]),
    "activation_unknown": _set(("activations", 0), "softmax"),
    "activations_too_few": _set(("activations",), ["linear"]),
    "params_missing": _set(("params",), _DELETE),
    "params_one_layer": _set(("params",), [{"W": [[1, 0], [0, 1]], "b": [0, 0]}]),
    "W_wrong_shape": _set(("params", 0, "W"), [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]),
    "W_ragged": _set(("params", 0, "W"), [[1.0], [2.0, 3.0]]),
    "b_wrong_shape": _set(("params", 1, "b"), [0.0]),
    "W_nan": _set(("params", 0, "W", 1, 0), math.nan),
    "b_inf": _set(("params", 1, "b", 0), math.inf),
    "W_text": _set(("params", 0, "W"), "weights"),
    "W_overflows_float32": _set(("params", 0, "W", 0, 0), 1e39),
    "x_scaler_missing": _set(("x_scaler",), _DELETE),
    "x_scaler_std_zero": _set(("x_scaler", "std", 0), 0.0),
    "y_scaler_std_negative": _set(("y_scaler", "std", 1), -1.0),
    "y_scaler_mean_nan": _set(("y_scaler", "mean", 0), math.nan),
    "y_scaler_mean_short": _set(("y_scaler", "mean"), [0.0]),
}


@pytest.mark.filterwarnings("ignore:overflow encountered in cast:RuntimeWarning")  # W_overflows_float32
@pytest.mark.parametrize("mutate", MALFORMED.values(), ids=MALFORMED.keys())
def test_model_from_dict_rejects_malformed_models(default_result, mutate):
    d = mutate(copy.deepcopy(_valid_dict(default_result)))
    with pytest.raises(nn.ConfigError) as err:
        nn.model_from_dict(d)
    assert err.value.field == "model"
    assert err.value.message


@pytest.mark.parametrize("value", [None, [], "tinynet-model", 3, {"format": "tinynet-model", "version": 1}])
def test_model_from_dict_rejects_things_that_are_not_models(value):
    with pytest.raises(nn.ConfigError) as err:
        nn.model_from_dict(value)
    assert err.value.field == "model"


def test_a_valid_dict_is_accepted(default_result):
    model = nn.model_from_dict(_valid_dict(default_result))
    np.testing.assert_array_equal(model.predict([[15.0, 4.0]]), default_result.model.predict([[15.0, 4.0]]))


@pytest.mark.parametrize("text", ["", "{not json", "[1, 2", "null", '{"format": "tinynet-model", "version": 9}'])
def test_load_model_rejects_files_that_are_not_models(tmp_path, text):
    path = tmp_path / "upload.json"
    path.write_text(text)
    with pytest.raises(nn.ConfigError) as err:
        nn.load_model(path)
    assert err.value.field == "model"
    assert err.value.message
