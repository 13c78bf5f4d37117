from django.urls import path

from apps.canned import views

app_name = "canned"

urlpatterns = [
    path("", views.canned_list, name="list"),
    path("new/", views.canned_new, name="new"),
    path("<int:response_id>/edit/", views.canned_edit, name="edit"),
    path("<int:response_id>/delete/", views.canned_delete, name="delete"),
    path("api/", views.api_list, name="api_list"),
    path("api/<int:response_id>/use/", views.api_use, name="api_use"),
]
