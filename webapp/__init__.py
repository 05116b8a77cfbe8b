"""tinynet's web app: `create_app()` wires the database, the training runner and the blueprints."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from flask import Flask
from flask_wtf.csrf import CSRFProtect

from .db import Store, make_engine
from .jobs import Runner

ROOT = Path(__file__).resolve().parent.parent

DEFAULTS = dict(
    MAX_SAMPLES=100_000,          # per dataset
    MAX_WEIGHT_LAYERS=8,
    MAX_UNITS=64,
    MAX_EPOCHS=1_000_000,
    MAX_LEARNING_RATE=100.0,
    MAX_CONTENT_LENGTH=8 * 1024 * 1024,   # request bodies (a 100,000-row CSV fits); Flask answers 413 above it
    WORKERS=os.cpu_count() or 2,          # trainings at once; the rest wait in line
    MAX_ACTIVE_RUNS_PER_OWNER=4,          # queued or running; more -> 429
    MAX_QUEUED_RUNS=100,                  # waiting in line, all owners together; more -> 429
    SSE_HEARTBEAT_SECONDS=15.0,
    SESSION_COOKIE_SAMESITE="Lax",
    PERMANENT_SESSION_LIFETIME=365 * 24 * 3600,   # the owner cookie: a year of one browser's lab
    WTF_CSRF_TIME_LIMIT=None,             # a lab page may stay open all day
)

csrf = CSRFProtect()


def create_app(config: dict | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True, template_folder=str(ROOT / "templates"),
                static_folder=str(ROOT / "static"))
    app.config.update(DEFAULTS)
    app.config.from_prefixed_env("TINYNET")
    if config:
        app.config.update(config)
    instance = Path(app.instance_path)
    app.config.setdefault("DATABASE_URL", os.environ.get("DATABASE_URL") or f"sqlite:///{instance / 'tinynet.db'}")
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = os.environ.get("SECRET_KEY") or _instance_secret(instance)

    store = Store(make_engine(app.config["DATABASE_URL"]))
    store.interrupt_active_runs()   # nothing trains in a process that just started
    app.extensions["tinynet"] = store
    app.extensions["tinynet_runner"] = Runner(store, workers=int(app.config["WORKERS"]))
    csrf.init_app(app)

    from . import api, builder, datasets, errors, models, pages, runs, services, transfer
    app.before_request(services.load_owner)
    errors.register(app)
    app.register_blueprint(pages.bp)
    app.register_blueprint(datasets.bp)
    app.register_blueprint(builder.bp)
    app.register_blueprint(runs.bp)
    app.register_blueprint(models.bp)
    app.register_blueprint(transfer.bp)
    app.register_blueprint(api.bp)
    csrf.exempt(api.bp)   # JSON only: a cross-site form cannot send application/json
    return app


def _instance_secret(instance: Path) -> str:
    """A key made once per installation and kept, so sessions survive restarts; never in the code."""
    path = instance / "secret_key"
    if not path.exists():
        instance.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()
