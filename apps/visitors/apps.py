from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VisitorsConfig(AppConfig):
    name = "apps.visitors"
    label = "visitors"
    verbose_name = _("Visitors")

    def ready(self):
        from apps.tenants import home
        from apps.visitors import selectors

        home.checklist_item(
            key="snippet",
            label=_("Add the chat to your site"),
            url_name="tenants:widget_settings",
            done=lambda tenant: selectors.page_view_recorded(tenant=tenant),
            order=10,
            template="visitors/checklist_snippet.html",
        )
