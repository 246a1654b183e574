from django.contrib import admin
from django.urls import include, path

from thudo.conf.api import api

urlpatterns = [
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("", include("thudo.web.urls")),
    path("", include("thudo.core.urls")),
    path("", include("thudo.identity.urls")),
    path("", include("thudo.procedures.urls")),
    path("", include("thudo.dossiers.urls")),
    path("", include("thudo.feedback.urls")),
    path("", include("thudo.signing.urls")),
    path("", include("thudo.notifications.urls")),
    path("", include("thudo.kpi.urls")),
    path("", include("thudo.security.urls")),
]
# Pages carry no language prefix: the language comes from the cookie (set_language) or the
# browser, Vietnamese by default.
