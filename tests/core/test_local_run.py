"""The local run (no DEBUG in the environment, as ./scripts/run starts it) shows the product's own
error pages in the visitor's language; Django's debug pages only with DEBUG=1."""

import pytest

from tests.http import WebClient
from tests.live import start_server


def _get(server, path: str, language: str) -> tuple[int, str]:
    answer = WebClient(server.url, language=language).get(path)
    return answer.status, answer.text


@pytest.fixture
def local_run(transactional_db):
    server = start_server()
    yield server
    server.stop()


def test_a_missing_page_is_the_products_own_page_in_each_language(local_run):
    status, english = _get(local_run, "/no-such-page/", "en")
    assert status == 404
    assert "Page not found" in english
    assert "URLconf" not in english and "Traceback" not in english
    status, turkish = _get(local_run, "/no-such-page/", "tr")
    assert status == 404 and "Sayfa bulunamadı" in turkish
    # Static files are served as they are edited, without collectstatic.
    assert _get(local_run, "/static/css/app.css", "en")[0] == 200


def test_a_first_visit_logs_no_warning(local_run):
    """What a newcomer's browser asks for on the first visit (the home page, the sign-in page,
    /favicon.ico, which browsers ask for whatever the page names) leaves no warning in the
    terminal: a WARNING there is something to worry about."""
    for path in ("/", "/accounts/login/", "/static/favicon.svg"):
        assert _get(local_run, path, "en")[0] == 200, path
    answer = WebClient(local_run.url, language="en").get("/favicon.ico")
    assert answer.status == 301 and answer.location == "/static/favicon.svg"  # the app's icon
    log = local_run.log.read_text()
    assert "WARNING" not in log and "Traceback" not in log, log


def test_debug_pages_are_opt_in(transactional_db):
    server = start_server(DEBUG="1")
    try:
        status, page = _get(server, "/no-such-page/", "en")
    finally:
        server.stop()
    assert status == 404 and "URLconf" in page
