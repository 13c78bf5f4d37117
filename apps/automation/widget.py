"""What automation adds to the chat window (``apps.conversations.widget_extras``): the buttons
of the welcome message that start a flow (published flows with a welcome button), in the
visitor's language."""

from django.utils import translation

from apps.automation import actions
from apps.automation.models import Flow
from apps.tenants.models import Tenant


def config(tenant: Tenant) -> dict:
    found = Flow.objects.filter(published__isnull=False).exclude(welcome_label={}).order_by("name")
    if not found:
        return {}
    language = (translation.get_language() or "").split("-")[0]
    fallback = tenant.default_language
    return {
        "flows": [
            {"key": flow.key, "label": actions.pick_text(flow.welcome_label, language, fallback)}
            for flow in found
        ]
    }
