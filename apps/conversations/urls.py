from django.urls import path

from apps.conversations.views import inbox as views

app_name = "inbox"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("<int:number>/", views.inbox, name="conversation"),
    path("settings/", views.inbox_settings, name="settings"),
]
