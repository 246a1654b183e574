from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from thudo.core.schedule import ScheduledTask


class OpenDataConfig(AppConfig):
    name = "thudo.opendata"
    label = "opendata"
    verbose_name = _("Dữ liệu mở")
    portal_nav = [("opendata:catalogue", _("Dữ liệu mở"))]
    workspace_nav = [
        ("opendata:editor", _("Công bố dữ liệu mở"), "can:dataset.manage"),
        ("opendata:indicators", _("Chỉ số công bố dữ liệu mở")),
    ]
    schedule = [
        ScheduledTask(
            "thudo.opendata.tasks.refresh_live_datasets",
            ("30 2 * * *",),
            _("làm mới dữ liệu mở trực tiếp: 02:30 hằng ngày"),
        ),
    ]

    def ready(self) -> None:
        from django.db.models import Q

        from thudo.core import indicators as core_indicators
        from thudo.core import permissions
        from thudo.opendata import indicators
        from thudo.opendata.models import Dataset, Organisation, Resource

        # kpi counts the open-data facts per agency and month without importing this app.
        core_indicators.SOURCES.register(
            core_indicators.IndicatorSource(
                name="opendata",
                facts={
                    "opendata.datasets": _("Bộ dữ liệu mở đã đăng ký"),
                    "opendata.opened": _("Bộ dữ liệu mở công khai có tài nguyên"),
                    "opendata.stale": _("Bộ dữ liệu mở quá hạn cập nhật"),
                },
                count=indicators.facts,
            )
        )

        # The targets board: departments that opened data (computed target DL-01).
        core_indicators.TARGET_VALUES.register(
            core_indicators.TargetValue(
                "open_data_departments", _("Sở, ngành đã mở dữ liệu"), indicators.departments_opened
            )
        )

        permissions.register(Organisation, permissions.Scope(noun="dataset", agency_fields=("agency",)))
        permissions.register(
            Dataset,
            permissions.Scope(
                noun="dataset", agency_fields=("organisation__agency",), public=Q(private=False)
            ),
        )
        permissions.register(
            Resource,
            permissions.Scope(
                noun="dataset",
                agency_fields=("dataset__organisation__agency",),
                public=Q(dataset__private=False),
            ),
        )
