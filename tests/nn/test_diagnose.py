"""diagnose: what a configuration cannot learn, said before training, with what to change."""

import dataclasses
import re

import pytest

import nn

NOTEBOOK = nn.TrainConfig(activations=("sigmoid", "sigmoid"), optimizer="sgd", learning_rate=10.0, normalize=False)


def _codes(findings):
    return [f.code for f in findings]


def _assert_well_formed(findings):
    for f in findings:
        assert isinstance(f, nn.Finding)
        assert f.severity in ("error", "warning")
        assert f.message and f.message.strip()


def test_the_notebook_setup_gets_every_relevant_finding(default_ds):
    findings = nn.diagnose(default_ds, NOTEBOOK)
    _assert_well_formed(findings)
    by_code = {f.code: f for f in findings}
    assert {"output_range", "learning_rate", "saturation"} <= set(by_code)
    assert by_code["output_range"].severity == "error"
    assert by_code["learning_rate"].severity == "warning"
    assert by_code["saturation"].severity == "warning"
    assert "sigmoid" in by_code["output_range"].message and "linear" in by_code["output_range"].message
    assert "normalis" in by_code["saturation"].message


def test_the_default_setup_has_no_findings(default_ds):
    assert nn.diagnose(default_ds) == []
    assert nn.diagnose(default_ds, nn.TrainConfig()) == []


def test_a_hidden_layer_narrower_than_the_outputs_is_flagged(default_ds):
    findings = nn.diagnose(default_ds, nn.TrainConfig(layers=(2, 1, 2)))
    _assert_well_formed(findings)
    assert _codes(findings) == ["narrow_hidden"]
    assert findings[0].severity == "warning"


def test_an_all_linear_network_on_a_nonlinear_task_is_flagged():
    ds = nn.make_dataset(n=500, task="product", seed=0)
    findings = nn.diagnose(ds, nn.TrainConfig(layers=(2, 4, 1)))
    _assert_well_formed(findings)
    assert "linear_only" in _codes(findings)
    fixed = nn.diagnose(ds, nn.TrainConfig(layers=(2, 4, 1), activations=("tanh", "linear")))
    assert "linear_only" not in _codes(fixed)


@pytest.mark.parametrize("output", ["sigmoid", "tanh", "relu"])
def test_an_output_activation_that_cannot_reach_the_targets_is_an_error(default_ds, output):
    # Normalised diff_sum targets run from about -2 to 2: none of these can produce all of them.
    findings = nn.diagnose(default_ds, nn.TrainConfig(activations=("tanh", output)))
    _assert_well_formed(findings)
    assert [f.severity for f in findings if f.code == "output_range"] == ["error"]


def test_a_sigmoid_output_is_fine_for_targets_between_0_and_1():
    ds = nn.make_dataset(n=200, task="mean", a_range=(0.1, 0.9), b_range=(0.1, 0.9), seed=0)
    cfg = nn.TrainConfig(layers=(2, 4, 1), activations=("tanh", "sigmoid"), normalize=False)
    assert "output_range" not in _codes(nn.diagnose(ds, cfg))


@pytest.mark.parametrize(("optimizer", "learning_rate", "warned"), [
    ("sgd", 10.0, True), ("sgd", 0.1, False), ("momentum", 5.0, True), ("momentum", 0.05, False),
    ("adam", 1.0, True), ("adam", 0.01, False), ("lm", 50.0, False),
])
def test_learning_rate_warning(default_ds, optimizer, learning_rate, warned):
    cfg = nn.TrainConfig(optimizer=optimizer, learning_rate=learning_rate)
    findings = nn.diagnose(default_ds, cfg)
    _assert_well_formed(findings)
    assert ("learning_rate" in _codes(findings)) == warned


@pytest.mark.parametrize(("optimizer", "learning_rate"), [
    ("sgd", 10.0), ("sgd", 0.5), ("momentum", 5.0), ("momentum", 0.05),
    ("sgd", 1.5),
    ("momentum", 1.0),
])
def test_the_learning_rate_warning_predicts_divergence(default_ds, optimizer, learning_rate):
    cfg = nn.TrainConfig(optimizer=optimizer, learning_rate=learning_rate, epochs=300)
    warned = "learning_rate" in _codes(nn.diagnose(default_ds, cfg))
    diverged = nn.train(default_ds, cfg).status == "diverged"
    assert warned == diverged


@pytest.mark.parametrize("optimizer", [
    "sgd",
    "momentum",
])
def test_following_the_learning_rate_advice_avoids_divergence(default_ds, optimizer):
    cfg = nn.TrainConfig(optimizer=optimizer, learning_rate=50.0, epochs=300)
    finding = next(f for f in nn.diagnose(default_ds, cfg) if f.code == "learning_rate")
    advised = float(re.search(r"Lower it to ([0-9.e+-]+?)\.?(?:\s|$| or)", finding.message).group(1))
    assert advised < cfg.learning_rate
    result = nn.train(default_ds, dataclasses.replace(cfg, learning_rate=advised))
    assert result.status == "completed"


def test_saturation_is_only_flagged_without_normalisation(default_ds):
    raw = nn.TrainConfig(activations=("tanh", "linear"), normalize=False, learning_rate=0.01)
    assert "saturation" in _codes(nn.diagnose(default_ds, raw))
    scaled = nn.TrainConfig(activations=("tanh", "linear"))
    assert "saturation" not in _codes(nn.diagnose(default_ds, scaled))
    relu = nn.TrainConfig(activations=("relu", "linear"), normalize=False, learning_rate=0.01)
    assert "saturation" not in _codes(nn.diagnose(default_ds, relu))


def test_diagnose_works_on_imported_data():
    ds = nn.make_dataset(n=300, task="max", a_range=(0.0, 10.0), b_range=(0.0, 10.0), seed=1)
    imported = nn.dataset_from_arrays(ds.x, ds.y, output_names=["biggest"])
    findings = nn.diagnose(imported, nn.TrainConfig(layers=(2, 2, 1)))
    assert "linear_only" in _codes(findings)
    assert "biggest" in next(f.message for f in findings if f.code == "linear_only")
