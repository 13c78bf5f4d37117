"""The inbox's requests about email (/app/<slug>/inbox/email/)."""

from django.urls import path

from apps.offline import inbox_views

app_name = "offline_inbox"

urlpatterns = [
    path("<int:number>/transcript/", inbox_views.inbox_transcript, name="transcript"),
]
