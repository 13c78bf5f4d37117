"""Canned responses: the management pages (HTML) and the inbox picker's JSON endpoints.

Views validate input and call services; who may do what is decided in ``services.py`` (and
mirrored here only to refuse a form early). Another workspace's response id is a 404.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from modeltranslation.utils import build_localized_fieldname

from apps.canned import selectors, services
from apps.canned.forms import CannedResponseForm
from apps.canned.models import CannedResponse
from apps.canned.services import CannedError
from apps.canned.variables import VARIABLES
from apps.core.views import errors_as, json_body
from apps.tenants.access import workspace_view

ERROR_STATUS = {"not_found": 404, "forbidden": 403}


def _response_or_404(response_id: int) -> CannedResponse:
    response = selectors.response_by_id(response_id=response_id)
    if response is None:
        raise Http404(_("No such canned response in this workspace."))
    return response


def _add_error(form: CannedResponseForm, error: CannedError) -> None:
    field = error.extra.get("field")
    form.add_error(field if field in form.fields else None, error.message)


def _language(request: HttpRequest) -> str:
    return selectors.base_language(translation.get_language()) or request.tenant.default_language


def _variables_help() -> list[tuple[str, str]]:
    return [("{" + name + "}", description) for name, description in VARIABLES.items()]


@workspace_view()
@require_GET
def canned_list(request: HttpRequest) -> HttpResponse:
    membership = request.membership
    language = _language(request)
    default = request.tenant.default_language

    def rows(responses) -> list[dict]:
        return [
            {
                **selectors.row(r, language=language, default_language=default),
                "last_used_at": r.last_used_at,
                "can_manage": selectors.can_manage(membership=membership, response=r),
            }
            for r in responses
        ]

    return render(
        request,
        "canned/list.html",
        {
            "workspace_rows": rows(selectors.workspace_responses(membership=membership)),
            "personal_rows": rows(selectors.personal_responses(membership=membership)),
            "variables": _variables_help(),
        },
    )


def _form_page(request, form, *, response=None, status=200) -> HttpResponse:
    return render(
        request,
        "canned/form.html",
        {"form": form, "response": response, "variables": _variables_help()},
        status=400 if form.errors else status,
    )


@workspace_view()
@require_http_methods(["GET", "POST"])
def canned_new(request: HttpRequest) -> HttpResponse:
    is_admin = request.membership.is_admin
    form = CannedResponseForm(request.POST or None, choose_audience=is_admin)
    if request.method == "POST" and form.is_valid():
        try:
            response = services.canned_create(
                actor=request.membership,
                personal=form.personal,
                shortcut=form.cleaned_data["shortcut"],
                titles=form.texts("title"),
                bodies=form.texts("body"),
            )
        except CannedError as error:
            if error.code == "forbidden":
                raise PermissionDenied(error.message) from None
            _add_error(form, error)
        else:
            messages.success(
                request, _("Canned response /%(shortcut)s saved.") % {"shortcut": response.shortcut}
            )
            return redirect("canned:list", slug=request.tenant.slug)
    return _form_page(request, form)


def _initial(response: CannedResponse) -> dict:
    initial = {"shortcut": response.shortcut}
    for code in selectors.language_codes():
        for field in ("title", "body"):
            name = build_localized_fieldname(field, code)
            initial[name] = getattr(response, name, "") or ""
    return initial


@workspace_view()
@require_http_methods(["GET", "POST"])
def canned_edit(request: HttpRequest, response_id: int) -> HttpResponse:
    response = _response_or_404(response_id)
    if not selectors.can_manage(membership=request.membership, response=response):
        raise PermissionDenied(services.not_allowed(response).message)
    form = CannedResponseForm(
        request.POST or None, initial=_initial(response), choose_audience=False
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.canned_update(
                actor=request.membership,
                response=response,
                shortcut=form.cleaned_data["shortcut"],
                titles=form.texts("title"),
                bodies=form.texts("body"),
            )
        except CannedError as error:
            if error.code == "forbidden":
                raise PermissionDenied(error.message) from None
            _add_error(form, error)
        else:
            messages.success(
                request, _("Canned response /%(shortcut)s saved.") % {"shortcut": response.shortcut}
            )
            return redirect("canned:list", slug=request.tenant.slug)
    return _form_page(request, form, response=response)


@workspace_view()
@require_http_methods(["GET", "POST"])
def canned_delete(request: HttpRequest, response_id: int) -> HttpResponse:
    response = _response_or_404(response_id)
    if not selectors.can_manage(membership=request.membership, response=response):
        raise PermissionDenied(services.not_allowed(response).message)
    if request.method == "POST":
        try:
            services.canned_delete(actor=request.membership, response=response)
        except CannedError as error:
            raise PermissionDenied(error.message) from None
        messages.success(
            request, _("Canned response /%(shortcut)s deleted.") % {"shortcut": response.shortcut}
        )
        return redirect("canned:list", slug=request.tenant.slug)
    title, _code = selectors.localized(
        response, "title", _language(request), request.tenant.default_language
    )
    return render(request, "canned/delete.html", {"response": response, "title": title})


# --- JSON for the inbox picker ---------------------------------------------------------------


def _error(code: str, message: str, status: int) -> JsonResponse:
    return JsonResponse({"error": {"code": code, "message": str(message)}}, status=status)


@errors_as(_error)
@never_cache
@workspace_view()
@require_GET
def api_list(request: HttpRequest) -> JsonResponse:
    """The responses I may insert (the workspace's and mine), titles in my language."""
    return JsonResponse(
        {
            "responses": selectors.picker_rows(
                membership=request.membership, language=_language(request)
            )
        }
    )


@errors_as(_error)
@never_cache
@workspace_view()
@require_POST
def api_use(request: HttpRequest, response_id: int) -> JsonResponse:
    """``{"conversation": <number>}`` -> ``{"text": …, "language": …}``; counts one use."""
    response = selectors.visible_responses(membership=request.membership).filter(pk=response_id)
    response = response.first()
    if response is None:
        return _error("not_found", _("No such canned response in this workspace."), 404)
    data = json_body(request, default={})
    if data is None:
        return _error("invalid", _("The request body must be JSON."), 400)
    number = data.get("conversation") if isinstance(data, dict) else None
    if not isinstance(number, int) or isinstance(number, bool) or number < 1:
        return _error("invalid", _('Say which conversation: {"conversation": <number>}.'), 400)
    conversation = selectors.conversation_for(membership=request.membership, number=number)
    if conversation is None:
        return _error("not_found", _("No such conversation in this workspace."), 404)
    try:
        filled = services.canned_use(
            actor=request.membership, response=response, conversation=conversation
        )
    except CannedError as error:
        return _error(error.code, error.message, ERROR_STATUS.get(error.code, 400))
    return JsonResponse({"text": filled.text, "language": filled.language})
