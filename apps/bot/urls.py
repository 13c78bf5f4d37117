"""The Bot section of the Settings area (/app/<slug>/settings/bot/)."""

from django.urls import path

from apps.bot import learning_views, views

app_name = "bot"

urlpatterns = [
    path("bot/", views.bot_settings, name="settings"),
    path("bot/model/", views.bot_llm, name="llm"),
    path("bot/synonyms/", views.bot_synonyms, name="synonyms"),
    path("bot/entries/new/", views.entry_new, name="entry_new"),
    path("bot/entries/<int:entry_id>/", views.entry_edit, name="entry_edit"),
    path("bot/entries/<int:entry_id>/delete/", views.entry_delete, name="entry_delete"),
    path("bot/import/", views.entries_import, name="import"),
    path("bot/export/<str:kind>/", views.entries_export, name="export"),
    path("bot/proposals/", learning_views.proposals, name="proposals"),
]
