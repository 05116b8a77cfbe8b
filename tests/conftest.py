"""Shared fixtures: an app on a fresh SQLite file, its test client, and a real threaded server."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from tests.live import CHROMIUM, CHROMIUM_ARGS, LiveServer
from webapp import create_app


def make_test_app(tmp: Path, **config):
    return create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp / 'tinynet.db'}", "SECRET_KEY": "test",
                       **config})


@pytest.fixture
def app(tmp_path):
    app = make_test_app(tmp_path, WTF_CSRF_ENABLED=False)
    yield app
    app.extensions["tinynet_runner"].shutdown()


@pytest.fixture
def client(app):
    return app.test_client()


def wait_for(predicate, timeout=30.0, interval=0.05):
    """Poll until predicate() is truthy; returns its value or fails the test with what it last saw."""
    deadline = time.monotonic() + timeout
    value = None
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    pytest.fail(f"condition not met within {timeout} s (last value: {value!r})")


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    """The real app (CSRF on) served by werkzeug in a thread for the whole session."""
    with LiveServer(make_test_app(tmp_path_factory.mktemp("live"))) as server:
        yield server


@pytest.fixture(scope="session")
def base_url(live_server):
    return live_server.url


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: CI must install Debian's chromium (see .ci/run)")
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium); browser tests need it")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": CHROMIUM_ARGS,
    }
