"""The console's own routes on a real `stepwell serve`: the graph stylesheet, the icon, the static
files, and a forged POST answered with the 403 error page."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from stepwell.console.graph.style import stylesheet
from stepwell.console.security import HEADERS
from stepwell.console.web import STATIC
from tests.server.process import ServerProcess


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    process = ServerProcess(tmp_path_factory.mktemp("console-app") / "stepwell.db").start()
    yield process
    process.stop()


@pytest.fixture
def browser(server: ServerProcess) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.endpoint) as client:
        yield client


def test_the_graph_stylesheet_is_linked_not_inlined(browser: httpx.Client) -> None:
    answer = browser.get("/graph.css")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/css")
    assert answer.headers["cache-control"] == "max-age=3600"
    assert answer.text == stylesheet()


@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_the_icon_carries_the_security_headers(browser: httpx.Client, method: str) -> None:
    answer = browser.request(method, "/favicon.ico")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "image/x-icon"
    assert answer.headers["cache-control"] == "max-age=86400"
    for header, value in HEADERS.items():
        assert answer.headers[header] == value
    if method == "GET":
        assert answer.content == (STATIC / "favicon.ico").read_bytes()


def test_static_files_are_served(browser: httpx.Client) -> None:
    answer = browser.get("/static/console.js")
    assert answer.status_code == 200
    assert answer.content == (STATIC / "console.js").read_bytes()
    assert browser.get("/static/no-such-file.js").status_code == 404


def test_a_forged_post_gets_the_refusal_page(browser: httpx.Client) -> None:
    answer = browser.post("/state-machines", data={"name": "x"})
    assert answer.status_code == 403
    assert answer.headers["content-type"].startswith("text/html")
    assert "<h1>Refused</h1>" in answer.text
    assert "the form&#39;s security token is missing or does not match; reload the page" in answer.text
    assert answer.headers["content-security-policy"] == HEADERS["Content-Security-Policy"]
