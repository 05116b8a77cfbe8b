"""Run pages: the live run page and its event stream, stop, resume, step, share and predict."""

from __future__ import annotations

import time

from flask import Blueprint, Response, current_app, redirect, render_template, request, stream_with_context, url_for

import nn
from nn.explain import explain

from . import charts, forms
from .services import (
    NoModel,
    Refused,
    predict,
    resume_run,
    run_or_404,
    run_state,
    runner,
    shared_run_or_404,
    start_draft,
    step_run,
    stop_run,
    store,
)

bp = Blueprint("runs", __name__)
SSE_MIN_INTERVAL = 0.25


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
    dataset = store().dataset_info(row["dataset_id"])
    # a finished model is measured on its dataset's test set; a training one is not (it moves on anyway)
    final = state["model"] is not None and state["status"] not in ("queued", "running")
    ds = store().load_dataset(row["dataset_id"]) if final else None
    return dict(run=state, chart=charts.loss_chart(state["history"]), dataset=dataset,
                inside=_inside(state, dataset, ds), rebound=_rebound(state),
                generalisation=_generalisation(state["model"], dataset, ds), links=_links(row, token),
                readonly=token is not None, prediction=None, errors={}, values={}) | extra


def _rebound(state) -> dict | None:
    """A finished run whose test loss ended far above its best: worth saying so, and why."""
    history = state["history"]
    if state["status"] in ("queued", "running") or len(history) < 3:
        return None
    best = min(history, key=lambda p: p["test_loss"])
    last = history[-1]
    return best if last["test_loss"] > 100 * best["test_loss"] and best is not last else None


def _inside(state, dataset, ds) -> dict | None:
    """The network's weights as a diagram and a table, and the formula it computes."""
    model = state["model"]
    if model is None:
        return None
    outputs = dataset["output_names"]
    x = None if ds is None else ds.x_test   # for a nonlinear net's straight-line fit, once it is final
    return dict(diagram=charts.network(model, ("a", "b"), outputs),
                weights=charts.weight_rows(model, ("a", "b"), outputs),
                explanation=explain(model, outputs, dataset["task"], x))


def _page(row, token=None, status=200, **extra):
    return render_template("runs/show.html", **_run_context(row, token, **extra)), status


def _generalisation(model, dataset, ds) -> dict | None:
    """For a finished run: predicted against true on the test set, and the error beyond the training box."""
    if ds is None:
        return None
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
    return _act(run_or_404(run_id), resume_run, request.form, forms.FORM)


@bp.post("/runs/<int:run_id>/step")
def step(run_id):
    return _act(run_or_404(run_id), step_run)


@bp.post("/runs/<int:run_id>/start")
def start(run_id):
    return _act(run_or_404(run_id), start_draft, fresh_page=True)


def _act(row, action, *args, fresh_page=False):
    """Carry out an action on a run; a refusal shows the run's page again with the reason."""
    try:
        action(row, *args)
    except forms.Invalid as e:
        return _page(row, status=422, action_error=e.message)
    except Refused as e:
        return _page(row, status=e.status, action_error=e.message)
    if fresh_page:   # a run that just started needs a page that opens its live stream
        return redirect(url_for("runs.show", run_id=row["id"]), code=303)
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
