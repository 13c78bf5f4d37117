"""The inbox's requests about the bot (/app/<slug>/inbox/bot/)."""

from django.urls import path

from apps.bot import inbox_views

app_name = "bot_inbox"

urlpatterns = [
    path("<int:number>/resume/", inbox_views.inbox_resume, name="resume"),
    path("<int:number>/suggestions/", inbox_views.inbox_suggestions, name="suggestions"),
    path("<int:number>/suggest/", inbox_views.inbox_suggest, name="suggest"),
]
