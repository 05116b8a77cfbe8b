"""The home page (your datasets and runs, newest first), the notebook's story, and comparing runs."""

from flask import Blueprint, abort, render_template, request

from . import charts
from .services import owner, run_or_404, store

bp = Blueprint("pages", __name__)
MAX_COMPARED = 8


@bp.get("/")
def index():
    return render_template("index.html", datasets=store().list_datasets(owner()), runs=store().list_runs(owner()))


@bp.get("/notebook")
def notebook():
    """The story tinynet starts from: why the learner's network never learned, and where to see each cause."""
    return render_template("notebook.html")


@bp.get("/compare")
def compare():
    """Loss curves of the chosen runs on one chart: /compare?runs=1,2 (or runs=1&runs=2)."""
    try:
        ids = list(dict.fromkeys(int(p) for v in request.args.getlist("runs") for p in v.split(",") if p.strip()))
    except ValueError:
        abort(400, description="runs must be run numbers, e.g. /compare?runs=1,2")
    if len(ids) > MAX_COMPARED:
        abort(400, description=f"Compare at most {MAX_COMPARED} runs at once.")
    rows = [run_or_404(i) for i in ids]
    histories = {r["id"]: store().history(r["id"]) for r in rows}
    series = [dict(label=_label(r), points=[(p["epoch"], p["test_loss"]) for p in histories[r["id"]]])
              for r in rows]
    chart = charts.log_lines(series)
    summary = [dict(row=r, color=charts.PALETTE[i % len(charts.PALETTE)],
                    best=min((p["test_loss"] for p in histories[r["id"]]), default=None))
               for i, r in enumerate(rows)]
    return render_template("compare.html", chart=chart, runs=summary)


def _label(row) -> str:
    c = row["config"]
    return f"#{row['id']} {'-'.join(map(str, c['layers']))} {'/'.join(c['activations'])} {c['optimizer']}"
