from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IdentityConfig(AppConfig):
    name = "thudo.identity"
    label = "identity"
    verbose_name = _("Công dân và định danh")
    portal_nav = [("identity:profile", _("Tài khoản"), "auth")]

    def ready(self) -> None:
        from thudo.core import permissions
        from thudo.identity.models import Citizen
        from thudo.identity.queries import handling_agencies

        # Citizens see their own record; officials see a citizen through what their agency handles
        # for them (``agency_getter``: the sources the apps above register, e.g. the dossiers);
        # the registry lookup is the verb ``citizen.lookup``.
        permissions.register(
            Citizen, permissions.Scope(noun="citizen", owner_field="user", agency_getter=handling_agencies)
        )
