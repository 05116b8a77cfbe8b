"""The /notebook page tells why the learner's network never learned; each claim it makes is checked here."""

import re

from .helpers import create_dataset, parse_html

NOTEBOOK_FORM = {"layers": "2, 2, 2", "activations": ["sigmoid", "sigmoid"], "optimizer": "sgd",
                 "learning_rate": "10", "epochs": "1000", "seed": "0", "mode": "step"}


def test_the_story_page_links_to_where_each_cause_shows(client):
    page = parse_html(client.get("/notebook"))
    for reason in ("range", "scale", "loop", "argnums", "fixed"):
        assert page.one(f"#reason-{reason}")
    assert page.select('a[href="/runs/new?preset=notebook"]')
    assert 'href="/notebook"' in client.get("/").get_data(as_text=True)


def test_stepping_the_notebook_setup_shows_weights_jump_then_gradients_vanish(client):
    ds = create_dataset(client)
    run = client.post("/runs/new", data={**NOTEBOOK_FORM, "dataset_id": str(ds)})
    assert run.status_code == 303
    run_id = int(run.location.rsplit("/", 1)[1])
    first = client.post(f"/runs/{run_id}/step", headers={"HX-Request": "true"}).get_data(as_text=True)
    first_gradients = [float(g) for g in re.findall(r"<td>([+-]\d\.\d+e[+-]\d+)</td><td class=\"update\">", first)]
    assert any(abs(g) > 0 for g in first_gradients), "the first step has something to learn from"
    after_first = [float(v) for v in re.findall(r'data-after="([^"]+)"', first)]
    assert max(abs(v) for v in after_first) > 10, "lr 10 on raw inputs throws the weights far out"

    second = client.post(f"/runs/{run_id}/step", headers={"HX-Request": "true"}).get_data(as_text=True)
    gradients = [float(g) for g in re.findall(r"<td>([+-]\d\.\d+e[+-]\d+)</td><td class=\"update\">", second)]
    assert len(gradients) == 12
    assert all(g == 0.0 for g in gradients), "saturated sigmoids pass back exactly nothing, as the page says"
