from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _dossier_agencies(citizen) -> list[int | None]:
    """Agencies handling a dossier of this citizen: their officials with ``citizen.view`` may see
    the citizen's record (Decree 13/2023/NĐ-CP: access only for the procedure being handled)."""
    from django.apps import apps
    from django.core.exceptions import FieldError
    from django.db.models import Q

    try:
        dossier = apps.get_model("dossiers", "Dossier")
        condition = Q(applicant_pin=citizen.pin) if citizen.pin else Q(pk__in=[])
        if citizen.user_id:
            condition |= Q(applicant_user_id=citizen.user_id)
        rows = dossier.objects.filter(condition).values_list("receiving_agency_id", "processing_agency_id")
        return [a for pair in rows for a in pair]
    except (LookupError, FieldError):
        return []


class IdentityConfig(AppConfig):
    name = "thudo.identity"
    label = "identity"
    verbose_name = _("Công dân và định danh")
    portal_nav = [("identity:profile", _("Tài khoản"), "auth")]

    def ready(self) -> None:
        from thudo.core import permissions
        from thudo.identity.models import Citizen

        # Citizens see their own record; officials see a citizen through the dossiers their
        # agency handles (``agency_getter``); the registry lookup is the verb ``citizen.lookup``.
        permissions.register(
            Citizen, permissions.Scope(noun="citizen", owner_field="user", agency_getter=_dossier_agencies)
        )
