"""An admin sets up the bot in the Settings area: turns it on, writes an entry in English and
Turkish, finds it, tries a question on it; imports a file, reads an entry's history and deletes
it after the dialog asks."""

import json

import pytest
from django_scopes import scope
from playwright.sync_api import expect

from apps.bot import selectors, services
from apps.bot.models import Entry
from apps.tenants.models import Role
from tests.bot.helpers import KB
from tests.browser.a11y import assert_accessible
from tests.browser.test_language import turkish
from tests.factories import TenantFactory, member
from tests.utils import in_thread

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]


def workspace(kb=()):
    tenant = in_thread(TenantFactory, name="Lale Çiçekçilik")
    with scope(tenant=tenant):
        admin = in_thread(member, tenant, Role.ADMIN, full_name="Ayşe Kaya", language="")
        if kb:
            report = in_thread(
                services.entries_import,
                tenant_id=tenant.pk,
                raw=json.dumps(list(kb)),
                kind="json",
                author=admin.user,
            )
            assert report.ok
    return tenant, admin


def read(tenant, fn):
    with scope(tenant=tenant):
        return in_thread(fn)


def test_admin_turns_the_bot_on_writes_an_entry_finds_it_and_tries_it(page, login, screenshot):
    tenant, admin = workspace(kb=[KB[0], KB[2]])  # returns and installments
    login(page, admin.user)
    page.goto(f"/app/{tenant.slug}/settings/")
    sections = page.get_by_role("navigation", name="Settings")
    sections.get_by_role("link", name="Bot").click()
    expect(page.get_by_role("heading", name="Bot", level=1)).to_be_visible()
    expect(sections.get_by_role("link", name="Bot")).to_have_attribute("aria-current", "page")

    # When it answers, and its name.
    expect(page.get_by_label("Off", exact=True)).to_be_checked()
    page.get_by_label("Always", exact=True).check()
    page.get_by_label("Bot's name").fill("Lale")
    page.get_by_test_id("bot-settings-form").get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("Bot settings saved.")
    expect(page.get_by_label("Always", exact=True)).to_be_checked()
    expect(page.get_by_label("Bot's name")).to_have_value("Lale")
    settings = read(tenant, lambda: selectors.bot_settings(tenant_id=tenant.pk))
    assert (settings.mode, settings.name) == ("always", "Lale")

    # A new entry, in both languages.
    page.get_by_role("link", name="Add entry").click()
    expect(page.get_by_role("heading", name="New entry", level=1)).to_be_visible()
    page.get_by_label("ID", exact=True).fill("tracking")
    english = page.get_by_role("group", name="English")
    english.get_by_label("Question").fill("Where is my order?")
    english.get_by_label("Other phrasings").fill(
        "How can I track my order?\nHas my parcel shipped?"
    )
    english.get_by_label("Answer").fill("Your tracking link is in the shipping email.")
    turkish_texts = page.get_by_role("group", name="Turkish")
    turkish_texts.get_by_label("Question").fill("Siparişim nerede?")
    turkish_texts.get_by_label("Other phrasings").fill("Siparişimi nasıl takip ederim?")
    turkish_texts.get_by_label("Answer").fill("Kargo takip bağlantısı kargo e-postasında.")
    page.get_by_label("Tags").fill("orders, shipping")
    page.get_by_role("button", name="Save entry").click()
    expect(page.get_by_role("status")).to_contain_text("Entry tracking saved.")
    entries = page.get_by_test_id("kb-entries")
    expect(entries.get_by_role("row")).to_have_count(4)  # the header and three entries

    # Found by a Turkish word typed in capitals.
    page.get_by_label("Search entries").fill("SİPARİŞ")
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page.get_by_test_id("kb-matching")).to_have_text("1 entry matches “SİPARİŞ”.")
    expect(entries.get_by_role("row")).to_have_count(2)
    expect(entries).to_contain_text("Where is my order?")
    expect(entries).to_contain_text("orders")

    # A Turkish question typed without Turkish letters finds it, and gets the Turkish answer.
    page.get_by_label("A visitor asks").fill("siparisim nerede kaldi")
    page.get_by_role("button", name="Preview the answer").click()
    preview = page.get_by_test_id("bot-preview")
    expect(preview).to_contain_text("The bot would answer with the entry tracking.")
    expect(preview).to_contain_text("Language: Turkish")
    expect(preview).to_contain_text("Kargo takip bağlantısı kargo e-postasında.")
    chosen = page.get_by_test_id("bot-preview-matches").get_by_role("row").nth(1)
    expect(chosen).to_contain_text("tracking")
    expect(chosen).to_contain_text("Chosen")
    expect(page.get_by_label("Search entries")).to_have_value("SİPARİŞ")  # the search stays
    assert_accessible(page)
    screenshot(page, "settings_bot")


def test_admin_imports_a_file_reads_the_history_and_deletes_an_entry(
    page, login, screenshot, tmp_path
):
    tenant, admin = workspace()
    login(page, admin.user)
    page.goto(f"/app/{tenant.slug}/settings/bot/")
    expect(page.get_by_text("No entries yet.")).to_be_visible()

    # A file with a bad row: nothing is imported, and the page says which row.
    bad = tmp_path / "faq.json"
    bad.write_text(json.dumps([KB[0], {"id": "gift wrap", "question_en": "Gift wrap?"}]))
    page.get_by_label("File to import").set_input_files(bad)
    page.get_by_role("button", name="Import", exact=True).click()
    expect(page.locator(".message.error")).to_have_text(
        "Nothing was imported: a row of the file has an error (see Import and export)."
    )
    expect(page.get_by_test_id("import-errors")).to_contain_text("Row 2: id must be")
    assert read(tenant, lambda: Entry.objects.count()) == 0

    good = tmp_path / "faq.csv"
    good.write_text(
        "id,question_en,answer_en,question_tr,answer_tr,tags\n"
        "returns,How do I return an item?,Within 30 days.,Nasıl iade ederim?,30 gün içinde.,"
        "returns\n"
        "tracking,Where is my order?,In the shipping email.,Siparişim nerede?,E-postada.,orders\n"
    )
    page.get_by_label("File to import").set_input_files(good)
    page.get_by_role("button", name="Import", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text(
        "File imported: 2 new, 0 updated, 0 unchanged."
    )

    # An edit, then the history says who changed what.
    page.get_by_role("link", name="Edit returns").click()
    page.get_by_role("group", name="Turkish").get_by_label("Answer").fill(
        "İadeyi 30 gün içinde başlatın."
    )
    page.get_by_role("button", name="Save entry").click()
    expect(page.get_by_role("status")).to_contain_text("Entry returns saved.")
    page.get_by_role("link", name="Edit returns").click()
    history = page.get_by_test_id("entry-history")
    expect(history.get_by_role("row").nth(1)).to_contain_text("Ayşe Kaya")
    expect(history.get_by_role("row").nth(1)).to_contain_text("Edited: Answer (Turkish)")
    expect(history.get_by_role("row").nth(2)).to_contain_text("Created")
    screenshot(page, "settings_bot_entry")

    # Deleting asks first; Cancel keeps it.
    page.get_by_role("link", name="Delete entry").click()
    asking = page.get_by_role("alertdialog", name="Delete the entry returns?")
    expect(asking).to_be_visible()
    asking.get_by_role("button", name="Cancel").click()
    expect(asking).to_be_hidden()
    page.get_by_role("link", name="Delete entry").click()
    asking.get_by_role("button", name="Delete returns").click()
    expect(page.get_by_role("status")).to_contain_text("Entry returns deleted.")
    assert read(tenant, lambda: list(Entry.objects.values_list("external_id", flat=True))) == [
        "tracking"
    ]

    # The page in Turkish, for an admin who chose Turkish.
    in_thread(lambda: type(admin.user).objects.filter(pk=admin.user.pk).update(language="tr"))
    page.goto(f"/app/{tenant.slug}/settings/bot/?preview=siparisim+nerede")
    expect(page.get_by_role("heading", name=turkish("Knowledge base"))).to_be_visible()
    expect(page.get_by_test_id("bot-preview")).to_contain_text("E-postada.")
    screenshot(page, "settings_bot_turkish")


def _visitors_who_chose(questions):
    """A workspace with the bot on, where a consenting visitor per question asked it, was
    offered suggestions, chose "Where is my order?", and whose chat was resolved."""
    from apps.bot import widget
    from apps.conversations import services as conversation_services
    from tests.bot.helpers import BotChat

    chat = BotChat()
    for question in questions:
        chat.visitor, chat.conversation = chat.new_visitor(language="en-GB"), None
        with scope(tenant=chat.tenant):
            frame = {"type": "consent", "purpose": "learning", "given": True}
            widget.frame_consent(visitor=chat.visitor, frame=frame, language="en")
        chat.writes(question)
        chat.choose(chat.bot_messages()[-1], "tracking")
        with scope(tenant=chat.tenant):
            conversation_services.conversation_resolve(
                membership=chat.admin, conversation=chat.conversation
            )
    return chat


def test_admin_adds_a_visitors_words_to_the_entry_they_chose_and_dismisses_others(
    page, login, screenshot
):
    chat = in_thread(_visitors_who_chose, ["the parcel with my item", "kargodaki ürünüm"])
    login(page, chat.admin.user)
    page.goto(f"/app/{chat.tenant.slug}/settings/bot/")
    page.get_by_role("link", name="proposed entries").click()
    section = page.get_by_test_id("phrasings")
    expect(section.get_by_role("heading")).to_have_text("Visitors' words for your entries")
    rows = section.get_by_test_id("phrasing")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("“the parcel with my item” → Where is my order?")
    assert_accessible(page)
    screenshot(page, "bot_proposed_phrasings")

    rows.first.get_by_role("button", name="Add as a phrasing").click()
    expect(page.get_by_role("status")).to_contain_text(
        "Added to the phrasings of the entry tracking."
    )
    expect(rows).to_have_count(1)
    rows.first.get_by_role("button", name="Dismiss").click()
    expect(page.get_by_test_id("phrasings")).to_have_count(0)
    expect(page.get_by_test_id("no-proposals")).to_be_visible()
    tracking = read(chat.tenant, lambda: Entry.objects.get(external_id="tracking"))
    assert "the parcel with my item" in tracking.variants_en.splitlines()
    assert "kargodaki ürünüm" not in tracking.variants_tr


def test_admin_adds_words_that_mean_the_same_and_the_bot_understands_them(page, login, screenshot):
    plan = {
        "id": "pro-plan",
        "question_en": "What does the Pro plan include?",
        "answer_en": "Pro has unlimited users, stock tracking and the API.",
        "question_tr": "Pro paket neler içeriyor?",
        "answer_tr": "Pro pakette sınırsız kullanıcı, stok takibi ve API var.",
    }
    tenant, admin = workspace(kb=[KB[0], plan])
    login(page, admin.user)
    page.goto(f"/app/{tenant.slug}/settings/bot/")

    def preview(question):
        page.get_by_label("A visitor asks").fill(question)
        page.get_by_role("button", name="Preview the answer").click()
        return page.get_by_test_id("bot-preview")

    expect(preview("what do I get with premium?")).not_to_contain_text(
        "The bot would answer with the entry pro-plan."
    )
    # The preview says how to teach it, and leads to the words that mean the same.
    page.get_by_test_id("bot-preview-hint").get_by_role(
        "link", name="Words that mean the same"
    ).click()
    expect(page.get_by_label("Your groups, one per line")).to_be_in_viewport()

    words = page.get_by_label("Your groups, one per line")
    form = page.get_by_test_id("synonyms-form")
    # A line of one word is refused, with its number; what was typed stays.
    words.fill("Pro plan, premium, Pro paket\npremium")
    form.get_by_role("button", name="Save").click()
    expect(form).to_contain_text("Line 2: give two or more words or phrases, separated by commas.")
    expect(words).to_have_value("Pro plan, premium, Pro paket\npremium")

    words.fill("Pro plan, premium, Pro paket")
    form.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("Words that mean the same saved.")
    expect(words).to_have_value("Pro plan, premium, Pro paket")
    settings = read(tenant, lambda: selectors.bot_settings(tenant_id=tenant.pk))
    assert settings.synonyms == "Pro plan, premium, Pro paket"

    answer = preview("what do I get with premium?")
    expect(answer).to_contain_text("The bot would answer with the entry pro-plan.")
    expect(answer).to_contain_text("Pro has unlimited users, stock tracking and the API.")
    answer = preview("premium üyelikte neler var?")
    expect(answer).to_contain_text("Pro pakette sınırsız kullanıcı, stok takibi ve API var.")
    page.locator("#synonyms").scroll_into_view_if_needed()
    assert_accessible(page)
    screenshot(page, "settings_bot_synonyms")
