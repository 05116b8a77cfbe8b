"""TrainConfig validation: every bad value is a ConfigError whose `field` names what to fix."""

import math

import numpy as np
import pytest

import nn

BAD_CONFIGS = [
    # layers
    (dict(layers="2,2,2"), "layers"),
    (dict(layers=(2,), activations=()), "layers"),                                  # one layer only
    (dict(layers=(2, 0, 2)), "layers"),                                             # 0 units
    (dict(layers=(2, 65, 2)), "layers"),                                            # 65 units
    (dict(layers=(2, -1, 2)), "layers"),
    (dict(layers=(2, 2.5, 2)), "layers"),
    (dict(layers=(2, "2", 2)), "layers"),
    (dict(layers=(2,) * 10, activations=("linear",) * 9), "layers"),                 # 9 weight layers
    # activations
    (dict(activations=("linear", "softmax")), "activations"),
    (dict(activations=("Linear", "linear")), "activations"),
    (dict(activations=("linear",)), "activations"),                                 # too few
    (dict(activations=("linear",) * 3), "activations"),                             # too many
    (dict(activations="linear"), "activations"),
    (dict(activations=("linear", 3)), "activations"),
    # optimizer
    (dict(optimizer="rmsprop"), "optimizer"),
    (dict(optimizer="lm", layers=(2, 32, 32, 2), activations=("tanh",) * 2 + ("linear",)), "optimizer"),
    # learning rate
    (dict(learning_rate=0.0), "learning_rate"),
    (dict(learning_rate=-0.1), "learning_rate"),
    (dict(learning_rate=math.nan), "learning_rate"),
    (dict(learning_rate=math.inf), "learning_rate"),
    (dict(learning_rate=1000.0), "learning_rate"),
    (dict(learning_rate="0.1"), "learning_rate"),
    (dict(learning_rate=True), "learning_rate"),
    # epochs
    (dict(epochs=0), "epochs"),
    (dict(epochs=-10), "epochs"),
    (dict(epochs=2.5), "epochs"),
    (dict(epochs="100"), "epochs"),
    (dict(epochs=math.nan), "epochs"),
    (dict(epochs=True), "epochs"),
    (dict(epochs=10**7), "epochs"),
    # batch size
    (dict(batch_size=0), "batch_size"),
    (dict(batch_size=-32), "batch_size"),
    (dict(batch_size=3.5), "batch_size"),
    (dict(batch_size="32"), "batch_size"),
    # seed
    (dict(seed=-1), "seed"),
    (dict(seed=2**32), "seed"),
    (dict(seed=0.5), "seed"),
    (dict(seed="1"), "seed"),
    # normalize
    (dict(normalize="yes"), "normalize"),
    (dict(normalize=1), "normalize"),
    # target loss
    (dict(target_loss=0.0), "target_loss"),
    (dict(target_loss=-1.0), "target_loss"),
    (dict(target_loss=math.nan), "target_loss"),
]


def _id(case):
    kwargs, _ = case
    return ",".join(f"{k}={v!r}" for k, v in kwargs.items())[:60]


@pytest.mark.parametrize(("kwargs", "field"), BAD_CONFIGS, ids=[_id(c) for c in BAD_CONFIGS])
def test_validated_rejects_bad_values_naming_the_field(kwargs, field):
    with pytest.raises(nn.ConfigError) as err:
        nn.TrainConfig(**kwargs).validated()
    assert err.value.field == field
    assert err.value.message


@pytest.mark.parametrize(("kwargs", "field"), BAD_CONFIGS, ids=[_id(c) for c in BAD_CONFIGS])
def test_train_and_diagnose_reject_bad_values_naming_the_field(default_ds, kwargs, field):
    cfg = nn.TrainConfig(**kwargs)
    with pytest.raises(nn.ConfigError) as err:
        nn.train(default_ds, cfg, should_stop=lambda: True)   # should it not raise, at least stop at once
    assert err.value.field == field
    with pytest.raises(nn.ConfigError) as err:
        nn.diagnose(default_ds, cfg)
    assert err.value.field == field


@pytest.mark.parametrize(("layers", "activations", "task"), [
    ((3, 2, 2), ("linear", "linear"), "diff_sum"),     # the data has 2 inputs
    ((1, 2), ("linear",), "sum"),
    ((2, 2, 1), ("linear", "linear"), "diff_sum"),     # diff_sum has 2 outputs
    ((2, 2, 2), ("linear", "linear"), "sum"),          # sum has 1 output
])
def test_layers_must_match_the_data(layers, activations, task):
    ds = nn.make_dataset(n=50, task=task)
    cfg = nn.TrainConfig(layers=layers, activations=activations)
    cfg.validated()    # fine on its own: only the data makes it wrong
    with pytest.raises(nn.ConfigError) as err:
        nn.train(ds, cfg, should_stop=lambda: True)
    assert err.value.field == "layers"
    assert err.value.message


def test_lm_refuses_a_jacobian_too_big_to_hold():
    ds = nn.make_dataset(n=1_000_000, seed=0)
    cfg = nn.TrainConfig(layers=(2, 8, 8, 2), activations=("tanh", "tanh", "linear"), optimizer="lm")
    cfg.validated()    # 114 parameters: small enough for lm in general
    with pytest.raises(nn.ConfigError) as err:
        nn.train(ds, cfg, should_stop=lambda: True)
    assert err.value.field == "optimizer"
    assert "adam" in err.value.message


def test_lm_too_many_parameters_message_suggests_adam():
    cfg = nn.TrainConfig(layers=(2, 64, 64, 2), activations=("tanh", "tanh", "linear"), optimizer="lm")
    with pytest.raises(nn.ConfigError, match="adam") as err:
        cfg.validated()
    assert err.value.field == "optimizer"


def test_good_values_are_canonicalised():
    cfg = nn.TrainConfig(layers=[2, np.int64(3), 2.0], activations=["tanh", "linear"], learning_rate=1,
                         epochs=10.0, batch_size=np.int32(16), seed=np.uint32(3), normalize=np.bool_(False),
                         target_loss=1).validated()
    assert cfg.layers == (2, 3, 2) and all(type(s) is int for s in cfg.layers)
    assert cfg.activations == ("tanh", "linear")
    assert cfg.learning_rate == 1.0 and type(cfg.learning_rate) is float
    assert (cfg.epochs, cfg.batch_size, cfg.seed) == (10, 16, 3)
    assert type(cfg.epochs) is int and type(cfg.batch_size) is int and type(cfg.seed) is int
    assert cfg.normalize is False
    assert cfg.target_loss == 1.0


def test_the_limits_themselves_are_allowed():
    nn.TrainConfig(layers=(2,) + (64,) * 7 + (2,), activations=("relu",) * 8, learning_rate=100.0,
                   epochs=1_000_000, seed=2**32 - 1, batch_size=1).validated()
    nn.TrainConfig(layers=(2, 2), activations=("linear",)).validated()
