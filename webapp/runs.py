"""Run pages: the network builder, the live run page (SSE), stop and predict."""

from __future__ import annotations

import time

from flask import Blueprint, Response, current_app, redirect, render_template, request, stream_with_context, url_for
from werkzeug.datastructures import MultiDict

import nn
from nn.explain import explain

from . import charts, forms
from .db import dataset_from_row
from .services import (
    NoModel,
    Refused,
    check_run,
    owner,
    predict,
    resume_run,
    run_or_404,
    run_state,
    runner,
    shared_run_or_404,
    start_draft,
    start_run,
    step_run,
    stop_run,
    store,
)

bp = Blueprint("runs", __name__)
SSE_MIN_INTERVAL = 0.25


# -- building a run --------------------------------------------------------------------------------------
# The builder's state is always what its form would submit; the same keys make its shareable URL.
CONFIG_KEYS = ("dataset_id", "layers", "activations", "optimizer", "learning_rate", "epochs", "batch_size", "seed",
               "normalize")


def _builder(form: MultiDict, errors, status=200):
    findings = []
    if not errors:
        try:
            _, cfg, ds = check_run(form, forms.FORM)
            findings = nn.diagnose(ds, cfg)
        except forms.Invalid as e:
            errors = e.errors
    values = _display(form)
    config_url = _config_url(values)
    partial = request.headers.get("HX-Request")
    html = render_template("runs/_builder.html" if partial else "runs/new.html", values=values, errors=errors,
                           findings=findings, datasets=store().list_datasets(owner()), presets=forms.PRESETS,
                           activations=nn.ACTIVATIONS, optimizers=nn.OPTIMIZERS, config_url=config_url)
    return html, status, {"HX-Push-Url": config_url} if partial else {}


def _display(form: MultiDict) -> dict:
    """What the form shows: one activation select per weight layer, even while the layer count changes."""
    values = {k: form.get(k, "") for k in CONFIG_KEYS}
    layers = form.get("layers", "").replace(",", " ").split()
    acts = form.getlist("activations")
    n = len(layers) - 1
    if n >= 1 and len(acts) != n:
        acts = ((acts or ["linear"]) + [(acts or ["linear"])[-1]] * n)[:n]
    values.update(layers=", ".join(layers), activations=acts, normalize="normalize" in form)
    return values


def _config_url(values: dict) -> str:
    query = {k: values[k] for k in CONFIG_KEYS if values[k] not in ("", None, False, [])}
    query.update(layers=values["layers"].replace(" ", ""), activations=",".join(values["activations"]))
    if values["normalize"]:
        query["normalize"] = "on"
    return url_for("runs.new", **query)


def _preset_form(name: str | None, dataset_id) -> MultiDict:
    p = forms.preset(name)
    form = MultiDict(dict(dataset_id=dataset_id or "", layers=",".join(map(str, p["layers"])),
                          optimizer=p["optimizer"], learning_rate=f"{p['learning_rate']:g}", epochs=str(p["epochs"]),
                          batch_size="" if p["batch_size"] is None else str(p["batch_size"]), seed=str(p["seed"])))
    form.setlist("activations", p["activations"])
    if p["normalize"]:
        form["normalize"] = "on"
    return form


def _query_form(args) -> MultiDict:
    """A shared configuration URL: /runs/new?layers=2,8,2&activations=tanh,linear&optimizer=adam&..."""
    form = MultiDict((k, v) for k, v in args.items(multi=True) if k in CONFIG_KEYS and k != "activations")
    form.setlist("activations", [a for v in args.getlist("activations") for a in v.split(",") if a])
    return form


@bp.get("/runs/new")
def new():
    dataset_id = request.args.get("dataset_id") or _newest_dataset_id()
    if any(k in request.args for k in CONFIG_KEYS if k != "dataset_id"):
        form = _query_form(request.args)
        form["dataset_id"] = dataset_id or ""
    else:
        form = _preset_form(request.args.get("preset"), dataset_id)
    return _builder(form, {})


def _newest_dataset_id():
    rows = store().list_datasets(owner())
    return rows[0]["id"] if rows else None


@bp.post("/runs/check")
def check():
    """htmx: the builder re-rendered for the current values, with what diagnose says of them."""
    return _builder(request.form, {})


@bp.post("/runs/new")
def create():
    try:
        run_id = start_run(request.form, forms.FORM, draft=request.form.get("mode") == "step")
    except forms.Invalid as e:
        return _builder(request.form, e.errors, 422)
    except Refused as e:
        return _builder(request.form, {e.field: e.message}, e.status)
    return redirect(url_for("runs.show", run_id=run_id), code=303)


# -- watching a run --------------------------------------------------------------------------------------
def _links(row, token=None) -> dict:
    """Where the run page's parts point: the owner's own routes, or the read-only share routes."""
    if token:
        return dict(events=url_for("runs.shared_events", token=token),
                    predict=url_for("runs.shared_predict", token=token),
                    model=url_for("models.shared_download", token=token), stop=None, resume=None, share=None,
                    step=None, start=None)
    rid = row["id"]
    return dict(events=url_for("runs.events", run_id=rid), predict=url_for("runs.predict_view", run_id=rid),
                model=url_for("models.download", run_id=rid), stop=url_for("runs.stop", run_id=rid),
                resume=url_for("runs.resume", run_id=rid), share=url_for("runs.share", run_id=rid),
                step=url_for("runs.step", run_id=rid), start=url_for("runs.start", run_id=rid))


def _run_context(row, token=None, **extra):
    state = run_state(row)
    dataset = store().dataset_row(row["dataset_id"])
    return dict(run=state, chart=charts.loss_chart(state["history"]), dataset=dataset,
                inside=_inside(state, dataset), rebound=_rebound(state),
                generalisation=_generalisation(state, dataset), links=_links(row, token),
                readonly=token is not None, prediction=None, errors={}, values={}) | extra


def _rebound(state) -> dict | None:
    """A finished run whose test loss ended far above its best: worth saying so, and why."""
    history = state["history"]
    if state["status"] in ("queued", "running") or len(history) < 3:
        return None
    best = min(history, key=lambda p: p["test_loss"])
    last = history[-1]
    return best if last["test_loss"] > 100 * best["test_loss"] and best is not last else None


def _inside(state, dataset) -> dict | None:
    """The network's weights as a diagram and a table, and the formula it computes."""
    model = state["model"]
    if model is None:
        return None
    outputs = dataset["output_names"]
    x = None
    if state["status"] not in ("queued", "running") and model.effective_affine() is None:
        x = dataset_from_row(dataset).x_test   # the straight-line fit of a nonlinear net, once it is final
    return dict(diagram=charts.network(model, ("a", "b"), outputs),
                weights=charts.weight_rows(model, ("a", "b"), outputs),
                explanation=explain(model, outputs, dataset["task"], x))


def _page(row, token=None, status=200, **extra):
    return render_template("runs/show.html", **_run_context(row, token, **extra)), status


def _generalisation(state, dataset) -> dict | None:
    """For a finished run: predicted against true on the test set, and the error beyond the training box."""
    model = state["model"]
    if model is None or state["status"] in ("queued", "running"):
        return None
    ds = dataset_from_row(dataset)
    predicted = model.predict(ds.x_test)
    out = dict(parity=[charts.parity(ds.y_test[:, k], predicted[:, k], name)
                       for k, name in enumerate(ds.output_names)], error_map=None)
    if ds.task:
        out["error_map"] = charts.error_map(model, lambda x: nn.true_outputs(ds.task, x),
                                            dataset["params"]["a_range"], dataset["params"]["b_range"])
    return out


@bp.get("/runs/<int:run_id>")
def show(run_id):
    return _page(run_or_404(run_id))


@bp.get("/share/<token>")
def shared(token):
    return _page(shared_run_or_404(token), token)


@bp.get("/runs/<int:run_id>/events")
def events(run_id):
    return _event_stream(run_or_404(run_id))


@bp.get("/share/<token>/events")
def shared_events(token):
    return _event_stream(shared_run_or_404(token), token)


def _event_stream(row, token=None):
    """SSE: the run's live fragment after every change, heartbeats while quiet, `done` at the end."""
    run_id = row["id"]
    sub = runner().subscribe(run_id)
    heartbeat = current_app.config["SSE_HEARTBEAT_SECONDS"]

    def stream():
        try:
            yield "retry: 3000\n\n"
            changed = True   # the first frame: whatever happened since the page was rendered
            while True:
                # stream_with_context keeps this request's context (session, CSRF token) for rendering
                ctx = _run_context(store().run(run_id), token)
                finished = ctx["run"]["status"] not in ("queued", "running")
                if finished or changed:
                    yield _sse("done" if finished else "progress", render_template("runs/_live.html", **ctx))
                    if finished:
                        return
                    time.sleep(SSE_MIN_INTERVAL)   # a watcher needs a few frames a second, not every chunk
                else:
                    yield ": heartbeat\n\n"
                changed = sub.next(timeout=heartbeat) is not None
        finally:
            sub.close()

    return Response(stream_with_context(stream()), mimetype="text/event-stream",
                    headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})


def _sse(event: str, html: str) -> str:
    data = "\n".join(f"data: {line}" for line in html.splitlines())
    return f"event: {event}\n{data}\n\n"


def _after_action(row):
    if request.headers.get("HX-Request"):
        return render_template("runs/_live.html", **_run_context(store().run(row["id"])))
    return redirect(url_for("runs.show", run_id=row["id"]), code=303)


@bp.post("/runs/<int:run_id>/stop")
def stop(run_id):
    row = run_or_404(run_id)
    stop_run(row)
    return _after_action(row)


@bp.post("/runs/<int:run_id>/resume")
def resume(run_id):
    row = run_or_404(run_id)
    try:
        resume_run(row, request.form, forms.FORM)
    except forms.Invalid as e:
        return _page(row, status=422, action_error=e.message)
    except Refused as e:
        return _page(row, status=e.status, action_error=e.message)
    return _after_action(row)


@bp.post("/runs/<int:run_id>/step")
def step(run_id):
    return _draft_action(run_or_404(run_id), step_run)


@bp.post("/runs/<int:run_id>/start")
def start(run_id):
    row = run_or_404(run_id)
    try:
        start_draft(row)
    except Refused as e:
        return _page(row, status=e.status, action_error=e.message)
    return redirect(url_for("runs.show", run_id=run_id), code=303)   # a fresh page: it opens the live stream


def _draft_action(row, action):
    try:
        action(row)
    except Refused as e:
        return _page(row, status=e.status, action_error=e.message)
    return _after_action(row)


@bp.post("/runs/<int:run_id>/share")
def share(run_id):
    row = run_or_404(run_id)
    store().share(row["id"])
    return redirect(url_for("runs.show", run_id=run_id) + "#share", code=303)


@bp.post("/runs/<int:run_id>/predict")
def predict_view(run_id):
    return _predict(run_or_404(run_id))


@bp.post("/share/<token>/predict")
def shared_predict(token):
    return _predict(shared_run_or_404(token), token)


def _predict(row, token=None):
    prediction, errors, status = None, {}, 200
    try:
        prediction = predict(row, forms.parse_prediction(request.form, forms.FORM))
    except forms.Invalid as e:
        errors, status = e.errors, 422
    except NoModel as e:
        errors, status = {"model": str(e)}, 409
    ctx = dict(prediction=prediction, errors=errors, values=request.form)
    if request.headers.get("HX-Request"):   # base.html tells htmx to swap 409 and 422 answers too
        return render_template("runs/_prediction.html", **ctx), status
    return _page(row, token, status, **ctx)
