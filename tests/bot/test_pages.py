"""The Bot section of the Settings area (admins): when the bot answers and its name, the
knowledge base with its figures and search, the entry editor with its history, import and
export, and the preview of how the bot would answer."""

import csv
import io
import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django_scopes import scope

from apps.bot import selectors, services
from apps.bot.models import Entry
from apps.tenants.models import Role
from tests.bot.helpers import KB, BotChat
from tests.factories import TenantFactory, member
from tests.utils import page_text

pytestmark = pytest.mark.django_db


def url(tenant, name="bot:settings", **kwargs):
    return reverse(name, kwargs={"slug": tenant.slug, **kwargs})


def workspace(kb=KB):
    """A workspace with its admin and, unless ``kb`` is empty, the bilingual knowledge base."""
    tenant = TenantFactory(name="Lale Home")
    admin = member(tenant, Role.ADMIN, full_name="Ayşe Kaya")
    if kb:
        with scope(tenant=tenant):
            report = services.entries_import(
                tenant_id=tenant.pk, raw=json.dumps(kb), kind="json", author=admin.user
            )
        assert report.ok, report.errors
    return tenant, admin


def entry(tenant, external_id) -> Entry:
    with scope(tenant=tenant):
        return Entry.objects.get(external_id=external_id)


def bot(tenant) -> tuple[str, str]:
    """The bot's mode and name as saved."""
    with scope(tenant=tenant):
        settings = selectors.bot_settings(tenant_id=tenant.pk)
    return settings.mode, settings.name


def entry_ids(tenant) -> list[str]:
    with scope(tenant=tenant):
        return list(Entry.objects.order_by("external_id").values_list("external_id", flat=True))


def upload(name: str, content: str | bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content.encode() if isinstance(content, str) else content)


def form(**values) -> dict:
    """An entry as the editor posts it (every field, empty unless given)."""
    fields = [
        "id",
        "tags",
        *(f"{n}_{c}" for n in ("question", "variants", "answer") for c in ("en", "tr")),
    ]
    return {name: values.get(name, "") for name in fields} | (
        {"enabled": "on"} if values.get("enabled", True) else {}
    )


# --- who may --------------------------------------------------------------------------------


def test_operators_get_no_bot_page_and_change_nothing(client):
    tenant, _admin = workspace()
    returns = entry(tenant, "returns")
    operator = member(tenant, Role.OPERATOR)
    client.force_login(operator.user)
    assert client.get(url(tenant)).status_code == 403
    assert client.post(url(tenant), {"mode": "always", "name": "X"}).status_code == 403
    assert client.get(url(tenant, "bot:entry_new")).status_code == 403
    assert client.get(url(tenant, "bot:entry_edit", entry_id=returns.pk)).status_code == 403
    assert client.post(url(tenant, "bot:entry_delete", entry_id=returns.pk)).status_code == 403
    assert client.get(url(tenant, "bot:export", kind="json")).status_code == 403
    imported = client.post(
        url(tenant, "bot:import"), {"file": upload("kb.json", json.dumps([{**KB[0], "id": "x"}]))}
    )
    assert imported.status_code == 403
    assert entry_ids(tenant) == ["installments", "returns", "tracking"]
    assert bot(tenant) == ("off", "")
    # The Settings area shows an operator no Bot section; an admin has it.
    settings_page = client.get(reverse("tenants:members", kwargs={"slug": tenant.slug}))
    assert settings_page.status_code == 200
    assert url(tenant) not in settings_page.content.decode()


def test_strangers_and_another_workspaces_entries_are_not_found(client):
    tenant, admin = workspace()
    parasols = {"id": "parasols", "question_en": "Do you sell parasols?", "answer_en": "Yes, 3."}
    other, _other_admin = workspace(kb=[parasols])
    theirs = entry(other, "parasols")
    client.force_login(admin.user)
    assert client.get(url(tenant, "bot:entry_edit", entry_id=theirs.pk)).status_code == 404
    assert client.post(url(tenant, "bot:entry_delete", entry_id=theirs.pk)).status_code == 404
    assert (
        client.post(
            url(tenant, "bot:entry_edit", entry_id=theirs.pk),
            form(id="mine", question_en="Q", answer_en="A"),
        ).status_code
        == 404
    )
    assert entry_ids(other) == ["parasols"]
    assert client.get(url(other)).status_code == 404  # not a member there
    # Their entries are not in the list, the search, the preview or the export.
    text = page_text(client.get(url(tenant), {"q": "parasol", "preview": "Do you sell parasols?"}))
    assert "No entry matches “parasol”." in text
    assert "The bot would say it does not know" in text
    assert "Do you sell parasols?" not in text
    exported = json.loads(client.get(url(tenant, "bot:export", kind="json")).content)
    assert [row["id"] for row in exported] == ["installments", "returns", "tracking"]


# --- the bot's settings ---------------------------------------------------------------------


def test_the_admin_turns_the_bot_on_and_names_it(client):
    tenant, admin = workspace()
    client.force_login(admin.user)
    page = client.get(url(tenant))
    assert page.status_code == 200
    html = page.content.decode()
    assert re.search(r'<input type="radio" name="mode" value="off"[^>]* checked>', html)
    assert f'href="{url(tenant)}"' in html  # the Settings area's Bot section
    saved = client.post(url(tenant), {"mode": "closed", "name": "Lale"})
    assert saved.status_code == 302
    page = client.get(saved.url)
    assert "Bot settings saved." in page_text(page)
    html = page.content.decode()
    assert re.search(r'<input type="radio" name="mode" value="closed"[^>]* checked>', html)
    assert 'value="Lale"' in html
    assert bot(tenant) == ("closed", "Lale")


def test_a_refused_setting_is_shown_beside_its_field_and_what_was_typed_stays(client):
    tenant, admin = workspace()
    client.force_login(admin.user)
    too_long = "Lale Çiçekçilik Müşteri Hizmetleri Yardım ve Destek Asistanımız"
    assert len(too_long) > 60
    refused = client.post(url(tenant), {"mode": "always", "name": too_long})
    assert refused.status_code == 400
    html = refused.content.decode()
    field = re.search(r'<div class="field has-error">.*?</div>', html, re.S).group(0)
    assert "The name is too long: 60 characters at most." in field
    assert f'value="{too_long}"' in field
    assert re.search(r'<input type="radio" name="mode" value="always"[^>]* checked>', html)
    unknown = client.post(url(tenant), {"mode": "sometimes", "name": "Lale"})
    assert unknown.status_code == 400
    assert 'value="Lale"' in unknown.content.decode()
    assert bot(tenant) == ("off", "")


# --- the knowledge base ---------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_list_shows_each_entry_with_how_often_it_answered_and_helped(client):
    chat = BotChat(language="en-GB")
    chat.writes("how can i track my order")
    chat.press(chat.bot_messages()[-1], "helpful")
    chat.writes("where is my order please")
    chat.writes("do you sell garden furniture")  # a miss: no entry answered it
    client.force_login(chat.admin.user)
    page = client.get(url(chat.tenant))
    rows = {
        cells[0]: cells[1:]
        for cells in (
            [
                " ".join(re.sub(r"<[^>]+>", " ", c).split())
                for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
            ]
            for row in re.findall(r"<tr data-entry[^>]*>(.*?)</tr>", page.content.decode(), re.S)
        )
    }
    assert rows["tracking"] == ["Where is my order?", "orders", "Yes", "2", "1", "Edit tracking"]
    assert rows["returns"] == [
        "How do I return an item?",
        "returns",
        "Yes",
        "0",
        "0",
        "Edit returns",
    ]
    assert "3 entries, 3 enabled." in page_text(page)


def test_the_search_finds_ids_questions_and_answers_in_any_language_and_case(client):
    tenant, admin = workspace()
    client.force_login(admin.user)

    def found(query: str) -> list[str]:
        text = page_text(client.get(url(tenant), {"q": query}))
        return [
            q
            for q in (
                "How do I return an item?",
                "Where is my order?",
                "Can I pay in installments?",
            )
            if q in text
        ]

    assert found("TRACK") == ["Where is my order?"]  # the ID
    assert found("return an") == ["How do I return an item?"]
    assert found("shipping EMAIL") == ["Where is my order?"]  # the English answer
    assert found("SİPARİŞİM") == ["Where is my order?"]  # the Turkish question, capitals
    assert found("iadeyi") == ["How do I return an item?"]  # "İadeyi" in the Turkish answer
    assert found("kredi kartina taksit") == [
        "Can I pay in installments?"
    ]  # without Turkish letters
    text = page_text(client.get(url(tenant), {"q": "garden furniture"}))
    assert "0 entries match “garden furniture”." in text
    assert "No entry matches “garden furniture”." in text


def test_the_admin_adds_an_entry_in_english_and_turkish(client):
    tenant, admin = workspace(kb=[])
    client.force_login(admin.user)
    page = client.get(url(tenant))
    assert "No entries yet." in page_text(page)
    assert client.get(url(tenant, "bot:entry_new")).status_code == 200
    saved = client.post(
        url(tenant, "bot:entry_new"),
        form(
            id="opening-hours",
            tags="store, hours",
            question_en="When are you open?",
            variants_en="What are your opening hours?\n\nAre you open on Sunday?",
            answer_en="Every day from 9 to 18.",
            question_tr="Ne zaman açıksınız?",
            answer_tr="Her gün 9 ile 18 arası.",
        ),
    )
    assert saved.status_code == 302
    assert "Entry opening-hours saved." in page_text(client.get(saved.url))
    added = entry(tenant, "opening-hours")
    assert added.tags == ["store", "hours"]
    assert added.enabled
    assert added.variants_en == "What are your opening hours?\nAre you open on Sunday?"
    assert (added.question_tr, added.answer_tr) == (
        "Ne zaman açıksınız?",
        "Her gün 9 ile 18 arası.",
    )
    edit = client.get(url(tenant, "bot:entry_edit", entry_id=added.pk))
    text = page_text(edit)
    assert 'value="store, hours"' in edit.content.decode()
    assert "Ne zaman açıksınız?" in edit.content.decode()
    assert "Ayşe Kaya Created" in text  # the history: who and what


def test_an_entry_made_without_an_id_gets_one_from_its_question(client):
    """The ID is for files; someone writing an entry by hand need not invent one. An edit
    that leaves it empty keeps the entry's own."""
    tenant, admin = workspace(kb=[])
    client.force_login(admin.user)
    for _ in range(2):
        saved = client.post(
            url(tenant, "bot:entry_new"),
            form(question_tr="Kargo ne kadar sürer?", answer_tr="1-3 iş günü."),
        )
        assert saved.status_code == 302
    assert "Entry kargo-ne-kadar-surer-2 saved." in page_text(client.get(saved.url))
    assert entry_ids(tenant) == ["kargo-ne-kadar-surer", "kargo-ne-kadar-surer-2"]

    first = entry(tenant, "kargo-ne-kadar-surer")
    edited = client.post(
        url(tenant, "bot:entry_edit", entry_id=first.pk),
        form(question_tr="Kargo kaç günde gelir?", answer_tr="1-3 iş günü."),
    )
    assert edited.status_code == 302
    assert entry_ids(tenant) == ["kargo-ne-kadar-surer", "kargo-ne-kadar-surer-2"]
    assert entry(tenant, "kargo-ne-kadar-surer").question_tr == "Kargo kaç günde gelir?"


def test_an_admin_with_a_turkish_interface_keeps_both_languages_of_an_entry(client):
    tenant, admin = workspace(kb=[])
    client.force_login(admin.user)
    turkish = {"HTTP_ACCEPT_LANGUAGE": "tr"}
    saved = client.post(
        url(tenant, "bot:entry_new"),
        form(
            id="hours",
            question_en="When are you open?",
            answer_en="Every day from 9 to 18.",
            question_tr="Ne zaman açıksınız?",
            answer_tr="Her gün 9 ile 18 arası.",
        ),
        **turkish,
    )
    assert saved.status_code == 302
    imported = client.post(
        url(tenant, "bot:import"), {"file": upload("faq.json", json.dumps(KB))}, **turkish
    )
    assert imported.status_code == 302
    hours, returns = entry(tenant, "hours"), entry(tenant, "returns")
    assert (hours.answer_en, hours.answer_tr) == (
        "Every day from 9 to 18.",
        "Her gün 9 ile 18 arası.",
    )
    assert (returns.question_en, returns.question_tr) == (
        KB[0]["question_en"],
        KB[0]["question_tr"],
    )


def test_an_edit_is_in_the_history_with_what_changed(client):
    tenant, _admin = workspace()
    editor = member(tenant, Role.OWNER, full_name="Mehmet Demir")
    returns = entry(tenant, "returns")
    client.force_login(editor.user)
    edit_url = url(tenant, "bot:entry_edit", entry_id=returns.pk)
    values = form(
        id="returns",
        tags="returns",
        question_en="How do I return an item?",
        variants_en="Can I send back what I bought?",
        answer_en="Start a return within 30 days at https://shop.example/returns.",
        question_tr="Bir ürünü nasıl iade ederim?",
        variants_tr="Aldığım ürünü geri gönderebilir miyim?",
        answer_tr="İadeyi 14 gün içinde başlatın.",
        enabled=False,
    )
    assert client.post(edit_url, values).status_code == 302
    returns = entry(tenant, "returns")
    assert returns.answer_tr == "İadeyi 14 gün içinde başlatın."
    assert not returns.enabled
    text = page_text(client.get(edit_url))
    assert "Mehmet Demir Edited: Answer (Turkish), Disabled" in text
    assert "Ayşe Kaya Created" in text  # by her import
    assert text.index("Mehmet Demir Edited") < text.index("Ayşe Kaya Created")  # newest first
    # Disabled: still listed, marked so.
    listed = client.get(url(tenant)).content.decode()
    row = re.search(r'<tr data-entry="returns">.*?</tr>', listed, re.S).group(0)
    assert ">No<" in row


def test_a_refused_entry_says_why_beside_the_field_and_keeps_what_was_typed(client):
    tenant, admin = workspace()
    client.force_login(admin.user)
    new_url = url(tenant, "bot:entry_new")
    bad_id = client.post(
        new_url, form(id="opening hours!", question_tr="Ne zaman açıksınız?", answer_tr="Her gün.")
    )
    assert bad_id.status_code == 400
    html = bad_id.content.decode()
    field = re.search(r'<div class="field has-error">.*?</div>', html, re.S).group(0)
    assert 'name="id"' in field
    assert "id must be 1 to 64 letters, digits, dots, dashes or underscores." in field
    assert 'value="opening hours!"' in field
    assert 'value="Ne zaman açıksınız?"' in html
    assert "Her gün.</textarea>" in html

    incomplete = client.post(new_url, form(id="hours", question_en="When are you open?"))
    assert incomplete.status_code == 400
    assert "An entry needs a question and an answer in at least one language." in page_text(
        incomplete
    )
    assert 'value="When are you open?"' in incomplete.content.decode()

    tracking = entry(tenant, "tracking")
    taken = client.post(
        url(tenant, "bot:entry_edit", entry_id=tracking.pk),
        form(id="returns", question_en="Where is my order?", answer_en="In the email."),
    )
    assert taken.status_code == 400
    assert "Another entry has the ID returns." in page_text(taken)
    assert entry_ids(tenant) == ["installments", "returns", "tracking"]
    assert entry(tenant, "tracking").answer_en == "Your tracking link is in the shipping email."


def test_deleting_an_entry_asks_first(client):
    tenant, admin = workspace()
    returns = entry(tenant, "returns")
    client.force_login(admin.user)
    delete_url = url(tenant, "bot:entry_delete", entry_id=returns.pk)
    edit = client.get(url(tenant, "bot:entry_edit", entry_id=returns.pk)).content.decode()
    link = re.search(rf'<a href="{delete_url}"[^>]*>', edit).group(0)
    assert 'data-confirm-title="Delete the entry returns?"' in link
    asking = client.get(delete_url)  # without the page's script: a page of its own asks
    assert "Delete the entry returns?" in page_text(asking)
    assert entry_ids(tenant) == ["installments", "returns", "tracking"]
    deleted = client.post(delete_url)
    assert deleted.status_code == 302
    assert "Entry returns deleted." in page_text(client.get(deleted.url))
    assert entry_ids(tenant) == ["installments", "tracking"]


# --- import and export ----------------------------------------------------------------------


def test_importing_a_file_creates_and_updates_entries_by_id(client):
    tenant, admin = workspace(kb=[])
    client.force_login(admin.user)
    imported = client.post(url(tenant, "bot:import"), {"file": upload("faq.JSON", json.dumps(KB))})
    assert imported.status_code == 302
    assert "File imported: 3 new, 0 updated, 0 unchanged." in page_text(client.get(imported.url))
    assert entry_ids(tenant) == ["installments", "returns", "tracking"]

    rows = io.StringIO()
    writer = csv.writer(rows)
    writer.writerow(["id", "question_en", "answer_en", "variants_en", "tags"])
    writer.writerow(
        [
            "tracking",
            "Where is my order?",
            "See the shipping email.",
            "Track my parcel|Order status",
            "orders|shipping",
        ]
    )
    writer.writerow(["gift-wrap", "Do you gift wrap?", "Yes, for free.", "", ""])
    imported = client.post(url(tenant, "bot:import"), {"file": upload("faq.csv", rows.getvalue())})
    assert imported.status_code == 302
    assert "File imported: 1 new, 1 updated, 0 unchanged." in page_text(client.get(imported.url))
    tracking = entry(tenant, "tracking")
    assert tracking.answer_en == "See the shipping email."
    assert tracking.variants_en == "Track my parcel\nOrder status"
    assert tracking.tags == ["orders", "shipping"]


def test_a_file_with_bad_rows_imports_nothing_and_says_which_rows(client):
    tenant, admin = workspace(kb=[])
    client.force_login(admin.user)
    rows = [
        KB[0],
        {"id": "no answer", "question_en": "Hm?"},
        {"id": "x", "question_en": "Q"},
        KB[0],
    ]
    refused = client.post(url(tenant, "bot:import"), {"file": upload("faq.json", json.dumps(rows))})
    assert refused.status_code == 400
    text = page_text(refused)
    assert "Nothing was imported: 3 rows of the file have errors (see Import and export)." in text
    assert "Row 2: id must be 1 to 64 letters, digits, dots, dashes or underscores." in text
    assert "Row 3: An entry needs a question and an answer in at least one language." in text
    assert "Row 4: The id returns is also in row 1." in text
    assert "Row 1" not in text
    assert entry_ids(tenant) == []

    cases = {
        "faq.json": ("[{", "The file is not valid JSON (line 1)."),
        "faq.csv": (
            "question_en,answer_en\nQ,A\n",
            "The CSV file needs a header row with an id column.",
        ),
        "faq.txt": (json.dumps(KB), "Choose a .json or a .csv file."),
    }
    for name, (content, message) in cases.items():
        refused = client.post(url(tenant, "bot:import"), {"file": upload(name, content)})
        assert refused.status_code == 400, name
        assert message in page_text(refused), name
    refused = client.post(url(tenant, "bot:import"), {"file": upload("faq.json", b"\xff\xfe[]")})
    assert "The file must be UTF-8 text." in page_text(refused)
    refused = client.post(url(tenant, "bot:import"), {})
    assert "Choose a file to import." in page_text(refused)
    assert entry_ids(tenant) == []


def test_an_export_is_a_file_that_imports_into_another_workspace_as_it_was(client):
    tenant, admin = workspace()
    client.force_login(admin.user)
    exports = {}
    for kind, content_type in (("json", "application/json"), ("csv", "text/csv")):
        response = client.get(url(tenant, "bot:export", kind=kind))
        assert response.status_code == 200
        assert response["Content-Type"] == f"{content_type}; charset=utf-8"
        assert response["Content-Disposition"] == (
            f'attachment; filename="{tenant.slug}-knowledge-base.{kind}"'
        )
        exports[kind] = response.content
    assert client.get(url(tenant, "bot:export", kind="xml")).status_code == 404
    page = client.get(url(tenant)).content.decode()
    assert url(tenant, "bot:export", kind="csv") in page

    originals = json.loads(exports["json"])
    assert [row["id"] for row in originals] == ["installments", "returns", "tracking"]
    for kind, content in exports.items():
        other, other_admin = workspace(kb=[])
        client.force_login(other_admin.user)
        imported = client.post(url(other, "bot:import"), {"file": upload(f"kb.{kind}", content)})
        assert imported.status_code == 302, kind
        again = json.loads(client.get(url(other, "bot:export", kind="json")).content)
        assert again == originals, kind


# --- the preview ----------------------------------------------------------------------------


def test_the_preview_shows_the_entry_the_bot_would_answer_with(client):
    tenant, admin = workspace()
    client.force_login(admin.user)
    page = client.get(url(tenant), {"preview": "siparisimi nasil takip edebilirim"})
    assert page.status_code == 200
    text = page_text(page)
    assert "The bot would answer with the entry tracking" in text  # a link to it
    assert "Language: Turkish" in text
    assert "Kargo takip bağlantısı kargo e-postasında." in text  # the answer it would send
    matches = page.content.decode().split('data-testid="bot-preview-matches"')[1]
    first = re.search(r"<tr class=\"bot-chosen\">(.*?)</tr>", matches, re.S).group(1)
    assert "tracking" in first and "Where is my order?" in first
    assert re.search(r'class="number">[01]\.\d\d<', first)
    assert "The bot is off" in text  # the settings say so: it answers nobody yet


def test_the_preview_says_when_the_bot_would_not_answer_from_an_entry(client):
    tenant, admin = workspace()
    client.force_login(admin.user)

    def preview(question: str) -> str:
        return page_text(client.get(url(tenant), {"preview": question}))

    assert "would say it does not know, and offer to talk to a person" in preview(
        "do you sell garden furniture"
    )
    close = preview("my order and my card")
    assert "would say it is not sure, suggest the entries marked below" in close
    assert close.count("Suggested") == 3
    assert "Otherwise it suggests up to 3 entries scoring at least 0.25." in close
    assert "The visitor asks for a person" in preview("I want to talk to a real person")
    assert "Small talk" in preview("Hello!")
    assert "Language: English" in preview("Hello!")
    # When it would not answer, the page says how to teach it; when it would, it does not.
    hint = "add the visitor's words to its other phrasings, or add your own words to"
    assert hint in close and "Words that mean the same" in close
    assert hint not in preview("siparisimi nasil takip edebilirim")
