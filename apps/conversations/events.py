"""The event handlers of the conversations app (apps.core.events): when who can take
conversations changes (a team's members, a member's capacity, the assignment settings), the
waiting queue is assigned."""

from apps.conversations.services import queue_drain
from apps.core import events
from apps.tenants.services import ASSIGNMENT_CHANGED


@events.handler(ASSIGNMENT_CHANGED)
def assign_the_queue(event) -> None:
    """A team's members, a member's capacity or the assignment settings changed: conversations
    waiting in the queue go to whoever can take them now."""
    queue_drain(tenant_id=event.tenant_id)
