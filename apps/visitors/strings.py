"""The chat window's interface text, translated on the server and handed to the page as JSON.

chat.js keeps the same English text as a fallback (``STRINGS`` at its top); keep both in step.
"""

from django.utils.translation import gettext as _


def widget_strings() -> dict[str, str]:
    return {
        "online": _("Online"),
        "away": _("Away. Leave a message and we will reply here."),
        "connecting": _("Connecting…"),
        "reconnecting": _("Reconnecting…"),
        "unavailable": _("Chat is not available right now."),
        "close": _("Close chat"),
        "send": _("Send"),
        "message_label": _("Message"),
        "placeholder": _("Type your message…"),
        "log_label": _("Conversation"),
        "you": _("You"),
        "sending": _("Sending…"),
        "sent": _("Sent"),
        "delivered": _("Delivered"),
        "read": _("Read"),
        # Translators: shown while an operator types; {name} is the operator's name.
        "typing": _("{name} is typing…"),
        # Translators: under the message box; {count} is a number of characters.
        "too_long": _("{count} characters over the limit"),
        "rate_limited": _("You are sending messages too fast. Please wait a moment."),
        "error": _("Something went wrong. Please try again."),
        "resolved": _("This conversation was closed. Send a message to start a new one."),
        # Translators: the visitor's place in the queue; {position} is a number (1 = next).
        "queue": _("You are number {position} in line. An operator will be with you shortly."),
    }
