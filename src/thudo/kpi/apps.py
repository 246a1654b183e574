from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from thudo.core.schedule import ScheduledTask


class KpiConfig(AppConfig):
    name = "thudo.kpi"
    label = "kpi"
    verbose_name = _("Chỉ số, báo cáo, xếp hạng")
    portal_nav = [("kpi:ranking", _("Xếp hạng chất lượng phục vụ"))]
    workspace_nav = [
        ("kpi:overview", _("Chỉ số phục vụ"), "can:kpi.view"),
        ("kpi:targets", _("Mục tiêu chuyển đổi số")),
        ("kpi:reports", _("Báo cáo định kỳ")),
    ]

    schedule = [
        ScheduledTask(
            "thudo.kpi.tasks.rollup_current", ("*/5 * * * *",), _("tổng hợp chỉ số: 5 phút một lần")
        ),
        ScheduledTask(
            "thudo.kpi.tasks.publish_month", ("0 6 1 * *",), _("công bố xếp hạng tháng trước: 06:00 ngày 1")
        ),
    ]

    def ready(self) -> None:
        from thudo.core import events, indicators, permissions
        from thudo.core.indicators import AgencyFactsChanged
        from thudo.core.references import REFERENCES, ReferenceKind
        from thudo.dossiers.events import DossierEventRecorded
        from thudo.kpi import tasks
        from thudo.kpi.models import ReportAssignment, ReportSubmission
        from thudo.kpi.queries import full_online_share, target_link

        # The index follows every recorded dossier event, refreshed after the commit.
        events.subscribe(DossierEventRecorded, tasks.dossier_changed, when=events.ON_COMMIT)
        # ... and every change another app reports through the indicator-source registry.
        events.subscribe(AgencyFactsChanged, tasks.facts_changed, when=events.ON_COMMIT)
        # Tasks (and later documents) name a target as "kpi.target:<code>"; this is its link.
        REFERENCES.register(ReferenceKind("kpi.target", target_link))
        # The targets board's computed values kpi owns (other apps register theirs).
        indicators.TARGET_VALUES.register(
            indicators.TargetValue(
                "full_online_share", _("TTHC trực tuyến toàn trình (%)"), full_online_share
            )
        )

        permissions.register(ReportAssignment, permissions.Scope(noun="kpi", agency_fields=("agency",)))
        permissions.register(
            ReportSubmission, permissions.Scope(noun="kpi", agency_fields=("assignment__agency",))
        )

        from thudo.core.livedata import LIVE_DATASETS
        from thudo.kpi import opentables

        LIVE_DATASETS.register(opentables.RANKINGS)
        LIVE_DATASETS.register(opentables.TASK_RANKINGS)
