"""Knowledge-base files: what an import leaves alone, and what an export makes safe to open in
a spreadsheet."""

import pytest
from django_scopes import scope

from apps.bot import services
from apps.bot.models import Entry
from tests.bot.helpers import BotChat

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_a_csv_without_the_turkish_columns_keeps_the_turkish_text():
    chat = BotChat(mode="off")
    csv_text = "id,question_en,answer_en\nreturns,How do I send an item back?,Use the form.\n"
    with scope(tenant=chat.tenant):
        report = services.entries_import(tenant_id=chat.tenant.pk, raw=csv_text, kind="csv")
        assert (report.ok, report.updated) == (True, 1)
        entry = Entry.objects.get(external_id="returns")
    assert entry.question_en == "How do I send an item back?"
    assert entry.answer_en == "Use the form."
    assert entry.question_tr == "Bir ürünü nasıl iade ederim?"  # left alone
    assert entry.variants_en == "Can I send back what I bought?"  # no such column: kept


def test_a_cell_a_spreadsheet_would_run_as_a_formula_is_exported_safe_and_imported_back():
    chat = BotChat(mode="off")
    row = {
        "id": "sum",
        "question_en": "=1+1",
        "answer_en": "-5% on Mondays, +10 points",
        "tags": ["@home"],
    }
    with scope(tenant=chat.tenant):
        services.entry_save(tenant_id=chat.tenant.pk, data=row)
        exported = services.entries_export(tenant_id=chat.tenant.pk, kind="csv")
    assert "'=1+1" in exported and "'-5% on Mondays" in exported and "'@home" in exported
    other = BotChat(mode="off", kb=[])
    with scope(tenant=other.tenant):
        report = services.entries_import(tenant_id=other.tenant.pk, raw=exported, kind="csv")
        assert report.ok, report.errors
        entry = Entry.objects.get(external_id="sum")
    assert (entry.question_en, entry.answer_en, entry.tags) == (
        "=1+1",
        "-5% on Mondays, +10 points",
        ["@home"],
    )
