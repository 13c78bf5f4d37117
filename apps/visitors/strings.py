"""The chat window's interface text, translated on the server and handed to the page as JSON.

chat.js keeps the same English text as a fallback (``STRINGS`` at its top); keep both in step.
"""

from django.utils.translation import gettext as _


def widget_strings() -> dict[str, str]:
    return {
        "online": _("Online"),
        "away": _("Away. Leave a message and we will reply here."),
        # Translators: outside business hours; {when} is a weekday and time in the visitor's
        # own language and time zone, e.g. "Monday 09:00".
        "closed_until": _("We are closed now and back {when}. Leave a message and we will reply."),
        "closed": _("We are closed now. Leave a message and we will reply."),
        # Translators: within business hours, nobody online; {duration} is e.g. "10 minutes".
        "away_reply": _("Away. We usually reply within {duration}."),
        "connecting": _("Connecting…"),
        "reconnecting": _("Reconnecting…"),
        "unavailable": _("Chat is not available right now."),
        "close": _("Close chat"),
        "send": _("Send"),
        "message_label": _("Message"),
        "placeholder": _("Type your message…"),
        "log_label": _("Conversation"),
        "you": _("You"),
        # Beside the name on every automated message (the bot's, a rule's, a flow's).
        "bot_label": _("Automated"),
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
        # Shown under the message box when the workspace lets operators see messages as they are
        # typed (the typing sneak peek).
        "typing_preview_note": _(
            "Our team may see your message as you type it, before you send it."
        ),
        # Translators: the visitor's place in the queue; {position} is a number (1 = next).
        "queue": _("You are number {position} in line. An operator will be with you shortly."),
    }


def inbox_visitor_strings() -> dict[str, str]:
    """The inbox's live visitors list, proactive chat, contact notes and typing preview
    (static/inbox/live.js and contact.js)."""
    return {
        # live visitors
        "live_button": _("Visitors online"),
        "live_title": _("On your site now"),
        "live_list_label": _("Visitors on your site now"),
        "live_empty": _("Nobody is on your site right now. Visitors appear here as they arrive."),
        "live_loading": _("Loading…"),
        "live_new": _("New"),
        "live_returning": _("Returning"),
        # Translators: how many visits a returning visitor has made.
        "live_visits": _("%(count)s visits"),
        # Translators: in the live visitors list, the site a visitor came from.
        "live_came_from": _("from %(host)s"),
        "live_verified": _("Verified"),
        # Translators: time on the site, e.g. "on site 5 min".
        "live_on_site": _("on site %(duration)s"),
        "live_left": _("Left"),
        "live_no_page": _("Page unknown"),
        "live_start": _("Start chat"),
        # Translators: a button that opens the visitor's current conversation, e.g. "Open #12".
        "live_open": _("Open #%(number)s"),
        "live_message_label": _("First message to %(name)s"),
        "live_message_placeholder": _("Hi! Can I help you find anything?"),
        "live_send": _("Send and open chat"),
        "live_cancel": _("Cancel"),
        "live_sending": _("Sending…"),
        "live_no_answer": _("No answer from the server yet. Try again."),
        "live_offline": _("Not connected. Try again in a moment."),
        # contact notes
        "notes_title": _("Notes about this contact"),
        "notes_help": _(
            "Only your team sees these notes. They stay with this contact across conversations."
        ),
        "notes_label": _("New note"),
        "notes_placeholder": _("Add a note about this contact…"),
        "notes_add": _("Add note"),
        "notes_empty": _("No notes yet."),
        "notes_delete": _("Delete"),
        "notes_delete_confirm": _("Delete this note?"),
        "notes_unknown_author": _("Former member"),
        # typing sneak peek
        "typing_preview": _("Typing:"),
        "typing_preview_help": _("The visitor has not sent this yet."),
    }
