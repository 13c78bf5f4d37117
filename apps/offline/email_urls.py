"""The pages the links in emails to visitors lead to, and the chat window's requests about
email (mounted at /e/)."""

from django.urls import path

from apps.offline import chat_views, email_views

app_name = "offline_email"

urlpatterns = [
    path("chat/<str:token>/", email_views.open_chat, name="open"),
    path("unsubscribe/<str:token>/", email_views.unsubscribe, name="unsubscribe"),
    path("rate/<str:token>/", email_views.rate, name="rate"),
    # The chat window (widget key in the address, the visitor's token in the JSON body).
    path("w/<str:widget_key>/transcript", chat_views.widget_transcript, name="widget_transcript"),
    path("w/<str:widget_key>/rating", chat_views.widget_rating, name="widget_rating"),
]
