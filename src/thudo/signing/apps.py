from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SigningConfig(AppConfig):
    name = "thudo.signing"
    label = "signing"
    verbose_name = _("Ký số và giấy tờ")
    portal_nav = [("signing:verify", _("Xác thực văn bản"))]

    def ready(self) -> None:
        from django.db.models import Q

        from thudo.core import permissions
        from thudo.signing.models import IssuedDocument, SigningCredential

        # Whoever holds the file knows its SHA-256: the facts of an issued file are public.
        permissions.register(
            IssuedDocument,
            permissions.Scope(noun="issued_document", agency_fields=("agency",), public=Q(pk__isnull=False)),
        )
        permissions.register(
            SigningCredential,
            permissions.Scope(noun="signing_credential", agency_fields=("agency",), owner_field="user"),
        )
