"""The pages the links in emails to visitors lead to (mounted at /e/). The chat window asks for
its transcript and rates a chat over its socket (``apps.offline.widget``)."""

from django.urls import path

from apps.offline import email_views

app_name = "offline_email"

urlpatterns = [
    path("chat/<str:token>/", email_views.open_chat, name="open"),
    path("unsubscribe/<str:token>/", email_views.unsubscribe, name="unsubscribe"),
    path("rate/<str:token>/", email_views.rate, name="rate"),
]
