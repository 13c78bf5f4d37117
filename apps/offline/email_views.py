"""The public pages the links in emails to visitors lead to (``/e/…``): back to the chat,
unsubscribe, and a one-click rating with an optional comment.

Each link carries a signed token (``apps.offline.links``) naming the workspace and the
conversation; the workspace comes from that signature, never from anything else in the
request. A changed link is refused (400), an expired one or one whose conversation is gone
says so (410). Rate limited per address.
"""

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods
from django_ratelimit.decorators import ratelimit
from django_scopes import scope

from apps.conversations.models import Conversation
from apps.offline import links, selectors, services
from apps.offline.models import OfflineSettings
from apps.offline.services.email_out import workspace_look
from apps.tenants.models import Tenant
from apps.visitors import services as visitor_services

RATE = "60/m"


def _page(request: HttpRequest, title: str, message: str, *, status: int = 200, **extra):
    response = render(
        request,
        "offline/email_page.html",
        {"title": title, "message": message, **extra},
        status=status,
    )
    response["Referrer-Policy"] = "no-referrer"  # the link's token stays out of other sites' logs
    return response


def _refused(request: HttpRequest, reason: str) -> HttpResponse:
    if reason == "expired":
        return _page(
            request,
            _("This link has expired"),
            _(
                "Links in our emails work for %(days)s days. Open the chat on the website "
                "again, or answer the email to reach the team."
            )
            % {"days": settings.EMAIL_LINK_MAX_AGE_DAYS},
            status=410,
        )
    if reason == "gone":
        return _page(
            request,
            _("This conversation is no longer available"),
            _("It may have been deleted. Open the chat on the website to write to the team."),
            status=410,
        )
    return _page(
        request,
        _("This link does not work"),
        _("It may have been cut or changed. Try to copy the whole link from the email."),
        status=400,
    )


def _conversation(purpose: str, token: str) -> tuple[links.Link, Tenant, Conversation]:
    """The link's conversation, or ``links.LinkError``."""
    link = links.read(purpose, token)
    tenant = Tenant.objects.filter(pk=link.tenant_id).first()
    if tenant is None:
        raise links.LinkError("gone")
    with scope(tenant=tenant):
        conversation = (
            Conversation.objects.select_related("visitor", "tenant")
            .filter(public_id=link.conversation)
            .first()
        )
    if conversation is None:
        raise links.LinkError("gone")
    return link, tenant, conversation


@never_cache
@ratelimit(key="ip", rate=RATE, block=True)
@require_GET
def open_chat(request: HttpRequest, token: str) -> HttpResponse:
    """Back to the chat: the hosted chat page, with a new token for the visitor in the
    address's fragment (never sent to a server)."""
    try:
        _link, tenant, conversation = _conversation(links.OPEN, token)
    except links.LinkError as exc:
        return _refused(request, exc.reason)
    with scope(tenant=tenant):
        visitor_token = visitor_services.visitor_token_issue(visitor=conversation.visitor)
    url = reverse("widget:chat", args=[tenant.widget_key])
    response = HttpResponseRedirect(f"{url}#vt={visitor_token}")
    response["Referrer-Policy"] = "no-referrer"
    return response


@never_cache
@csrf_exempt  # mail clients' one-click unsubscribe posts without a form of ours (RFC 8058)
@ratelimit(key="ip", rate=RATE, block=True)
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET asks to confirm (a link scanner's visit changes nothing); POST unsubscribes."""
    try:
        _link, tenant, conversation = _conversation(links.UNSUBSCRIBE, token)
    except links.LinkError as exc:
        return _refused(request, exc.reason)
    with scope(tenant=tenant):
        look_name = workspace_look(tenant).name
        if request.method == "POST":
            services.email_unsubscribe(conversation=conversation)
            return _page(
                request,
                _("You are unsubscribed"),
                _("You will get no more emails about this conversation from %(name)s.")
                % {"name": look_name},
            )
    return _page(
        request,
        _("Unsubscribe?"),
        _("Stop the emails about this conversation from %(name)s.") % {"name": look_name},
        confirm=_("Unsubscribe"),
    )


@never_cache
@ratelimit(key="ip", rate=RATE, block=True)
@require_http_methods(["GET", "POST"])
def rate(request: HttpRequest, token: str) -> HttpResponse:
    """GET records the link's rating (once: a later click changes nothing, and says so); POST
    adds the comment."""
    try:
        link, tenant, conversation = _conversation(links.RATE, token)
        if link.resolved_at is None or link.score is None:
            raise links.LinkError("invalid")
    except links.LinkError as exc:
        return _refused(request, exc.reason)
    with scope(tenant=tenant):
        existing = selectors.rating_for(conversation=conversation, resolved_at=link.resolved_at)
        comment = request.POST.get("comment", "") if request.method == "POST" else None
        try:
            rating = services.rating_give(
                conversation=conversation,
                score=link.score,
                comment=comment,
                resolved_at=link.resolved_at,
            )
        except services.RatingError as exc:
            return _page(request, _("Your rating was not saved"), exc.message, status=400)
        kind = selectors.offline_settings(tenant=tenant).rating
    shown = _score_label(rating.score, kind)
    if request.method == "POST":
        title, message = _("Thank you"), _("Your comment was sent to the team.")
    elif existing is not None:
        title = _("You already rated this conversation")
        message = _("Your rating stays %(score)s. Thank you!") % {"score": shown}
    else:
        title = _("Thank you for your rating")
        message = _("You rated the conversation %(score)s.") % {"score": shown}
    return _page(request, title, message, comment_form=True, comment=rating.comment)


def _score_label(score: int, kind: str) -> str:
    if kind == OfflineSettings.Rating.THUMBS:
        return _("thumbs up") if score >= 3 else _("thumbs down")
    return _("%(n)s out of 5") % {"n": score}
