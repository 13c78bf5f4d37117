"""One shape for a refused request: a protocol error ``code``, a human ``message``, extras.

Services raise subclasses; sockets turn them into ``error`` frames and HTTP views into JSON
error responses (docs/widget-protocol.md, "Errors").
"""


class Refusal(Exception):
    def __init__(self, code: str, message: str, **extra):
        super().__init__(message)
        self.code = code
        self.message = message
        self.extra = extra
