"""Email coming in over HTTP: /inbound/email/<workspace's secret>/ (docs/email.md)."""

from django.urls import path

from apps.offline import inbound_views

app_name = "inbound"

urlpatterns = [
    path("email/<str:secret>/", inbound_views.email, name="email"),
]
