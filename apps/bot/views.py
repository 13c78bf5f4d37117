"""The Bot section of the Settings area (admins): when the bot answers and its name; the
knowledge base (its entries with the visitors' feedback, a search, an editor with each entry's
history, import and export); and a preview of how the bot would answer a question. Views read
the forms and call services; the rules live in ``services/``. Another workspace's entry is a
404 (every query runs in the workspace's scope)."""

from dataclasses import dataclass
from pathlib import PurePath

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from apps.bot import retrieval, selectors, services
from apps.bot.forms import (
    TRANSLATED,
    BotSettingsForm,
    EntryForm,
    LlmSettingsForm,
    SynonymsForm,
    entry_initial,
)
from apps.bot.models import BotSettings, Entry
from apps.bot.services import Decision, EntryError, ImportReport, SettingsError
from apps.bot.services.answering import PERSON, SUGGEST_SCORE, SUGGESTIONS
from apps.bot.services.entries import IMPORT_MAX_BYTES
from apps.bot.services.settings import bot_llm_update
from apps.tenants.access import workspace_view
from apps.tenants.models import Role

ENTRIES_PER_PAGE = 50
HISTORY_SHOWN = 50
PREVIEW_MAX = 1000
QUERY_MAX = 200
FILE_TYPES = {"json": "application/json", "csv": "text/csv"}
# A file's keys, as the import help lists them.
COLUMNS = (
    "id",
    *(f"{name}_{code}" for name in TRANSLATED for code in selectors.LANGUAGES),
    "tags",
    "enabled",
)


def _language(request: HttpRequest) -> str:
    """The admin's language (the interface's), else the workspace's default."""
    code = (translation.get_language() or "").split("-")[0]
    return code if code in selectors.LANGUAGES else request.tenant.default_language


def _language_name(code: str) -> str:
    return str(dict(settings.LANGUAGES).get(code, code))


# --- reads --------------------------------------------------------------------------------


def _rows(entries, language: str) -> list[dict]:
    figures = selectors.entry_figures(e.pk for e in entries)
    return [
        {
            "entry": e,
            "question": selectors.translated(e, "question", language),
            "figures": figures.get(e.pk, selectors.Figures()),
        }
        for e in entries
    ]


@dataclass
class Preview:
    decision: Decision
    language_name: str
    entry: Entry | None
    answer: str
    matches: list[dict]


def _preview(request: HttpRequest, question: str) -> Preview:
    language = _language(request)
    decision = services.decide(
        tenant_id=request.tenant.pk, question=question, fallback_language=language
    )
    matches = decision.result.matches if decision.result else ()
    found = selectors.entries_by_id(m.id for m in matches)
    rows = [
        {
            "entry": found[m.id],
            "question": selectors.translated(found[m.id], "question", language),
            "score": m.score,
            "phrasing": m.phrasing,
            "chosen": m.id == decision.entry_id,
            "suggested": m.id in decision.suggested,
        }
        for m in matches
        if m.id in found
    ]
    entry = found.get(decision.entry_id) if decision.entry_id else None
    return Preview(
        decision=decision,
        language_name=_language_name(decision.language),
        entry=entry,
        answer=selectors.translated(entry, "answer", decision.language) if entry else "",
        matches=rows,
    )


# --- the Bot page ---------------------------------------------------------------------------


def _page(
    request: HttpRequest,
    *,
    form: BotSettingsForm | None = None,
    report: ImportReport | None = None,
    llm_form: LlmSettingsForm | None = None,
    synonyms_form: SynonymsForm | None = None,
    status: int = 200,
) -> HttpResponse:
    bot = selectors.bot_settings(tenant_id=request.tenant.pk)
    if form is None:
        form = BotSettingsForm(initial={"mode": bot.mode, "name": bot.name})
    query = request.GET.get("q", "").strip()[:QUERY_MAX]
    question = request.GET.get("preview", "").strip()[:PREVIEW_MAX]
    entries = selectors.entries_search(query)
    page = Paginator(entries, ENTRIES_PER_PAGE).get_page(request.GET.get("page"))
    language = _language(request)
    return render(
        request,
        "bot/settings.html",
        {
            "form": form,
            "bot": bot,
            "bot_off": bot.mode == BotSettings.Mode.OFF,
            "total": Entry.objects.count(),
            "pending_proposals": selectors.pending_proposals(),
            "enabled": Entry.objects.filter(enabled=True).count(),
            "query": query,
            "page": page,
            "rows": _rows(list(page.object_list), language),
            "preview_question": question,
            "preview": _preview(request, question) if question else None,
            "person": PERSON,
            "thresholds": retrieval.Thresholds(),
            "suggest_score": SUGGEST_SCORE,
            "suggest_most": SUGGESTIONS,
            "report": report,
            "import_max_mb": IMPORT_MAX_BYTES // (1024 * 1024),
            "columns": ", ".join(COLUMNS),
            "synonyms_form": synonyms_form or SynonymsForm(initial={"synonyms": bot.synonyms}),
            "llm_form": llm_form or LlmSettingsForm.for_settings(bot),
            "llm_platform": bool(settings.BOT_LLM_BASE_URL and settings.BOT_LLM_MODEL),
        },
        status=status,
    )


def _add_error(form, error) -> None:
    field = error.extra.get("field")
    form.add_error(field if field in form.fields else None, error.message)


@workspace_view(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def bot_settings(request: HttpRequest) -> HttpResponse:
    """Settings → Bot: when it answers and its name (POST), the knowledge base (``?q=`` to
    search, ``?page=``) and the preview (``?preview=<a question>``)."""
    if request.method == "GET":
        return _page(request)
    form = BotSettingsForm(request.POST)
    if form.is_valid():
        try:
            services.bot_settings_update(
                tenant_id=request.tenant.pk,
                mode=form.cleaned_data["mode"],
                name=form.cleaned_data["name"],
            )
        except SettingsError as error:
            _add_error(form, error)
        else:
            messages.success(request, _("Bot settings saved."))
            return redirect("bot:settings", slug=request.tenant.slug)
    return _page(request, form=form, status=400)


@workspace_view(Role.ADMIN)
@require_POST
def bot_llm(request: HttpRequest) -> HttpResponse:
    """Settings → Bot → Language model (optional): its address, model and key."""
    form = LlmSettingsForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            bot_llm_update(
                tenant_id=request.tenant.pk,
                enabled=data["llm_enabled"],
                base_url=data["llm_base_url"],
                model=data["llm_model"],
                key=data["llm_key"],
                clear_key=data["llm_key_clear"],
            )
        except SettingsError as error:
            _add_error(form, error)
        else:
            messages.success(request, _("Language model settings saved."))
            return redirect(reverse("bot:settings", kwargs={"slug": request.tenant.slug}) + "#llm")
    return _page(request, llm_form=form, status=400)


@workspace_view(Role.ADMIN)
@require_POST
def bot_synonyms(request: HttpRequest) -> HttpResponse:
    """Settings → Bot → Words that mean the same: the workspace's own synonyms."""
    form = SynonymsForm(request.POST)
    if form.is_valid():
        try:
            services.bot_synonyms_update(
                tenant_id=request.tenant.pk, synonyms=form.cleaned_data["synonyms"]
            )
        except SettingsError as error:
            _add_error(form, error)
        else:
            messages.success(request, _("Words that mean the same saved."))
            url = reverse("bot:settings", kwargs={"slug": request.tenant.slug})
            return redirect(url + "#synonyms")
    return _page(request, synonyms_form=form, status=400)


# --- import and export ----------------------------------------------------------------------


@workspace_view(Role.ADMIN)
@require_POST
def entries_import(request: HttpRequest) -> HttpResponse:
    """A JSON or CSV file (by its name's extension) of entries: created, or updated by ID. One
    bad row imports nothing; the page lists the rows and why."""
    upload = request.FILES.get("file")
    kind = PurePath(upload.name or "").suffix.lower().lstrip(".") if upload else ""
    try:
        if upload is None:
            raise EntryError("invalid_file", _("Choose a file to import."))
        if kind not in FILE_TYPES:
            raise EntryError("invalid_file", _("Choose a .json or a .csv file."))
        report = services.entries_import(
            tenant_id=request.tenant.pk,
            raw=upload.read(IMPORT_MAX_BYTES + 1),
            kind=kind,
            author=request.user,
        )
    except EntryError as error:
        messages.error(request, error.message)
        return _page(request, status=400)
    if not report.ok:
        count = len(report.errors)
        messages.error(
            request,
            ngettext(
                "Nothing was imported: a row of the file has an error (see Import and export).",
                "Nothing was imported: %(count)s rows of the file have errors (see Import and "
                "export).",
                count,
            )
            % {"count": count},
        )
        return _page(request, report=report, status=400)
    messages.success(
        request,
        _("File imported: %(created)s new, %(updated)s updated, %(unchanged)s unchanged.")
        % {"created": report.created, "updated": report.updated, "unchanged": report.unchanged},
    )
    return redirect("bot:settings", slug=request.tenant.slug)


@workspace_view(Role.ADMIN)
@require_GET
def entries_export(request: HttpRequest, kind: str) -> HttpResponse:
    """Every entry as a file that the import takes back (CSV with a byte-order mark, so that
    spreadsheet programs read it as UTF-8)."""
    if kind not in FILE_TYPES:
        raise Http404(_("Export as JSON or CSV."))
    text = services.entries_export(tenant_id=request.tenant.pk, kind=kind)
    if kind == "csv":
        text = "\ufeff" + text
    response = HttpResponse(text.encode(), content_type=f"{FILE_TYPES[kind]}; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(
        True, f"{request.tenant.slug}-knowledge-base.{kind}"
    )
    return response


# --- one entry ------------------------------------------------------------------------------


def _entry_or_404(entry_id: int) -> Entry:
    entry = Entry.objects.filter(pk=entry_id).first()
    if entry is None:
        raise Http404(_("No such entry in this workspace's knowledge base."))
    return entry


# What an entry's revision says (``EntryRevision.action``).
ACTIONS = {
    "created": gettext_lazy("Created"),
    "edited": gettext_lazy("Edited"),
    "imported": gettext_lazy("Imported"),
    "disabled": gettext_lazy("Disabled"),
}


# A revision's fields in the order the editor shows them.
FORM_ORDER = (
    "id",
    *(f"{name}_{code}" for code in selectors.LANGUAGES for name in TRANSLATED),
    "tags",
    "enabled",
)


def _field_label(key: str, value) -> str:
    """What changed, said as the editor labels it ("Answer (Turkish)"; "Disabled")."""
    if key == "id":
        return _("ID")
    if key == "tags":
        return _("Tags")
    if key == "enabled":
        return _("Enabled") if value else _("Disabled")
    name, _sep, code = key.rpartition("_")
    label = {"question": _("Question"), "variants": _("Other phrasings"), "answer": _("Answer")}
    return _("%(field)s (%(language)s)") % {
        "field": label.get(name, key),
        "language": _language_name(code),
    }


def _history(entry: Entry) -> tuple[list[dict], bool]:
    """The entry's saved versions, newest first: when, who, and what changed from the version
    before (the fields, by their labels)."""
    revisions = selectors.entry_revisions(entry=entry, limit=HISTORY_SHOWN + 1)
    more = len(revisions) > HISTORY_SHOWN
    rows = []
    for number, revision in enumerate(revisions[:HISTORY_SHOWN]):
        before = revisions[number + 1].snapshot if number + 1 < len(revisions) else None
        changed = []
        if before is not None and revision.action != "created":
            now = revision.snapshot
            changed = [
                _field_label(key, now[key])
                for key in FORM_ORDER
                if key in now and now.get(key) != before.get(key)
            ]
        author = revision.author
        rows.append(
            {
                "at": revision.created_at,
                "who": (author.get_full_name() or author.email) if author else "",
                "what": ACTIONS.get(revision.action, revision.action),
                "action": revision.action,
                "changed": changed,
            }
        )
    return rows, more


def _entry_page(
    request: HttpRequest, form: EntryForm, *, entry: Entry | None = None
) -> HttpResponse:
    history, more = _history(entry) if entry is not None else ([], False)
    return render(
        request,
        "bot/entry.html",
        {
            "form": form,
            "entry": entry,
            "figures": selectors.entry_figures([entry.pk]).get(entry.pk, selectors.Figures())
            if entry
            else None,
            "history": history,
            "more_history": more,
            "history_shown": HISTORY_SHOWN,
        },
        status=400 if form.errors else 200,
    )


def _save(
    request: HttpRequest, form: EntryForm, entry: Entry | None, proposals: list[int] | None = None
) -> HttpResponse | None:
    """Save the posted entry; the redirect when saved, None when the form shows why not."""
    if not form.is_valid():
        return None
    try:
        saved = services.entry_save(
            tenant_id=request.tenant.pk,
            data=form.data_for_save(),
            author=request.user,
            entry=entry,
            proposals=proposals,
        )
    except EntryError as error:
        _add_error(form, error)
        return None
    messages.success(request, _("Entry %(id)s saved.") % {"id": saved.external_id})
    return redirect("bot:settings", slug=request.tenant.slug)


@workspace_view(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def entry_new(request: HttpRequest) -> HttpResponse:
    """A new entry; ``?proposals=1,2`` fills it from proposed entries, marked done once saved."""
    proposals = [int(x) for x in request.GET.get("proposals", "").split(",") if x.isdigit()][:100]
    initial = selectors.proposal_initial(ids=proposals) if proposals else None
    form = EntryForm(request.POST or None, initial=initial)
    if request.method == "POST":
        saved = _save(request, form, None, proposals)
        if saved is not None:
            return saved
    return _entry_page(request, form)


@workspace_view(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def entry_edit(request: HttpRequest, entry_id: int) -> HttpResponse:
    entry = _entry_or_404(entry_id)
    form = EntryForm(request.POST or None, initial=entry_initial(entry))
    if request.method == "POST":
        saved = _save(request, form, entry)
        if saved is not None:
            return saved
        entry = _entry_or_404(entry_id)  # as saved: a refused save changed nothing
    return _entry_page(request, form, entry=entry)


@workspace_view(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def entry_delete(request: HttpRequest, entry_id: int) -> HttpResponse:
    """POST deletes the entry (the page's dialog asks first); GET asks on a page of its own
    (without the page's script)."""
    entry = _entry_or_404(entry_id)
    if request.method == "POST":
        services.entry_delete(tenant_id=request.tenant.pk, entry=entry)
        messages.success(request, _("Entry %(id)s deleted.") % {"id": entry.external_id})
        return redirect("bot:settings", slug=request.tenant.slug)
    question = selectors.translated(entry, "question", _language(request))
    return render(request, "bot/entry_delete.html", {"entry": entry, "question": question})
