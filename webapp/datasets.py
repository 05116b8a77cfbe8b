"""Dataset pages: the generator form and a dataset's summary."""

from urllib.parse import parse_qsl, urlencode, urlsplit

import numpy as np
from flask import Blueprint, redirect, render_template, request, url_for

import nn

from . import charts, forms
from .db import dataset_from_row
from .services import create_dataset, dataset_or_404

bp = Blueprint("datasets", __name__, url_prefix="/datasets")


@bp.get("/new")
def new():
    values = _form_values(forms.DATASET_DEFAULTS) | {"next": request.args.get("next", "")}
    return render_template("datasets/new.html", values=values, errors={}, tasks=nn.TASKS)


@bp.post("/new")
def create():
    try:
        dataset_id = create_dataset(request.form, forms.FORM)
    except forms.Invalid as e:
        return render_template("datasets/new.html", values=request.form, errors=e.errors, tasks=nn.TASKS), 422
    return redirect(_next(request.form.get("next", ""), dataset_id) or url_for("datasets.show", dataset_id=dataset_id),
                    code=303)


def _next(target: str, dataset_id: int) -> str | None:
    """Back to the run builder that sent us here (only there: no open redirects), now with this dataset."""
    url = urlsplit(target)
    if url.scheme or url.netloc or url.path != url_for("builder.new"):
        return None
    query = [(k, v) for k, v in parse_qsl(url.query) if k != "dataset_id"] + [("dataset_id", str(dataset_id))]
    return f"{url.path}?{urlencode(query)}"


@bp.get("/<int:dataset_id>")
def show(dataset_id):
    row = dataset_or_404(dataset_id)
    ds = dataset_from_row(row)
    x, y = ds.x, ds.y
    stats = [dict(name=name, mean=float(col.mean()), std=float(col.std()), min=float(col.min()),
                  max=float(col.max()))
             for name, col in zip(("a", "b", *ds.output_names), np.hstack([x, y]).T, strict=True)]
    return render_template("datasets/show.html", ds=row, stats=stats, rows=np.hstack([x, y])[:10].tolist(),
                           columns=("a", "b", *ds.output_names),
                           scatter=charts.scatter(x, y[:, -1]), color_by=ds.output_names[-1])


def _form_values(defaults):
    v = dict(defaults)
    v["test_percent"] = round(v.pop("test_fraction") * 100, 6)
    return v
