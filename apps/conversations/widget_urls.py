from django.urls import path

from apps.conversations.views import widget as views

app_name = "widget"

urlpatterns = [
    path("widget.js", views.loader, name="loader"),
    path("w/<str:widget_key>/config.json", views.widget_config, name="config"),
    path("w/<str:widget_key>/visit", views.visit, name="visit"),
    path("w/<str:widget_key>/chat/", views.chat, name="chat"),
    path("demo/", views.demo, name="demo"),
    # For the workspace's admins: the frame beside the widget settings form.
    path("app/<slug:slug>/settings/widget/preview/", views.preview, name="preview"),
]
