"""Settings → Automation (admins): the workspace's rules in order, with how often each fired
and the latest firings; the rule editor; and "test against a conversation", which says which
conditions hold for a conversation without doing anything. Views read the request and call
services; another workspace's rule is a 404 (every query runs in the workspace's scope)."""

import json

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from apps.automation import conditions, selectors, services
from apps.automation.catalogue import editor_catalogue, editor_strings
from apps.automation.conditions import RuleError
from apps.automation.models import Rule
from apps.conversations import selectors as conversation_selectors
from apps.core.views import errors_as
from apps.tenants.access import workspace_view
from apps.tenants.models import Role

DEFINITION_MAX = 64 * 1024


def _rule_or_404(rule_id: int) -> Rule:
    rule = selectors.rule(rule_id=rule_id)
    if rule is None:
        raise Http404(_("No such rule in this workspace."))
    return rule


@workspace_view(Role.ADMIN)
def rules(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "automation/rules.html",
        {
            "rules": selectors.rules(),
            "firings": selectors.firings(),
            "triggers": dict(Rule.Trigger.choices),
        },
    )


def _definition(request: HttpRequest) -> dict:
    raw = request.POST.get("definition", "")
    if len(raw) > DEFINITION_MAX:
        raise RuleError("", _("The rule is too large."))
    try:
        data = json.loads(raw or "{}")
    except ValueError:
        raise RuleError(
            "", _("The rule could not be read. Reload the page and try again.")
        ) from None
    if not isinstance(data, dict):
        raise RuleError("", _("The rule could not be read. Reload the page and try again."))
    return data


def _editor(request: HttpRequest, *, rule: Rule | None, data: dict, error=None, status=200):
    return render(
        request,
        "automation/rule.html",
        {
            "rule": rule,
            "definition": data,
            "catalogue": editor_catalogue(tenant_id=request.tenant.pk),
            "strings": editor_strings(),
            "error": error,
        },
        status=status,
    )


def _rule_data(rule: Rule) -> dict:
    return {
        "name": rule.name,
        "enabled": rule.enabled,
        "trigger": rule.trigger,
        "trigger_value": rule.trigger_value,
        "conditions": rule.conditions,
        "actions": rule.actions,
    }


def _save(request: HttpRequest, rule: Rule | None) -> HttpResponse:
    data = {}
    try:
        data = _definition(request)
        saved = services.rule_save(tenant_id=request.tenant.pk, data=data, rule=rule)
    except RuleError as error:
        return _editor(
            request,
            rule=rule,
            data=data,
            error={"field": error.where, "message": error.message},
            status=400,
        )
    messages.success(request, _("Rule “%(name)s” saved.") % {"name": saved.name})
    return redirect("automation:rules", slug=request.tenant.slug)


@workspace_view(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def rule_new(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        return _save(request, None)
    blank = {
        "name": "",
        "enabled": True,
        "trigger": "visitor_message",
        "conditions": {"match": "all", "items": []},
        "actions": [],
    }
    return _editor(request, rule=None, data=blank)


@workspace_view(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def rule_edit(request: HttpRequest, rule_id: int) -> HttpResponse:
    rule = _rule_or_404(rule_id)
    if request.method == "POST":
        return _save(request, rule)
    return _editor(request, rule=rule, data=_rule_data(rule))


@workspace_view(Role.ADMIN)
@require_POST
def rule_delete(request: HttpRequest, rule_id: int) -> HttpResponse:
    rule = _rule_or_404(rule_id)
    services.rule_delete(rule=rule)
    messages.success(request, _("Rule “%(name)s” deleted.") % {"name": rule.name})
    return redirect("automation:rules", slug=request.tenant.slug)


@workspace_view(Role.ADMIN)
@require_POST
def rule_toggle(request: HttpRequest, rule_id: int) -> HttpResponse:
    rule = _rule_or_404(rule_id)
    services.rule_toggle(rule=rule, enabled=request.POST.get("enabled") == "on")
    if rule.enabled:
        messages.success(request, _("Rule “%(name)s” is on.") % {"name": rule.name})
    else:
        messages.success(request, _("Rule “%(name)s” is off.") % {"name": rule.name})
    return redirect("automation:rules", slug=request.tenant.slug)


@workspace_view(Role.ADMIN)
@require_POST
def rule_move(request: HttpRequest, rule_id: int) -> HttpResponse:
    rule = _rule_or_404(rule_id)
    services.rule_move(rule=rule, up=request.POST.get("direction") == "up")
    return redirect("automation:rules", slug=request.tenant.slug)


def _error(code: str, message: str, status: int, **extra) -> JsonResponse:
    return JsonResponse({"error": code, "message": str(message), **extra}, status=status)


@errors_as(_error)
@workspace_view(Role.ADMIN)
@require_POST
def rule_test(request: HttpRequest) -> JsonResponse:
    """``definition`` (the editor's, saved or not) and ``number`` (a conversation's): whether
    each condition holds for that conversation now. Nothing is done."""
    try:
        number = int(request.POST.get("number", ""))
    except ValueError:
        return _error("invalid", _("Enter a conversation number."), 400, field="number")
    conversation = conversation_selectors.visible_conversation(
        membership=request.membership, number=number
    )
    if conversation is None:
        return _error(
            "not_found", _("No such conversation in this workspace."), 404, field="number"
        )
    try:
        data = _definition(request)
        cleaned = conditions.clean(data.get("conditions"), tenant_id=request.tenant.pk)
    except RuleError as error:
        return _error(error.code, error.message, 400, field=error.where)
    return JsonResponse(services.conditions_test(definition=cleaned, conversation=conversation))
