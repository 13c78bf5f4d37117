"""Operators' presence: online, away, offline, and how many of the team are online."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.conversations import selectors
from apps.conversations.models import OperatorPresence
from apps.conversations.services.assignment import queue_drain
from apps.conversations.services.messages import ChatError
from apps.core import realtime
from apps.tenants.models import Membership

PRESENCE_TIMEOUT = selectors.PRESENCE_TIMEOUT


def _publish_presence(presence: OperatorPresence, before: int) -> None:
    def send():
        online = selectors.team_online_count(tenant_id=presence.tenant_id)
        realtime.publish(
            realtime.group_inbox(presence.tenant_id),
            {
                "type": "inbox.presence",
                "user": presence.user_id,
                "status": presence.status if presence.connections else "offline",
                "online": online,
            },
        )
        if (online > 0) != (before > 0):
            realtime.publish(
                realtime.group_widget(presence.tenant_id),
                {"type": "chat.team", "online": online > 0},
            )
        if presence.status == OperatorPresence.Status.ONLINE and presence.connections:
            # Someone who can take chats is here: the queue may move.
            queue_drain(tenant_id=presence.tenant_id)

    transaction.on_commit(send)


def presence_connect(*, membership: Membership) -> OperatorPresence:
    with transaction.atomic():
        before = selectors.team_online_count(tenant_id=membership.tenant_id)
        presence, _created = OperatorPresence.objects.select_for_update().get_or_create(
            tenant_id=membership.tenant_id, user_id=membership.user_id
        )
        stale = presence.last_seen_at and presence.last_seen_at < timezone.now() - PRESENCE_TIMEOUT
        presence.connections = 1 if stale else presence.connections + 1
        presence.save()
        _publish_presence(presence, before)
    return presence


def presence_disconnect(*, membership: Membership) -> None:
    with transaction.atomic():
        before = selectors.team_online_count(tenant_id=membership.tenant_id)
        presence = (
            OperatorPresence.objects.select_for_update()
            .filter(tenant_id=membership.tenant_id, user_id=membership.user_id)
            .first()
        )
        if presence is None:
            return
        presence.connections = max(0, presence.connections - 1)
        presence.save()
        _publish_presence(presence, before)


def presence_set(*, membership: Membership, status) -> OperatorPresence:
    if status not in OperatorPresence.Status.values:
        raise ChatError("invalid", _("Presence is online or away."), field="status")
    with transaction.atomic():
        before = selectors.team_online_count(tenant_id=membership.tenant_id)
        presence, _created = OperatorPresence.objects.select_for_update().get_or_create(
            tenant_id=membership.tenant_id, user_id=membership.user_id
        )
        presence.status = status
        presence.save()
        _publish_presence(presence, before)
    return presence


def presence_heartbeat(*, membership: Membership) -> None:
    OperatorPresence.objects.filter(
        tenant_id=membership.tenant_id, user_id=membership.user_id
    ).update(last_seen_at=timezone.now())
