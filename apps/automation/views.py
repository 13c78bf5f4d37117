"""Settings → Automation (admins): the workspace's rules in order, with how often each fired
and the latest firings; the rule editor; and "test against a conversation", which says which
conditions hold for a conversation without doing anything. Views read the request and call
services; another workspace's rule is a 404 (every query runs in the workspace's scope)."""

import json

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from apps.automation import actions, conditions, flows, selectors, services
from apps.automation.catalogue import (
    editor_catalogue,
    editor_strings,
    flow_catalogue,
    flow_strings,
)
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
    firings = selectors.firings()
    for firing in firings:
        firing.done_text = ", ".join(actions.outcome_text(entry) for entry in firing.done)
    return render(
        request,
        "automation/rules.html",
        {
            "rules": selectors.rules(),
            "firings": firings,
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


# --- flows --------------------------------------------------------------------------------------

FLOW_FILE_MAX = 256 * 1024


def _flow_or_404(flow_id: int):
    flow = selectors.flow(flow_id=flow_id)
    if flow is None:
        raise Http404(_("No such flow in this workspace."))
    return flow


def _outline(definition: dict, language: str) -> list[dict]:
    """The steps as the page draws them: what each says and where each leads."""
    if not definition or not definition.get("steps"):
        return []
    fallback = settings.LANGUAGES[0][0]
    lost = set(flows.unreachable(definition))
    rows = []
    for step in definition["steps"]:
        leads = [
            {"label": actions.pick_text(b["label"], language, fallback), "to": b["next"]}
            for b in step.get("buttons", ())
        ]
        for key in flows.LEADS.get(step["type"], ()):
            leads.append({"label": str(LEAD_LABELS[key]), "to": step[key]})
        rows.append(
            {
                "id": step["id"],
                "kind": flows.TYPES[step["type"]],
                "text": actions.pick_text(step["text"], language, fallback)
                if step.get("text")
                else "",
                "leads": leads,
                "start": step["id"] == definition.get("start"),
                "lost": step["id"] in lost,
            }
        )
    return rows


LEAD_LABELS = {"next": gettext_lazy("then"), "else": gettext_lazy("otherwise")}


@workspace_view(Role.ADMIN)
def flow_list(request: HttpRequest) -> HttpResponse:
    error = None
    if request.method == "POST":
        upload = request.FILES.get("file")
        raw = request.POST.get("json", "")
        if upload is not None:
            raw = upload.read(FLOW_FILE_MAX + 1).decode("utf-8", "replace")
        try:
            if len(raw) > FLOW_FILE_MAX:
                raise RuleError("", _("The file is too large."))
            flow = services.flow_import(tenant_id=request.tenant.pk, raw=raw)
        except RuleError as refused:
            error = {"field": refused.where, "message": refused.message}
        else:
            messages.success(
                request, _("Flow “%(name)s” imported as a draft.") % {"name": flow.name}
            )
            return redirect("automation:flow_edit", slug=request.tenant.slug, flow_id=flow.pk)
    return render(
        request,
        "automation/flows.html",
        {"flows": selectors.flows(), "error": error},
        status=400 if error else 200,
    )


@workspace_view(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def flow_edit(request: HttpRequest, flow_id: int | None = None) -> HttpResponse:
    flow = _flow_or_404(flow_id) if flow_id is not None else None
    error = None
    text = json.dumps(
        flow.draft if flow else {"start": "", "steps": []}, ensure_ascii=False, indent=2
    )
    data = {
        "key": flow.key if flow else "",
        "name": flow.name if flow else "",
        "welcome_label": flow.welcome_label if flow else {},
    }
    if request.method == "POST":
        text = request.POST.get("definition", "")
        data = {
            "key": request.POST.get("key", ""),
            "name": request.POST.get("name", ""),
            "welcome_label": {
                code: request.POST.get(f"welcome_{code}", "") for code, _name in settings.LANGUAGES
            },
        }
        try:
            try:
                definition = json.loads(text)
            except ValueError:
                raise RuleError("definition", _("The steps are not valid JSON.")) from None
            saved = services.flow_save(
                tenant_id=request.tenant.pk, data={**data, "definition": definition}, flow=flow
            )
            if request.POST.get("publish"):
                version = services.flow_publish(flow=saved)
                messages.success(
                    request,
                    _("Flow “%(name)s” published as version %(n)s.")
                    % {"name": saved.name, "n": version.number},
                )
            else:
                messages.success(
                    request, _("Flow “%(name)s” saved as a draft.") % {"name": saved.name}
                )
            return redirect("automation:flow_edit", slug=request.tenant.slug, flow_id=saved.pk)
        except RuleError as refused:
            error = {"field": refused.where, "message": refused.message}
    language = (translation.get_language() or "en").split("-")[0]
    return render(
        request,
        "automation/flow.html",
        {
            "flow": flow,
            "data": data,
            "text": text,
            "error": error,
            "outline": _outline(flow.draft, language) if flow else [],
            "catalogue": flow_catalogue(tenant_id=request.tenant.pk),
            "strings": flow_strings(),
            "welcome_fields": [
                {"code": code, "name": name, "value": data["welcome_label"].get(code, "")}
                for code, name in settings.LANGUAGES
            ],
            "unpublished": flow is not None
            and (flow.published is None or flow.published.definition != flow.draft),
        },
        status=400 if error else 200,
    )


@workspace_view(Role.ADMIN)
def flow_export(request: HttpRequest, flow_id: int) -> HttpResponse:
    flow = _flow_or_404(flow_id)
    body = json.dumps(
        {
            "key": flow.key,
            "name": flow.name,
            "welcome_label": flow.welcome_label,
            "definition": flow.draft,
        },
        ensure_ascii=False,
        indent=2,
    )
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, f"flow-{flow.key}.json")
    return response


@workspace_view(Role.ADMIN)
@require_POST
def flow_delete(request: HttpRequest, flow_id: int) -> HttpResponse:
    flow = _flow_or_404(flow_id)
    services.flow_delete(flow=flow)
    messages.success(request, _("Flow “%(name)s” deleted.") % {"name": flow.name})
    return redirect("automation:flows", slug=request.tenant.slug)
