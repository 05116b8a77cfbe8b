"""Fixtures for the web app tests; `app`, `client` and `wait_for` come from tests/conftest.py."""

from __future__ import annotations

import pytest

from tests.conftest import make_test_app

from .helpers import create_dataset, start_run, wait_finished


@pytest.fixture
def dataset_id(client):
    """The notebook's dataset (the defaults), made through the API by this test's client."""
    return create_dataset(client)


@pytest.fixture
def single_worker_app(tmp_path):
    """An app that trains one run at a time, so a second run has to wait in line."""
    app = make_test_app(tmp_path, WTF_CSRF_ENABLED=False, WORKERS=1, SSE_HEARTBEAT_SECONDS=0.1)
    try:
        yield app
    finally:
        app.extensions["tinynet_runner"].shutdown()


@pytest.fixture
def single_worker_client(single_worker_app):
    return single_worker_app.test_client()


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """(client, run id) of a short, finished run on the notebook's dataset, shared by a module's questions."""
    app = make_test_app(tmp_path_factory.mktemp("trained"), WTF_CSRF_ENABLED=False)
    try:
        client = app.test_client()
        run_id = start_run(client, create_dataset(client), epochs=300)
        assert wait_finished(client, run_id)["status"] == "completed"
        yield client, run_id
    finally:
        app.extensions["tinynet_runner"].shutdown()
