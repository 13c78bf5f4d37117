"""The inbox's interface text, translated on the server and handed to the page as JSON."""


def inbox_strings() -> dict[str, str]:
    return {}
