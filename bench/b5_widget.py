"""B5: widget weight.

* The loader as served (``GET /widget.js``): raw bytes and gzip -9 bytes (compressed here, so the
  figure does not depend on the server's own encoding).
* Everything a first open fetches, recorded in headless Chromium with ``page.on("response")``: the
  loader, config.json, the page-view beacon, the chat frame's HTML, chat.js, chat.css and anything
  else the frame asks for. Summed raw and gzip -9 (each response compressed on its own, as a
  server would send it).
* Main-thread time the widget adds to a blank host page: the host page is served by a local
  ``http.server`` on another port, once without and once with the embed snippet; Chromium's CDP
  ``Performance.getMetrics`` gives the renderer main thread's ``TaskDuration`` after load + the
  launcher drawn + 2 s idle. Figure: median(with widget) − median(blank), in ms. The chat iframe
  is only created on first open, so this is the loader's cost. First open (click → frame loaded +
  2 s idle) is reported separately, for information.
"""

from __future__ import annotations

import gzip
import json
import os
import statistics
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.request import urlopen

from bench.common import LOAD_CPU, Env, Row, free_port, start_sohbet

CHROMIUM = "/usr/bin/chromium"
LOADER_TARGET_KB = 4.0
FIRST_OPEN_TARGET_KB = 30.0
MAIN_THREAD_TARGET_MS = 30.0
IDLE_MS = 2000

HOST_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Host page</title>{snippet}</head>
<body><h1>A host page</h1><p>Nothing here but text.</p></body></html>
"""


def _gz(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=9))


def _kb(n: float) -> float:
    return round(n / 1024, 2)


def _snippet(widget_key: str, base: str) -> str:
    """The snippet exactly as the dashboard shows it (apps.tenants.views._snippet)."""
    from django.test import RequestFactory, override_settings

    from apps.tenants.models import Tenant
    from apps.tenants.views import _snippet as snippet

    tenant = Tenant.objects.get(widget_key=widget_key)
    with override_settings(PUBLIC_BASE_URL=base):
        return snippet(RequestFactory().get("/"), tenant)


class _HostServer:
    """Serves ``/blank.html`` and ``/widget.html`` from memory on a port of its own."""

    def __init__(self, pages: dict[str, str]):
        encoded = {k: v.encode() for k, v in pages.items()}

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                body = encoded.get(self.path.split("?")[0])
                if body is None:
                    self.send_response(404)
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Cache-Control", "no-store")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.port = free_port()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.port}/{name}"

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def _metrics(cdp) -> dict[str, float]:
    return {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}


MAIN_KEYS = ("TaskDuration", "ScriptDuration", "LayoutDuration", "RecalcStyleDuration")


def _launch_browser(pw):
    # Chromium on the load core, away from the server under test (children inherit affinity).
    before = os.sched_getaffinity(0)
    if LOAD_CPU in before and len(before) > 1:
        os.sched_setaffinity(0, {LOAD_CPU})
    try:
        return pw.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"]
        )
    finally:
        os.sched_setaffinity(0, before)


def _js(cdp, expression: str):
    """Evaluate in the page's main world through CDP (no Playwright injected script, whose
    compile would land on the measured main thread)."""
    res = cdp.send("Runtime.evaluate", {"expression": expression, "returnByValue": True})
    return res.get("result", {}).get("value")


def _poll(cdp, expression: str, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not _js(cdp, expression):
        if time.monotonic() > deadline:
            raise TimeoutError(expression)
        time.sleep(0.05)


LAUNCHER = "!!(document.getElementById('sohbet-widget'))"


def _one_load(browser, url: str, widget: bool, open_chat: bool = False) -> dict:
    """One fresh context (cold cache): load, wait for the launcher, idle; optionally open.

    Waits use CDP ``Runtime.evaluate`` and network events only, never Playwright selectors:
    those inject Playwright's ~40 ms-to-compile helper script into the page, which would be
    counted as the widget's main-thread time.
    """
    ctx = browser.new_context()
    try:
        page = ctx.new_page()
        responses: list = []
        page.on("response", lambda r: responses.append(r))
        ready = threading.Event()

        def on_ws(ws):
            ws.on("framereceived", lambda payload: '"ready"' in str(payload) and ready.set())

        page.on("websocket", on_ws)
        cdp = ctx.new_cdp_session(page)
        cdp.send("Performance.enable", {"timeDomain": "threadTicks"})
        start = _metrics(cdp)
        page.goto(url, wait_until="load")
        # the same probe on both pages; on the blank one it is simply false
        _poll(cdp, LAUNCHER if widget else "document.readyState == 'complete'")
        page.wait_for_timeout(IDLE_MS)
        loaded = _metrics(cdp)
        out = {
            "load": {k: (loaded.get(k, 0) - start.get(k, 0)) * 1000 for k in MAIN_KEYS},
            "responses": None,
        }
        if open_chat:
            _js(
                cdp,
                "document.getElementById('sohbet-widget').shadowRoot"
                ".querySelector('button').click()",
            )
            deadline = time.monotonic() + 15
            while not ready.is_set():  # the frame's socket said "ready"
                if time.monotonic() > deadline:
                    raise TimeoutError("chat frame never got its ready frame")
                page.wait_for_timeout(50)
            page.wait_for_timeout(IDLE_MS)
            opened = _metrics(cdp)
            out["open"] = {k: (opened.get(k, 0) - loaded.get(k, 0)) * 1000 for k in MAIN_KEYS}
        recorded = []
        for r in responses:
            try:
                body = r.body()
            except Exception:  # redirects / no body
                body = b""
            try:
                sizes = r.request.sizes()
            except Exception:
                sizes = {}
            recorded.append(
                {
                    "url": r.url,
                    "method": r.request.method,
                    "status": r.status,
                    "type": r.request.resource_type,
                    "raw": len(body),
                    "gzip9": _gz(body) if body else 0,
                    "content_encoding": r.headers.get("content-encoding", ""),
                    "wire_body": sizes.get("responseBodySize"),
                    "wire_headers": sizes.get("responseHeadersSize"),
                }
            )
        out["responses"] = recorded
        return out
    finally:
        ctx.close()


def run(env: Env, workspaces) -> list[Row]:
    from playwright.sync_api import sync_playwright

    runs = env.size(full=15, quick=3, smoke=1)
    ws = workspaces[0]
    rows: list[Row] = []
    details: dict = {"runs": runs, "idle_ms": IDLE_MS}
    server = start_sohbet(env, name="b5")
    base = f"http://127.0.0.1:{server.port}"
    host = None
    try:
        # --- the loader as served -------------------------------------------------------------
        with urlopen(base + "/widget.js", timeout=10) as resp:  # noqa: S310 (loopback)
            loader = resp.read()
            loader_headers = dict(resp.headers)
        loader_raw, loader_gz = len(loader), _gz(loader)
        details["loader"] = {"raw": loader_raw, "gzip9": loader_gz, "headers": loader_headers}
        rows.append(
            Row(
                "B5",
                "loader /widget.js raw",
                _kb(loader_raw),
                "KB",
                note=f"{loader_raw} B as served",
            )
        )
        rows.append(
            Row(
                "B5",
                "loader /widget.js gzip -9",
                _kb(loader_gz),
                "KB",
                target=f"≤ {LOADER_TARGET_KB:g} KB gzip",
                ok=loader_gz <= LOADER_TARGET_KB * 1024,
                note=f"{loader_gz} B",
            )
        )

        # --- host pages -------------------------------------------------------------------------
        snippet = _snippet(ws.widget_key, base)
        host = _HostServer(
            {
                "/blank.html": HOST_PAGE.format(snippet=""),
                "/widget.html": HOST_PAGE.format(snippet=snippet),
            }
        )
        details["snippet"] = snippet

        with sync_playwright() as pw:
            browser = _launch_browser(pw)
            try:
                details["chromium"] = browser.version
                # warm-up (first launch costs: disk cache of the binary, font config)
                _one_load(browser, host.url("blank.html"), False)
                _one_load(browser, host.url("widget.html"), True)

                blank, widget, opens = [], [], []
                for _ in range(runs):  # interleaved, so drift hits both alike
                    blank.append(_one_load(browser, host.url("blank.html"), False)["load"])
                    # The load's figures are taken before the click; then the chat opens.
                    opens.append(_one_load(browser, host.url("widget.html"), True, open_chat=True))
                    widget.append(opens[-1]["load"])
            finally:
                browser.close()
    finally:
        if host is not None:
            host.stop()
        server.stop()

    def med(samples: list[dict], key: str) -> float:
        return statistics.median(s[key] for s in samples)

    details["main_thread_ms"] = {
        "blank": {k: med(blank, k) for k in MAIN_KEYS},
        "widget": {k: med(widget, k) for k in MAIN_KEYS},
        "first_open": {k: med([o["open"] for o in opens], k) for k in MAIN_KEYS},
        "samples_blank": blank,
        "samples_widget": widget,
    }

    # --- first open: everything fetched, from one recorded run -----------------------------------
    first = opens[0]["responses"]
    fetched = [r for r in first if not r["url"].startswith(f"http://127.0.0.1:{host.port}/")]
    details["first_open_requests"] = fetched
    total_raw = sum(r["raw"] for r in fetched)
    total_gz = sum(r["gzip9"] for r in fetched)
    wire = sum((r["wire_body"] or 0) for r in fetched)
    listing = ", ".join(
        f"{r['method']} {r['url'].replace(base, '').split('#')[0]} {r['raw']}/{r['gzip9']}"
        for r in fetched
    )
    rows.append(
        Row(
            "B5",
            "first open: all fetched, raw",
            _kb(total_raw),
            "KB",
            note=f"{len(fetched)} responses (raw/gzip B): {listing}; "
            f"on the wire as served: {wire} B body",
        )
    )
    rows.append(
        Row(
            "B5",
            "first open: all fetched, gzip -9",
            _kb(total_gz),
            "KB",
            target=f"≤ {FIRST_OPEN_TARGET_KB:g} KB gzip",
            ok=total_gz <= FIRST_OPEN_TARGET_KB * 1024,
            note="each response gzip -9 on its own; + 1 WebSocket (not counted)",
        )
    )

    # --- main thread --------------------------------------------------------------------------
    b_task, w_task = med(blank, "TaskDuration"), med(widget, "TaskDuration")
    added = w_task - b_task
    added_script = med(widget, "ScriptDuration") - med(blank, "ScriptDuration")
    rows.append(
        Row(
            "B5",
            "main thread added by the loader (host page)",
            round(added, 2),
            "ms",
            baseline=round(b_task, 2),
            target=f"≤ {MAIN_THREAD_TARGET_MS:g} ms",
            ok=added <= MAIN_THREAD_TARGET_MS,
            note=f"CDP TaskDuration median of {runs}: blank {b_task:.1f} ms, "
            f"with snippet {w_task:.1f} ms (script +{added_script:.1f} ms); "
            f"load + launcher + {IDLE_MS} ms idle",
        )
    )
    o_task = med([o["open"] for o in opens], "TaskDuration")
    o_script = med([o["open"] for o in opens], "ScriptDuration")
    rows.append(
        Row(
            "B5",
            "first open: host renderer main thread",
            round(o_task, 2),
            "ms",
            note=f"informational; median of {runs}; click → frame loaded + socket ready "
            f"+ {IDLE_MS} ms idle; script {o_script:.1f} ms; the frame is same-site "
            "(127.0.0.1) here so it shares the host's renderer — on a real site it "
            "is cross-site and runs in its own process",
        )
    )

    out = env.out_dir / "b5_widget.json"
    out.write_text(
        json.dumps(
            {"rows": [r.as_dict() for r in rows], "details": details, "at": time.time()},
            indent=2,
            default=str,
        )
    )
    return rows
