"""The home page: your datasets and runs, newest first."""

from flask import Blueprint, render_template

from .services import owner, store

bp = Blueprint("pages", __name__)


@bp.get("/")
def index():
    return render_template("index.html", datasets=store().list_datasets(owner()), runs=store().list_runs(owner()))
