from django.urls import path, register_converter

from thudo.kpi import views


class PeriodConverter:
    regex = r"\d{4}-\d{2}(?:\.\.\d{4}-\d{2})?"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(PeriodConverter, "period")

app_name = "kpi"

urlpatterns = [
    path("xep-hang/", views.ranking, name="ranking"),
    path("xep-hang/<period:period>/v<int:version>.<str:fmt>", views.ranking_export, name="ranking_export"),
    path("kpi/", views.overview, name="overview"),
    path("kpi/cong-bo/", views.publish, name="publish"),
    path("kpi/tong-hop/", views.rollup_now, name="rollup"),
    path("kpi/muc-tieu/", views.targets, name="targets"),
    path("kpi/don-vi/<str:code>/", views.unit, name="unit"),
    path("kpi/don-vi/<str:code>/<period:period>.<str:fmt>", views.unit_export, name="unit_export"),
    path(
        "kpi/don-vi/<str:code>/<period:period>/<str:indicator>/<str:part>/",
        views.behind,
        name="behind",
    ),
    path("kpi/bao-cao/", views.reports, name="reports"),
    path("kpi/bao-cao/<int:pk>/", views.report, name="report"),
    path("kpi/bieu-mau/<str:code>/<period:period>.xlsx", views.form_workbook, name="form_workbook"),
]
