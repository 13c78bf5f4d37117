from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from apps.core import views as core_views

handler400 = "apps.core.views.bad_request"

admin.site.site_header = "Sohbet platform"
admin.site.site_title = "Sohbet admin"

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("app/<slug:slug>/inbox/search/", include("apps.search.urls")),
    path("app/<slug:slug>/inbox/", include("apps.conversations.urls")),
    path("app/<slug:slug>/canned/", include("apps.canned.urls")),
    path("", include("apps.conversations.widget_urls")),
    path("", include("apps.tenants.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
