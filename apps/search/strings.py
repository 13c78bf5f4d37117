"""The inbox search's interface text, translated on the server and handed to the page as JSON."""

from django.utils.translation import gettext as _


def search_strings() -> dict[str, str]:
    return {
        "label": _("Search conversations"),
        "placeholder": _("Search names, emails, messages…"),
        "clear": _("Clear search"),
        "hint": _("Esc clears the search."),
        "searching": _("Searching…"),
        "results_count": _("Conversations found: %(count)s"),
        "no_results": _("No conversation matches “%(query)s”."),
        "too_short": _("Type at least 2 characters to search."),
        "error": _("Search failed. Please try again."),
        "results": _("Search results"),
        "matched_name": _("Name matches"),
        "matched_email": _("Email matches"),
        "scope_all": _(
            "Searching every conversation you can see, whatever its status, label or assignee. "
            "Clear the search to return to your filters."
        ),
    }
