"""The composer picker's interface text, translated on the server and handed to the inbox page
as JSON (``templatetags/canned_picker.py``)."""

from django.utils.translation import gettext as _


def picker_strings() -> dict[str, str]:
    return {
        "canned_label": _("Canned responses"),
        "canned_loading": _("Loading canned responses…"),
        "canned_load_failed": _("Canned responses could not be loaded."),
        "canned_insert_failed": _("The response could not be inserted. Please try again."),
        "canned_empty": _("No canned responses yet."),
        "canned_no_match": _("No canned response matches “/%(query)s”."),
        "canned_manage": _("Manage canned responses"),
        "canned_create": _("Create one"),
        "canned_hint": _("↑ ↓ to choose · Enter to insert · Esc to close"),
        "canned_personal": _("Personal"),
        "canned_used": _("Used %(count)s times"),
    }
