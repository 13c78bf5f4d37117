"""Public widget endpoints: the loader, its config, the page-view beacon, the chat window, the demo.

Keyed by the workspace's public widget key; the tenant always comes from that key, never from
the request body. Rate limited per IP. And one page for the workspace's admins: the preview of
the widget on its settings page.
"""

import re
from pathlib import Path

import rjsmin
from csp.constants import NONE, SELF
from csp.decorators import csp_replace
from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.clickjacking import xframe_options_exempt, xframe_options_sameorigin
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import require_GET, require_http_methods
from django_ratelimit.decorators import ratelimit
from django_scopes import scope
from modeltranslation.utils import resolution_order

from apps.conversations import selectors, widget_extras
from apps.core.views import errors_as, json_body
from apps.tenants import selectors as tenant_selectors
from apps.tenants.access import workspace_view
from apps.tenants.models import Role, Tenant
from apps.visitors import services as visitor_services
from apps.visitors.strings import widget_strings

_loader_cache: dict[str, tuple[float, bytes]] = {}
_launcher_css_cache: dict[str, tuple[float, str]] = {}


def base_url(request: HttpRequest) -> str:
    return settings.PUBLIC_BASE_URL or request.build_absolute_uri("/").rstrip("/")


def _error(code: str, message: str, status: int, **extra) -> JsonResponse:
    return JsonResponse({"error": code, "message": str(message), **extra}, status=status)


def _tenant_or_error(widget_key: str) -> tuple[Tenant | None, JsonResponse | None]:
    tenant = tenant_selectors.tenant_by_widget_key(widget_key=widget_key)
    if tenant is None:
        return None, _error("unknown_widget", _("This chat widget does not exist."), 404)
    if tenant.is_suspended:
        return None, _error(
            "workspace_suspended", _("Chat is not available on this site at the moment."), 403
        )
    return tenant, None


def _team_online(tenant: Tenant) -> bool:
    with scope(tenant=tenant):
        return selectors.team_online_count(tenant_id=tenant.pk) > 0


def _public_config(request: HttpRequest, tenant: Tenant) -> dict:
    """What the loader and the chat window know of the widget: its settings, whether the team
    is online, and what feature apps add (``widget_extras``: the business hours…)."""
    with scope(tenant=tenant):
        config = tenant_selectors.widget_public_config(
            tenant=tenant, base_url=base_url(request), team_online=_team_online(tenant)
        )
        config.update(widget_extras.collect(tenant))
    return config


def _loader_path() -> str:
    return finders.find("widget/loader.js") or str(Path(settings.STATIC_ROOT) / "widget/loader.js")


@gzip_page
@require_GET
def loader(request: HttpRequest) -> HttpResponse:
    """``/widget.js``: a stable address for the loader (static files get hashed names)."""
    path = _loader_path()
    try:
        mtime = Path(path).stat().st_mtime
    except OSError as exc:
        raise Http404 from exc
    cached = _loader_cache.get(path)
    if cached is None or cached[0] != mtime:
        # Minified once per process (the source stays readable): every host page downloads it.
        source = Path(path).read_text(encoding="utf-8")
        cached = (mtime, rjsmin.jsmin(source, keep_bang_comments=True).encode())
        _loader_cache[path] = cached
    response = HttpResponse(cached[1], content_type="application/javascript; charset=utf-8")
    response["Cache-Control"] = "public, max-age=300"
    response["Access-Control-Allow-Origin"] = "*"
    return response


@errors_as(_error)
@never_cache
@ratelimit(key="ip", rate="120/m", block=True)
@require_GET
def widget_config(request: HttpRequest, widget_key: str) -> JsonResponse:
    """Public: what the loader needs to draw the launcher. A suspended workspace refuses."""
    tenant, error = _tenant_or_error(widget_key)
    origin = request.headers.get("Origin", "")
    if error is not None:
        response = error
    elif origin and not tenant_selectors.origin_allowed(tenant=tenant, origin=origin):
        # The loader draws nothing on a site that is not on the workspace's list.
        response = _error("origin_not_allowed", _("This site may not show this chat."), 403)
    else:
        config = _public_config(request, tenant)
        config.pop("strings", None)  # the chat window's text: not the loader's business
        response = JsonResponse(config)
    response["Access-Control-Allow-Origin"] = "*"
    return response


# The beacon's fields: text or null each.
VISIT_FIELDS = ("token", "url", "title", "referrer", "language", "timezone", "screen")


@errors_as(_error)
@csrf_exempt
@ratelimit(key="ip", rate="300/m", block=True)
@require_http_methods(["POST", "OPTIONS"])
def visit(request: HttpRequest, widget_key: str) -> HttpResponse:
    """Page-view beacon from the loader: recognises the browser by its token or issues one."""
    origin = request.headers.get("Origin", "")
    tenant, error = _tenant_or_error(widget_key)
    if error is not None:
        error["Access-Control-Allow-Origin"] = origin or "*"
        return error
    if origin and not tenant_selectors.origin_allowed(tenant=tenant, origin=origin):
        return _error("origin_not_allowed", _("This site may not show this chat."), 403)
    if request.method == "OPTIONS":
        response = HttpResponse(status=204)
    else:
        data = json_body(request, default={})
        wrong = (
            [name for name in VISIT_FIELDS if not isinstance(data.get(name), (str, type(None)))]
            if isinstance(data, dict)
            else None
        )
        if wrong is None:
            response = _error("bad_request", _("Send a JSON object."), 400)
        elif wrong:
            response = _error(
                "invalid", _("%(field)s must be text.") % {"field": wrong[0]}, 400, field=wrong[0]
            )
        else:
            text = {name: data.get(name) or "" for name in VISIT_FIELDS}
            try:
                with scope(tenant=tenant):
                    start = visitor_services.visit_start(
                        tenant=tenant,
                        token=text["token"] or None,
                        ip=request.META.get(settings.RATELIMIT_IP_META_KEY or "REMOTE_ADDR", ""),
                        user_agent=request.headers.get("User-Agent", ""),
                        language=text["language"],
                        tz=text["timezone"],
                        screen=text["screen"],
                        page={k: text[k] for k in ("url", "title", "referrer") if text[k]},
                    )
            except visitor_services.VisitorError as exc:
                response = _error(exc.code, exc.message, 429, **exc.extra)
            else:
                response = JsonResponse(
                    {
                        "token": start.new_token or data.get("token"),
                        "visitor": start.visitor.public_id.hex,
                        "returning": start.returning,
                    }
                )
    if origin:
        response["Access-Control-Allow-Origin"] = origin
        response["Access-Control-Allow-Methods"] = "POST, OPTIONS"
        response["Access-Control-Allow-Headers"] = "Content-Type"
        response["Vary"] = "Origin"
    return response


# The chat window's policy differs from the other pages' (settings.CONTENT_SECURITY_POLICY) in
# these parts; who may frame it comes from the workspace's allowed sites (everyone when the
# list is empty), per response (apps.core.middleware.ContentSecurityPolicyMiddleware).
CHAT_WINDOW_POLICY = {
    "img-src": [SELF, "data:", "https:"],  # the team's avatar
    "base-uri": [NONE],
    "form-action": [NONE],  # its one form is sent over the socket
}


def frame_ancestors(origins: list[str]) -> list[str]:
    return list(origins) or ["*"]


@gzip_page  # no secrets in the page (the visitor token travels in the URL fragment)
@xframe_options_exempt
@csp_replace(CHAT_WINDOW_POLICY)
@ratelimit(key="ip", rate="120/m", block=True)
@require_GET
def chat(request: HttpRequest, widget_key: str) -> HttpResponse:
    """The chat window: inside the loader's iframe (``?embed=1``) or as the hosted chat page."""
    tenant = tenant_selectors.tenant_by_widget_key(widget_key=widget_key)
    if tenant is None:
        raise Http404(_("This chat widget does not exist."))
    language = translation.get_language_from_request(request) or settings.LANGUAGE_CODE
    language = language.split("-")[0]
    with scope(tenant=tenant):
        ws = tenant_selectors.widget_settings(tenant=tenant)
    with translation.override(language):
        if tenant.is_suspended:
            response = render(
                request,
                "core/error.html",
                {
                    "title": _("Chat unavailable"),
                    "message": _("Chat is not available on this site at the moment."),
                },
                status=403,
            )
        else:
            config = _public_config(request, tenant)
            # The text of what feature apps add to the window, beside its own.
            strings = {**widget_strings(), **config.pop("strings", {})}
            response = render(
                request,
                "widget/chat.html",
                {
                    "tenant": tenant,
                    "widget": config,
                    "embed": request.GET.get("embed") == "1",
                    "ws_url_path": f"/ws/widget/{tenant.widget_key}/",
                    "strings": strings,
                    "language": language,
                },
            )
    response.frame_ancestors = frame_ancestors(ws.origins)
    response["Cache-Control"] = "no-store"
    return response


# The loader carries the launcher's stylesheet in its ``CSS`` constant (one file for the host
# page to load): single-quoted strings joined with "+", without escapes.
_LAUNCHER_CSS = re.compile(r"const CSS = ((?:\s*\+?\s*'[^'\\]*')+);")


def launcher_css() -> str:
    """The launcher's stylesheet, as loader.js draws the launcher with it on a customer's page."""
    path = _loader_path()
    mtime = Path(path).stat().st_mtime
    cached = _launcher_css_cache.get(path)
    if cached is None or cached[0] != mtime:
        found = _LAUNCHER_CSS.search(Path(path).read_text(encoding="utf-8"))
        if found is None:
            raise ValueError("loader.js: no launcher stylesheet (const CSS = '…' + '…';)")
        cached = (mtime, "".join(re.findall(r"'([^']*)'", found.group(1))))
        _launcher_css_cache[path] = cached
    return cached[1]


# The preview shows the saved avatar (wherever the media are) and one just chosen (a data: URL),
# inside the widget settings page only.
PREVIEW_POLICY = {"img-src": [SELF, "data:", "https:"], "frame-ancestors": [SELF]}


@workspace_view(min_role=Role.ADMIN)
@xframe_options_sameorigin
@csp_replace(PREVIEW_POLICY)
@require_GET
def preview(request: HttpRequest) -> HttpResponse:
    """The widget as a visitor sees it, open, for the frame beside the widget settings form.

    The chat window's own markup (widget/_window.html) and stylesheet, and the launcher with the
    loader's stylesheet; no script of its own: the settings page (js/widget_preview.js) fills in
    what the form says, in each language, as the admin types. Nothing here talks to a socket or
    makes a visitor.
    """
    tenant = request.tenant
    widget = tenant_selectors.widget_settings(tenant=tenant)
    languages = [code for code, _name in settings.LANGUAGES]
    strings = {}
    for code in languages:
        with translation.override(code):
            strings[code] = widget_strings()
    language = tenant.default_language if tenant.default_language in languages else languages[0]
    response = render(
        request,
        "widget/preview.html",
        {
            "tenant": tenant,
            "language": language,
            "strings": strings[language],
            "embed": True,
            "widget": {
                "display_name": widget.display_name or tenant.name,
                "typing_preview": tenant.typing_preview,
            },
            "preview": {
                "workspace": tenant.name,
                "avatar_url": widget.avatar.url if widget.avatar else None,
                "strings": strings,
                # Where a text left empty in one language comes from (django-modeltranslation).
                "fallbacks": {code: list(resolution_order(code)) for code in languages},
            },
            "launcher_css": launcher_css(),
        },
    )
    response["Cache-Control"] = "no-store"
    return response


@require_GET
def demo(request: HttpRequest) -> HttpResponse:
    """A pretend shop that embeds a widget (the demo workspace's, or ``?key=``)."""
    key = request.GET.get("key", "")
    tenant = tenant_selectors.tenant_by_widget_key(widget_key=key) if key else None
    if tenant is None:
        tenant = tenant_selectors.tenant_by_slug(slug="demo")
    if tenant is None:
        raise Http404(_("No demo workspace yet: run the README's first command."))
    return render(
        request,
        "widget/demo.html",
        {"widget_key": tenant.widget_key, "base_url": base_url(request), "tenant": tenant},
    )
