"""The IMAP mailbox that replies come to (``INBOUND_IMAP_URL``), polled by the periodic job
``offline-imap-poll``.

Each unseen message is handed to ``inbound_receive`` and flagged seen only once that is done:
a message that fails (the database is away, the visitor is sending too fast) stays unseen and
is taken again at the next poll, which is safe because a delivery taken twice posts once. The
mailbox keeps its messages (seen); the workspace's record of each is pruned after
``INBOUND_EMAIL_KEEP_DAYS``.
"""

import logging
import ssl
from dataclasses import dataclass
from email import policy as email_policy
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from imap_tools import AND, MailBox, MailBoxUnencrypted

from apps.offline.services.email_in import InboundBusy, InboundTooLarge, inbound_receive

logger = logging.getLogger(__name__)

# Messages taken in one poll; the rest wait for the next.
POLL_BATCH = 100
RAW_POLICY = email_policy.compat32.clone(mangle_from_=False)


@dataclass(frozen=True)
class ImapAddress:
    tls: bool
    host: str
    port: int
    user: str
    password: str
    folder: str


def imap_address(url: str) -> ImapAddress:
    """``imap://user:password@host:port/FOLDER`` (``imaps://`` for TLS); the folder defaults
    to INBOX, the port to 143 or 993. User and password are percent-encoded in the URL."""
    parts = urlsplit(url)
    if parts.scheme not in ("imap", "imaps") or not parts.hostname or not parts.username:
        raise ImproperlyConfigured(
            "INBOUND_IMAP_URL must look like imaps://user:password@host:993/INBOX"
        )
    tls = parts.scheme == "imaps"
    return ImapAddress(
        tls=tls,
        host=parts.hostname,
        port=parts.port or (993 if tls else 143),
        user=unquote(parts.username),
        password=unquote(parts.password or ""),
        folder=unquote(parts.path.lstrip("/")) or "INBOX",
    )


def _mailbox(address: ImapAddress):
    if address.tls:
        return MailBox(address.host, address.port, ssl_context=ssl.create_default_context())
    return MailBoxUnencrypted(address.host, address.port)


def imap_poll(*, url: str | None = None) -> int:
    """Take the mailbox's unseen messages in; how many were taken (flagged seen)."""
    url = settings.INBOUND_IMAP_URL if url is None else url
    if not url:
        return 0
    address = imap_address(url)
    taken = 0
    with _mailbox(address).login(
        address.user, address.password, initial_folder=address.folder
    ) as mailbox:
        for message in mailbox.fetch(AND(seen=False), mark_seen=False, limit=POLL_BATCH):
            raw = message.obj.as_bytes(policy=RAW_POLICY)
            try:
                inbound_receive(raw=raw, source="imap")
            except InboundTooLarge:
                logger.warning("IMAP message %s is over the size limit: left seen", message.uid)
            except InboundBusy:
                continue  # the next poll takes it again
            except Exception:
                logger.exception("IMAP message %s could not be taken in; kept unseen", message.uid)
                continue
            mailbox.flag(message.uid, "\\Seen", True)
            taken += 1
    return taken
