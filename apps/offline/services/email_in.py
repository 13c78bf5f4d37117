"""Email coming in: a visitor's reply to a conversation's email, or a first email to the
workspace's support address, becomes the visitor's message (docs/email.md, "Mail coming in").

``inbound_receive`` takes one raw message, from the IMAP mailbox (``imap_poll``, the
``email_receive`` command) or the endpoint (``/inbound/email/<secret>/``, which names the
workspace). Every message that reaches a workspace is recorded (``InboundEmail``, the raw kept
encrypted for ``INBOUND_EMAIL_KEEP_DAYS``) with what became of it:

- posted: through ``message_create``, the one write path, so it shows live in the inbox; the
  record and the message commit together;
- ignored, with a reason, never posted and never answered (no mail loops): auto-replies,
  bounces and delivery reports, an unknown or expired reply address, nothing left after the
  quoted history and signature are cut;
- failed: the MIME could not be read; kept for inspection.

A retried delivery (the same Message-ID, or the same bytes when there is none) answers with
the first record and posts nothing. A message over ``INBOUND_EMAIL_MAX_BYTES`` is refused
(``InboundTooLarge``) before anything is read.
"""

import hashlib
import logging
import re
from dataclasses import dataclass, field
from datetime import timedelta
from email import errors, policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import parseaddr

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _
from django_scopes import scope, scopes_disabled

from apps.conversations import services as conversation_services
from apps.conversations.models import Conversation
from apps.conversations.services import ChatError
from apps.core.crypto import keyed_hash
from apps.core.errors import Refusal
from apps.offline.inbound_text import addresses, html_to_text, reply_text, sender, storable
from apps.offline.models import EmailSender, EmailThread, InboundEmail, OfflineSettings
from apps.offline.services.contact import email_thread_open
from apps.tenants.models import Tenant
from apps.visitors.models import Visitor

logger = logging.getLogger(__name__)

POSTED, IGNORED, FAILED = (
    InboundEmail.State.POSTED,
    InboundEmail.State.IGNORED,
    InboundEmail.State.FAILED,
)
ATTACHMENTS_LISTED = 20
NAME_MAX_LENGTH = 200
MESSAGE_ID_MAX_LENGTH = 300
# Defects after which the message's parts cannot be trusted.
STRUCTURAL_DEFECTS = (
    errors.NoBoundaryInMultipartDefect,
    errors.StartBoundaryNotFoundDefect,
    errors.CloseBoundaryNotFoundDefect,
    errors.MultipartInvariantViolationDefect,
    errors.MissingHeaderBodySeparatorDefect,
    errors.InvalidMultipartContentTransferEncodingDefect,
)
AUTO_PRECEDENCE = {"bulk", "junk", "list", "auto_reply"}
BOUNCE_SENDERS = {"mailer-daemon", "postmaster"}


class InboundTooLarge(Refusal):
    """Over ``INBOUND_EMAIL_MAX_BYTES``: refused, nothing read or kept."""


class InboundBusy(Refusal):
    """The visitor is sending too fast: nothing was kept; deliver again later."""


@dataclass
class Parsed:
    key: str  # the Message-ID, or a hash of the raw bytes
    recipients: list[str] = field(default_factory=list)
    sender: str = ""
    sender_name: str = ""
    text: str = ""
    attachments: list[str] = field(default_factory=list)
    automatic: str = ""  # "auto_reply" or "bounce": never posted, never answered
    problem: str = ""  # why the message could not be read (failed)


def _raw_text(raw: bytes) -> str:
    """The raw message as text to keep: UTF-8 when it is, else byte for byte (Latin-1)."""
    try:
        return raw.decode()
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def _key(message: EmailMessage | None, raw: bytes) -> str:
    message_id = ""
    if message is not None:
        try:
            message_id = str(message.get("Message-ID", "")).strip().strip("<>").strip()
        except Exception:  # a header that does not parse is no Message-ID
            message_id = ""
    if message_id and len(message_id) <= MESSAGE_ID_MAX_LENGTH and "\x00" not in message_id:
        return message_id
    return "sha256:" + hashlib.sha256(message_id.encode() if message_id else raw).hexdigest()


def _automatic(message: EmailMessage, from_address: str) -> str:
    auto_submitted = str(message.get("Auto-Submitted", "")).strip().lower()
    precedence = str(message.get("Precedence", "")).strip().lower()
    if (
        (auto_submitted and auto_submitted != "no")
        or precedence in AUTO_PRECEDENCE
        or "X-Autoreply" in message
        or "X-Autorespond" in message
    ):
        return "auto_reply"
    return_path = message.get_all("Return-Path")
    if (
        message.get_content_type() == "multipart/report"
        or any(part.get_content_type() == "message/delivery-status" for part in message.walk())
        or from_address.split("@")[0] in BOUNCE_SENDERS
        or (return_path and all(str(value).strip() in ("", "<>") for value in return_path))
    ):
        return "bounce"
    return ""


def _attachments(message: EmailMessage) -> list[str]:
    names = []
    for part in message.walk():
        if part.is_multipart():
            continue
        filename = part.get_filename()
        if filename or part.get_content_disposition() == "attachment":
            name = " ".join(storable(str(filename or _("attachment"))).split())[:NAME_MAX_LENGTH]
            names.append(name)
    return names[:ATTACHMENTS_LISTED]


def _text(message: EmailMessage) -> str:
    body = message.get_body(preferencelist=("plain", "html"))
    if body is None:
        return ""
    content = body.get_content()
    if not isinstance(content, str):
        return ""
    return html_to_text(content) if body.get_content_type() == "text/html" else content


def parse(raw: bytes) -> Parsed:
    """What inbound handling needs of a raw message; ``problem`` says why it cannot be read."""
    try:
        message = BytesParser(policy=policy.default).parsebytes(raw)
    except Exception as exc:  # anything the parser trips on is malformed input
        return Parsed(key=_key(None, raw), problem=f"unreadable: {type(exc).__name__}")
    parsed = Parsed(key=_key(message, raw))
    try:
        parsed.recipients = addresses(message)
        parsed.sender = storable(sender(message))
        name = parseaddr(str(message.get("From", "")))[0]
        parsed.sender_name = " ".join(storable(name).split())[:100]
        defects = [
            type(defect).__name__
            for part in message.walk()
            for defect in part.defects
            if isinstance(defect, STRUCTURAL_DEFECTS)
        ]
        if not message.keys():
            parsed.problem = "no headers"
        elif defects:
            parsed.problem = "malformed MIME: " + ", ".join(sorted(set(defects)))
        elif not parsed.sender:
            parsed.problem = "no sender"
        else:
            parsed.automatic = _automatic(message, parsed.sender)
            parsed.text = _text(message)
            parsed.attachments = _attachments(message)
    except Exception as exc:  # a part that cannot be decoded is malformed input
        parsed.problem = f"unreadable: {type(exc).__name__}"
    return parsed


def reply_key(recipients: list[str]) -> str:
    """The key of the first ``reply+<key>@INBOUND_EMAIL_DOMAIN`` among the recipients."""
    domain = settings.INBOUND_EMAIL_DOMAIN.lower()
    pattern = re.compile(r"^reply\+([A-Za-z0-9_-]{1,40})@" + re.escape(domain) + "$")
    for address in recipients:
        found = pattern.match(address)
        if found:
            return found.group(1)
    return ""


def _thread(key: str) -> EmailThread | None:
    """The thread of a reply key, whatever its workspace (the caller enters its scope)."""
    if not key:
        return None
    with scopes_disabled():
        return (
            EmailThread.objects.select_related("tenant")
            # Keys are drawn mixed-case; a mail server may lower-case the address.
            .filter(reply_key__iexact=key)
            .first()
        )


def _support_tenant(recipients: list[str]) -> Tenant | None:
    """The one workspace whose support address is among the recipients."""
    if not recipients:
        return None
    with scopes_disabled():
        tenant_ids = set(
            OfflineSettings.objects.annotate(address=Lower("support_address"))
            .filter(address__in=recipients)
            .values_list("tenant_id", flat=True)[:2]
        )
    if len(tenant_ids) != 1:
        return None
    return Tenant.objects.filter(pk=tenant_ids.pop()).first()


def inbound_receive(
    *, raw: bytes, tenant: Tenant | None = None, source: str
) -> InboundEmail | None:
    """Take one raw email (see the module's note). ``tenant``: the workspace whose endpoint it
    came to; None (IMAP) finds it from the reply or support address. ``source``: "imap",
    "endpoint" or "command", for the logs. None: no workspace to record it in (logged)."""
    if len(raw) > settings.INBOUND_EMAIL_MAX_BYTES:
        raise InboundTooLarge(
            "too_large",
            _("The email is larger than %(n)s bytes.") % {"n": settings.INBOUND_EMAIL_MAX_BYTES},
            limit=settings.INBOUND_EMAIL_MAX_BYTES,
        )
    parsed = parse(raw)
    thread = _thread(reply_key(parsed.recipients))
    if tenant is not None and thread is not None and thread.tenant_id != tenant.pk:
        # Another workspace's reply address: not this endpoint's to post to.
        logger.warning(
            "inbound email %s (%s): reply address of another workspace", parsed.key, source
        )
        thread = None
    target = tenant or (thread.tenant if thread is not None else None)
    if target is None:
        target = _support_tenant(parsed.recipients)
    if target is None:
        logger.warning("inbound email %s (%s): no workspace to deliver to", parsed.key, source)
        return None
    with scope(tenant=target):
        try:
            return _receive(tenant=target, parsed=parsed, raw=raw, thread=thread, source=source)
        except IntegrityError:
            # The same email delivered at the same moment: the first record stands.
            existing = InboundEmail.objects.filter(tenant=target, message_id=parsed.key).first()
            if existing is None:
                raise
            return existing


def _receive(*, tenant, parsed: Parsed, raw: bytes, thread, source: str) -> InboundEmail:
    with transaction.atomic():
        existing = InboundEmail.objects.filter(tenant=tenant, message_id=parsed.key).first()
        if existing is not None:
            return existing
        record = InboundEmail.objects.create(
            tenant=tenant, message_id=parsed.key, state=FAILED, raw=_raw_text(raw)
        )
        state, reason = _apply(tenant=tenant, parsed=parsed, thread=thread, record=record)
        record.state, record.reason = state, reason[:200]
        record.save(update_fields=["state", "reason", "conversation", "sender_mismatch"])
    logger.info("inbound email %s (%s): %s %s", parsed.key, source, state, reason)
    return record


def _expired(conversation: Conversation) -> bool:
    return (
        conversation.status == Conversation.Status.RESOLVED
        and (conversation.resolved_at or conversation.last_activity_at)
        < timezone.now() - settings.CHAT_REOPEN_WINDOW
    )


def _apply(*, tenant, parsed: Parsed, thread, record: InboundEmail) -> tuple[str, str]:
    """Post the email or say why not: (state, reason)."""
    if parsed.problem:
        return FAILED, parsed.problem
    if parsed.automatic:
        return IGNORED, parsed.automatic
    if tenant.is_suspended:
        return IGNORED, "workspace suspended"
    support = (
        OfflineSettings.objects.filter(tenant=tenant)
        .values_list("support_address", flat=True)
        .first()
        or ""
    ).lower()
    if thread is None and not (support and support in parsed.recipients):
        logger.warning("inbound email %s: unknown reply address", parsed.key)
        return IGNORED, "unknown address"
    if thread is not None and _expired(thread.conversation):
        return IGNORED, "expired address"
    body = reply_text(parsed.text)[: settings.CHAT_MESSAGE_MAX_LENGTH].strip()
    if not body and not parsed.attachments:
        return IGNORED, "empty"
    email = {"attachments": parsed.attachments}
    client_id = "email:" + hashlib.sha256(parsed.key.encode()).hexdigest()[:40]
    try:
        if thread is not None:
            record.sender_mismatch = parsed.sender != thread.address.strip().lower()
            if record.sender_mismatch:
                # Flagged, not named: the message's content is stored unencrypted (the
                # address stays in the kept raw email, which is).
                email.update(from_mismatch=True)
            result = conversation_services.message_create(
                sender="visitor",
                conversation=thread.conversation,
                client_id=client_id,
                body=body,
                content={"email": email},
            )
        else:
            visitor = _sender_visitor(tenant=tenant, parsed=parsed)
            result = conversation_services.message_create(
                sender="visitor",
                visitor=visitor,
                client_id=client_id,
                body=body,
                content={"email": email},
                channel=Conversation.Channel.EMAIL,
            )
            email_thread_open(conversation=result.conversation, address=parsed.sender, mark=True)
    except ChatError as exc:
        if exc.code == "rate_limited":
            raise InboundBusy(exc.code, exc.message, **exc.extra) from exc
        return FAILED, f"refused: {exc.code}"
    record.conversation = result.conversation
    return POSTED, ""


def _sender_visitor(*, tenant, parsed: Parsed) -> Visitor:
    """The visitor an email address writing to the support address is: the one its earlier
    emails made, else a new one with the address (and name) as unverified claims."""
    address_hash = keyed_hash(f"{tenant.pk}:{parsed.sender}", purpose="email-sender")
    known = EmailSender.objects.select_related("visitor").filter(address_hash=address_hash).first()
    if known is not None:
        visitor = known.visitor
        if not visitor.unverified.get("email"):
            visitor.unverified = {**visitor.unverified, "email": parsed.sender}
            visitor.save(update_fields=["unverified"])
        return visitor
    claims = {"email": parsed.sender}
    if parsed.sender_name:
        claims["name"] = parsed.sender_name
    visitor = Visitor.objects.create(tenant=tenant, unverified=claims)
    try:
        with transaction.atomic():
            EmailSender.objects.create(tenant=tenant, address_hash=address_hash, visitor=visitor)
    except IntegrityError:
        # Another email from the same address made its visitor a moment ago: that one it is.
        visitor.delete()
        return EmailSender.objects.select_related("visitor").get(address_hash=address_hash).visitor
    return visitor


def inbound_prune(*, now=None) -> int:
    """Drop the incoming emails kept longer than ``INBOUND_EMAIL_KEEP_DAYS`` (every workspace)."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.INBOUND_EMAIL_KEEP_DAYS)
    with scopes_disabled():
        deleted, _rows = InboundEmail.objects.filter(received_at__lt=cutoff).delete()
    return deleted
