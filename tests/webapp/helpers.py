"""Test helpers for the web app: JSON calls, waiting for runs, a tiny HTML query tool and an SSE reader.

Nothing here fakes the app: these only make requests through Flask's test client and read the answers.
"""

from __future__ import annotations

import json
import math
import re
import time
from dataclasses import dataclass
from html.parser import HTMLParser

import pytest

from tests.conftest import wait_for

ACTIVE = ("queued", "running")


# -- JSON API ----------------------------------------------------------------------------------------------
def post_raw(client, url, text, content_type="application/json", **kw):
    """POST a body exactly as given (e.g. JSON with NaN, which the test client's json= would also allow)."""
    return client.post(url, data=text, content_type=content_type, **kw)


def post_json(client, url, body):
    """POST body as JSON text; Python's json writes NaN/Infinity as JavaScript does, which is the point."""
    return post_raw(client, url, json.dumps(body))


def assert_json_error(resp, field, status=400):
    """A 4xx JSON answer {error, field} naming `field` (a name, or a tuple of acceptable names)."""
    assert resp.status_code == status, (resp.status_code, resp.get_data(as_text=True)[:500])
    assert resp.is_json, resp.content_type
    body = resp.get_json()
    assert isinstance(body.get("error"), str) and body["error"].strip(), body
    fields = field if isinstance(field, tuple) else (field,)
    assert body.get("field") in fields, body
    return body


def create_dataset(client, **params) -> int:
    resp = post_json(client, "/api/datasets", params)
    assert resp.status_code == 201, resp.get_data(as_text=True)
    return resp.get_json()["id"]


def start_run(client, dataset_id, **config) -> int:
    resp = post_json(client, "/api/runs", {"dataset_id": dataset_id, **config})
    assert resp.status_code == 202, resp.get_data(as_text=True)
    return resp.get_json()["id"]


def get_run(client, run_id) -> dict:
    resp = client.get(f"/api/runs/{run_id}")
    assert resp.status_code == 200, resp.get_data(as_text=True)
    return resp.get_json()


def wait_run(client, run_id, predicate, timeout=60.0) -> dict:
    """Poll GET /api/runs/<id> until predicate(run) holds; returns that run."""
    def check():
        run = get_run(client, run_id)
        return run if predicate(run) else None
    return wait_for(check, timeout=timeout)


def wait_finished(client, run_id, timeout=60.0) -> dict:
    return wait_run(client, run_id, lambda r: r["status"] not in ACTIVE, timeout)


def wait_training(client, run_id, timeout=60.0) -> dict:
    """Until the run is running and has got past epoch 0 (so it has loss history to keep)."""
    return wait_run(client, run_id, lambda r: r["status"] == "running" and r["epoch"] > 0, timeout)


def finite(x) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)


# -- HTML --------------------------------------------------------------------------------------------------
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class Element:
    def __init__(self, tag, attrs, parent=None):
        self.tag, self.attrs, self.parent, self.children = tag, dict(attrs), parent, []

    def get(self, name, default=None):
        v = self.attrs.get(name, default)
        return "" if v is None and name in self.attrs else v

    @property
    def classes(self) -> set[str]:
        return set((self.attrs.get("class") or "").split())

    @property
    def text(self) -> str:
        parts = []

        def walk(el):
            for c in el.children:
                if isinstance(c, str):
                    parts.append(c)
                else:
                    walk(c)
        walk(self)
        return " ".join(" ".join(parts).split())

    def iter(self):
        for c in self.children:
            if isinstance(c, Element):
                yield c
                yield from c.iter()

    def select(self, selector: str) -> list[Element]:
        """A small CSS subset: `tag#id.class[attr=value][attr]`, joined by spaces (descendant)."""
        steps = [_compound(s) for s in selector.split()]
        found = []
        for el in self.iter():
            if steps[-1](el) and _ancestors_match(el, steps[:-1], self):
                found.append(el)
        return found

    def one(self, selector: str) -> Element:
        found = self.select(selector)
        assert len(found) == 1, f"expected one {selector!r}, found {len(found)}"
        return found[0]

    def texts(self, selector: str) -> list[str]:
        return [e.text for e in self.select(selector)]

    def __repr__(self):
        return f"<{self.tag} {self.attrs}>"


_COMPOUND = re.compile(r"([a-zA-Z][\w-]*)|#([\w-]+)|\.([\w-]+)|\[([\w-]+)(?:=\"?([^\]\"]*)\"?)?\]")


def _compound(text):
    tests = []
    for tag, id_, cls, attr, value in _COMPOUND.findall(text):
        if tag:
            tests.append(lambda e, t=tag: e.tag == t.lower())
        elif id_:
            tests.append(lambda e, i=id_: e.attrs.get("id") == i)
        elif cls:
            tests.append(lambda e, c=cls: c in e.classes)
        elif value:
            tests.append(lambda e, a=attr, v=value: e.attrs.get(a) == v)
        else:
            tests.append(lambda e, a=attr: a in e.attrs)
    return lambda e: all(t(e) for t in tests)


def _ancestors_match(el, steps, root):
    node = el.parent
    for step in reversed(steps):
        while node is not None and node is not root and not step(node):
            node = node.parent
        if node is None or node is root:
            return False
        node = node.parent
    return True


class _TreeBuilder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {})
        self.stack = [self.root]

    def handle_starttag(self, tag, attrs):
        el = Element(tag, attrs, self.stack[-1])
        self.stack[-1].children.append(el)
        if tag not in VOID:
            self.stack.append(el)

    def handle_startendtag(self, tag, attrs):
        el = Element(tag, attrs, self.stack[-1])
        self.stack[-1].children.append(el)

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i].tag == tag:
                del self.stack[i:]
                return

    def handle_data(self, data):
        self.stack[-1].children.append(data)


def parse_html(text_or_response) -> Element:
    text = text_or_response if isinstance(text_or_response, str) else text_or_response.get_data(as_text=True)
    builder = _TreeBuilder()
    builder.feed(text)
    builder.close()
    return builder.root


def field_error(page: Element, field: str) -> str:
    """The message shown beside a form field (the element #error-<field>)."""
    return page.one(f"#error-{field}").text


# -- Server-sent events ------------------------------------------------------------------------------------
@dataclass
class Event:
    event: str | None     # None for a comment-only block (a heartbeat) or the retry line
    data: str
    comment: str = ""


def _parse_block(block: str) -> Event:
    event, data, comments = None, [], []
    for line in block.split("\n"):
        if line.startswith(":"):
            comments.append(line[1:].strip())
        elif line.startswith("event:"):
            event = line[6:].strip()
        elif line.startswith("data:"):
            data.append(line[5:].removeprefix(" "))
    return Event(event, "\n".join(data), " ".join(comments))


class EventStream:
    """GET an SSE url without buffering and read its events one at a time; close() ends the request."""

    def __init__(self, client, url):
        self.response = client.get(url, buffered=False)
        self._chunks = iter(self.response.response)
        self._buffer = ""
        self.ended = False

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        self.response.close()

    def next_event(self) -> Event | None:
        """The next block (event, heartbeat comment or retry line); None once the stream has ended."""
        while "\n\n" not in self._buffer:
            try:
                chunk = next(self._chunks)
            except StopIteration:
                self.ended = True
                return None
            self._buffer += chunk.decode() if isinstance(chunk, bytes) else chunk
        block, self._buffer = self._buffer.split("\n\n", 1)
        return _parse_block(block)

    def read_until(self, name: str, timeout: float = 60.0) -> list[Event]:
        """Every block up to and including the first event called `name`; fails if it does not come."""
        deadline = time.monotonic() + timeout
        seen = []
        while time.monotonic() < deadline:
            ev = self.next_event()
            if ev is None:
                pytest.fail(f"stream ended before a {name!r} event; saw {[e.event or e.comment for e in seen]}")
            seen.append(ev)
            if ev.event == name:
                return seen
        pytest.fail(f"no {name!r} event within {timeout} s; saw {[e.event or e.comment for e in seen]}")
