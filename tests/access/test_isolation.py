"""Two browsers, two owners: neither sees, streams, stops or queries the other's datasets and runs,
except through a read-only share link."""

import re

import pytest

from tests.conftest import wait_for


def _finished_run(client, epochs=300):
    ds = client.post("/api/datasets", json={"n": 200}).get_json()
    run = client.post("/api/runs", json={"dataset_id": ds["id"], "epochs": epochs}).get_json()
    wait_for(lambda: client.get(f"/api/runs/{run['id']}").get_json()["status"] == "completed")
    return ds["id"], run["id"]


@pytest.fixture
def two(app):
    alice, bob = app.test_client(), app.test_client()
    return alice, bob, *_finished_run(alice)


PAGES = ["/datasets/{d}", "/runs/{r}", "/runs/{r}/events"]
FORM_POSTS = ["/runs/{r}/stop", "/runs/{r}/resume", "/runs/{r}/share", "/runs/{r}/predict"]
API_GETS = ["/api/datasets/{d}", "/api/runs/{r}"]
API_POSTS = ["/api/runs/{r}/stop", "/api/runs/{r}/resume", "/api/runs/{r}/predict"]


def test_owner_reaches_everything(two):
    alice, _, d, r = two
    for path in PAGES + API_GETS:
        assert alice.get(path.format(d=d, r=r)).status_code == 200, path
    assert alice.post(f"/api/runs/{r}/predict", json={"a": 15, "b": 4}).status_code == 200


@pytest.mark.parametrize("path", PAGES + API_GETS)
def test_other_owner_gets_404_on_reads(two, path):
    _, bob, d, r = two
    assert bob.get(path.format(d=d, r=r)).status_code == 404


@pytest.mark.parametrize("path", FORM_POSTS)
def test_other_owner_gets_404_on_form_posts(two, path):
    _, bob, d, r = two
    assert bob.post(path.format(d=d, r=r), data={"a": "15", "b": "4"}).status_code == 404


@pytest.mark.parametrize("path", API_POSTS)
def test_other_owner_gets_404_on_api_posts(two, path):
    _, bob, d, r = two
    resp = bob.post(path.format(d=d, r=r), json={"a": 15, "b": 4})
    assert resp.status_code == 404
    assert set(resp.get_json()) == {"error", "field"}


def test_other_owner_cannot_train_on_or_list_anothers_dataset(two):
    alice, bob, d, r = two
    resp = bob.post("/api/runs", json={"dataset_id": d})
    assert resp.status_code == 400 and resp.get_json()["field"] == "dataset_id"
    resp = bob.post("/runs/new", data={"dataset_id": str(d), "layers": "2, 2, 2", "activations": ["linear"] * 2,
                                       "optimizer": "adam", "learning_rate": "0.01", "epochs": "10", "seed": "0"})
    assert resp.status_code == 422
    home = bob.get("/").get_data(as_text=True)
    assert f'href="/runs/{r}"' not in home and f'href="/datasets/{d}"' not in home
    assert f'href="/runs/{r}"' in alice.get("/").get_data(as_text=True)
    builder = bob.get(f"/runs/new?dataset_id={d}").get_data(as_text=True)
    assert f'<option value="{d}"' not in builder


def test_stopping_anothers_running_run_does_nothing(app):
    alice, bob = app.test_client(), app.test_client()
    ds = alice.post("/api/datasets", json={}).get_json()
    rid = alice.post("/api/runs", json={"dataset_id": ds["id"], "epochs": 1_000_000}).get_json()["id"]
    wait_for(lambda: alice.get(f"/api/runs/{rid}").get_json()["status"] == "running")
    assert bob.post(f"/api/runs/{rid}/stop", json={}).status_code == 404
    assert bob.post(f"/runs/{rid}/stop").status_code == 404
    assert alice.get(f"/api/runs/{rid}").get_json()["status"] == "running"
    alice.post(f"/api/runs/{rid}/stop", json={})
    wait_for(lambda: alice.get(f"/api/runs/{rid}").get_json()["status"] == "stopped")


def _share_link(client, r) -> str:
    page = client.post(f"/runs/{r}/share", follow_redirects=True).get_data(as_text=True)
    return re.search(r'id="share-link" href="http://[^/]+(/share/[^"]+)"', page).group(1)


def test_share_link_is_read_only(two):
    alice, bob, d, r = two
    link = _share_link(alice, r)
    token = link.rsplit("/", 1)[1]
    assert len(token) >= 24
    assert _share_link(alice, r) == link   # one link per run

    page = bob.get(link)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "read-only" in html and 'id="status"' in html
    assert 'id="stop"' not in html and 'id="resume"' not in html and 'id="share"' not in html
    assert f"/datasets/{d}" not in html   # the dataset itself stays private

    answer = bob.post(f"{link}/predict", data={"a": "15", "b": "4"})
    assert answer.status_code == 200
    assert re.findall(r'class="predicted"[^>]*>([^<]*)', answer.get_data(as_text=True)) == ["11.00", "19.00"]
    stream = bob.get(f"{link}/events")
    assert stream.status_code == 200 and b"event: done" in stream.get_data()

    assert bob.post(f"/runs/{r}/stop").status_code == 404
    assert bob.get("/share/not-a-real-token").status_code == 404
    assert bob.post(f"{link}/stop").status_code in (404, 405)
