"""A plain HTTP client against a real server (pytest-django's ``live_server`` or the web process):
what a script or an attacker sends, cookies kept, redirects not followed, forms posted with the
CSRF token the server handed out.

``WebClient(url, address="203.0.113.7")`` sends the client address in ``X-Real-IP``; with
``settings.RATELIMIT_IP_META_KEY = ADDRESS_META_KEY`` the server counts that address, as it does
behind a proxy that sets the header.
"""

import http.cookiejar
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from email.message import Message

ADDRESS_HEADER = "X-Real-IP"
ADDRESS_META_KEY = "HTTP_X_REAL_IP"


@dataclass
class Response:
    status: int
    headers: Message
    text: str

    @property
    def content(self) -> bytes:  # as Django's test responses have it (tests.utils.page_text)
        return self.text.encode()

    def header(self, name: str) -> str:
        return self.headers.get(name, "")

    @property
    def location(self) -> str:
        return self.header("Location")


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class WebClient:
    def __init__(self, base_url: str, *, address: str | None = None, language: str = "en"):
        self.base_url = base_url.rstrip("/")
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), _NoRedirects
        )
        self.address = address  # may change between requests: the same person, moving
        self.language = language

    def request(self, method: str, path: str, data: dict | None = None) -> Response:
        url = path if path.startswith("http") else self.base_url + path
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        headers = {"Accept-Language": self.language}
        if self.address:
            headers[ADDRESS_HEADER] = self.address
        request = urllib.request.Request(  # noqa: S310 (the test's own server)
            url, data=body, method=method, headers=headers
        )
        try:
            with self.opener.open(request, timeout=30) as response:
                return Response(response.status, response.headers, response.read().decode())
        except urllib.error.HTTPError as error:  # 3xx (not followed), 4xx, 5xx
            with error:
                return Response(error.code, error.headers, error.read().decode())

    def get(self, path: str) -> Response:
        return self.request("GET", path)

    def post(self, path: str, data: dict) -> Response:
        """Post ``data`` as a form, with the CSRF token of an earlier page (``get`` one first)."""
        return self.request("POST", path, {"csrfmiddlewaretoken": self.csrf_token(), **data})

    def csrf_token(self) -> str:
        for cookie in self.jar:
            if cookie.name == "csrftoken":
                return cookie.value
        raise AssertionError("no CSRF cookie yet: get a page with a form first")

    def cookie(self, name: str) -> str | None:
        return next((c.value for c in self.jar if c.name == name), None)
