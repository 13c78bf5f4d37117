from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CannedConfig(AppConfig):
    name = "apps.canned"
    label = "canned"
    verbose_name = _("Canned responses")
