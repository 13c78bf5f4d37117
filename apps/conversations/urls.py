from django.urls import path

from apps.conversations.views import inbox as views

app_name = "inbox"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("<int:number>/", views.inbox, name="conversation"),
    path("visitors/", views.inbox, {"live": True}, name="visitors"),
    path("settings/", views.settings_moved, name="settings"),
]
