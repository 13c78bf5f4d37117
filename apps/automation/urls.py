"""The Automation section of the Settings area (/app/<slug>/settings/automation/)."""

from django.urls import path

from apps.automation import views

app_name = "automation"

urlpatterns = [
    path("automation/", views.rules, name="rules"),
    path("automation/new/", views.rule_new, name="rule_new"),
    path("automation/test/", views.rule_test, name="rule_test"),
    path("automation/<int:rule_id>/", views.rule_edit, name="rule_edit"),
    path("automation/<int:rule_id>/delete/", views.rule_delete, name="rule_delete"),
    path("automation/<int:rule_id>/toggle/", views.rule_toggle, name="rule_toggle"),
    path("automation/<int:rule_id>/move/", views.rule_move, name="rule_move"),
    path("automation/flows/", views.flow_list, name="flows"),
    path("automation/flows/new/", views.flow_edit, name="flow_new"),
    path("automation/flows/<int:flow_id>/", views.flow_edit, name="flow_edit"),
    path("automation/flows/<int:flow_id>/export/", views.flow_export, name="flow_export"),
    path("automation/flows/<int:flow_id>/delete/", views.flow_delete, name="flow_delete"),
]
