"""Actions on the open conversation that the apps above ``conversations`` add to the inbox.

``conversations`` imports no feature app, so a feature app registers an action from its
``AppConfig.ready()``: ``register(InboxAction(...))``. The inbox shows each as a button beside
the conversation's status buttons; a click posts ``{}`` as JSON (with the CSRF token) to the
action's URL for that conversation, and the answer's ``message`` (or the action's ``done`` text,
with ``%(address)s`` and the like filled from the answer's JSON) shows as a toast; an answer
that is not 2xx shows its ``message`` as an error.

A feature app may also add a script to the inbox page: ``register_script(InboxScript(...))``, a
native module (under ``static/``) that talks to the page through ``static/inbox/api.js``; it
finds its ``url`` (``{number}`` standing for the open conversation's) and translated
``strings`` in the page's config, ``inbox.config.scripts`` (by its ``key``).
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse

from apps.tenants.models import Tenant

# Stands for the conversation's number in the URL the page fills in.
NUMBER_PLACEHOLDER = 987654321


@dataclass(frozen=True)
class InboxAction:
    key: str
    label: str  # lazily translated
    url_name: str  # a URL taking the workspace's ``slug`` and the conversation's ``number``
    done: str = ""  # the toast after it worked (lazily translated)
    admin_only: bool = False
    # Whether the workspace has it at all (e.g. only with its bot on); None: always.
    shown: Callable[[Tenant], bool] | None = None
    # A field of the conversation's inbox row (``payloads.summary``) that hides the button
    # while it is true, e.g. "bot" (the bot has the conversation).
    hidden_if: str = ""


_actions: list[InboxAction] = []


def register(action: InboxAction) -> InboxAction:
    if all(a.key != action.key for a in _actions):
        _actions.append(action)
    return action


def _url_template(url_name: str, tenant: Tenant) -> str:
    """The URL for any conversation of ``tenant``: ``{number}`` stands for its number."""
    return reverse(url_name, kwargs={"slug": tenant.slug, "number": NUMBER_PLACEHOLDER}).replace(
        str(NUMBER_PLACEHOLDER), "{number}"
    )


def for_page(*, tenant: Tenant, is_admin: bool) -> list[dict]:
    """The actions this member gets, with each URL as a template: ``{number}`` stands for the
    conversation's number."""
    return [
        {
            "key": a.key,
            "label": str(a.label),
            "done": str(a.done),
            "hidden_if": a.hidden_if,
            "url": _url_template(a.url_name, tenant),
        }
        for a in _actions
        if (is_admin or not a.admin_only) and (a.shown is None or a.shown(tenant))
    ]


@dataclass(frozen=True)
class InboxScript:
    key: str
    src: str  # the module's static path, e.g. "bot/suggest.js"
    url_name: str  # a URL taking ``slug`` and ``number``
    strings: Callable[[], dict] = dict  # its text, translated in the page's language
    css: str = ""  # a stylesheet's static path
    shown: Callable[[Tenant], bool] | None = None


_scripts: list[InboxScript] = []


def register_script(script: InboxScript) -> InboxScript:
    if all(s.key != script.key for s in _scripts):
        _scripts.append(script)
    return script


def scripts_for_page(*, tenant: Tenant) -> list[dict]:
    """The scripts this workspace's inbox loads, with their URL template and text."""
    return [
        {
            "key": s.key,
            "src": s.src,
            "css": s.css,
            "url": _url_template(s.url_name, tenant),
            "strings": {k: str(v) for k, v in s.strings().items()},
        }
        for s in _scripts
        if s.shown is None or s.shown(tenant)
    ]
