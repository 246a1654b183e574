from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpsConfig(AppConfig):
    """Running the platform: ``thudo serve`` / ``thudo worker``, ``/healthz``, ``/readyz``,
    ``/metrics`` (ADR 0013). It reads the other apps' data and hears their events; no app
    imports it."""

    name = "thudo.ops"
    label = "ops"
    verbose_name = _("Vận hành")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_login_failed

        from thudo.core import events
        from thudo.dossiers.events import DossierEventRecorded
        from thudo.ops import collectors

        events.subscribe(DossierEventRecorded, collectors.count_dossier_event)
        user_login_failed.connect(collectors.count_login_failure, dispatch_uid="thudo.ops.login_failed")
        collectors.register()
