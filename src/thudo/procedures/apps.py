from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProceduresConfig(AppConfig):
    name = "thudo.procedures"
    label = "procedures"
    verbose_name = _("Thủ tục hành chính")
    portal_nav = [("procedures:catalogue", _("Thủ tục hành chính"))]

    def ready(self) -> None:
        from django.db.models import Q

        from thudo.core import permissions
        from thudo.procedures.models import Procedure, Process

        # Published versions are public; drafts and superseded versions only for those who manage
        # them (city administrators, and agency administrators for their agency's procedures).
        permissions.register(
            Procedure,
            permissions.Scope(noun="procedure", agency_fields=("agency",), public=Q(status="published")),
        )
        permissions.register(
            Process,
            permissions.Scope(noun="process", agency_fields=("agency",), public=Q(status="published")),
        )

        from thudo.core.livedata import LIVE_DATASETS
        from thudo.procedures import opentables

        LIVE_DATASETS.register(opentables.CATALOGUE)
