"""A small OpenAI-compatible server on 127.0.0.1 for the tests: ``POST /v1/chat/completions``
answers with ``reply`` as the assistant's message and records every request it got.

``hold()`` makes it wait, before answering, until the test ends (a ``threading.Event``): a
server slower than any timeout, with no fixed sleep.
"""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class ChatCompletionsServer:
    def __init__(self):
        self.requests: list[dict] = []
        self.reply = "NO_ANSWER"
        self.body: bytes | None = None  # sent as it is instead of a chat completion
        self.status = 200
        self._holding = False
        self._release = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                server.requests.append(
                    {
                        "path": self.path,
                        "headers": {k.lower(): v for k, v in self.headers.items()},
                        "json": json.loads(raw or b"null"),
                    }
                )
                if server._holding:
                    server._release.wait(timeout=30)
                    return
                body = server.body
                if body is None:
                    body = json.dumps(
                        {
                            "id": "chatcmpl-1",
                            "object": "chat.completion",
                            "model": "small-model",
                            "choices": [
                                {
                                    "index": 0,
                                    "message": {"role": "assistant", "content": server.reply},
                                    "finish_reason": "stop",
                                }
                            ],
                        }
                    ).encode()
                self.send_response(server.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/v1"
        self._thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)

    def hold(self) -> None:
        self._holding = True

    def __enter__(self) -> "ChatCompletionsServer":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._release.set()
        self.httpd.shutdown()
        self.httpd.server_close()
