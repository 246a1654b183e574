from django.contrib import admin
from django.urls import include, path

from thudo.conf.api import api

urlpatterns = [
    path("", include("thudo.ops.urls")),  # /healthz, /readyz, /metrics
    path("api/v1/", api.urls),
    # CKAN's Action API (open data): outside the ninja API, in CKAN's own envelope (ADR opendata).
    path("api/3/action/", include("thudo.opendata.ckan_urls")),
    path("api/action/", include("thudo.opendata.ckan_urls")),
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
    path("", include("thudo.opendata.urls")),
    path("", include("thudo.tasks.urls")),
    path("", include("thudo.kpi.urls")),
    path("", include("thudo.security.urls")),
]
# Pages carry no language prefix: the language comes from the cookie (set_language) or the
# browser, Vietnamese by default.
