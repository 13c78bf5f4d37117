"""A real SMTP server on loopback (aiosmtpd) for the tests of emails that go out."""

import asyncio
import email
import email.policy
import threading
from email.message import EmailMessage

from aiosmtpd.controller import Controller

from tests.live import free_port


class MailServer:
    """A real SMTP server on loopback that keeps what it accepts. While ``holding``, it
    answers a client's goodbye (QUIT) only once released: the moment after an email was
    accepted and before the sender could finish its job."""

    def __init__(self) -> None:
        self.accepted: list[bytes] = []
        self.holding = threading.Event()
        self.goodbye_waiting = threading.Event()
        self.controller = Controller(self, hostname="127.0.0.1", port=free_port())

    async def handle_DATA(self, server, session, envelope):
        self.accepted.append(envelope.original_content or envelope.content)
        return "250 Message accepted for delivery"

    async def handle_QUIT(self, server, session, envelope):
        if self.holding.is_set():
            self.goodbye_waiting.set()
            while self.holding.is_set():
                await asyncio.sleep(0.05)
        return "221 Bye"

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.controller.port}"

    @property
    def port(self) -> int:
        return self.controller.port

    def messages(self) -> list[EmailMessage]:
        """What it accepted, parsed."""
        return [email.message_from_bytes(raw, policy=email.policy.default) for raw in self.accepted]
