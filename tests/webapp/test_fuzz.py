"""Fuzzing the JSON API with any JSON value in any field: never a 500, and every refusal is a 4xx
{error, field} naming a field that was sent (or "body"/"dataset_id"). Runs that do start are short."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from .helpers import assert_json_error, post_raw, wait_finished

# Any JSON value, leaning towards the awkward: huge integers, NaN/Infinity/1e308, wrong containers.
JUNK = st.one_of(
    st.text(max_size=12),
    st.integers(),
    st.integers(min_value=2**53, max_value=10**40),
    st.integers(min_value=-(10**40), max_value=-(2**53)),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([1e308, -1e308, float("nan"), float("inf"), float("-inf"), 0.0, -0.0, 5e-324]),
    st.booleans(),
    st.none(),
    st.lists(st.integers(-5, 100), max_size=4),
    st.lists(st.text(max_size=3), max_size=3),
    st.dictionaries(st.text(max_size=4), st.integers(), max_size=2),
)

FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                         HealthCheck.too_slow])


def fuzzed(valid: dict, junk: dict, required: tuple = ()):
    """A body of valid values (each optional unless required), then up to two fields overwritten with junk."""
    base = st.fixed_dictionaries({k: valid[k] for k in required},
                                 optional={k: v for k, v in valid.items() if k not in required})
    spoilers = st.lists(st.one_of(*[st.tuples(st.just(k), v) for k, v in junk.items()]), max_size=2)
    return st.tuples(base, spoilers).map(lambda t: {**t[0], **dict(t[1])})


DATASET_FIELDS = {
    "task": st.sampled_from(["diff_sum", "sum", "difference", "mean", "product", "max"]),
    "n": st.integers(2, 3000),
    "a_min": st.floats(-100, 0),
    "a_max": st.floats(1, 100),
    "b_min": st.floats(-100, 0),
    "b_max": st.floats(1, 100),
    "noise": st.floats(0, 10),
    "test_fraction": st.floats(0.01, 0.99),
    "seed": st.integers(0, 2**32 - 1),
}

# A range error may be put on either end of the range even if only one end was sent (the other being the
# default). Everything else must name a key that was sent.
PARTNER = {"a_min": "a_max", "a_max": "a_min", "b_min": "b_max", "b_max": "b_min"}


@FUZZ
@given(body=fuzzed(DATASET_FIELDS, {**{k: JUNK for k in DATASET_FIELDS}, "unknown_key": JUNK}))
def test_fuzz_create_dataset(client, body):
    resp = post_raw(client, "/api/datasets", json.dumps(body))
    event(f"{resp.status_code} {resp.get_json().get('field', '')}")
    if resp.status_code == 201:
        made = resp.get_json()
        assert isinstance(made["id"], int) and made["n_train"] + made["n_test"] == made["n"]
        return
    allowed = set(body) | {PARTNER[k] for k in body if k in PARTNER} | {"body"}
    assert_json_error(resp, tuple(allowed), status=400)


DATASET = "<the dataset>"   # replaced by the real id

RUN_FIELDS = {
    "dataset_id": st.just(DATASET),
    "layers": st.lists(st.integers(1, 6), max_size=2).map(lambda hidden: [2, *hidden, 2]),
    "activations": st.lists(st.sampled_from(["linear", "sigmoid", "tanh", "relu"]), min_size=1, max_size=3),
    "optimizer": st.sampled_from(["sgd", "momentum", "adam", "lm"]),
    "learning_rate": st.floats(1e-4, 1.0),
    "epochs": st.integers(1, 50),
    "batch_size": st.none() | st.integers(1, 1000),
    "seed": st.integers(0, 2**32 - 1),
    "normalize": st.booleans(),
}

# Junk for epochs is never a long valid count (nor null, which means the default 3000): the fuzz must not
# start long trainings. Any run that does start has at most 50 epochs.
BAD_EPOCHS = st.one_of(
    st.integers(max_value=0),
    st.integers(min_value=1_000_001),
    st.floats(allow_nan=True, allow_infinity=True).filter(lambda f: not (f.is_integer() and 1 <= f <= 1e6)),
    st.text(max_size=6),
    st.booleans(),
    st.lists(st.integers(1, 50), max_size=2),
    st.dictionaries(st.text(max_size=3), st.integers(1, 50), max_size=1),
)
RUN_JUNK = {**{k: JUNK for k in RUN_FIELDS}, "epochs": BAD_EPOCHS, "unknown_key": JUNK,
            "layers": JUNK | st.lists(st.integers(-2, 70), max_size=11),
            "activations": JUNK | st.lists(st.sampled_from(["linear", "softmax", "", "RELU"]), max_size=3),
            "optimizer": JUNK | st.sampled_from(["rmsprop", "", "Adam"])}


@FUZZ
@given(body=fuzzed(RUN_FIELDS, RUN_JUNK, required=("dataset_id", "epochs")))
def test_fuzz_start_run(client, dataset_id, body):
    if body.get("dataset_id") == DATASET:
        body["dataset_id"] = dataset_id
    resp = post_raw(client, "/api/runs", json.dumps(body))
    event(f"{resp.status_code} {resp.get_json().get('field', '')}")
    if resp.status_code == 202:
        run = wait_finished(client, resp.get_json()["id"], timeout=60)   # one at a time: none pile up
        assert run["epochs"] <= 50
        assert run["status"] in ("completed", "diverged"), run
        return
    assert_json_error(resp, tuple(set(body) | {"body", "dataset_id"}), status=400)
