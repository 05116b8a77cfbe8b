"""Fixtures for the web app tests; `app`, `client` and `wait_for` come from tests/conftest.py."""

from __future__ import annotations

import pytest

from tests.conftest import make_test_app

from .helpers import create_dataset


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
