from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from thudo.core.schedule import ScheduledTask
from thudo.dossiers import payments  # noqa: F401 - registers the payment gateway's system checks


class DossiersConfig(AppConfig):
    name = "thudo.dossiers"
    label = "dossiers"
    verbose_name = _("Hồ sơ")
    # Navigation (web.context): portal links, and the officials' workspace side menu.
    portal_nav = [
        ("dossiers:mine", _("Hồ sơ của tôi"), "auth"),
        ("dossiers:lookup", _("Tra cứu hồ sơ")),
    ]
    workspace_nav = [
        ("dossiers:reception", _("Tiếp nhận hồ sơ")),
        ("dossiers:work_queue", _("Hồ sơ cần xử lý")),
        ("dossiers:signing", _("Phê duyệt, ký số"), "can:dossier.sign"),
        ("dossiers:register", _("Sổ theo dõi hồ sơ")),
    ]

    # The schedule (core.schedule; docs/operations.md): what the worker runs when.
    schedule = [
        ScheduledTask(
            "thudo.dossiers.tasks.send_reminders",
            ("30 7 * * mon-sat", "0 13 * * mon-sat"),
            _("nhắc hạn hồ sơ: 07:30 và 13:00 thứ Hai–thứ Bảy"),
        ),
    ]
    # The workspace home's counters (web.views.workspace): a function of the person.
    workspace_tiles = "thudo.dossiers.views.workspace_tiles"

    def ready(self) -> None:
        from thudo.core import indicators, permissions
        from thudo.dossiers import indicators as dossier_indicators
        from thudo.dossiers import queries
        from thudo.dossiers.models import Dossier
        from thudo.identity.queries import CITIZEN_HANDLERS

        # Officers of the receiving agency (one-stop desk, service center) and of the processing
        # agency see the dossier; the applicant sees their own.
        permissions.register(
            Dossier,
            permissions.Scope(
                noun="dossier",
                agency_fields=("receiving_agency", "processing_agency"),
                owner_field="applicant_user",
            ),
        )
        # The agencies handling a citizen's dossier may see that citizen's record.
        CITIZEN_HANDLERS.register(queries.agencies_handling_citizen)
        # The index's dossier and procedure facts, rolled up by kpi (core.indicators).
        indicators.SOURCES.register(dossier_indicators.SOURCE)
