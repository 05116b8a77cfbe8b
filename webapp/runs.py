"""Run pages: the network builder, the live run page (SSE), stop and predict."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, redirect, render_template, request, stream_with_context, url_for

import nn

from . import charts, forms
from .services import NoModel, check_run, predict, run_or_404, run_state, runner, start_run, store

bp = Blueprint("runs", __name__, url_prefix="/runs")


# -- building a run --------------------------------------------------------------------------------------
def _builder(values, errors, status=200):
    datasets = store().list_datasets()
    findings = []
    if not errors:
        try:
            _, cfg, ds = check_run(_as_form(values), forms.FORM)
            findings = nn.diagnose(ds, cfg)
        except forms.Invalid as e:
            errors = e.errors
    template = "runs/_builder.html" if request.headers.get("HX-Request") else "runs/new.html"
    return render_template(template, values=values, errors=errors, findings=findings, datasets=datasets,
                           presets=forms.PRESETS, activations=nn.ACTIVATIONS, optimizers=nn.OPTIMIZERS,
                           tasks=nn.TASKS), status


def _as_form(values):
    """Builder values (lists) back into the shape a submitted form has."""
    from werkzeug.datastructures import MultiDict
    if isinstance(values, MultiDict):
        return values
    flat = MultiDict({k: v for k, v in values.items() if k not in ("activations", "layers", "normalize")})
    flat.setlist("activations", values.get("activations") or [])
    flat["layers"] = ", ".join(str(s) for s in values.get("layers") or [])
    if values.get("normalize"):
        flat["normalize"] = "on"
    return flat


@bp.get("/new")
def new():
    values = forms.preset(request.args.get("preset"))
    values["dataset_id"] = request.args.get("dataset_id") or _newest_dataset_id()
    return _builder(values, {})


def _newest_dataset_id():
    rows = store().list_datasets()
    return rows[0]["id"] if rows else None


@bp.post("/check")
def check():
    """htmx: the builder re-rendered for the current values, with what diagnose says of them."""
    return _builder(_builder_values(request.form), {})


def _builder_values(form):
    values = dict(form.items())
    values["activations"] = form.getlist("activations")
    values["layers"] = [s for s in form.get("layers", "").replace(",", " ").split()]
    values["normalize"] = "normalize" in form
    try:
        n = len(values["layers"]) - 1
        if n >= 1 and len(values["activations"]) != n:   # keep the selects in step with the layer count
            acts = values["activations"] or ["linear"]
            values["activations"] = (acts + [acts[-1]] * n)[:n]
    except TypeError:
        pass
    return values


@bp.post("/new")
def create():
    try:
        run_id = start_run(request.form, forms.FORM)
    except forms.Invalid as e:
        return _builder(_builder_values(request.form), e.errors, 422)
    return redirect(url_for("runs.show", run_id=run_id), code=303)


# -- watching a run --------------------------------------------------------------------------------------
def _run_context(run_id):
    state = run_state(run_id)
    return dict(run=state, chart=charts.loss_chart(state["history"]), dataset=store().dataset_row(state["dataset_id"]))


@bp.get("/<int:run_id>")
def show(run_id):
    return render_template("runs/show.html", **_run_context(run_id), prediction=None, errors={}, values={})


@bp.get("/<int:run_id>/events")
def events(run_id):
    run_or_404(run_id)
    sub = runner().subscribe(run_id)
    heartbeat = current_app.config["SSE_HEARTBEAT_SECONDS"]
    app = current_app._get_current_object()

    def stream():
        try:
            yield "retry: 3000\n\n"
            while True:
                live = sub.next(timeout=heartbeat)
                with app.app_context():
                    ctx = _run_context(run_id)
                if live is None and ctx["run"]["status"] in ("queued", "running"):
                    yield ": heartbeat\n\n"
                    continue
                finished = ctx["run"]["status"] not in ("queued", "running")
                html = render_template("runs/_live.html", **ctx)
                yield _sse("done" if finished else "progress", html)
                if finished:
                    return
        finally:
            sub.close()

    return Response(stream_with_context(stream()), mimetype="text/event-stream",
                    headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})


def _sse(event: str, html: str) -> str:
    data = "\n".join(f"data: {line}" for line in html.splitlines())
    return f"event: {event}\n{data}\n\n"


@bp.post("/<int:run_id>/stop")
def stop(run_id):
    run_or_404(run_id)
    runner().stop(run_id)
    if request.headers.get("HX-Request"):
        return render_template("runs/_live.html", **_run_context(run_id))
    return redirect(url_for("runs.show", run_id=run_id), code=303)


@bp.post("/<int:run_id>/predict")
def predict_view(run_id):
    row = run_or_404(run_id)
    partial = request.headers.get("HX-Request")
    prediction, errors, status = None, {}, 200
    try:
        prediction = predict(row, forms.parse_prediction(request.form, forms.FORM))
    except forms.Invalid as e:
        errors, status = e.errors, 422
    except NoModel as e:
        errors, status = {"model": str(e)}, 409
    ctx = dict(prediction=prediction, errors=errors, values=request.form)
    if partial:   # base.html tells htmx to swap 409 and 422 answers too
        return render_template("runs/_prediction.html", **ctx, run=run_state(run_id)), status
    return render_template("runs/show.html", **_run_context(run_id), **ctx), status
