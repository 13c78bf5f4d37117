"""Writes of the knowledge base: an entry saved by an admin, a file imported, and the version
that tells every process to rebuild its answering index."""

import csv
import io
import json
import re
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from apps.bot import selectors, text
from apps.bot.models import EXTERNAL_ID_MAX, BotSettings, Entry, EntryRevision
from apps.bot.services import learning
from apps.core.errors import Refusal

LANGUAGES = selectors.LANGUAGES
TRANSLATED = selectors.TRANSLATED
IMPORT_MAX_ROWS = 5000
IMPORT_MAX_BYTES = 5 * 1024 * 1024
QUESTION_MAX = Entry._meta.get_field("question").max_length
ANSWER_MAX = 4000
TAGS_MAX = 10
TAG_MAX = 40
_EXTERNAL_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]*$")


class EntryError(Refusal):
    """A refused knowledge-base change; nothing changed."""


def kb_changed(*, tenant_id: int) -> None:
    """Move the knowledge base's version: every process rebuilds its index on its next answer."""
    settings, _created = BotSettings.objects.get_or_create(tenant_id=tenant_id)
    BotSettings.objects.filter(pk=settings.pk).update(kb_version=F("kb_version") + 1)


def snapshot(entry: Entry) -> dict:
    data = {"id": entry.external_id, "tags": list(entry.tags), "enabled": entry.enabled}
    for name in TRANSLATED:
        for code in LANGUAGES:
            value = getattr(entry, f"{name}_{code}", "") or ""
            data[f"{name}_{code}"] = (
                [line for line in value.splitlines() if line.strip()]
                if name == "variants"
                else value
            )
    return data


@dataclass
class Cleaned:
    external_id: str
    values: dict = field(default_factory=dict)  # field name (question_en, ...) -> value
    # The fields the row has at all: an update keeps what a file leaves out (a CSV without
    # the Turkish columns keeps the Turkish text).
    given: frozenset = frozenset()


def _text(value, what: str, limit: int) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise EntryError("invalid", _("%(field)s must be text.") % {"field": what}, field=what)
    value = value.replace("\r\n", "\n").strip()
    if "\x00" in value:
        raise EntryError(
            "invalid",
            _("%(field)s holds a character that is not allowed.") % {"field": what},
            field=what,
        )
    if len(value) > limit:
        raise EntryError(
            "too_long",
            _("%(field)s is too long: %(n)s characters at most.") % {"field": what, "n": limit},
            field=what,
        )
    return value


def _variants(value, what: str) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        value = value.splitlines()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise EntryError(
            "invalid", _("%(field)s must be a list of texts.") % {"field": what}, field=what
        )
    lines = [_text(v, what, QUESTION_MAX).replace("\n", " ") for v in value]
    return "\n".join(line for line in lines if line)[:ANSWER_MAX]


def _tags(value) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, str):
        value = [v for v in re.split(r"[,;|]", value)]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise EntryError("invalid", _("tags must be a list of texts."), field="tags")
    tags = []
    for tag in value:
        tag = tag.strip()[:TAG_MAX]
        if tag and tag not in tags:
            tags.append(tag)
    if len(tags) > TAGS_MAX:
        raise EntryError("invalid", _("At most %(n)s tags.") % {"n": TAGS_MAX}, field="tags")
    return tags


def clean(data: dict) -> Cleaned:
    """Check one entry as given (a form or a file's row); raises ``EntryError``."""
    if not isinstance(data, dict):
        raise EntryError("invalid", _("Each entry must be an object."))
    external_id = data.get("id")
    if isinstance(external_id, int) and not isinstance(external_id, bool):
        external_id = str(external_id)
    if (
        not isinstance(external_id, str)
        or not (1 <= len(external_id.strip()) <= EXTERNAL_ID_MAX)
        or not _EXTERNAL_ID.match(external_id.strip())
    ):
        raise EntryError(
            "invalid",
            _("id must be 1 to %(n)s letters, digits, dots, dashes or underscores.")
            % {"n": EXTERNAL_ID_MAX},
            field="id",
        )
    cleaned = Cleaned(external_id.strip())
    for code in LANGUAGES:
        cleaned.values[f"question_{code}"] = _text(
            data.get(f"question_{code}"), f"question_{code}", QUESTION_MAX
        )
        cleaned.values[f"answer_{code}"] = _text(
            data.get(f"answer_{code}"), f"answer_{code}", ANSWER_MAX
        )
        cleaned.values[f"variants_{code}"] = _variants(
            data.get(f"variants_{code}"), f"variants_{code}"
        )
    if not any(
        cleaned.values[f"question_{c}"] and cleaned.values[f"answer_{c}"] for c in LANGUAGES
    ):
        raise EntryError(
            "incomplete",
            _("An entry needs a question and an answer in at least one language."),
            field="question",
        )
    cleaned.values["tags"] = _tags(data.get("tags"))
    enabled = data.get("enabled", True)
    if isinstance(enabled, str):
        enabled = enabled.strip().lower() not in ("0", "false", "no", "off", "")
    cleaned.values["enabled"] = bool(enabled)
    cleaned.given = frozenset(k for k in cleaned.values if k in data)
    return cleaned


def _apply(*, tenant_id: int, cleaned: Cleaned, author, action: str, entry: Entry | None = None):
    if entry is None:
        entry = Entry.objects.filter(tenant_id=tenant_id, external_id=cleaned.external_id).first()
    created = entry is None
    if created:
        entry = Entry(tenant_id=tenant_id, external_id=cleaned.external_id)
    before = None if created else snapshot(entry)
    entry.external_id = cleaned.external_id
    # Only the languages' own columns ("answer_tr"): assigning the untranslated name
    # ("answer") would write the language active in this thread, e.g. an admin's Turkish
    # interface, with another language's text.
    for name, value in cleaned.values.items():
        if created or name in cleaned.given:
            setattr(entry, name, value)
    if before is not None and before == snapshot(entry):
        return entry, False
    entry.save()
    EntryRevision.objects.create(
        tenant_id=tenant_id,
        entry=entry,
        author=author,
        action="created" if created else action,
        snapshot=snapshot(entry),
    )
    return entry, True


def _new_external_id(*, tenant_id: int, data: dict) -> str:
    """An ID for an entry made without one: the words of its first question, in the order of
    ``LANGUAGES`` ("when-are-you-open"), with "-2", "-3"… when taken."""
    question = next(
        (q for c in LANGUAGES if isinstance(q := data.get(f"question_{c}"), str) and q.strip()),
        "",
    )
    base = "-".join(text.words(question))[: EXTERNAL_ID_MAX - 4].strip("-") or "entry"
    taken = set(
        Entry.objects.filter(tenant_id=tenant_id, external_id__startswith=base).values_list(
            "external_id", flat=True
        )
    )
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}-{n}", n + 1
    return candidate


def entry_save(
    *,
    tenant_id: int,
    data: dict,
    author=None,
    entry: Entry | None = None,
    proposals: list[int] | None = None,
) -> Entry:
    """Create or update one entry (``entry``: the one being edited; its id may change, to one
    no other entry has). ``proposals``: the proposed entries (``learning``) it is made of, which
    are marked as done. Without an id, a new entry gets one from its question and an edited one
    keeps its own. Bad input raises ``EntryError`` and changes nothing."""
    if not str(data.get("id") or "").strip():
        data = {
            **data,
            "id": entry.external_id
            if entry is not None
            else _new_external_id(tenant_id=tenant_id, data=data),
        }
    cleaned = clean(data)
    with transaction.atomic():
        clash = Entry.objects.filter(tenant_id=tenant_id, external_id=cleaned.external_id)
        if entry is not None:
            clash = clash.exclude(pk=entry.pk)
        if clash.exists():
            raise EntryError(
                "duplicate",
                _("Another entry has the ID %(id)s.") % {"id": cleaned.external_id},
                field="id",
            )
        entry, changed = _apply(
            tenant_id=tenant_id, cleaned=cleaned, author=author, action="edited", entry=entry
        )
        if changed:
            kb_changed(tenant_id=tenant_id)
        if proposals:
            learning.proposals_approve(proposal_ids=proposals, entry=entry)
    return entry


def phrasing_accept(*, tenant_id: int, proposal_id: int, author=None) -> Entry:
    """An admin adds a visitor's words (a pending phrasing proposal: ``learning``) to the
    phrasings of the entry they chose, in their language, through ``entry_save``."""
    proposal = selectors.phrasing_proposal(proposal_id)
    if proposal is None:
        raise EntryError("not_found", _("That proposal is not pending any more."))
    entry = proposal.entry
    data = {"id": entry.external_id}
    for code in LANGUAGES:
        for name in ("question", "answer", "variants"):
            data[f"{name}_{code}"] = getattr(entry, f"{name}_{code}", "") or ""
    code = proposal.language if proposal.language in LANGUAGES else LANGUAGES[0]
    words = " ".join(proposal.question.split())[: Entry._meta.get_field("question").max_length]
    variants = [line.strip() for line in data[f"variants_{code}"].splitlines() if line.strip()]
    if words and words not in variants:
        data[f"variants_{code}"] = "\n".join([*variants, words])
    return entry_save(
        tenant_id=tenant_id, data=data, author=author, entry=entry, proposals=[proposal.pk]
    )


def entry_delete(*, tenant_id: int, entry: Entry) -> None:
    with transaction.atomic():
        Entry.objects.filter(tenant_id=tenant_id, pk=entry.pk).delete()
        kb_changed(tenant_id=tenant_id)


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)  # (row number, message)

    @property
    def ok(self) -> bool:
        return not self.errors


def _rows_json(raw: str) -> list:
    try:
        rows = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise EntryError(
            "invalid_file", _("The file is not valid JSON (line %(line)s).") % {"line": exc.lineno}
        ) from exc
    if not isinstance(rows, list):
        raise EntryError("invalid_file", _("The JSON file must hold a list of entries."))
    return rows


def _rows_csv(raw: str) -> list[dict]:
    """CSV with a header row of the JSON keys; variants and tags separated by "|"."""
    reader = csv.DictReader(io.StringIO(raw))
    if not reader.fieldnames or "id" not in reader.fieldnames:
        raise EntryError("invalid_file", _("The CSV file needs a header row with an id column."))
    rows = []
    try:
        for row in reader:
            row = {k: v for k, v in row.items() if k is not None}
            for key, value in list(row.items()):
                value = _from_cell(value or "")
                if key.startswith("variants_") or key == "tags":
                    row[key] = [v for v in value.split("|") if v.strip()]
                else:
                    row[key] = value
            rows.append(row)
    except csv.Error as exc:
        raise EntryError(
            "invalid_file", _("The CSV file cannot be read: %(error)s") % {"error": exc}
        ) from exc
    return rows


def entries_import(*, tenant_id: int, raw: bytes | str, kind: str, author=None) -> ImportReport:
    """Import a JSON or CSV file (``kind``: "json" or "csv"): entries are created, or updated by
    their ``id``. Every row is checked first; one bad row imports nothing, and the report says
    which rows and why."""
    if isinstance(raw, bytes):
        if len(raw) > IMPORT_MAX_BYTES:
            raise EntryError("too_large", _("The file is too large: 5 MB at most."))
        try:
            raw = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise EntryError("invalid_file", _("The file must be UTF-8 text.")) from exc
    rows = _rows_json(raw) if kind == "json" else _rows_csv(raw)
    if len(rows) > IMPORT_MAX_ROWS:
        raise EntryError("too_large", _("At most %(n)s entries per file.") % {"n": IMPORT_MAX_ROWS})
    report = ImportReport()
    cleaned_rows: list[Cleaned] = []
    seen: dict[str, int] = {}
    for number, row in enumerate(rows, start=1):
        try:
            cleaned = clean(row)
        except EntryError as exc:
            report.errors.append((number, exc.message))
            continue
        if cleaned.external_id in seen:
            report.errors.append(
                (
                    number,
                    _("The id %(id)s is also in row %(row)s.")
                    % {"id": cleaned.external_id, "row": seen[cleaned.external_id]},
                )
            )
            continue
        seen[cleaned.external_id] = number
        cleaned_rows.append(cleaned)
    if report.errors:
        return report
    with transaction.atomic():
        existing = set(
            Entry.objects.filter(tenant_id=tenant_id, external_id__in=list(seen)).values_list(
                "external_id", flat=True
            )
        )
        for cleaned in cleaned_rows:
            _entry, changed = _apply(
                tenant_id=tenant_id, cleaned=cleaned, author=author, action="imported"
            )
            if not changed:
                report.unchanged += 1
            elif cleaned.external_id in existing:
                report.updated += 1
            else:
                report.created += 1
        if report.created or report.updated:
            kb_changed(tenant_id=tenant_id)
    return report


def entries_export(*, tenant_id: int, kind: str) -> str:
    """Every entry as a JSON or CSV file that ``entries_import`` takes back."""
    rows = [snapshot(e) for e in Entry.objects.filter(tenant_id=tenant_id).order_by("external_id")]
    if kind == "json":
        return json.dumps(rows, ensure_ascii=False, indent=2)
    columns = ["id", *(f"{n}_{c}" for n in TRANSLATED for c in LANGUAGES), "tags", "enabled"]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns)
    writer.writeheader()
    for row in rows:
        writer.writerow(
            {
                k: _to_cell("|".join(v) if isinstance(v, list) else v)
                for k, v in row.items()
                if k in columns
            }
        )
    return out.getvalue()


# A spreadsheet runs a cell that starts with one of these as a formula: exported text is set off
# with an apostrophe (which spreadsheets hide), and the import takes it off again.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _to_cell(value):
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _from_cell(value: str) -> str:
    if value.startswith("'") and value[1:].startswith(_FORMULA_START):
        return value[1:]
    return value
