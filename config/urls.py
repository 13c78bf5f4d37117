from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from apps.core import views as core_views
from apps.core.ratelimit import credential_limits, posted, signed_in_user

handler400 = "apps.core.views.bad_request"

admin.site.site_header = "Sohbet platform"
admin.site.site_title = "Sohbet admin"

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("favicon.ico", core_views.favicon, name="favicon"),
    # Django admin's forms that take a password, limited as the operators' are (and counted
    # with them): these patterns come first, so they answer at the admin's own addresses.
    path(
        "admin/login/",
        credential_limits("login", account=posted("username"))(admin.site.login),
    ),
    path(
        "admin/password_change/",
        admin.site.admin_view(
            credential_limits("password_change", account=signed_in_user)(
                admin.site.password_change
            ),
            cacheable=True,
        ),
    ),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("app/<slug:slug>/inbox/search/", include("apps.search.urls")),
    path("app/<slug:slug>/inbox/email/", include("apps.offline.inbox_urls")),
    path("app/<slug:slug>/inbox/bot/", include("apps.bot.inbox_urls")),
    path("app/<slug:slug>/inbox/", include("apps.conversations.urls")),
    path("app/<slug:slug>/settings/", include("apps.conversations.settings_urls")),
    path("app/<slug:slug>/settings/", include("apps.offline.urls")),
    path("app/<slug:slug>/settings/", include("apps.bot.urls")),
    path("app/<slug:slug>/settings/", include("apps.automation.urls")),
    path("app/<slug:slug>/canned/", include("apps.canned.urls")),
    path("inbound/", include("apps.offline.inbound_urls")),
    path("e/", include("apps.offline.email_urls")),
    path("", include("apps.conversations.widget_urls")),
    path("", include("apps.tenants.urls")),
]

if not settings.PRODUCTION_MODE:  # the local run keeps uploads under var/media
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
