"""Every write about visitors: recognising them, their visits, identity and attributes, who is
on the site right now (presence, for the live visitors list) and the team's contact notes.

Callers run inside the workspace scope (``django_scopes.scope(tenant=...)``).
"""

import hashlib
import hmac
import logging
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled
from ua_parser import parse as parse_user_agent

from apps.core import events, realtime
from apps.core.crypto import hash_token, keyed_hash
from apps.core.errors import Refusal
from apps.core.ratelimit import hit
from apps.tenants.models import Membership, Role, Tenant, WidgetSettings
from apps.visitors import payloads, selectors
from apps.visitors.models import (
    Consent,
    ContactNote,
    PageView,
    Visitor,
    VisitorPresence,
    VisitorSession,
    VisitorToken,
)

logger = logging.getLogger(__name__)

SESSION_GAP = timedelta(minutes=30)
# A page view's beacon and then its presence socket both continue the visit, moments apart:
# "last seen" times are written at most this often, not twice per page view.
TOUCH_EVERY = timedelta(seconds=60)
MAX_ATTRIBUTES = 50


class VisitorError(Refusal):
    """A visitor request we refuse."""


def new_visitor_token() -> str:
    return "vt_" + secrets.token_urlsafe(32)


@dataclass
class VisitStart:
    visitor: Visitor
    session: VisitorSession
    token_hash: str
    new_token: str | None  # only when a token was issued now
    returning: bool


def _clean_page(url: str, title: str = "", referrer: str = "") -> tuple[str, str, str] | None:
    url = (url or "")[:2000]
    if urlsplit(url).scheme not in ("http", "https"):
        return None
    if urlsplit(referrer or "").scheme not in ("http", "https"):
        referrer = ""
    return url, (title or "")[:300], (referrer or "")[:2000]


def _describe_agent(user_agent: str) -> tuple[str, str]:
    if not user_agent:
        return "", ""
    parsed = parse_user_agent(user_agent[:400])
    browser = os_name = ""
    if parsed.user_agent and parsed.user_agent.family != "Other":
        browser = f"{parsed.user_agent.family} {parsed.user_agent.major or ''}".strip()
    if parsed.os and parsed.os.family != "Other":
        os_name = parsed.os.family
    return browser[:60], os_name[:60]


_UTC_OFFSET = re.compile(r"[+-]\d\d:\d\d")


def _better_timezone(current: str, given: str | None) -> bool:
    """Whether ``given`` (a browser's time zone) says more than the session's ``current`` one:
    a zone name ("Europe/Istanbul") beats a bare UTC offset ("+03:00") or nothing."""
    if not given or not isinstance(given, str) or _UTC_OFFSET.fullmatch(given):
        return False
    return not current or bool(_UTC_OFFSET.fullmatch(current))


def visit_start(
    *,
    tenant: Tenant,
    token: str | None,
    ip: str,
    user_agent: str = "",
    language: str = "",
    tz: str = "",
    screen: str = "",
    page: dict | None = None,
) -> VisitStart:
    """Recognise the browser by its token, or make a new visitor; open or continue a visit.

    New visitors are limited per IP address (``CHAT_NEW_VISITORS_PER_IP_PER_HOUR``). A
    returning visitor's page view (every page of a customer's site, through the beacon and the
    presence socket) is two reads, and a transaction only when something is written: a new
    visit, a page, or "last seen" times due again (``TOUCH_EVERY``).
    """
    now = timezone.now()
    token_row = None
    if token and isinstance(token, str) and len(token) < 200:
        token_row = (
            VisitorToken.objects.select_related("visitor")
            .filter(token_hash=hash_token(token))
            .first()
        )
    if token_row is None:
        return _visit_start_new(tenant, ip, user_agent, language, tz, screen, page, now)

    visitor = token_row.visitor
    session = (
        VisitorSession.objects.filter(visitor=visitor, last_seen_at__gte=now - SESSION_GAP)
        .order_by("-last_seen_at")
        .first()
    )
    touch_token = token_row.last_used_at < now - TOUCH_EVERY
    session_changes = {}
    if session is not None:
        if session.last_seen_at < now - TOUCH_EVERY:
            session_changes["last_seen_at"] = now
        if _better_timezone(session.timezone, tz):
            # The loader's beacon knows the UTC offset; the chat window, the zone's name.
            session_changes["timezone"] = tz[:64]
    touch_visitor = session is None or visitor.last_seen_at < now - TOUCH_EVERY
    if not (touch_token or session is None or session_changes or touch_visitor or page):
        return VisitStart(visitor, session, token_row.token_hash, None, True)

    with transaction.atomic():
        if touch_token:
            VisitorToken.objects.filter(pk=token_row.pk).update(last_used_at=now)
        if session is None:
            session = _session_create(tenant, visitor, user_agent, language, tz, screen)
            Visitor.objects.filter(pk=visitor.pk).update(visits=F("visits") + 1, last_seen_at=now)
        else:
            if session_changes:
                VisitorSession.objects.filter(pk=session.pk).update(**session_changes)
                for field, value in session_changes.items():
                    setattr(session, field, value)
            if touch_visitor:
                Visitor.objects.filter(pk=visitor.pk).update(last_seen_at=now)
        if page:
            _page_record(visitor, session, page)
    if touch_visitor:
        visitor.refresh_from_db()  # visits and last_seen_at changed in the database
    return VisitStart(visitor, session, token_row.token_hash, None, True)


def _visit_start_new(tenant, ip, user_agent, language, tz, screen, page, now) -> VisitStart:
    with transaction.atomic():
        allowed, retry_after = hit(
            f"newvisitor:{tenant.pk}:{ip}",
            limit=settings.CHAT_NEW_VISITORS_PER_IP_PER_HOUR,
            window=3600,
        )
        if not allowed:
            raise VisitorError(
                "rate_limited",
                _("Too many new chats from this address. Please try again later."),
                retry_after=retry_after,
            )
        visitor = Visitor.objects.create(tenant=tenant)
        new_token = new_visitor_token()
        token_hash = hash_token(new_token)
        VisitorToken.objects.create(tenant=tenant, visitor=visitor, token_hash=token_hash)
        session = _session_create(tenant, visitor, user_agent, language, tz, screen)
        if page:
            _page_record(visitor, session, page)
    return VisitStart(visitor, session, token_hash, new_token, False)


def visitor_token_issue(*, visitor: Visitor) -> str:
    """A new token for ``visitor`` (another browser of theirs: a link in an email that leads
    back to their chat). Only its hash is kept; the token is returned this once."""
    token = new_visitor_token()
    VisitorToken.objects.create(
        tenant_id=visitor.tenant_id, visitor=visitor, token_hash=hash_token(token)
    )
    return token


def _session_create(tenant, visitor, user_agent, language, tz, screen) -> VisitorSession:
    browser, os_name = _describe_agent(user_agent)
    return VisitorSession.objects.create(
        tenant=tenant,
        visitor=visitor,
        user_agent=user_agent[:400],
        browser=browser,
        os=os_name,
        language=(language or "")[:35],
        timezone=(tz or "")[:64],
        screen=(screen or "")[:20],
    )


def _page_record(visitor: Visitor, session: VisitorSession, page: dict) -> None:
    pageview_record(
        visitor=visitor,
        session=session,
        url=page.get("url", ""),
        title=page.get("title", ""),
        referrer=page.get("referrer", ""),
    )


def pageview_record(
    *, visitor: Visitor, session: VisitorSession, url: str, title: str = "", referrer: str = ""
) -> PageView | None:
    """Record a page view; addresses other than http(s) are ignored."""
    cleaned = _clean_page(str(url or ""), str(title or ""), str(referrer or ""))
    if cleaned is None:
        return None
    url, title, referrer = cleaned
    last = PageView.objects.filter(session=session).order_by("-viewed_at").first()
    if last is not None and last.url == url and last.title == title:
        return last  # a reload, not a new page
    now = timezone.now()
    if session.last_seen_at < now - TOUCH_EVERY:
        VisitorSession.objects.filter(pk=session.pk).update(last_seen_at=now)
        session.last_seen_at = now
    return PageView.objects.create(
        tenant_id=visitor.tenant_id,
        visitor=visitor,
        session=session,
        url=url,
        title=title,
        referrer=referrer,
    )


# A signature is 64 hex digits: anything else (non-ASCII included) simply does not verify.
_SIGNATURE = re.compile(r"[0-9a-f]{64}")


def identity_hash(*, secret: str, user_id: str) -> str:
    """What the tenant's server computes to vouch for a user id: hex HMAC-SHA256(identity
    secret, user_id) (docs/embedding.md)."""
    return _hmac_hex(secret, user_id)


# The details a site may vouch for beside the user id, each with its own signature.
SIGNED_CLAIMS = ("email", "name")


def claim_hash(*, secret: str, user_id: str, field: str, value: str) -> str:
    """What the tenant's server computes to vouch for one detail of that user:
    hex HMAC-SHA256(identity secret, field + "\n" + user_id + "\n" + value). The field's name
    keeps a signed name from passing as an email, and the user id binds it to that user."""
    return _hmac_hex(secret, f"{field}\n{user_id}\n{value}")


def _hmac_hex(secret: str, message: str) -> str:
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()


def _signed(expected: str, given) -> bool:
    """Whether ``given`` (from the visitor's browser: anything) is the signature ``expected``."""
    if not isinstance(given, str):
        return False
    given = given.strip().lower()
    return bool(_SIGNATURE.fullmatch(given)) and hmac.compare_digest(expected, given)


def _claims(email, name) -> dict:
    claims = {}
    if isinstance(email, str) and email.strip():
        claims["email"] = email.strip()[:254]
    if isinstance(name, str) and name.strip():
        claims["name"] = name.strip()[:150]
    return claims


def _usable_user_id(user_id: str | None) -> str | None:
    if not user_id or len(user_id) > 200:
        return None
    if any(ch < " " for ch in user_id):  # control characters: the claims' signatures need none
        return None
    return user_id


@dataclass
class IdentifyResult:
    visitor: Visitor  # the visitor this browser now belongs to (may have changed)
    verified: bool
    merged_from: int | None = None


VISITOR_IDENTIFIED = "visitor.identified"  # visitor, merged_from (the anonymous visitor merged in)


@transaction.atomic
def visitor_identify(
    *,
    visitor: Visitor,
    token_hash: str,
    user_id,
    user_hash,
    email=None,
    name=None,
    email_hash=None,
    name_hash=None,
    move_history: Callable[[Visitor, Visitor], object],
) -> IdentifyResult:
    """Link this browser to a known contact when the HMAC proves it; otherwise only note claims.

    ``move_history(source, target)`` gives what other apps keep about an anonymous visitor (its
    conversations) to the contact it merges into, before the anonymous visitor is deleted:
    ``apps.conversations.services.visitor_identify`` passes it.

    A valid ``user_hash`` links the browser's token to the contact with that user id (created if
    new). An anonymous visitor's conversations and visits move to that contact; a visitor that
    was already verified as someone else keeps its history (a shared computer), and only this
    browser moves. Without a valid hash nothing is linked: the claims are kept as unverified.

    Only what a signature covers is verified: the user id by ``user_hash``, the email and the
    name each by their own (``email_hash``, ``name_hash``: ``claim_hash``). A detail sent
    without its signature is kept as an unverified claim, shown as such, and never used as the
    contact's email or name (search, canned responses' variables).
    """
    for field, value in (
        ("email", email),
        ("email_hash", email_hash),
        ("name", name),
        ("name_hash", name_hash),
        ("user_hash", user_hash),
    ):
        if value is not None and not isinstance(value, str):
            raise VisitorError(
                "invalid", _("%(field)s must be text.") % {"field": field}, field=field
            )
    if user_id is not None and (
        not isinstance(user_id, str | int | float) or isinstance(user_id, bool)
    ):
        raise VisitorError("invalid", _("user_id must be text or a number."), field="user_id")
    if user_id is not None:
        user_id = str(user_id)
    claims = _claims(email, name)
    uid = _usable_user_id(user_id)
    secret = None
    if uid is not None and user_hash is not None:
        ws = WidgetSettings.objects.filter(tenant_id=visitor.tenant_id).first()
        expected = ws and identity_hash(secret=ws.identity_secret, user_id=uid)
        if expected and _signed(expected, user_hash):
            secret = ws.identity_secret
    if secret is None:
        if user_id:
            claims["user_id"] = user_id[:200]
        if claims:
            visitor.unverified = {**visitor.unverified, **claims}
            visitor.save(update_fields=["unverified"])
        return IdentifyResult(visitor, False)
    user_id = uid
    sent = {"email": (email, email_hash), "name": (name, name_hash)}  # as the site signed them
    signed = {
        field: value
        for field, value in claims.items()
        if _signed(
            claim_hash(secret=secret, user_id=user_id, field=field, value=sent[field][0]),
            sent[field][1],
        )
    }
    unsigned = {field: value for field, value in claims.items() if field not in signed}

    lookup = keyed_hash(f"{visitor.tenant_id}:{user_id}", purpose="visitor-identity")
    now = timezone.now()
    known = Visitor.objects.select_for_update().filter(external_id_hash=lookup).first()
    if known is not None and known.pk == visitor.pk:
        target = visitor
    elif known is not None:
        target = known
    elif not visitor.is_verified:
        target = visitor  # an anonymous visitor becomes the contact
    else:
        target = Visitor.objects.create(tenant_id=visitor.tenant_id)
    target.external_id = user_id
    target.external_id_hash = lookup
    target.verified_at = target.verified_at or now
    for field, value in signed.items():
        setattr(target, field, value)
    target.unverified = {
        **{k: v for k, v in target.unverified.items() if k not in signed},
        **unsigned,
    }
    target.last_seen_at = now
    # Only what identifying changes: the object may be older than the row (attributes set
    # since by the site or an automation rule stay).
    target.save(
        update_fields=[
            "external_id",
            "external_id_hash",
            "verified_at",
            "unverified",
            "last_seen_at",
            *signed,
        ]
    )

    merged_from = None
    if target.pk != visitor.pk:
        # The browser's other sockets may be counting this visitor online or starting a visit
        # right now: their rows for it are committed before these moves see them, and any
        # that come later find the visitor gone (``presence_connect``).
        list(Visitor.objects.select_for_update().filter(pk=visitor.pk).values_list("pk"))
        VisitorToken.objects.filter(token_hash=token_hash).update(visitor=target)
        if not visitor.is_verified:
            move_history(visitor, target)
            VisitorSession.objects.filter(visitor=visitor).update(visitor=target)
            PageView.objects.filter(visitor=visitor).update(visitor=target)
            # Its visits are the contact's visits now: one who comes back on another
            # browser is a returning visitor.
            Visitor.objects.filter(pk=target.pk).update(visits=F("visits") + visitor.visits)
            target.visits += visitor.visits
            ContactNote.objects.filter(visitor=visitor).update(visitor=target)
            if visitor.attributes:
                target.attributes = {**visitor.attributes, **target.attributes}
                target.save(update_fields=["attributes"])
            merged_from = visitor.pk
            if not VisitorToken.objects.filter(visitor=visitor).exists():
                visitor.delete()
    events.record(
        VISITOR_IDENTIFIED,
        tenant_id=target.tenant_id,
        stream=events.visitor_stream(target.pk),
        visitor=target.pk,
        merged_from=merged_from,
    )
    return IdentifyResult(target, True, merged_from)


def visitor_set_attributes(*, visitor: Visitor, attributes) -> Visitor:
    """Merge ``attributes`` into the visitor's (None removes one), read under the row's lock:
    two writers (the site's tabs, automation rules) do not lose each other's."""
    if not isinstance(attributes, dict):
        raise VisitorError("invalid", _("Attributes must be an object."), field="attributes")
    with transaction.atomic():
        return _set_attributes(visitor, attributes)


def _set_attributes(visitor: Visitor, attributes: dict) -> Visitor:
    current = Visitor.objects.select_for_update().only("attributes").get(pk=visitor.pk)
    merged = dict(current.attributes)
    for key, value in attributes.items():
        if not isinstance(key, str) or not key or len(key) > 50:
            raise VisitorError(
                "invalid", _("Attribute names are 1 to 50 characters."), field="attributes"
            )
        if value is None:
            merged.pop(key, None)
            continue
        if isinstance(value, str):
            value = value[:500]
        elif not isinstance(value, (bool, int, float)):
            raise VisitorError(
                "invalid",
                _("Attribute values must be text, numbers or true/false."),
                field="attributes",
            )
        merged[key] = value
    if len(merged) > MAX_ATTRIBUTES:
        raise VisitorError(
            "invalid",
            _("A visitor can have at most %(n)s attributes.") % {"n": MAX_ATTRIBUTES},
            field="attributes",
        )
    visitor.attributes = merged
    visitor.save(update_fields=["attributes"])
    return visitor


# --- Presence: who is on the site right now (the live visitors list) -------------------------
#
# The chat window's socket says when a visitor arrives (hello) and leaves (disconnect); its
# pings keep ``last_seen_at`` fresh. A process that dies says nothing: its visitors drop out of
# the list once they have not been seen for PRESENCE_TIMEOUT (apps.conversations.live).

PRESENCE_TIMEOUT = selectors.PRESENCE_TIMEOUT
# How often a live socket refreshes last_seen_at (its pings come every 25 s).
PRESENCE_TOUCH_SECONDS = 50


def presence_connect(*, visitor: Visitor) -> bool:
    """A socket of ``visitor`` opened (the chat window's or the loader's presence socket, on
    any page of the workspace's sites). False when the visitor is gone: another socket of the
    same browser identified it meanwhile and it merged into a known contact (the browser's
    token now names that contact)."""
    now = timezone.now()
    try:
        _presence_count(visitor, now)
    except IntegrityError:  # the visitor row was deleted under us (visitor_identify)
        return False
    return True


def _presence_count(visitor: Visitor, now) -> None:
    with transaction.atomic():
        presence, created = VisitorPresence.objects.select_for_update().get_or_create(
            visitor=visitor,
            defaults={
                "tenant_id": visitor.tenant_id,
                "connections": 1,
                "online_since": now,
                "last_seen_at": now,
            },
        )
        if not created:
            # A visitor who had left (no sockets), or whom a dead server left behind (not seen
            # for PRESENCE_TIMEOUT), starts afresh.
            fresh = not presence.connections or presence.last_seen_at < now - PRESENCE_TIMEOUT
            presence.connections = 1 if fresh else presence.connections + 1
            if fresh:
                presence.online_since = now
            presence.last_seen_at = now
            presence.save(update_fields=["connections", "online_since", "last_seen_at"])


def presence_disconnect(*, visitor_id: int) -> bool:
    """A chat window's socket closed. True when it was the last one: the visitor left. (The
    visitor may be gone too: merged into a known contact, see ``visitor_identify``.)"""
    with transaction.atomic():
        presence = VisitorPresence.objects.select_for_update().filter(visitor_id=visitor_id).first()
        if presence is None:
            return True
        presence.connections = max(0, presence.connections - 1)
        presence.save(update_fields=["connections"])
        return presence.connections == 0


def presence_touch_many(*, visitor_ids: list[int]) -> int:
    """Many live sockets are still there: one UPDATE for a whole process's pings (the sockets
    collect their visitor ids and one of them flushes them every PRESENCE_TOUCH_SECONDS). Runs
    across workspaces on purpose: the ids come from this process's own live sockets."""
    if not visitor_ids:
        return 0
    with scopes_disabled():
        return VisitorPresence.objects.filter(visitor_id__in=visitor_ids, connections__gt=0).update(
            last_seen_at=timezone.now()
        )


# --- Contact notes: the team's private notes about a contact ---------------------------------

NOTE_MAX_LENGTH = 2000


def _clean_note(body) -> str:
    if not isinstance(body, str):
        raise VisitorError("invalid", _("The note must be text."), field="body")
    body = body.replace("\r\n", "\n").strip()
    if not body:
        raise VisitorError("empty", _("The note is empty."), field="body")
    if len(body) > NOTE_MAX_LENGTH:
        raise VisitorError(
            "too_long",
            _("A note can be %(n)s characters at most.") % {"n": NOTE_MAX_LENGTH},
            field="body",
            limit=NOTE_MAX_LENGTH,
        )
    return body


def contact_note_add(*, membership: Membership, visitor: Visitor, body) -> ContactNote:
    """Write a note about ``visitor``; operators looking at that contact see it at once."""
    body = _clean_note(body)
    if visitor.tenant_id != membership.tenant_id:
        raise VisitorError("not_found", _("No such visitor in this workspace."))
    with transaction.atomic():
        note = ContactNote.objects.create(
            tenant_id=visitor.tenant_id, visitor=visitor, author=membership.user, body=body
        )
        realtime.publish_on_commit(
            realtime.group_contact(visitor.pk),
            {
                "type": "contact.note",
                "visitor": visitor.public_id.hex,
                "note": payloads.note(note),
            },
        )
    return note


def contact_note_delete(*, membership: Membership, visitor: Visitor, note_id) -> None:
    """Delete a note about ``visitor``: its author or a workspace admin may."""
    if not isinstance(note_id, int) or isinstance(note_id, bool):
        raise VisitorError("invalid", _("note must be a note id."), field="note")
    with transaction.atomic():
        note = (
            ContactNote.objects.select_for_update()
            .filter(pk=note_id, visitor=visitor, tenant_id=membership.tenant_id)
            .first()
        )
        if note is None:
            raise VisitorError("not_found", _("No such note about this visitor."))
        # The role as it is now, not as it was when the caller's socket opened.
        current = Membership.objects.filter(pk=membership.pk).first()
        if current is None or (
            note.author_id != current.user_id and not current.has_role(Role.ADMIN)
        ):
            raise VisitorError(
                "forbidden", _("Only the note's author or a workspace admin can delete it.")
            )
        note.delete()
        realtime.publish_on_commit(
            realtime.group_contact(visitor.pk),
            {"type": "contact.note_deleted", "visitor": visitor.public_id.hex, "id": note_id},
        )


CONSENT_CHANGED = "visitor.consent_changed"  # visitor, purpose, given (bool)
CONSENT_TEXT_MAX = 1000


def consent_set(*, visitor: Visitor, purpose: str, given: bool, text: str = "", language: str = ""):
    """The visitor gives (``given``, in the words ``text`` they were shown) or takes back their
    consent to ``purpose`` ("learning": the use of their conversations to improve the bot's
    answers). Giving it twice keeps the first; taking it back marks every standing one withdrawn.
    Recorded as an event, so that what depends on it (the bot's proposals) follows."""
    now = timezone.now()
    with transaction.atomic():
        Visitor.objects.select_for_update().filter(pk=visitor.pk).values_list("pk").first()
        standing = Consent.objects.filter(
            visitor=visitor, purpose=purpose, withdrawn_at__isnull=True
        )
        if given == standing.exists():
            return
        if given:
            Consent.objects.create(
                tenant_id=visitor.tenant_id,
                visitor=visitor,
                purpose=purpose,
                text=text[:CONSENT_TEXT_MAX],
                language=language[:35],
            )
        else:
            standing.update(withdrawn_at=now)
        events.record(
            CONSENT_CHANGED,
            tenant_id=visitor.tenant_id,
            stream=events.visitor_stream(visitor.pk),
            visitor=visitor.pk,
            purpose=purpose,
            given=given,
        )
