from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

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

    def ready(self) -> None:
        from thudo.core import permissions
        from thudo.dossiers.models import Dossier

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
