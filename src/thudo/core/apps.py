from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "thudo.core"
    label = "core"
    verbose_name = _("Nền tảng")

    def ready(self) -> None:
        from django.db.models import Q

        from thudo.core import opentables, permissions, tasks_backend
        from thudo.core.livedata import LIVE_DATASETS
        from thudo.core.models import AdministrativeUnit, Agency, AuditRecord, CalendarOverride

        permissions.register(AdministrativeUnit, permissions.Scope(noun="unit", public=Q()))
        permissions.register(Agency, permissions.Scope(noun="agency", agency_fields=("id",), public=Q()))
        permissions.register(CalendarOverride, permissions.Scope(noun="calendar", agency_fields=("agency",)))
        permissions.register(AuditRecord, permissions.Scope(noun="audit"))
        # The worker binds the request id a task carries, times the run and logs it.
        tasks_backend.connect()
        # Tables the platform publishes as open data (opendata publishes them).
        LIVE_DATASETS.register(opentables.UNITS)
        LIVE_DATASETS.register(opentables.SUCCESSION)
