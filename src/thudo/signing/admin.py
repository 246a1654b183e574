from django.contrib import admin

from thudo.signing.models import CertificateAuthority, IssuedDocument, SigningCredential


class ReadOnly(admin.ModelAdmin):
    """Keys and issued files change only through pki.py/actions.py."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CertificateAuthority)
class CertificateAuthorityAdmin(ReadOnly):
    list_display = ("name", "serial", "not_before", "not_after")


@admin.register(SigningCredential)
class SigningCredentialAdmin(ReadOnly):
    list_display = ("user", "agency", "kind", "serial", "not_after", "revoked_at")
    list_filter = ("kind",)
    search_fields = ("user__username", "user__full_name", "serial")


@admin.register(IssuedDocument)
class IssuedDocumentAdmin(ReadOnly):
    list_display = ("document_code", "kind", "agency", "signed_at", "signer_name")
    search_fields = ("document_code", "sha256")
