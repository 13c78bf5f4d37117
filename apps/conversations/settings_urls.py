"""The inbox's sections of the Settings area (/app/<slug>/settings/…)."""

from django.urls import path

from apps.conversations.views import inbox as views

app_name = "inbox_settings"

urlpatterns = [
    path("inbox/", views.settings_general, name="general"),
    path("teams/", views.settings_teams, name="teams"),
    path("labels/", views.settings_labels, name="labels"),
]
