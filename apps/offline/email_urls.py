"""The pages the links in emails to visitors lead to (mounted at /e/)."""

from django.urls import path

from apps.offline import email_views as views

app_name = "offline_email"

urlpatterns = [
    path("chat/<str:token>/", views.open_chat, name="open"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("rate/<str:token>/", views.rate, name="rate"),
]
