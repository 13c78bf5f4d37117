"""Business hours in the Settings area (/app/<slug>/settings/hours/)."""

from django.urls import path

from apps.offline import views

app_name = "offline"

urlpatterns = [
    path("hours/", views.hours, name="hours"),
    path("offline/", views.offline_settings, name="settings"),
]
